"""Long sessions under faults: a tool call cut off by a drop, reconnects that end, and the fake
server's maximum session duration (renewals are in ``test_session_renewal.py``)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from fault_support import REPLIES, TEXT_SESSION, talk

from openai_realtime import RealtimeClient
from openai_realtime.errors import ToolInterruptedError
from openai_realtime.local_events import (
    ClientErrorPayload,
    DisconnectedEvent,
    LocalErrorEvent,
    ReconnectingEvent,
)
from openai_realtime.reconnect import ReconnectPolicy
from openai_realtime.testing import (
    DropConnection,
    FakeRealtimeServer,
    Reply,
    ScriptedResponder,
    ToolCall,
)
from openai_realtime.types.params import RealtimeFunctionToolParam
from tests.support import WAIT

LOOKUP: RealtimeFunctionToolParam = {"name": "lookup", "parameters": {"type": "object"}}
# Events of a one-call tool reply, from response.created to response.done.
TOOL_RESPONSE_LENGTH = 10


def received(server: FakeRealtimeServer, connection: int) -> list[dict[str, Any]]:
    return [json.loads(frame) for frame in server.connections[connection].received]


async def test_a_call_cut_off_by_a_drop_is_reported_after_the_reconnect_never_rerun() -> None:
    cut = Reply(
        tool_calls=[ToolCall("lookup", {"q": "x"}, call_id="call_cut")],
        faults=[DropConnection(TOOL_RESPONSE_LENGTH, close_code=None)],
    )
    responder = ScriptedResponder([cut, Reply(text="The lookup was cut off.")])
    started: list[dict[str, Any]] = []
    never = asyncio.Event()

    async def lookup(arguments: dict[str, Any]) -> str:
        started.append(arguments)
        await never.wait()
        return "unreachable"

    policy = ReconnectPolicy(initial_delay=0.01, max_delay=0.02, jitter=0.0, replay_history=True)
    async with FakeRealtimeServer(responder=responder) as server:
        client = RealtimeClient(url=server.url, reconnect=policy)
        errors: list[ClientErrorPayload] = []
        client.on("error", errors.append)
        await client.update_session(**TEXT_SESSION)
        await client.add_tool(LOOKUP, lookup)
        async with client:
            reconnected = client.expect("reconnected", timeout=WAIT)
            await talk(client, "look it up")
            await reconnected
            answer = await client.wait_for_next_completed_item(WAIT, role="assistant")
    assert answer.formatted.text == "The lookup was cut off."
    assert len(started) == 1  # run once, cancelled by the drop, never run again
    interrupted = [
        e
        for e in errors
        if isinstance(e, LocalErrorEvent) and isinstance(e.exception, ToolInterruptedError)
    ]
    assert len(interrupted) == 1 and "call_cut" in interrupted[0].message
    second = received(server, 1)
    outputs = [
        e["item"]
        for e in second
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"
    ]
    assert [o["call_id"] for o in outputs] == ["call_cut"]
    assert "interrupted" in json.loads(outputs[0]["output"])["error"]
    types = [e["type"] for e in second]
    assert types.count("response.create") == 1
    assert types.index("response.create") > types.index("conversation.item.create")


async def test_connections_that_die_before_anything_useful_end_in_disconnected() -> None:
    # Every connection is accepted, configured, then dropped (1011: retried by default).
    drop = DropConnection(3, close_code=1011, reason="overloaded")
    policy = ReconnectPolicy(max_attempts=3, initial_delay=0.01, max_delay=1.0, jitter=0.0)
    async with FakeRealtimeServer(faults=[drop]) as server:
        client = RealtimeClient(url=server.url, reconnect=policy)
        attempts: list[ReconnectingEvent] = []
        client.on("reconnecting", attempts.append)
        disconnected = client.expect("disconnected", timeout=WAIT)
        await client.connect()
        assert await disconnected == DisconnectedEvent(1011, "overloaded")
    assert [event.attempt for event in attempts] == [1, 2, 3]
    assert [event.delay for event in attempts] == [0.01, 0.02, 0.04]  # growing across drops
    assert len(server.connections) == 4  # the first connection and three attempts


async def test_a_useful_connection_starts_the_count_again() -> None:
    # Each connection answers one response, then drops: it was useful, so it never gives up.
    replies = [
        Reply(text=REPLIES["text"].text, faults=[DropConnection(14, close_code=1011)])
        for _ in range(4)
    ]
    policy = ReconnectPolicy(max_attempts=1, initial_delay=0.01, max_delay=0.02, jitter=0.0)
    async with FakeRealtimeServer(responder=ScriptedResponder(replies)) as server:
        client = RealtimeClient(url=server.url, reconnect=policy)
        attempts: list[ReconnectingEvent] = []
        client.on("reconnecting", attempts.append)
        await client.update_session(**TEXT_SESSION)
        async with client:
            for n in range(4):
                reconnected = client.expect("reconnected", timeout=WAIT)
                await talk(client, f"question {n}")
                await reconnected
    assert [event.attempt for event in attempts] == [1, 1, 1, 1]


async def test_the_fake_server_ends_a_session_at_its_maximum_duration() -> None:
    server = FakeRealtimeServer(time_scale=0.001, max_session_seconds=120)
    async with server, aiohttp.ClientSession() as http, http.ws_connect(server.url) as ws:
        first = await ws.receive_json(timeout=WAIT)
        assert first["type"] == "session.created"
        events = []
        while (message := await ws.receive(timeout=WAIT)).type is aiohttp.WSMsgType.TEXT:
            events.append(json.loads(message.data))
        assert ws.close_code == 1001
        assert message.extra == "Your session hit the maximum duration of 2 minutes."
    expired = events[-1]
    assert expired["type"] == "error" and expired["error"]["code"] == "session_expired"
    assert expired["error"]["message"] == "Your session hit the maximum duration of 2 minutes."


@pytest.mark.parametrize(("time_scale", "max_seconds"), [(0.001, 1200.0), (0.01, 120.0)])
async def test_expires_at_says_when_the_fake_server_ends_the_session(
    time_scale: float, max_seconds: float
) -> None:
    server = FakeRealtimeServer(time_scale=time_scale, max_session_seconds=max_seconds)
    async with server, aiohttp.ClientSession() as http:
        before = server.clock.wall_time()
        async with http.ws_connect(server.url) as ws:
            created = await ws.receive_json(timeout=WAIT)
            after = server.clock.wall_time()
            update = {"type": "session.update", "session": {"type": "realtime"}}
            await ws.send_json(update | {"session": {"type": "realtime", "instructions": "Hi."}})
            while (message := await ws.receive(timeout=WAIT)).type is aiohttp.WSMsgType.TEXT:
                event = json.loads(message.data)
                if event["type"] == "session.updated":
                    updated = event
            closed_at = server.clock.wall_time()
            assert ws.close_code == 1001
    expires_at = created["session"]["expires_at"]
    # Whole seconds of the server clock's wall time, the maximum duration after the start...
    assert isinstance(expires_at, int)
    assert before + max_seconds <= expires_at <= after + max_seconds + 1
    assert updated["session"]["expires_at"] == expires_at
    # ...and the close came then: not before, and within a quarter of a real second.
    assert expires_at <= closed_at < expires_at + 0.25 / time_scale
