"""RealtimeClient end to end: the reference client's documented scenarios, on the fake server.

Every test runs a real FakeRealtimeServer on 127.0.0.1 and a real client; assertions look at
what the server received (its frame record) and what the client assembled.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from memory_server import connected_client

from openai_realtime import ConfigurationError, RealtimeAPI, RealtimeClient
from openai_realtime.audio import SAMPLE_RATE, decode_base64
from openai_realtime.local_events import (
    ConversationInterruptedEvent,
    ConversationItemAppendedEvent,
    ConversationItemCompletedEvent,
    ConversationUpdatedEvent,
    LocalErrorEvent,
    RealtimeEventRecord,
)
from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder, ToolCall
from openai_realtime.types import (
    ErrorEvent,
    InputAudioBufferClearEvent,
    RealtimeSessionCreateResponse,
)
from openai_realtime.types.params import RealtimeFunctionToolParam
from tests.support import WAIT, WEATHER_TOOL


def realtime_session(session: object) -> RealtimeSessionCreateResponse:
    """The session of a session event, checked to be a speech-to-speech one."""
    assert isinstance(session, RealtimeSessionCreateResponse)
    return session


def received(server: FakeRealtimeServer) -> list[dict[str, Any]]:
    """Every client frame the server got on its latest connection, parsed."""
    return [json.loads(frame) for frame in server.connections[-1].received]


def received_of(server: FakeRealtimeServer, event_type: str) -> list[dict[str, Any]]:
    return [frame for frame in received(server) if frame["type"] == event_type]


@pytest.fixture
async def server() -> AsyncIterator[FakeRealtimeServer]:
    async with FakeRealtimeServer() as fake:
        yield fake


def client_for(server: FakeRealtimeServer, **options: Any) -> RealtimeClient:
    return RealtimeClient(url=server.url, **options)


async def test_settings_before_connect_are_sent_once_on_connect(
    server: FakeRealtimeServer,
) -> None:
    client = client_for(server)
    await client.update_session(instructions="Be brief.", voice="verse")
    await client.update_session(turn_detection=None, output_modalities=["text"])
    async with client:
        await client.wait_for_session_created(timeout=WAIT)
        updated = await client.wait_for_next("server.session.updated", timeout=WAIT)
    updates = received_of(server, "session.update")
    assert updates == [
        {
            "type": "session.update",
            "event_id": updates[0]["event_id"],
            "session": {
                "type": "realtime",
                "instructions": "Be brief.",
                "audio": {"output": {"voice": "verse"}, "input": {"turn_detection": None}},
                "output_modalities": ["text"],
            },
        }
    ]
    assert realtime_session(updated.session).instructions == "Be brief."
    assert realtime_session(client.session).instructions == "Be brief."
    assert client.get_turn_detection_type() is None


async def test_partial_update_after_connect_carries_only_the_change() -> None:
    client, server = await connected_client()  # in memory: what is sent is there at once
    await client.update_session(instructions="One.", voice="alloy")
    await client.update_session(turn_detection=None)
    second = await server.next_sent("session.update")
    third = await server.next_sent("session.update")
    await client.disconnect()
    assert server.first_session_update["session"] == {"type": "realtime"}
    assert second["session"] == {
        "type": "realtime",
        "instructions": "One.",
        "audio": {"output": {"voice": "alloy"}},
    }
    assert third["session"] == {"type": "realtime", "audio": {"input": {"turn_detection": None}}}


async def test_quickstart_text_conversation(server: FakeRealtimeServer) -> None:
    async with client_for(server) as client:
        await client.update_session(output_modalities=["text"], turn_detection=None)
        # Waits only see events that come after them: start waiting before sending.
        first = asyncio.ensure_future(client.wait_for_next_completed_item(timeout=WAIT))
        await client.send_user_message_content([{"type": "input_text", "text": "Hello there"}])
        user = await first
        done = await client.wait_for_next("server.response.done", timeout=WAIT)
        assistant = client.conversation.get_item((done.response.output or [])[0].id or "")
        assert assistant is not None
    assert (user.role, user.formatted.text) == ("user", "Hello there")
    assert assistant.role == "assistant" and "Hello there" in assistant.formatted.text
    assert [item.id for item in client.conversation.get_items()] == [user.id, assistant.id]


async def test_audio_answer_is_assembled_with_its_transcript(server: FakeRealtimeServer) -> None:
    async with client_for(server) as client:
        await client.update_session(turn_detection=None)
        done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=WAIT))
        await client.send_user_message_content([{"type": "input_text", "text": "Say something"}])
        output = (await done).response.output or []
    assistant = client.conversation.get_item(output[0].id or "")
    assert assistant is not None
    sent = server.connections[-1].sent
    deltas = [json.loads(f)["delta"] for f in sent if '"response.output_audio.delta"' in str(f)]
    expected = np.concatenate([decode_base64(delta) for delta in deltas])
    assert np.array_equal(assistant.formatted.audio, expected) and len(expected) > 0
    assert assistant.formatted.transcript


async def test_empty_audio_sends_nothing(server: FakeRealtimeServer) -> None:
    async with client_for(server) as client:
        await client.wait_for_session_created(timeout=WAIT)
        await client.append_input_audio(np.zeros(0, dtype=np.int16))
        await client.append_input_audio(b"")
        await client.realtime.send(InputAudioBufferClearEvent())
        await client.wait_for_next("server.input_audio_buffer.cleared", timeout=WAIT)
    assert received_of(server, "input_audio_buffer.append") == []


async def test_streamed_audio_then_manual_response(server: FakeRealtimeServer) -> None:
    second = np.arange(SAMPLE_RATE, dtype=np.int64)
    tone = (8000 * np.sin(2 * np.pi * 440 * second / SAMPLE_RATE)).astype(np.int16)
    async with client_for(server) as client:
        await client.update_session(turn_detection=None)
        for start in range(0, SAMPLE_RATE, SAMPLE_RATE // 10):
            await client.append_input_audio(tone[start : start + SAMPLE_RATE // 10])
        await client.create_response()
        await client.wait_for_next("server.response.done", timeout=WAIT)
    frames = received(server)
    appends = [f for f in frames if f["type"] == "input_audio_buffer.append"]
    assert len(appends) == 10
    assert np.array_equal(np.concatenate([decode_base64(f["audio"]) for f in appends]), tone)
    kinds = [f["type"] for f in frames]
    assert kinds.index("input_audio_buffer.commit") < kinds.index("response.create")
    user = next(item for item in client.conversation.get_items() if item.role == "user")
    assert np.array_equal(user.formatted.audio, tone)


async def test_tool_with_async_handler_runs_and_triggers_a_new_response() -> None:
    responder = ScriptedResponder(
        [
            Reply(tool_calls=[ToolCall("get_weather", {"city": "Oslo"}, call_id="call_1")]),
            Reply(text="It is mild in Oslo."),
        ]
    )
    calls: list[dict[str, Any]] = []

    async def get_weather(arguments: dict[str, Any]) -> dict[str, Any]:
        calls.append(arguments)
        return {"city": arguments["city"], "temp_c": 12}

    async with FakeRealtimeServer(responder=responder) as server, client_for(server) as client:
        await client.update_session(turn_detection=None, output_modalities=["text"])
        await client.add_tool(WEATHER_TOOL, get_weather)
        await client.send_user_message_content([{"type": "input_text", "text": "Oslo?"}])
        await client.wait_for_next("server.response.done", timeout=WAIT)
        final = await client.wait_for_next("server.response.done", timeout=WAIT)
    assert calls == [{"city": "Oslo"}]
    outputs = [f["item"] for f in received_of(server, "conversation.item.create")]
    assert outputs[-1]["type"] == "function_call_output"
    assert outputs[-1]["call_id"] == "call_1"
    assert json.loads(outputs[-1]["output"]) == {"city": "Oslo", "temp_c": 12}
    assert len(received_of(server, "response.create")) == 2
    assert final.response.status == "completed"


async def test_failing_handler_sends_an_error_output_and_the_client_goes_on() -> None:
    responder = ScriptedResponder(
        [
            Reply(tool_calls=[ToolCall("get_weather", {"city": "Rome"}, call_id="call_x")]),
            Reply(text="Sorry, no weather."),
            Reply(text="Still here."),
        ]
    )

    def get_weather(arguments: dict[str, Any]) -> None:
        raise RuntimeError("weather service down")

    errors: list[LocalErrorEvent | ErrorEvent] = []
    async with FakeRealtimeServer(responder=responder) as server, client_for(server) as client:
        client.on("error", errors.append)
        await client.update_session(turn_detection=None, output_modalities=["text"])
        await client.add_tool(WEATHER_TOOL, get_weather)
        await client.send_user_message_content([{"type": "input_text", "text": "Rome?"}])
        await client.wait_for_next("server.response.done", timeout=WAIT)
        await client.wait_for_next("server.response.done", timeout=WAIT)
        await client.send_user_message_content([{"type": "input_text", "text": "Hello?"}])
        last = await client.wait_for_next("server.response.done", timeout=WAIT)
    output = received_of(server, "conversation.item.create")[1]["item"]
    assert output["call_id"] == "call_x"
    assert "weather service down" in json.loads(output["output"])["error"]
    assert any(
        isinstance(e, LocalErrorEvent) and "weather service down" in e.message for e in errors
    )
    assert last.response.status == "completed"


async def test_two_parallel_calls_give_two_outputs_then_exactly_one_response_create() -> None:
    responder = ScriptedResponder(
        [
            Reply(
                tool_calls=[
                    ToolCall("get_weather", {"city": "Oslo"}, call_id="c1"),
                    ToolCall("get_weather", {"city": "Lima"}, call_id="c2"),
                ]
            ),
            Reply(text="Both done."),
        ]
    )
    release = asyncio.Event()

    async def get_weather(arguments: dict[str, Any]) -> str:
        city = str(arguments["city"])
        if city == "Oslo":
            await release.wait()  # the first call finishes last
        else:
            release.set()
        return city

    async with FakeRealtimeServer(responder=responder) as server, client_for(server) as client:
        await client.update_session(turn_detection=None, output_modalities=["text"])
        await client.add_tool(WEATHER_TOOL, get_weather)
        await client.send_user_message_content([{"type": "input_text", "text": "Both?"}])
        await client.wait_for_next("server.response.done", timeout=WAIT)
        await client.wait_for_next("server.response.done", timeout=WAIT)
    kinds = [(f["type"], f.get("item", {}).get("call_id")) for f in received(server)]
    sends = [k for k in kinds if k[0] in ("conversation.item.create", "response.create")]
    # The user's message and its response.create, then the two outputs (the one whose
    # handler finished first goes first), then one response.create.
    assert sends == [
        ("conversation.item.create", None),
        ("response.create", None),
        ("conversation.item.create", "c2"),
        ("conversation.item.create", "c1"),
        ("response.create", None),
    ]


async def test_tool_without_handler_is_left_to_the_application() -> None:
    responder = ScriptedResponder(
        [Reply(tool_calls=[ToolCall("lookup", {"q": "x"}, call_id="m1")])]
    )
    async with FakeRealtimeServer(responder=responder) as server, client_for(server) as client:
        completed: list[str] = []
        client.on("conversation.item.completed", lambda e: completed.append(e.item.type))
        await client.update_session(
            turn_detection=None,
            tools=[{"type": "function", "name": "lookup", "parameters": {"type": "object"}}],
        )
        await client.send_user_message_content([{"type": "input_text", "text": "look"}])
        await client.wait_for_next("server.response.done", timeout=WAIT)
        # A round trip after response.done: the server handles frames in order, so an output
        # sent by mistake after the response would have arrived before this answer.
        async with client.expect("server.session.updated") as settled:
            await client.update_session(instructions="still here")
        await settled
    assert "function_call" in completed
    creates = received_of(server, "conversation.item.create")
    assert all(f["item"]["type"] != "function_call_output" for f in creates)
    assert len(received_of(server, "response.create")) == 1


async def test_manual_tools_merge_with_added_tools(server: FakeRealtimeServer) -> None:
    manual: RealtimeFunctionToolParam = {
        "type": "function",
        "name": "manual",
        "parameters": {"type": "object"},
    }
    client = client_for(server)
    await client.update_session(tools=[manual])
    await client.add_tool(WEATHER_TOOL, lambda arguments: "sunny")
    async with client:
        updated = await client.wait_for_next("server.session.updated", timeout=WAIT)
        names = [getattr(t, "name", None) for t in realtime_session(updated.session).tools or []]
        assert names == ["manual", "get_weather"]
        await client.remove_tool("get_weather")
        updated = await client.wait_for_next("server.session.updated", timeout=WAIT)
        tools = realtime_session(updated.session).tools or []
        assert [getattr(tool, "name", None) for tool in tools] == ["manual"]
    with pytest.raises(ConfigurationError):
        await client.remove_tool("get_weather")


async def test_cancel_response_truncates_at_the_samples_heard() -> None:
    responder = ScriptedResponder([Reply(audio_text="A fairly long answer to interrupt.")])
    async with FakeRealtimeServer(responder=responder) as server, client_for(server) as client:
        interrupted: list[ConversationInterruptedEvent] = []
        client.on("conversation.interrupted", interrupted.append)
        await client.update_session(turn_detection=None)
        await client.send_user_message_content([{"type": "input_text", "text": "talk"}])
        await client.wait_for_next("server.response.done", timeout=WAIT)
        item = next(i for i in client.conversation.get_items() if i.role == "assistant")
        received_samples = len(item.formatted.audio)
        heard = 12_345
        await client.cancel_response(item.id, heard)
        await client.wait_for_next("server.conversation.item.truncated", timeout=WAIT)
        # Claiming more than was received is clamped to what was received.
        await client.cancel_response(item.id, received_samples * 2)
        await client.wait_for_next("server.conversation.item.truncated", timeout=WAIT)
    truncates = received_of(server, "conversation.item.truncate")
    assert truncates[0]["audio_end_ms"] == heard * 1000 // SAMPLE_RATE == 514
    assert truncates[0]["item_id"] == item.id and truncates[0]["content_index"] == 0
    assert truncates[1]["audio_end_ms"] <= 514  # already cut: the store holds only 514 ms now
    assert received_of(server, "response.cancel") == []  # nothing was active any more
    assert interrupted[0] == ConversationInterruptedEvent("cancel_response", item.id, 514)
    assert len(item.formatted.audio) == 514 * SAMPLE_RATE // 1000


async def test_cancel_response_validates_the_item(server: FakeRealtimeServer) -> None:
    async with client_for(server) as client:
        await client.update_session(turn_detection=None, output_modalities=["text"])
        completed = asyncio.ensure_future(client.wait_for_next_completed_item(timeout=WAIT))
        await client.send_user_message_content([{"type": "input_text", "text": "hi"}])
        user = await completed
        with pytest.raises(ConfigurationError, match="not an assistant message"):
            await client.cancel_response(user.id, 100)
        with pytest.raises(ConfigurationError, match="no item"):
            await client.cancel_response("item_missing", 100)


async def test_raw_send_through_realtime(server: FakeRealtimeServer) -> None:
    async with client_for(server) as client:
        appended = asyncio.ensure_future(client.wait_for_next_item(timeout=WAIT))
        await client.realtime.send(
            "conversation.item.create",
            {
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "raw"}],
                }
            },
        )
        item = await appended
    assert item.formatted.text == "raw"
    assert received_of(server, "conversation.item.create")[0]["item"]["content"][0]["text"] == "raw"


async def test_utility_events_fire_with_their_payloads(server: FakeRealtimeServer) -> None:
    updated: list[ConversationUpdatedEvent] = []
    appended: list[ConversationItemAppendedEvent] = []
    completed: list[ConversationItemCompletedEvent] = []
    records: list[RealtimeEventRecord] = []
    async with client_for(server) as client:
        client.on("conversation.updated", updated.append)
        client.on("conversation.item.appended", appended.append)
        client.on("conversation.item.completed", completed.append)
        client.on("realtime.event", records.append)
        await client.update_session(turn_detection=None)
        await client.send_user_message_content([{"type": "input_text", "text": "Hi"}])
        await client.wait_for_next("server.response.done", timeout=WAIT)
    assert [e.item.role for e in appended] == ["user", "assistant"]
    assert [e.item.role for e in completed] == ["user", "assistant"]
    audio_deltas = [e.delta.audio for e in updated if e.delta and e.delta.audio is not None]
    assistant = appended[1].item
    assert np.array_equal(np.concatenate(audio_deltas), assistant.formatted.audio)
    transcript = "".join(e.delta.transcript for e in updated if e.delta and e.delta.transcript)
    assert transcript == assistant.formatted.transcript
    sources = {record.source for record in records}
    assert sources == {"client", "server"}
    assert records[0].event.type == "session.update" or records[0].source == "server"
    assert all(isinstance(record.time, float) for record in records)


async def test_interruption_by_speech_fires_conversation_interrupted() -> None:
    async with FakeRealtimeServer() as server, client_for(server) as client:
        interrupted: list[ConversationInterruptedEvent] = []
        client.on("conversation.interrupted", interrupted.append)
        await client.update_session(turn_detection=None)
        await client.send_user_message_content([{"type": "input_text", "text": "talk"}])
        await client.wait_for_next("server.response.done", timeout=WAIT)
        assistant = client.conversation.get_items()[-1]
        await client.update_session(turn_detection={"type": "server_vad"})
        loud = (12000 * np.sin(np.arange(SAMPLE_RATE) / 3.0)).astype(np.int16)
        await client.append_input_audio(np.concatenate([np.zeros(4800, np.int16), loud]))
        await client.wait_for_next("server.input_audio_buffer.speech_started", timeout=WAIT)
    assert interrupted == [ConversationInterruptedEvent("speech_started", assistant.id)]


async def test_wait_for_next_completed_item_and_delete(server: FakeRealtimeServer) -> None:
    async with client_for(server) as client:
        await client.update_session(turn_detection=None, output_modalities=["text"])
        completed = asyncio.ensure_future(client.wait_for_next_completed_item(timeout=WAIT))
        done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=WAIT))
        await client.send_user_message_content([{"type": "input_text", "text": "keep"}])
        user = await completed
        await done
        await client.delete_item(user.id)
        await client.wait_for_next("server.conversation.item.deleted", timeout=WAIT)
    assert client.conversation.get_item(user.id) is None


async def test_reset_keeps_config_and_tools_and_forgets_the_conversation(
    server: FakeRealtimeServer,
) -> None:
    client = client_for(server)
    await client.update_session(instructions="Stay.", output_modalities=["text"])
    await client.add_tool(WEATHER_TOOL, lambda arguments: "sunny")
    async with client:
        await client.update_session(turn_detection=None)
        await client.send_user_message_content([{"type": "input_text", "text": "Hi"}])
        await client.wait_for_next("server.response.done", timeout=WAIT)
    assert client.conversation.get_items()
    await client.reset()
    assert client.conversation.get_items() == [] and not client.is_connected
    async with client:
        updated = await client.wait_for_next("server.session.updated", timeout=WAIT)
    session = realtime_session(updated.session)
    assert session.instructions == "Stay."
    assert [getattr(tool, "name", None) for tool in session.tools or []] == ["get_weather"]
    assert server.connections[-1].received_types["session.update"] == 1


async def test_unknown_session_option_is_refused_before_sending(server: FakeRealtimeServer) -> None:
    client = client_for(server)
    with pytest.raises(ConfigurationError, match="unknown session option"):
        await client.update_session(colour="blue")  # type: ignore[call-arg]  # on purpose
    with pytest.raises(ConfigurationError, match="invalid session configuration"):
        await client.update_session(output_modalities=["smell"])  # type: ignore[list-item]


def test_a_prebuilt_api_excludes_connection_arguments(server: FakeRealtimeServer) -> None:
    api = RealtimeAPI(server.url)
    assert RealtimeClient(realtime=api).realtime is api
    with pytest.raises(ConfigurationError, match="not both"):
        RealtimeClient(server.url, realtime=api)
    with pytest.raises(ConfigurationError, match="not both"):
        RealtimeClient(api_key="sk-x", realtime=api)
    with pytest.raises(ConfigurationError, match="not both"):
        RealtimeClient(model="gpt-realtime-mini", realtime=api)
