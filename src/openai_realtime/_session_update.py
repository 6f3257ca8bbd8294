"""Send a ``session.update`` and wait for its outcome: ``session.updated``, or the ``error``
that names its ``event_id`` (errors about other events are not its answer)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from openai_realtime.errors import SessionRefusedError
from openai_realtime.events import EventEmitter

__all__ = ["new_event_id", "send_and_confirm"]


def new_event_id() -> str:
    """A fresh client ``event_id``, so the answer to an event can be recognised."""
    return "evt_" + secrets.token_hex(12)


async def send_and_confirm(
    emitter: EventEmitter,
    send: Callable[[], Awaitable[object]],
    event_id: str,
    timeout: float,
    what: str,
) -> Any:
    """Run ``send`` and return the next ``server.session.updated``.

    Args:
        emitter: Where the server events are dispatched.
        send: Sends the update (whose ``event_id`` is ``event_id``).
        event_id: The update's ``event_id``.
        timeout: Seconds to wait for the outcome.
        what: The session kind, for the error message.

    Returns:
        The ``session.updated`` event.

    Raises:
        SessionRefusedError: The server answered the update with an ``error``.
        RealtimeTimeoutError: Neither came in time.
        ConnectionClosedError: The connection closed first.
    """
    refusal: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def on_error(event: Any) -> None:
        if getattr(event.error, "event_id", None) == event_id and not refusal.done():
            refusal.set_result(event)

    emitter._subscribe("server.error", on_error, once=False)
    updated = asyncio.ensure_future(emitter.expect("server.session.updated", timeout))
    try:
        await send()
        done, _ = await asyncio.wait((updated, refusal), return_when=asyncio.FIRST_COMPLETED)
    finally:
        emitter.off("server.error", on_error)
        for future in (updated, refusal):
            if not future.done():
                future.cancel()
    if refusal in done:
        error = refusal.result().error
        raise SessionRefusedError(
            f"the server refused the {what} session: {error.message}",
            code=error.code,
            param=error.param,
        )
    return updated.result()
