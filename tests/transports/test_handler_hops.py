"""No event-loop hop between a frame's arrival and its sync handlers.

The receive loop decodes a frame, applies it to the store and calls every sync handler in the
same pass of the event loop in which the transport handed the frame over: no queue, future,
task or ``call_soon`` between them, each of which would cost a loop iteration of latency.

The probe: when the transport returns a frame, a ``call_soon`` marker is scheduled for it. A
callback scheduled while the loop runs its ready callbacks runs only in the next iteration, so
a handler that runs before its frame's marker ran within that frame's iteration.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import numpy as np
import pytest

from openai_realtime import RealtimeClient
from openai_realtime.local_events import ClientErrorPayload, ConversationUpdatedEvent
from openai_realtime.testing import FakeRealtimeServer, Reply
from openai_realtime.transports import MemoryConnector
from openai_realtime.types import (
    ResponseOutputAudioDeltaEvent,
    ResponseOutputTextDeltaEvent,
)
from tests.support import WAIT

ANSWER_SAMPLES = 24_000  # one second of audio: fifty 20 ms deltas
CHUNK_MS = 20


class IterationProbe:
    """Marks each frame's loop iteration as over once the loop has moved on to the next one."""

    def __init__(self) -> None:
        self.frames = 0
        self.passed: set[str] = set()  # event ids whose arrival iteration is over

    def arrived(self, text: str) -> None:
        self.frames += 1
        event_id = json.loads(text)["event_id"]
        asyncio.get_running_loop().call_soon(self.passed.add, event_id)

    def in_time(self, event: ResponseOutputAudioDeltaEvent) -> bool:
        """True when the handler of ``event`` runs in the iteration its frame arrived in."""
        assert event.event_id is not None
        return event.event_id not in self.passed


@pytest.fixture
def aiohttp_probe(monkeypatch: pytest.MonkeyPatch) -> IterationProbe:
    """An :class:`IterationProbe` fed by aiohttp's ``ClientWebSocketResponse.receive``."""
    probe = IterationProbe()
    receive = aiohttp.ClientWebSocketResponse.receive

    async def probed(self: aiohttp.ClientWebSocketResponse, timeout: float | None = None) -> Any:
        message = await receive(self, timeout)
        if message.type is aiohttp.WSMsgType.TEXT:
            probe.arrived(message.data)
        return message

    monkeypatch.setattr(aiohttp.ClientWebSocketResponse, "receive", probed)
    return probe


@pytest.fixture
async def server() -> AsyncIterator[FakeRealtimeServer]:
    answer = np.arange(ANSWER_SAMPLES, dtype=np.int16)
    async with FakeRealtimeServer(
        responder=lambda context: Reply(audio=answer, audio_text="a ramp"),
        audio_chunk_ms=CHUNK_MS,
    ) as fake:
        yield fake


async def test_audio_delta_handlers_run_in_the_iteration_aiohttp_returned_the_frame(
    server: FakeRealtimeServer, aiohttp_probe: IterationProbe
) -> None:
    client = RealtimeClient(url=server.url)
    order: list[str] = []
    in_time: list[bool] = []
    stored: list[int] = []
    errors: list[ClientErrorPayload] = []

    def failing(event: ResponseOutputAudioDeltaEvent) -> None:
        order.append("failing")
        raise RuntimeError("a broken handler")

    def updated(event: ConversationUpdatedEvent) -> None:
        if event.delta is not None and event.delta.audio is not None:
            order.append("updated")

    def on_delta(event: ResponseOutputAudioDeltaEvent) -> None:
        order.append("delta")
        in_time.append(aiohttp_probe.in_time(event))
        item = client.conversation.get_item(event.item_id)
        assert item is not None
        stored.append(len(item.formatted.audio))

    started: list[bool] = []

    async def later(event: ResponseOutputAudioDeltaEvent) -> None:
        started.append(aiohttp_probe.in_time(event))

    client.on("conversation.updated", updated)
    client.on(ResponseOutputAudioDeltaEvent, failing)
    client.on(ResponseOutputAudioDeltaEvent, on_delta)
    client.on(ResponseOutputAudioDeltaEvent, later)
    client.on("error", errors.append)
    async with client:
        await client.wait_for_session_created(timeout=WAIT)
        async with client.expect("server.response.done", timeout=WAIT) as done:
            await client.create_response()
        await done
        await client.drain()
    deltas = ANSWER_SAMPLES * 1000 // (24_000 * CHUNK_MS)
    assert aiohttp_probe.frames > deltas
    # Every delta: the store first, then each sync handler in order, all in the frame's
    # iteration, a raising handler notwithstanding.
    assert in_time == [True] * deltas
    assert order == ["updated", "failing", "delta"] * deltas
    assert stored == [(index + 1) * ANSWER_SAMPLES // deltas for index in range(deltas)]
    assert len(errors) == deltas and all("a broken handler" in str(e) for e in errors)
    # Async handlers are tasks: each starts in a later iteration, and every one ran.
    assert started == [False] * deltas


async def test_over_the_memory_pair_handlers_run_in_the_iteration_the_frame_is_taken() -> None:
    connector = MemoryConnector()
    client = RealtimeClient(transport=connector)
    await client.connect()
    server = await connector.accept()
    await server.flush()  # the receive loop now waits for the next frame
    loop = asyncio.get_running_loop()
    handled: list[tuple[str, bool]] = []
    next_iteration: set[str] = set()

    def on_delta(event: ResponseOutputTextDeltaEvent) -> None:
        handled.append((event.delta, event.delta not in next_iteration))

    client.on(ResponseOutputTextDeltaEvent, on_delta)
    for text in ("one", "two", "three"):
        await server.send_text(
            json.dumps(
                {
                    "type": "response.output_text.delta",
                    "event_id": f"event_{text}",
                    "response_id": "resp_1",
                    "item_id": "item_1",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": text,
                }
            )
        )
        # The waiting receive loop was woken by the send, before this marker was scheduled:
        # with no hop in between, the handler runs ahead of it in the next iteration.
        loop.call_soon(next_iteration.add, text)
        await server.flush()
    assert handled == [("one", True), ("two", True), ("three", True)]
    await client.disconnect()
