"""Events the tolerant reader rebuilt reach a real RealtimeClient's handlers, waits and store.

A scripted WebSocket server on 127.0.0.1 (the fuzz tests' ``FrameServer``) plays deviations from
the schema: a ``session.created`` with a voice shape no schema knows and a ``response.created``
whose output format ``type`` is ``null``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, Final

import pytest
from live_deviations import FUTURE_VOICE, response_created, session_created

from openai_realtime import RealtimeClient
from openai_realtime.local_events import LocalErrorEvent
from openai_realtime.types import (
    ErrorEvent,
    ResponseCreatedEvent,
    ResponseOutputItemAddedEvent,
    ServerEvent,
    SessionCreatedEvent,
    UnknownServerEvent,
)
from tests.fuzz.frame_server import FrameServer
from tests.support import WAIT

ITEM_ADDED: Final = {
    "type": "response.output_item.added",
    "event_id": "event_3",
    "response_id": "resp_1",
    "output_index": 0,
    "item": {"id": "item_1", "type": "message", "role": "assistant", "content": []},
}
# Closes each script: the client has processed everything before it once this arrives.
MARKER: Final = {"type": "rate_limits.updated", "event_id": "event_marker", "rate_limits": []}


@pytest.fixture
async def server() -> AsyncIterator[FrameServer]:
    frame_server = FrameServer()
    await frame_server.start()
    try:
        yield frame_server
    finally:
        await frame_server.stop()


def frames(*events: dict[str, Any]) -> list[str | bytes]:
    return [json.dumps(event) for event in events]


async def test_the_custom_voice_and_null_format_events_reach_handlers_and_the_store(
    server: FrameServer,
) -> None:
    client = RealtimeClient(url=server.url, heartbeat=None)
    received: list[ServerEvent | UnknownServerEvent] = []
    errors: list[ErrorEvent | LocalErrorEvent] = []
    client.on("server.*", received.append)
    client.on("error", errors.append)
    async with client:
        marker = asyncio.ensure_future(
            client.wait_for_next("server.rate_limits.updated", timeout=WAIT)
        )
        server.push(
            frames(
                session_created(FUTURE_VOICE),
                response_created(format_type=None),
                ITEM_ADDED,
                MARKER,
            )
        )
        await client.wait_for_session_created(timeout=WAIT)
        await marker

    session_event, response_event, item_event, _ = received
    assert isinstance(session_event, SessionCreatedEvent)
    assert session_event.validation_issues[0].path == "session.audio.output.voice"
    assert client.session is session_event.session
    assert isinstance(response_event, ResponseCreatedEvent)
    assert response_event.response.id == "resp_1"
    assert isinstance(item_event, ResponseOutputItemAddedEvent)
    record = client.conversation.get_response("resp_1")
    assert record is not None and record.output_item_ids == ["item_1"]
    item = client.conversation.get_item("item_1")
    assert item is not None and item.response_id == "resp_1"
    assert errors == []


async def test_a_strict_client_refuses_the_custom_voice_as_an_invalid_frame(
    server: FrameServer,
) -> None:
    client = RealtimeClient(url=server.url, heartbeat=None, strict=True)
    received: list[str] = []
    errors: list[ErrorEvent | LocalErrorEvent] = []
    client.on("server.*", lambda event: received.append(event.type))
    client.on("error", errors.append)
    async with client:
        marker = asyncio.ensure_future(
            client.wait_for_next("server.rate_limits.updated", timeout=WAIT)
        )
        server.push(frames(session_created(FUTURE_VOICE), MARKER))
        await marker

    assert received == ["rate_limits.updated"]
    (error,) = errors
    assert isinstance(error, LocalErrorEvent)
    assert error.raw == json.dumps(session_created(FUTURE_VOICE))
    assert client.session is None
