"""RealtimeClient's connection life: reconnect with a policy, or end with ``disconnected``.

Every test runs a real FakeRealtimeServer on 127.0.0.1. Drops are injected with the fake
server's faults, inside one scripted response, so the connection made by the reconnect is
healthy.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
import pytest

from openai_realtime import ConnectionClosedError, RealtimeClient, RealtimeConnectionError
from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.local_events import (
    ClientErrorPayload,
    CloseEvent,
    DisconnectedEvent,
    LocalErrorEvent,
    ReconnectedEvent,
    ReconnectingEvent,
)
from openai_realtime.reconnect import ReconnectPolicy
from openai_realtime.testing import (
    DropConnection,
    FakeRealtimeServer,
    Reply,
    ScriptedResponder,
    synthesize_speech,
)
from openai_realtime.types.params import RealtimeFunctionToolParam
from tests.support import WAIT

FAST = ReconnectPolicy(initial_delay=0.01, max_delay=0.05, jitter=0.0)
TEXT_ONLY: dict[str, Any] = {"turn_detection": None, "output_modalities": ["text"]}
TOOL: RealtimeFunctionToolParam = {"name": "lookup", "parameters": {"type": "object"}}


class Timeline:
    """Every connection event a client emits, in order."""

    def __init__(self, client: RealtimeClient) -> None:
        self.events: list[object] = []
        self.errors: list[ClientErrorPayload] = []
        for name in ("close", "reconnecting", "reconnected", "disconnected"):
            client.on(name, self.events.append)
        client.on("error", self.errors.append)

    def of(self, kind: type[object]) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]


def received(server: FakeRealtimeServer, connection: int = -1) -> list[dict[str, Any]]:
    return [json.loads(frame) for frame in server.connections[connection].received]


def dropping(code: int | None, *, after_events: int = 3) -> ScriptedResponder:
    """A first answer that completes, then one cut off ``after_events`` into the response."""
    return ScriptedResponder(
        [
            Reply(text="First answer."),
            Reply(text="Cut off here", faults=[DropConnection(after_events, close_code=code)]),
            Reply(text="After the reconnect."),
        ]
    )


async def talk(client: RealtimeClient, text: str) -> None:
    await client.send_user_message_content([{"type": "input_text", "text": text}])


async def test_a_drop_reconnects_restores_the_session_and_replays_the_history() -> None:
    policy = ReconnectPolicy(initial_delay=0.01, jitter=0.0, replay_history=True)
    async with FakeRealtimeServer(responder=dropping(1011)) as server:
        client = RealtimeClient(url=server.url, reconnect=policy)
        timeline = Timeline(client)
        await client.update_session(instructions="Be brief.", **TEXT_ONLY)
        await client.add_tool(TOOL)
        async with client:
            await talk(client, "one")
            first_done = await client.wait_for_next("server.response.done", timeout=WAIT)
            reconnected = asyncio.ensure_future(client.wait_for_next("reconnected", timeout=WAIT))
            cut_off = asyncio.ensure_future(client.wait_for_next("server.response.done", WAIT))
            await talk(client, "two")
            with pytest.raises(ConnectionClosedError):
                await cut_off  # pending waits are released by the drop
            back = await reconnected
            items_before = [item.id for item in client.conversation.get_items()]
            await talk(client, "three")
            last = await client.wait_for_next("server.response.done", timeout=WAIT)

    assert first_done.response.status == "completed" and last.response.status == "completed"
    assert [type(event) for event in timeline.events] == [
        CloseEvent,
        ReconnectingEvent,
        ReconnectedEvent,
        CloseEvent,
        DisconnectedEvent,
    ]
    assert timeline.of(ReconnectingEvent) == [ReconnectingEvent(1, 0.01, 1011)]
    assert back == ReconnectedEvent(1, 3)  # "one", the first answer, and "two"
    assert len(server.connections) == 2
    restored = received(server, 1)
    update = restored[0]
    assert update["type"] == "session.update"
    assert update["session"]["instructions"] == "Be brief."
    assert [tool["name"] for tool in update["session"]["tools"]] == ["lookup"]
    replayed = [frame["item"] for frame in restored[1:4]]
    assert [frame["type"] for frame in restored[1:4]] == ["conversation.item.create"] * 3
    assert [item["id"] for item in replayed] == items_before[:3]
    assert [item["content"][0] for item in replayed] == [
        {"type": "input_text", "text": "one"},
        {"type": "output_text", "text": "First answer."},
        {"type": "input_text", "text": "two"},
    ]
    # The server's echo of the replay updated the client's items in place: no duplicates.
    ids = [item.id for item in client.conversation.get_items()]
    assert len(ids) == len(set(ids)) == len(items_before) + 2


async def test_the_response_cut_off_is_marked_failed_and_reported() -> None:
    async with FakeRealtimeServer(responder=dropping(None, after_events=6)) as server:
        client = RealtimeClient(url=server.url, reconnect=FAST)
        timeline = Timeline(client)
        await client.update_session(**TEXT_ONLY)
        async with client:
            await talk(client, "one")
            await client.wait_for_next("server.response.done", timeout=WAIT)
            created = asyncio.ensure_future(client.wait_for_next("server.response.created", WAIT))
            reconnected = asyncio.ensure_future(client.wait_for_next("reconnected", timeout=WAIT))
            await talk(client, "two")
            response_id = (await created).response.id or ""
            await reconnected

    record = client.conversation.get_response(response_id)
    assert record is not None and record.status == "failed"
    statuses = [client.conversation.get_item(item_id) for item_id in record.output_item_ids]
    assert [item.status for item in statuses if item is not None] == ["incomplete"]
    cut_off = [e for e in timeline.errors if isinstance(e, LocalErrorEvent)]
    assert len(cut_off) == 1 and response_id in cut_off[0].message
    assert isinstance(cut_off[0].exception, ConnectionClosedError)
    assert timeline.of(ReconnectingEvent)[0].code == 1006  # an abort: no close frame


async def test_without_a_policy_a_drop_ends_with_one_disconnected_and_sends_fail() -> None:
    async with FakeRealtimeServer(responder=dropping(1011)) as server:
        client = RealtimeClient(url=server.url)
        timeline = Timeline(client)
        await client.update_session(**TEXT_ONLY)
        async with client:
            await talk(client, "one")
            await client.wait_for_next("server.response.done", timeout=WAIT)
            disconnected = asyncio.ensure_future(client.wait_for_next("disconnected", WAIT))
            await talk(client, "two")
            assert await disconnected == DisconnectedEvent(1011, "")
            with pytest.raises(ConnectionClosedError):
                await talk(client, "three")
    assert timeline.of(DisconnectedEvent) == [DisconnectedEvent(1011, "")]
    assert timeline.of(ReconnectingEvent) == []
    assert len(server.connections) == 1


@pytest.mark.parametrize("code", [1000, 1008, 4000])
async def test_a_code_not_retried_ends_the_connection(code: int) -> None:
    async with FakeRealtimeServer(responder=dropping(code)) as server:
        client = RealtimeClient(url=server.url, reconnect=FAST)
        timeline = Timeline(client)
        await client.update_session(**TEXT_ONLY)
        async with client:
            await talk(client, "one")
            await client.wait_for_next("server.response.done", timeout=WAIT)
            disconnected = asyncio.ensure_future(client.wait_for_next("disconnected", WAIT))
            await talk(client, "two")
            await disconnected
    assert timeline.of(ReconnectingEvent) == []
    assert timeline.of(DisconnectedEvent) == [DisconnectedEvent(code, "")]


async def test_a_policy_can_retry_codes_of_the_4000_range() -> None:
    policy = ReconnectPolicy(initial_delay=0.01, retry_on=frozenset({4000}))
    async with FakeRealtimeServer(responder=dropping(4000)) as server:
        client = RealtimeClient(url=server.url, reconnect=policy)
        await client.update_session(**TEXT_ONLY)
        async with client:
            await talk(client, "one")
            await client.wait_for_next("server.response.done", timeout=WAIT)
            reconnected = asyncio.ensure_future(client.wait_for_next("reconnected", WAIT))
            await talk(client, "two")
            assert (await reconnected).replayed_items == 0
            assert client.is_connected


async def test_giving_up_after_max_attempts() -> None:
    policy = ReconnectPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.02)
    server = FakeRealtimeServer()
    await server.start()
    client = RealtimeClient(url=server.url, reconnect=policy)
    timeline = Timeline(client)
    async with client:
        await client.wait_for_session_created(timeout=WAIT)
        disconnected = asyncio.ensure_future(client.wait_for_next("disconnected", timeout=WAIT))
        reconnected = asyncio.ensure_future(client.wait_for_next("reconnected", timeout=WAIT))
        await server.stop()  # closes with 1001 (going away); nothing listens any more
        assert await disconnected == DisconnectedEvent(1001, "server shutdown")
        with pytest.raises(ConnectionClosedError):
            await reconnected  # released once the client has given up
        assert not client.is_connected
    attempts = timeline.of(ReconnectingEvent)
    assert [(event.attempt, event.code) for event in attempts] == [(1, 1001), (2, 1001), (3, 1001)]
    assert all(0 < event.delay <= 0.02 for event in attempts)
    assert len(timeline.of(DisconnectedEvent)) == 1


async def test_disconnect_during_the_backoff_stops_reconnecting() -> None:
    policy = ReconnectPolicy(initial_delay=30.0, max_delay=30.0)
    async with FakeRealtimeServer(responder=dropping(1001)) as server:
        client = RealtimeClient(url=server.url, reconnect=policy)
        timeline = Timeline(client)
        await client.update_session(**TEXT_ONLY)
        await client.connect()
        await talk(client, "one")
        await client.wait_for_next("server.response.done", timeout=WAIT)
        reconnecting = asyncio.ensure_future(client.wait_for_next("reconnecting", WAIT))
        await talk(client, "two")
        await reconnecting
        with pytest.raises(RealtimeConnectionError, match="reconnect is in progress"):
            await client.connect()
        await asyncio.wait_for(client.disconnect(), WAIT)
    assert timeline.of(DisconnectedEvent) == [DisconnectedEvent(1001, "")]
    assert timeline.of(ReconnectedEvent) == []
    assert len(server.connections) == 1


async def test_a_requested_disconnect_never_reconnects() -> None:
    async with FakeRealtimeServer() as server:
        client = RealtimeClient(url=server.url, reconnect=True)
        timeline = Timeline(client)
        async with client:
            await client.wait_for_session_created(timeout=WAIT)
        await asyncio.sleep(0)
        async with client:  # and a new connect() starts a new life, with its own disconnected
            await client.wait_for_session_created(timeout=WAIT)
    assert [type(event) for event in timeline.events] == [
        CloseEvent,
        DisconnectedEvent,
        CloseEvent,
        DisconnectedEvent,
    ]
    assert timeline.of(CloseEvent)[0].requested
    assert len(server.connections) == 2


async def test_settings_changed_while_reconnecting_reach_the_new_connection() -> None:
    policy = ReconnectPolicy(initial_delay=0.2, jitter=0.0)
    async with FakeRealtimeServer(responder=dropping(1012)) as server:
        client = RealtimeClient(url=server.url, reconnect=policy)
        await client.update_session(**TEXT_ONLY)
        async with client:
            await talk(client, "one")
            await client.wait_for_next("server.response.done", timeout=WAIT)
            reconnecting = asyncio.ensure_future(client.wait_for_next("reconnecting", WAIT))
            reconnected = asyncio.ensure_future(client.wait_for_next("reconnected", WAIT))
            await talk(client, "two")
            await reconnecting
            await client.update_session(instructions="Changed meanwhile.")
            with pytest.raises(ConnectionClosedError):
                await client.append_input_audio(b"\x00\x01" * 240)
            await reconnected
    update = received(server, 1)[0]
    assert update["session"]["instructions"] == "Changed meanwhile."


async def test_reconnect_true_means_the_default_policy() -> None:
    assert RealtimeClient(url="ws://127.0.0.1:9/v1/realtime", reconnect=True).reconnect_policy == (
        ReconnectPolicy()
    )
    assert RealtimeClient(url="ws://127.0.0.1:9/v1/realtime").reconnect_policy is None


async def speak(client: RealtimeClient, speech: np.ndarray[tuple[int], np.dtype[np.int16]]) -> None:
    """One spoken turn with server VAD: silence, speech, silence, in 100 ms chunks."""
    silence = np.zeros(SAMPLE_RATE, dtype=np.int16)
    for part in (silence, speech, silence):
        for start in range(0, len(part), SAMPLE_RATE // 10):
            await client.append_input_audio(part[start : start + SAMPLE_RATE // 10])


async def test_user_audio_after_a_reconnect_is_attached_to_its_item() -> None:
    responder = ScriptedResponder(
        [Reply(text="Cut.", faults=[DropConnection(1, close_code=1011)]), Reply(text="Back.")]
    )
    speech = synthesize_speech("good morning to you", SAMPLE_RATE)
    async with FakeRealtimeServer(responder=responder) as server:
        client = RealtimeClient(url=server.url, reconnect=FAST)
        await client.update_session(output_modalities=["text"])
        async with client:
            reconnected = asyncio.ensure_future(client.wait_for_next("reconnected", WAIT))
            # Different audio before the drop, so audio from the old session cannot pass.
            await speak(client, synthesize_speech("hello there", SAMPLE_RATE) // 2)
            await reconnected
            appended = asyncio.ensure_future(client.wait_for_next_item(timeout=WAIT))
            await speak(client, speech)
            user = await appended
            await client.wait_for_next("server.response.done", timeout=WAIT)
    assert user.role == "user" and len(server.connections) == 2
    # The new session counts audio from its own start: the turn is the first audio it got.
    silence = np.zeros(SAMPLE_RATE, dtype=np.int16)
    turn = np.concatenate([silence, speech, silence])
    start = (user.audio_start_ms or 0) * SAMPLE_RATE // 1000
    heard = user.formatted.audio
    assert len(heard) > 0
    assert np.array_equal(heard, turn[start : start + len(heard)])
