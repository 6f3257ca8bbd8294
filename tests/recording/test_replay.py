"""Replay: offline into a conversation store, and served back to a live client."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest
from recording_support import (
    LiveSession,
    SyntheticRecording,
    conversation_snapshot,
    run_scenario,
)

from openai_realtime import ConfigurationError, RealtimeClient
from openai_realtime.recording import (
    ReplayServer,
    format_conversation,
    parse_recording,
    read_recording,
    replay_recording,
)
from openai_realtime.recording.replay_script import ReplayScript
from openai_realtime.types import (
    ClientEvent,
    ErrorEvent,
    InputAudioBufferClearEvent,
    RealtimeErrorDetails,
    ResponseCancelEvent,
    ResponseCreateEvent,
)
from tests.support import WAIT


def test_replay_rebuilds_the_conversation_the_live_client_had(live_session: LiveSession) -> None:
    replayed = replay_recording(read_recording(live_session.path))
    snapshot = conversation_snapshot(replayed.conversation)
    assert snapshot == live_session.snapshot
    # The scenario's content is really there (the comparison is not between two empties).
    roles = [item["role"] for item in snapshot if item["type"] == "message"]
    assert roles == ["user", "assistant", "user", "assistant", "user", "assistant"]
    spoken_user = snapshot[2]
    assert spoken_user["audio_samples"] > 0 and spoken_user["transcript"]
    call = next(item for item in snapshot if item["type"] == "function_call")
    assert call["tool"] == ("get_weather", "call_oslo", '{"city": "Oslo"}')
    output = next(item for item in snapshot if item["type"] == "function_call_output")
    assert json.loads(output["output"]) == {"city": "Oslo", "temp_c": 12}
    cut = snapshot[-1]
    assert cut["id"] in replayed.truncations
    assert cut["audio_samples"] == 12_000 * 1000 // 24_000 * 24  # 500 ms, as the client cut it
    assert replayed.problems == []
    assert set(replayed.first_seen) == {item["id"] for item in snapshot}


def test_the_chat_log_shows_roles_text_transcripts_and_tools(live_session: LiveSession) -> None:
    log = format_conversation(replay_recording(read_recording(live_session.path)))
    lines = log.splitlines()
    assert len(lines) == len(live_session.snapshot)
    assert "user" in lines[0] and "'Hi there'" in lines[0]
    assert "assistant" in lines[1] and "Hello from the text turn." in lines[1]
    assert "transcript: 'what is the weather like'" in lines[2]
    assert "transcript: 'A spoken answer.'" in lines[3] and "(audio " in lines[3]
    assert 'calls get_weather({"city": "Oslo"}) [call_oslo]' in log
    assert 'output for call_oslo: {"city": "Oslo", "temp_c": 12}' in log
    assert "cut at 0.500 s" in lines[-1]


def test_problems_are_listed_in_time_order_and_never_raised() -> None:
    synthetic = SyntheticRecording()
    details = RealtimeErrorDetails(type="invalid_request_error", message="bad thing")
    synthetic.server(1.0, ErrorEvent(event_id="e1", error=details))
    synthetic.raw(2.0, "server", "{not json")
    synthetic.raw(3.0, "server", '{"type": "response.output_text.delta", "event_id": "e2", '
                 '"response_id": "r", "item_id": "nowhere", "output_index": 0, '
                 '"content_index": 0, "delta": "x"}')  # fmt: skip
    replayed = replay_recording(parse_recording(synthetic.data()))
    assert [t for t, _ in replayed.problems] == [1.0, 2.0, 3.0]
    log = format_conversation(replayed)
    assert "server error: bad thing" in log
    assert "undecodable server frame" in log
    assert "response.output_text.delta" in log


def test_an_empty_recording_says_so() -> None:
    replayed = replay_recording(parse_recording(SyntheticRecording().data()))
    assert format_conversation(replayed) == "(empty conversation)"


def test_the_script_matches_client_frames_by_order_and_type() -> None:
    synthetic = SyntheticRecording()
    opening = ErrorEvent(event_id="opening", error=RealtimeErrorDetails(type="t", message="o"))
    synthetic.server(0.5, opening)
    exchanges: list[tuple[float, ClientEvent, str]] = [
        (1.0, ResponseCreateEvent(), "after_create"),
        (2.0, InputAudioBufferClearEvent(), "after_clear"),
        (3.0, ResponseCancelEvent(), "after_cancel"),
    ]
    for t, client_event, reply_id in exchanges:
        synthetic.client(t, client_event)
        details = RealtimeErrorDetails(type="t", message="m")
        synthetic.server(t + 0.25, ErrorEvent(event_id=reply_id, error=details))
    script = ReplayScript.from_recording(parse_recording(synthetic.data()))
    assert [json.loads(frame.frame)["event_id"] for frame in script.opening] == ["opening"]
    cursor = script.cursor()

    def replies(event_type: str) -> list[str] | None:
        batch = cursor.match(event_type)
        return None if batch is None else [json.loads(f.frame)["event_id"] for f in batch.frames]

    assert replies("response.create") == ["after_create"]
    assert replies("session.update") is None  # never recorded: nothing sent, cursor stays
    # The live client skipped the clear: its replies come with the cancel's.
    assert replies("response.cancel") == ["after_clear", "after_cancel"]
    assert cursor.finished
    assert replies("response.create") is None


async def test_the_replay_server_rebuilds_the_conversation_in_a_fresh_client(
    live_session: LiveSession,
) -> None:
    async with (
        ReplayServer(live_session.path, speed=0) as server,
        RealtimeClient(url=server.url) as client,
    ):
        await run_scenario(client)
    assert server.connections == 1
    assert conversation_snapshot(client.conversation) == live_session.snapshot


async def test_the_replay_server_keeps_recorded_spacing_when_asked(
    live_session: LiveSession,
) -> None:
    # Timing is not asserted (no wall-clock assertions); this runs the paced path end to end.
    recording = read_recording(live_session.path)
    async with (
        ReplayServer(recording, speed=50.0) as server,
        RealtimeClient(url=server.url) as client,
    ):
        await run_scenario(client)
    assert conversation_snapshot(client.conversation) == live_session.snapshot


async def test_each_connection_gets_the_opening_again(live_session: LiveSession) -> None:
    opening = ReplayScript.from_recording(read_recording(live_session.path)).opening
    assert [json.loads(frame.frame)["type"] for frame in opening] == ["session.created"]
    async with ReplayServer(live_session.path, speed=0) as server, aiohttp.ClientSession() as http:
        for _ in range(2):
            async with http.ws_connect(server.url) as websocket:
                first = await websocket.receive_json(timeout=WAIT)
                assert first["type"] == "session.created"
        assert server.connections == 2


def test_replay_server_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        ReplayServer(parse_recording(SyntheticRecording().data()), speed=-1)
    with pytest.raises(FileNotFoundError):
        ReplayServer(tmp_path / "missing.jsonl")


async def test_stopping_the_server_closes_open_connections(live_session: LiveSession) -> None:
    server = ReplayServer(live_session.path, speed=0)
    await server.start()
    async with aiohttp.ClientSession() as http, http.ws_connect(server.url) as websocket:
        await websocket.receive_json(timeout=WAIT)
        await asyncio.wait_for(server.stop(), WAIT)
        closing = await websocket.receive(timeout=WAIT)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    with pytest.raises(RuntimeError):
        _ = server.url
