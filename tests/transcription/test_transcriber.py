"""RealtimeTranscriber against the fake server's transcription sessions, on its time scale."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import pytest
import srt  # type: ignore[import-untyped]
import webvtt
from spoken_audio import RATE, utterances_with_silences

from openai_realtime.captions import to_srt, to_webvtt
from openai_realtime.errors import (
    ConfigurationError,
    ConnectionClosedError,
    NotConnectedError,
    SessionRefusedError,
)
from openai_realtime.protocol.audio import read_wav, resample, write_wav
from openai_realtime.protocol.transcripts import DIARIZE_MODEL, SegmentChange
from openai_realtime.secrets import create_client_secret
from openai_realtime.testing import FakeRealtimeServer, ScriptedResponder
from openai_realtime.transcriber import RealtimeTranscriber
from openai_realtime.types import RealtimeTranscriptionSessionCreateRequest
from tests.support import WAIT, until

TEXTS = [
    "good morning everyone",
    "let us start the meeting",
    "first item on the agenda",
    "the budget for next year",
    "any questions so far",
    "thank you all for coming",
]
SILENCES_MS = [1200, 4000, 3500, 5000, 2500, 6000]
TIME_SCALE = 0.02
CHUNK_MS = 200


async def stream(transcriber: RealtimeTranscriber, server: FakeRealtimeServer, audio: Any) -> None:
    """Append audio in chunks at the speed of speech on the server's clock."""
    step = RATE * CHUNK_MS // 1000
    for start in range(0, len(audio), step):
        await transcriber.append_input_audio(audio[start : start + step])
        await asyncio.sleep(server.clock.real_seconds(CHUNK_MS / 1000))


async def test_a_minute_of_speech_becomes_one_segment_per_utterance(tmp_path: Path) -> None:
    audio, spans = utterances_with_silences(TEXTS, SILENCES_MS, total_ms=60_000)
    wav = tmp_path / "meeting.wav"
    write_wav(wav, audio, rate=RATE)
    samples = read_wav(wav, rate=RATE)
    assert len(samples) == 60 * RATE
    completed: list[SegmentChange] = []
    async with FakeRealtimeServer(time_scale=TIME_SCALE) as server:
        async with RealtimeTranscriber(
            server.url, turn_detection={"type": "server_vad", "silence_duration_ms": 800}
        ) as transcriber:
            transcriber.on("segment.completed", completed.append)
            await stream(transcriber, server, samples)
            await until(lambda: len(completed) == len(TEXTS))
        assert server.connections[0].received_types["response.create"] == 0
    segments = transcriber.segments
    assert [change.segment.item_id for change in completed] == [s.item_id for s in segments]
    previous_end = 0
    for segment, span in zip(segments, spans, strict=True):
        assert segment.start_ms is not None and segment.end_ms is not None
        assert previous_end <= segment.start_ms < segment.end_ms
        assert abs(segment.start_ms - span.start_ms) <= 200, (segment, span)
        assert abs(segment.end_ms - span.end_ms) <= 200, (segment, span)
        assert segment.status == "completed" and segment.text
        previous_end = segment.end_ms

    srt_path, vtt_path = tmp_path / "meeting.srt", tmp_path / "meeting.vtt"
    srt_path.write_text(to_srt(segments), encoding="utf-8")
    vtt_path.write_text(to_webvtt(segments), encoding="utf-8")
    subtitles = list(srt.parse(srt_path.read_text(encoding="utf-8")))
    captions = webvtt.read(str(vtt_path))
    assert [cue.content for cue in subtitles] == [segment.text for segment in segments]
    assert [cue.text for cue in captions.captions] == [segment.text for segment in segments]
    for cue, span in zip(subtitles, spans, strict=True):
        assert abs(cue.start.total_seconds() * 1000 - span.start_ms) <= 200
        assert abs(cue.end.total_seconds() * 1000 - span.end_ms) <= 200
    starts = [caption.start_in_seconds for caption in captions.captions]
    assert starts == sorted(starts)


