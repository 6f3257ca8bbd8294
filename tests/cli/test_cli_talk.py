"""``openai-realtime talk``: a WAV file as the spoken turn, the spoken answer to a WAV file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from cli_process import SAMPLE_RATE, read_reply_wav, run_cli, tone, write_test_wav

from openai_realtime.cli import main


def test_talk_streams_a_stereo_48k_file_and_writes_the_answer(tmp_path: Path) -> None:
    # 3.5 s of tone bursts with short gaps: one turn (4.0 s with the 500 ms of silence that end
    # it), long enough to show progress.
    bursts = tone(3.5, rate=48_000)
    bursts[(np.arange(len(bursts)) // 4800) % 4 == 3] = 0
    write_test_wav(tmp_path / "question.wav", bursts, rate=48_000, channels=2)

    finished = run_cli("talk", "question.wav", "--out", "answer.wav", cwd=tmp_path)

    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    assert re.fullmatch(
        r"openai-realtime talk: talking to the fake server at ws://127\.0\.0\.1:\d+/v1/realtime "
        r"\(no API key needed\)",
        lines[0],
    )
    assert "you: question.wav (3.5 s), streamed in 100 ms chunks" in lines
    transcripts = [line for line in lines if line.startswith("you (transcribed): ")]
    assert transcripts == ["you (transcribed): (4.0 seconds of audio)"]
    assert "assistant: You said: (4.0 seconds of audio)" in lines
    assert lines[-1].startswith("Wrote ") and lines[-1].endswith(f"to {tmp_path / 'answer.wav'}")
    assert "streaming question.wav: 100% (3.5 of 3.5 s)" in finished.stderr.splitlines()
    read_reply_wav(tmp_path / "answer.wav")


def test_talk_answers_the_last_of_several_turns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Pauses longer than the VAD's 500 ms make three turns; each answer but the last is cut
    # short by the next turn, and the last answer is the one written. The last turn is 1.3 s:
    # 300 ms of prefix padding, 500 ms of tone, 500 ms of the silence that ends it.
    pause = np.zeros(SAMPLE_RATE, dtype=np.int16)
    speech = np.concatenate((tone(1.0), pause, tone(1.0), pause, tone(0.5)))
    write_test_wav(tmp_path / "turns.wav", speech, rate=SAMPLE_RATE, channels=1)

    code = main(["talk", str(tmp_path / "turns.wav"), "--out", str(tmp_path / "answer.wav")])

    output = capsys.readouterr().out
    assert code == 0
    assert output.count("(server VAD: speech stopped at") == 3
    assert output.splitlines()[-2] == "assistant: You said: (1.3 seconds of audio)"
    answer = read_reply_wav(tmp_path / "answer.wav")
    assert len(answer) / SAMPLE_RATE == pytest.approx(
        len("You said: (1.3 seconds of audio)") * 0.065, abs=0.01
    )


def test_talk_at_the_pace_of_speech(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_test_wav(tmp_path / "short.wav", tone(0.3), rate=SAMPLE_RATE, channels=1)

    code = main(
        ["talk", str(tmp_path / "short.wav"), "--realtime", "--out", str(tmp_path / "a.wav")]
    )

    assert code == 0
    assert "assistant: You said: (" in capsys.readouterr().out
    read_reply_wav(tmp_path / "a.wav")


def test_talk_reports_silence_as_no_speech(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_test_wav(
        tmp_path / "silence.wav", np.zeros(SAMPLE_RATE, np.int16), rate=SAMPLE_RATE, channels=1
    )

    code = main(["talk", str(tmp_path / "silence.wav"), "--out", str(tmp_path / "a.wav")])

    assert code == 1
    assert (
        capsys.readouterr().err
        == "openai-realtime: error: the server heard no speech in the audio\n"
    )
    assert not (tmp_path / "a.wav").exists()
