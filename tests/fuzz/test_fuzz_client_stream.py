"""A RealtimeClient fed generated streams over a real socket stays up and keeps processing.

One FrameServer and one connected client serve every example of the property test: each example
sends a batch mixing valid events with broken frames, then a marker. Every valid event must be
dispatched (by ``client.realtime`` and by the client itself), every broken frame must become an
``error``, in order, and the connection must still be open afterwards.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from frame_server import MARKER_TYPE, FrameServer, marker
from fuzz_budget import budget
from hypothesis import given
from hypothesis import strategies as st
from wire_strategies import mutated_frames, valid_server_frames

from openai_realtime import ProtocolError, RealtimeClient
from openai_realtime.local_events import DisconnectedEvent, LocalErrorEvent
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.reconnect import ReconnectPolicy
from openai_realtime.types import ServerEvent, UnknownServerEvent
from tests.support import WAIT, until

UNDECODABLE = "<undecodable>"
VALID = valid_server_frames()
MIXED_BATCHES = st.lists(st.one_of(VALID, mutated_frames(VALID)), max_size=12)


@dataclass
class Observed:
    """What the client dispatched: per received frame at the API, per event at the client."""

    api: list[str] = field(default_factory=list)
    client: list[str] = field(default_factory=list)

    def on_api_event(self, event: ServerEvent | UnknownServerEvent) -> None:
        self.api.append(event.type)

    def on_api_error(self, error: LocalErrorEvent) -> None:
        if error.raw is not None:
            self.api.append(UNDECODABLE)

    def on_client_event(self, event: ServerEvent | UnknownServerEvent) -> None:
        self.client.append(event.type)


@dataclass
class Stream:
    server: FrameServer
    client: RealtimeClient
    observed: Observed
    batches: itertools.count[int] = field(default_factory=itertools.count)


@pytest.fixture
async def frame_server() -> AsyncIterator[FrameServer]:
    server = FrameServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def stream(frame_server: FrameServer) -> AsyncIterator[Stream]:
    client = RealtimeClient(url=frame_server.url, heartbeat=None)
    observed = Observed()
    client.realtime.on("server.*", observed.on_api_event)
    client.realtime.on("error", observed.on_api_error)
    client.on("server.*", observed.on_client_event)
    async with client:
        yield Stream(frame_server, client, observed)


def expected_kinds(frames: list[str | bytes]) -> list[str]:
    """What the API should dispatch for each frame: its event type, or an error."""
    kinds = []
    for frame in frames:
        if isinstance(frame, bytes):
            kinds.append(UNDECODABLE)  # a binary frame is refused without being read
            continue
        try:
            kinds.append(decode_server_event(frame).type)
        except ProtocolError:
            kinds.append(UNDECODABLE)
    return kinds


@budget(quick=100, fuzz=20_000)
@given(frames=MIXED_BATCHES)
async def test_a_mixed_stream_is_processed_frame_by_frame_and_the_client_stays_up(
    stream: Stream, frames: list[str | bytes]
) -> None:
    number = next(stream.batches)
    observed = stream.observed
    api_start, client_start = len(observed.api), len(observed.client)
    stream.server.push([*frames, marker(number)])
    await until(lambda: MARKER_TYPE in observed.api[api_start:])

    expected = [*expected_kinds(frames), MARKER_TYPE]
    assert observed.api[api_start:] == expected
    assert observed.client[client_start:] == [kind for kind in expected if kind != UNDECODABLE]
    assert stream.client.is_connected


async def test_invalid_utf8_in_a_text_frame_closes_with_1007_and_is_not_retried(
    frame_server: FrameServer,
) -> None:
    policy = ReconnectPolicy(initial_delay=0.01, jitter=0.0)
    client = RealtimeClient(url=frame_server.url, heartbeat=None, reconnect=policy)
    disconnected = asyncio.ensure_future(client.wait_for_next("disconnected", timeout=WAIT))
    async with client:
        await until(lambda: frame_server.connections == 1)
        await frame_server.send_raw_text(b'{"type": "\xff\xfe"}')
        result = await disconnected
    # RFC 6455: a text frame that is not UTF-8 fails the connection (1007, invalid data).
    assert result == DisconnectedEvent(1007, result.reason)