async def test_deltas_grow_the_text_and_logprobs_arrive_when_asked() -> None:
    responder = ScriptedResponder([], transcripts=["hello there world"])
    audio, _ = utterances_with_silences(["hello there"], [500], total_ms=3000)
    updates: list[str] = []
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE, responder=responder) as server,
        RealtimeTranscriber(server.url, include_logprobs=True) as transcriber,
    ):
        transcriber.on("segment.updated", lambda change: updates.append(change.segment.text))
        done = transcriber.expect("segment.completed", WAIT)
        await stream(transcriber, server, audio)
        change = await done
    assert updates == ["hello ", "hello there ", "hello there world"]
    assert change.segment.text == "hello there world"
    assert "".join(logprob.token for logprob in change.segment.logprobs) == "hello there world"
    assert all(logprob.logprob < 0 for logprob in change.segment.logprobs)


async def test_without_logprobs_none_are_sent_and_whisper_usage_is_by_duration() -> None:
    audio, _ = utterances_with_silences(["one two three"], [400], total_ms=2500)
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE) as server,
        RealtimeTranscriber(server.url, model="whisper-1") as transcriber,
    ):
        done = transcriber.expect("segment.completed", WAIT)
        await stream(transcriber, server, audio)
        change = await done
    assert change.segment.logprobs == []
    assert change.segment.usage.type == "duration"
    assert change.segment.usage.seconds > 0


class _FailingResponder(ScriptedResponder):
    def __init__(self) -> None:
        super().__init__([])

    def transcribe(self, audio: Any, sample_rate: int) -> str:
        raise RuntimeError("no speech model today")


@pytest.mark.parametrize("model", ["gpt-4o-transcribe", DIARIZE_MODEL])
async def test_a_failed_transcription_marks_its_segment_failed(model: str) -> None:
    audio, _ = utterances_with_silences(["hello"], [400], total_ms=2000)
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE, responder=_FailingResponder()) as server,
        RealtimeTranscriber(server.url, model=model) as transcriber,
    ):
        failed = transcriber.expect("segment.failed", WAIT)
        await stream(transcriber, server, audio)
        change = await failed
    assert change.segment.status == "failed"
    assert change.segment.error is not None
    assert "no speech model today" in (change.segment.error.message or "")
    assert change.segment.speakers == []  # nothing to diarize without a transcript


async def test_manual_commit_without_vad_makes_a_segment() -> None:
    audio, _ = utterances_with_silences(["manual turn"], [300], total_ms=1500)
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE) as server,
        RealtimeTranscriber(server.url, turn_detection=None) as transcriber,
    ):
        started = transcriber.expect("segment.started", WAIT)
        done = transcriber.expect("segment.completed", WAIT)
        await transcriber.append_input_audio(audio)
        await transcriber.commit()
        await started
        change = await done
    assert change.segment.text == "(1.5 seconds of audio)"


async def test_it_connects_with_intent_and_never_a_model() -> None:
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE) as server,
        RealtimeTranscriber(server.url + "?model=gpt-realtime") as transcriber,
    ):
        assert "intent=transcription" in transcriber.realtime.url
        assert "model=" not in transcriber.realtime.url


def test_unknown_options_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(ConfigurationError, match="unknown transcription option"):
        RealtimeTranscriber("ws://127.0.0.1:9/v1/realtime", voice="alloy")  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="invalid transcription options"):
        RealtimeTranscriber("ws://127.0.0.1:9/v1/realtime", delay="sometime")  # type: ignore[arg-type]


