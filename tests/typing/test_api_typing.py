# pyright: reportUnnecessaryTypeIgnoreComment=true
"""Typing checks on ``RealtimeAPI``'s events, verified by mypy in `make lint` and run by pytest.

A line that must be a type error carries a precise ``# type: ignore[code]``; mypy --strict warns
about unused ignores, so if the error ever disappeared, `make lint` would fail. mypy reports a
wrong handler for a name as ``call-overload`` (no overload matches the pair) and for a class as
``arg-type``. Nothing here connects: events are dispatched by hand, as the receive loop does.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, assert_type

import pytest

from openai_realtime.api import RealtimeAPI
from openai_realtime.errors import NotConnectedError
from openai_realtime.local_events import CloseEvent, LocalErrorEvent
from openai_realtime.types import (
    RealtimeResponse,
    RealtimeSessionCreateRequest,
    RealtimeSessionCreateResponse,
    ResponseCreateEvent,
    ResponseDoneEvent,
    ServerEvent,
    SessionCreatedEvent,
    SessionUpdateEvent,
    UnknownServerEvent,
)
from tests.support import WAIT

if TYPE_CHECKING:
    # A stub with no module behind it: pyright notes that, for type checkers it is all there is.
    from openai_realtime.types.hooks import Hook  # pyright: ignore[reportMissingModuleSource]


def test_handlers_are_typed_by_event_name() -> None:
    api = RealtimeAPI("ws://127.0.0.1:1/v1/realtime")
    seen: list[str] = []

    def on_done(event: ResponseDoneEvent) -> None:
        seen.append(f"done {event.response.id}")

    def on_session_created(event: SessionCreatedEvent) -> None:
        seen.append(f"created {event.session.id}")

    def on_anything(event: ServerEvent | UnknownServerEvent) -> None:
        seen.append(f"any {event.type}")

    # `on` returns the handler, typed as a `Hook`: callable with the event, or as a decorator.
    registered: Hook[ResponseDoneEvent] = api.on("server.response.done", on_done)
    api.on(ResponseDoneEvent, on_done)
    api.on("server.*", on_anything)
    api.on("server.response.done", on_session_created)  # type: ignore[arg-type]
    api.on(SessionCreatedEvent, on_done)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        api.on(RealtimeResponse, on_done)  # type: ignore[type-var, arg-type]
    api.on("server.response.finished", on_done)  # type: ignore[arg-type]
    # Last: an identity check narrows `on_done` for the checker, hiding the mistakes above.
    assert registered is on_done

    @api.on("error")
    def on_error(event: LocalErrorEvent) -> None:
        seen.append(f"error {event.event_name}")

    @api.once("close")
    def on_close(event: CloseEvent) -> None:
        seen.append(f"close {event.code}")

    api.dispatch(
        "server.response.done", ResponseDoneEvent(event_id="e", response=RealtimeResponse(id="r"))
    )
    api.dispatch("close", CloseEvent(1000, "", requested=True))
    api.dispatch("close", CloseEvent(1000, "", requested=True))
    # The mistyped handler still runs and fails (reported as `error`): only the checker stops it.
    assert seen == [
        "done r",
        "done r",
        "error server.response.done",
        "any response.done",
        "close 1000",
    ]


async def test_wait_for_next_and_send_return_the_precise_class() -> None:
    api = RealtimeAPI("ws://127.0.0.1:1/v1/realtime")
    created = SessionCreatedEvent(
        event_id="e", session=RealtimeSessionCreateResponse(id="sess_1", object="realtime.session")
    )
    asyncio.get_running_loop().call_soon(api.dispatch, "server.session.created", created)
    assert_type(
        await api.wait_for_next("server.session.created", timeout=WAIT), SessionCreatedEvent
    )

    asyncio.get_running_loop().call_soon(api.dispatch, "server.session.created", created)
    assert_type(await api.wait_for_next(SessionCreatedEvent, timeout=WAIT), SessionCreatedEvent)

    with pytest.raises(NotConnectedError):
        assert_type(await api.send(ResponseCreateEvent()), ResponseCreateEvent)
    with pytest.raises(NotConnectedError):
        assert_type(
            await api.send(SessionUpdateEvent(session=RealtimeSessionCreateRequest())),
            SessionUpdateEvent,
        )
    with pytest.raises(NotConnectedError):
        await api.send(created)  # type: ignore[call-overload]
