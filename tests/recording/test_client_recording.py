"""The client's entry points: ``record=``, ``start_recording()`` and ``client.metrics``."""

from __future__ import annotations

from pathlib import Path

from recording_support import conversation_snapshot, run_scenario, scripted_responder

from openai_realtime import RealtimeClient
from openai_realtime.recording import read_recording, replay_recording
from openai_realtime.testing import FakeRealtimeServer


async def test_record_argument_records_until_disconnect(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    async with FakeRealtimeServer(responder=scripted_responder()) as server:
        async with RealtimeClient(url=server.url, record=path) as client:
            await run_scenario(client)
        sent = list(server.connections[-1].sent)
    recording = read_recording(path)  # complete: disconnect() flushed and closed it
    assert [f.frame for f in recording.frames if f.direction == "server"] == sent
    replayed = replay_recording(recording).conversation
    assert conversation_snapshot(replayed) == conversation_snapshot(client.conversation)


async def test_start_recording_with_audio_omitted(tmp_path: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    async with (
        FakeRealtimeServer(responder=scripted_responder()) as server,
        RealtimeClient(url=server.url) as client,
    ):
        client.start_recording(first)
        recorder = client.start_recording(second, audio="length")  # stops the first one
        await run_scenario(client)
        assert not recorder.closed
    assert recorder.closed
    assert read_recording(first).frames == ()
    recording = read_recording(second)
    assert recording.header.audio == "length"
    assert b"omitted_base64_chars" in second.read_bytes()


async def test_client_metrics_measure_every_turn() -> None:
    async with (
        FakeRealtimeServer(responder=scripted_responder()) as server,
        RealtimeClient(url=server.url) as client,
    ):
        assert client.metrics.turns == ()
        await run_scenario(client)
    metrics = client.metrics
    assert [turn.status for turn in metrics.turns] == ["completed"] * 4
    assert metrics.turns[1].speech_stopped_to_first_audio is not None
    assert metrics.turns[2].tool_calls[0].name == "get_weather"
    assert metrics.summary()["response_duration"].count == 4
    assert "tool_call_to_output" in metrics.format()