async def test_audio_in_the_wrong_format_and_a_closed_session_get_typed_errors() -> None:
    transcriber_before = RealtimeTranscriber("ws://127.0.0.1:9/v1/realtime")
    with pytest.raises(NotConnectedError):
        await transcriber_before.append_input_audio(np.zeros(10, dtype=np.int16))
    async with FakeRealtimeServer(time_scale=TIME_SCALE) as server:
        transcriber = RealtimeTranscriber(server.url)
        async with transcriber:
            with pytest.raises(ConfigurationError, match="unsupported input audio"):
                await transcriber.append_input_audio(np.zeros(10, dtype=np.int32))
            with pytest.raises(ConfigurationError, match="unsupported input audio"):
                await transcriber.append_input_audio(np.zeros((10, 2), dtype=np.int16))
            with pytest.raises(ConfigurationError, match="unsupported input audio"):
                await transcriber.append_input_audio(b"\x00\x01\x02")
        with pytest.raises(ConnectionClosedError):
            await transcriber.append_input_audio(np.zeros(10, dtype=np.int16))


async def test_resampled_audio_keeps_audio_time() -> None:
    audio, spans = utterances_with_silences(["at sixteen kilohertz"], [1000], total_ms=3000)
    audio_16k = resample(audio, RATE, 16000)
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE) as server,
        RealtimeTranscriber(server.url, sample_rate=16000) as transcriber,
    ):
        done = transcriber.expect("segment.completed", WAIT)
        await transcriber.append_input_audio(audio_16k)
        change = await done
    assert change.segment.start_ms is not None
    assert abs(change.segment.start_ms - spans[0].start_ms) <= 200


async def test_the_fake_refuses_what_a_transcription_session_refuses() -> None:
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE) as server,
        RealtimeTranscriber(server.url) as transcriber,
    ):
        api = transcriber.realtime
        error = api.expect("server.error", WAIT)
        await api.send("response.create", {})
        assert (await error).error.param == "type"
        with pytest.raises(SessionRefusedError) as refused:
            await transcriber.update_session(transcriber_session_with_tools())
        assert refused.value.code == "unknown_parameter"
        error = api.expect("server.error", WAIT)
        await api.send("session.update", {"session": {"type": "realtime"}})
        message = (await error).error.message
        assert message == (
            "Passing a realtime session update event to a transcription session is not allowed."
        )


def transcriber_session_with_tools() -> RealtimeTranscriptionSessionCreateRequest:
    return RealtimeTranscriptionSessionCreateRequest.model_validate(
        {"type": "transcription", "tools": [{"type": "function", "name": "f"}]}
    )


async def test_a_model_session_refuses_a_transcription_update_and_the_beta_event() -> None:
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE) as server,
        aiohttp.ClientSession() as http,
        http.ws_connect(server.url + "?model=gpt-realtime") as ws,
    ):
        assert (await ws.receive_json())["type"] == "session.created"
        await ws.receive_json()  # conversation.created
        await ws.send_json({"type": "session.update", "session": {"type": "transcription"}})
        error = (await ws.receive_json())["error"]
        assert error["message"] == (
            "Passing a transcription session update event to a realtime session is not allowed."
        )
        await ws.send_json({"type": "transcription_session.update", "session": {}})
        error = (await ws.receive_json())["error"]
        assert error["code"] == "invalid_value" and error["param"] == "type"


async def test_a_transcription_client_secret_opens_a_transcription_session() -> None:
    async with FakeRealtimeServer(api_key="sk-test", time_scale=TIME_SCALE) as server:
        secret = await create_client_secret(
            api_key="sk-test",
            base_url=server.http_url,
            session={
                "type": "transcription",
                "audio": {"input": {"transcription": {"model": "whisper-1", "language": "fr"}}},
            },
        )
        assert secret.session.type == "transcription"
        async with RealtimeTranscriber(server.url, secret.value, model="whisper-1"):
            pass
    created = json.loads(server.connections[0].sent[0])
    assert created["type"] == "session.created"
    assert created["session"]["type"] == "transcription"
    assert created["session"]["audio"]["input"]["transcription"]["language"] == "fr"
