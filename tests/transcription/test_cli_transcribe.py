"""``openai-realtime transcribe`` and ``translate``: files in, captions and speech out."""

from __future__ import annotations

import asyncio
import json
import wave
from pathlib import Path

import pytest
import srt  # type: ignore[import-untyped]
import webvtt
from spoken_audio import RATE, utterances_with_silences

from openai_realtime.cli import main
from openai_realtime.cli.translate import translation_url
from openai_realtime.protocol.audio import read_wav, write_wav
from openai_realtime.testing import FakeRealtimeServer

TEXTS = ["first caption", "second caption here", "and the third"]


@pytest.fixture
def speech_wav(tmp_path: Path) -> Path:
    audio, _ = utterances_with_silences(TEXTS, [600, 1200, 1000], total_ms=8000)
    path = tmp_path / "speech.wav"
    write_wav(path, audio, rate=RATE)
    return path


async def test_transcribe_prints_captions_and_writes_srt_vtt_and_a_recording(
    tmp_path: Path,
    speech_wav: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    out_srt, out_vtt, recording = tmp_path / "s.srt", tmp_path / "s.vtt", tmp_path / "r.jsonl"
    async with FakeRealtimeServer(time_scale=0.05) as server:
        url = server.url
        arguments = ["transcribe", str(speech_wav), "--srt", str(out_srt), "--vtt", str(out_vtt)]
        arguments += ["--url", url, "--record", str(recording), "--language", "en"]
        code = await asyncio.to_thread(main, arguments)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.out.splitlines()
    assert lines[0] == f"openai-realtime transcribe: transcribing with the server at {url}"
    captions = [line for line in lines if line.startswith("[00:")]
    assert len(captions) == len(TEXTS)
    assert lines[-1] == "3 captions from 8.0 s of audio"
    assert "streaming speech.wav: 100% (8.0 of 8.0 s)" in captured.err
    subtitles = list(srt.parse(out_srt.read_text(encoding="utf-8")))
    assert len(subtitles) == len(TEXTS)
    assert len(webvtt.read(str(out_vtt)).captions) == len(TEXTS)
    frames = [json.loads(line) for line in recording.read_text().splitlines()[1:]]
    assert any('"input_audio_buffer.append"' in frame["frame"] for frame in frames)
    header = json.loads(recording.read_text().splitlines()[0])
    assert header["model"] is None  # a transcription session is opened without a model
    assert server.connections[0].received_types["response.create"] == 0


def test_transcribe_refuses_an_unwritable_output_before_starting(
    tmp_path: Path, speech_wav: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing" / "out.srt"
    assert main(["transcribe", str(speech_wav), "--srt", str(missing)]) == 1
    assert f"cannot write {missing}" in capsys.readouterr().err


def test_transcribe_names_a_file_that_is_not_a_wav(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.wav").write_text("not audio")
    assert main(["transcribe", str(tmp_path / "notes.wav")]) == 1
    assert "notes.wav: not a PCM WAV file" in capsys.readouterr().err


def test_translate_writes_speech_as_long_as_the_input_and_both_transcripts(
    tmp_path: Path, speech_wav: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "es.wav"
    code = main(["translate", str(speech_wav), "--to", "es", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.out.splitlines()
    assert sum(line.startswith("heard: ") for line in lines) == len(TEXTS)
    assert sum(line.startswith("said: [es] ") for line in lines) == len(TEXTS)
    assert lines[-2].startswith("Translation: [es] ")
    with wave.open(str(out)) as written:
        assert (written.getframerate(), written.getnchannels()) == (RATE, 1)
    assert abs(len(read_wav(out)) - len(read_wav(speech_wav))) <= RATE * 0.2


def test_translation_url_sits_next_to_the_realtime_endpoint() -> None:
    assert translation_url(None) is None
    assert translation_url("ws://127.0.0.1:9/v1/realtime") == (
        "ws://127.0.0.1:9/v1/realtime/translations"
    )
    assert translation_url("ws://h/v1/realtime/translations?model=m") == (
        "ws://h/v1/realtime/translations?model=m"
    )
