"""A bare WebSocket client for the fake server tests: aiohttp plus the codec, nothing else.

Every frame it receives must decode to a known server event (never ``UnknownServerEvent``) and
validate strictly as an official ``openai`` SDK event with nothing unmodelled, so every test
that talks to the server is also a conformance check.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any, TypeVar

import aiohttp
import numpy as np
from numpy.typing import NDArray
from official_sdk import assert_official

from openai_realtime.protocol.audio import encode_base64
from openai_realtime.protocol.codec import decode_server_event, encode_client_event
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types import (
    AssistantMessageContent,
    RealtimeConversationItem,
    RealtimeConversationItemMessageAssistant,
    RealtimeConversationItemMessageUser,
    ResponseDoneEvent,
    ServerEvent,
    UnknownServerEvent,
    UserMessageContent,
)

__all__ = [
    "TIMEOUT",
    "WireClient",
    "connect",
    "deltas_of",
    "first_part",
    "output_of",
    "response_done",
    "types_of",
]

TIMEOUT = 10.0
"""Upper bound of every single wait in these tests."""

EventT = TypeVar("EventT")


class WireClient:
    """Sends client events and receives validated server events."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.received: list[ServerEvent] = []

    async def send(self, event: Mapping[str, Any]) -> None:
        """Validate and send one client event."""
        await self.websocket.send_str(encode_client_event(event))

    async def send_raw(self, text: str) -> None:
        """Send a text frame as is (for invalid-input tests)."""
        await self.websocket.send_str(text)

    async def append_audio(self, samples: NDArray[np.int16]) -> None:
        """Send ``input_audio_buffer.append`` with PCM16 samples."""
        await self.send({"type": "input_audio_buffer.append", "audio": encode_base64(samples)})

    async def receive_frame(self) -> aiohttp.WSMessage:
        """The next raw WebSocket message."""
        return await asyncio.wait_for(self.websocket.receive(), TIMEOUT)

    async def receive(self) -> ServerEvent:
        """The next server event; fails the test on anything but a valid known event."""
        message = await self.receive_frame()
        assert message.type is aiohttp.WSMsgType.TEXT, f"expected a text frame, got {message}"
        event = decode_server_event(message.data)
        assert not isinstance(event, UnknownServerEvent), f"unknown event: {message.data[:200]}"
        assert_official([message.data])  # and the official SDK's models agree, strictly
        self.received.append(event)
        return event

    async def receive_until(self, event_type: str) -> list[ServerEvent]:
        """Events up to and including the first of ``event_type``."""
        events = []
        while True:
            event = await self.receive()
            events.append(event)
            if event.type == event_type:
                return events

    async def expect(self, event_class: type[EventT]) -> EventT:
        """The next event, which must be an ``event_class``."""
        event = await self.receive()
        assert isinstance(event, event_class), f"expected {event_class.__name__}, got {event}"
        return event

    async def response(self) -> list[ServerEvent]:
        """The events of one response, through ``response.done``.

        Checks the live order on the way: ``rate_limits.updated`` right after
        ``response.created`` (input transcripts may come before either).
        """
        events = await self.receive_until("response.done")
        kinds = [kind for kind in types_of(events) if "input_audio_transcription" not in kind]
        if "response.created" in kinds:  # a caller may have read the start already
            created = kinds.index("response.created")
            assert kinds[created + 1] == "rate_limits.updated", kinds
        return events


def types_of(events: list[ServerEvent]) -> list[str]:
    """The ``type`` of each event."""
    return [event.type for event in events]


def deltas_of(events: list[ServerEvent], event_type: str) -> str:
    """The joined ``delta`` of every event of ``event_type``."""
    return "".join(getattr(event, "delta", "") for event in events if event.type == event_type)


def response_done(events: list[ServerEvent]) -> ResponseDoneEvent:
    """The one ``response.done`` among ``events``."""
    done = [event for event in events if isinstance(event, ResponseDoneEvent)]
    assert len(done) == 1, f"expected one response.done, got {len(done)}"
    return done[0]


def output_of(events: list[ServerEvent]) -> list[RealtimeConversationItem]:
    """The output items of the one response among ``events``."""
    return response_done(events).response.output or []


def first_part(item: RealtimeConversationItem) -> AssistantMessageContent | UserMessageContent:
    """The first content part of a user or assistant message."""
    assert isinstance(
        item, RealtimeConversationItemMessageAssistant | RealtimeConversationItemMessageUser
    ), f"not a user or assistant message: {item}"
    return item.content[0]


@contextlib.asynccontextmanager
async def connect(
    server: FakeRealtimeServer,
    *,
    model: str = "gpt-realtime",
    headers: Mapping[str, str] | None = None,
    greet: bool = True,
) -> AsyncIterator[WireClient]:
    """Connect to ``server``; by default also consume ``session.created`` and
    ``conversation.created``."""
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{server.url}?model={model}", headers=headers) as websocket,
    ):
        client = WireClient(websocket)
        if greet:
            created = await client.receive()
            assert created.type == "session.created"
            conversation = await client.receive()
            assert conversation.type == "conversation.created"
        yield client
