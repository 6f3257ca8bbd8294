# pyright: reportUnnecessaryTypeIgnoreComment=true
"""Typing checks on ``RealtimeClient.on``, verified by mypy in `make lint` and run by pytest.

Each line that must be rejected carries a precise ``# type: ignore[code]``; with mypy --strict an
ignore that is not needed is itself an error, so the rejection is proven.
"""

from __future__ import annotations

import asyncio
from typing import assert_type

from openai_realtime import RealtimeClient
from openai_realtime.local_events import (
    ClientErrorPayload,
    ConversationItemCompletedEvent,
    ConversationUpdatedEvent,
)
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types import ResponseCreateEvent, ResponseDoneEvent, SessionCreatedEvent


def on_done(event: ResponseDoneEvent) -> None:
    """Typed for ``server.response.done``."""


def on_updated(event: ConversationUpdatedEvent) -> None:
    """Typed for ``conversation.updated``."""


def register(client: RealtimeClient) -> None:
    client.on("server.response.done", on_done)
    client.on(ResponseDoneEvent, on_done)
    client.on("conversation.updated", on_updated)
    client.on("server.response.created", on_done)  # type: ignore[arg-type]
    client.on("conversation.item.completed", on_updated)  # type: ignore[arg-type]
    client.on("server.no.such.event", on_done)  # type: ignore[arg-type]

    @client.on("conversation.item.completed")
    def completed(event: ConversationItemCompletedEvent) -> None:
        assert_type(event.item.id, str)

    @client.on("error")
    def failed(event: ClientErrorPayload) -> None:
        """Server errors and local errors share one handler."""


async def waits(client: RealtimeClient) -> None:
    assert_type(await client.wait_for_next("server.session.created"), SessionCreatedEvent)
    assert_type(await client.wait_for_next(ResponseCreateEvent), ResponseCreateEvent)


async def test_typed_registrations_work_at_run_time() -> None:
    async with FakeRealtimeServer() as server:
        client = RealtimeClient(url=server.url)
        register(client)
        created = asyncio.ensure_future(client.wait_for_next("server.session.created", timeout=10))
        async with client:
            event = await created
        assert event.session.id
