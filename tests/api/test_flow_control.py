"""Flow control both ways: bounded async handler backlog, serialised sends.

The backlog tests run over the in-memory pair (no socket, no polling); whole frames written
concurrently go to the scripted server on 127.0.0.1 (``conftest.py``); the emitter rules are
also tested on a bare emitter. A server that stops reading (sends timing out) is in
``tests/faults``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from scripted_server import ScriptedServer

from openai_realtime.api import DEFAULT_SEND_TIMEOUT, RealtimeAPI
from openai_realtime.errors import ConfigurationError, ConnectionClosedError
from openai_realtime.events import DEFAULT_MAX_PENDING_HANDLERS, EventEmitter
from openai_realtime.local_events import ReconnectedEvent
from openai_realtime.transports import MemoryConnector
from openai_realtime.types.emitter import ClientEventsMixin
from tests.support import WAIT


def cleared(number: int) -> str:
    return json.dumps({"type": "input_audio_buffer.cleared", "event_id": f"event_{number}"})


def test_defaults() -> None:
    api = RealtimeAPI("ws://127.0.0.1:9/v1/realtime")
    assert api.max_pending_handlers == DEFAULT_MAX_PENDING_HANDLERS == 1000
    assert api.pending_handlers == 0
    assert DEFAULT_SEND_TIMEOUT == 30.0


@pytest.mark.parametrize("options", [{"max_pending_handlers": 0}, {"send_timeout": 0.0}])
def test_limits_out_of_range_are_configuration_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        RealtimeAPI("ws://127.0.0.1:9/v1/realtime", **options)


async def test_the_receive_loop_waits_while_the_handler_backlog_is_full() -> None:
    connector = MemoryConnector()
    api = RealtimeAPI(transport=connector, max_pending_handlers=2)
    gate = asyncio.Event()
    two_seen = asyncio.Event()
    seen: list[str] = []

    async def slow(event: Any) -> None:
        seen.append(event.event_id)
        if len(seen) == 2:
            two_seen.set()
        await gate.wait()

    api.on("server.input_audio_buffer.cleared", slow)
    async with api:
        server = await connector.accept()
        for number in range(10):
            await server.send_text(cleared(number))
        await asyncio.wait_for(two_seen.wait(), WAIT)
        for _ in range(20):  # room for the loop to run on, were it not held back
            await asyncio.sleep(0)
        assert (len(seen), api.pending_handlers) == (2, 2)
        gate.set()
        await asyncio.wait_for(server.flush(), WAIT)  # the client has handled all ten
        await api.drain()
    assert seen == [f"event_{number}" for number in range(10)]


async def test_concurrent_sends_go_out_whole_and_in_call_order(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    payload = "x" * 50_000  # big enough that writes wait for the socket
    sends = [
        connected.send(
            "conversation.item.create",
            {
                "event_id": f"evt_{number}",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": payload}],
                },
            },
        )
        for number in range(60)
    ]
    await asyncio.gather(*sends)
    frames = [await server.next_frame() for _ in range(60)]
    assert [frame["event_id"] for frame in frames] == [f"evt_{number}" for number in range(60)]
    assert all(frame["item"]["content"][0]["text"] == payload for frame in frames)


async def test_a_send_waits_for_room_but_not_inside_a_handler() -> None:
    connector = MemoryConnector()
    api = RealtimeAPI(transport=connector, max_pending_handlers=1)
    gate = asyncio.Event()
    inner_sent = asyncio.Event()

    async def slow_then_send(event: Any) -> None:
        if event.event_id == "evt_first":
            # Sending from inside a handler must not wait for itself to finish.
            await api.send("input_audio_buffer.clear", {"event_id": "evt_inner"})
            inner_sent.set()
            await gate.wait()

    api.on("client.input_audio_buffer.clear", slow_then_send)
    async with api:
        server = await connector.accept()
        first = asyncio.ensure_future(
            api.send("input_audio_buffer.clear", {"event_id": "evt_first"})
        )
        await asyncio.wait_for(inner_sent.wait(), WAIT)
        assert not first.done()  # sent, but waiting while the handler backlog is full
        frames = [json.loads(str(await server.receive())) for _ in range(2)]
        assert [frame["event_id"] for frame in frames] == ["evt_first", "evt_inner"]
        gate.set()
        assert (await asyncio.wait_for(first, WAIT)).event_id == "evt_first"


class Emitter(ClientEventsMixin, EventEmitter):
    """The emitter as RealtimeClient composes it, with nothing else."""


async def test_release_waiters_can_keep_some_names() -> None:
    emitter = Emitter()
    released = asyncio.ensure_future(emitter.wait_for_next("server.response.done", WAIT))
    kept = asyncio.ensure_future(emitter.wait_for_next("reconnected", WAIT))
    await asyncio.sleep(0)
    emitter.release_waiters(ConnectionClosedError(1006), keep=("reconnected",))
    back = ReconnectedEvent(attempt=1, replayed_items=0)
    emitter.dispatch("reconnected", back)
    with pytest.raises(ConnectionClosedError):
        await released
    assert await kept is back


def test_max_pending_handlers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        EventEmitter(max_pending_handlers=0)


async def test_a_bare_emitter_counts_and_bounds_its_handler_tasks() -> None:
    emitter = Emitter(max_pending_handlers=2)
    gate = asyncio.Event()

    async def slow(payload: object) -> None:
        await gate.wait()

    emitter.on("conversation.updated", slow)
    emitter.dispatch("conversation.updated", 1)
    emitter.dispatch("conversation.updated", 2)
    await asyncio.sleep(0)
    room = asyncio.ensure_future(emitter._wait_for_handler_room())
    await asyncio.sleep(0)
    assert emitter.pending_handlers == 2 and not room.done()
    gate.set()
    await asyncio.wait_for(room, WAIT)
    await emitter.drain()
    assert (emitter.pending_handlers, emitter.max_pending_handlers) == (0, 2)
