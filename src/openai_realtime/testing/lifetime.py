"""The session's maximum duration: the fake server ends every connection at its limit.

The service ends a session 60 minutes after it began: it sends an ``error`` with code
``session_expired``, then closes the WebSocket with code 1001 and the reason "Your session hit
the maximum duration of 60 minutes." :class:`SessionLifetime` does the same on the server's
:class:`~openai_realtime.testing.FakeClock`, so ``FakeRealtimeServer(time_scale=0.0005)`` ends a
60-minute session after 1.8 real seconds. ``max_session_seconds`` changes the limit (``None``
turns it off).

The session reports its end in ``session.created`` and ``session.updated`` as ``expires_at``,
on the same clock (:meth:`FakeClock.wall_time <openai_realtime.testing.FakeClock.wall_time>`):
the close arrives when the clock's wall time reaches it, at any ``time_scale``. With the limit
off, ``expires_at`` still says what the service would (60 minutes on), but nothing ends the
session.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from aiohttp import web

from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.testing.clock import FakeClock
from openai_realtime.testing.outbox import ConnectionGone, Outbox

__all__ = [
    "DEFAULT_MAX_SESSION_SECONDS",
    "EXPIRY_CLOSE_CODE",
    "SessionLifetime",
    "expiry_message",
    "valid_max_session_seconds",
]

DEFAULT_MAX_SESSION_SECONDS: Final = 3600.0
"""The service's maximum session duration, in seconds of server time."""

EXPIRY_CLOSE_CODE: Final = 1001
"""The close code of a session that reached its maximum duration (going away)."""


def expiry_message(max_seconds: float) -> str:
    """The reason the service gives, e.g. "Your session hit the maximum duration of 60 minutes."."""
    minutes = max_seconds / 60
    amount = f"{minutes:g} minutes" if minutes >= 1 else f"{max_seconds:g} seconds"
    return f"Your session hit the maximum duration of {amount}."


def valid_max_session_seconds(value: float | None) -> float | None:
    """``value`` when it is ``None`` or a positive finite number.

    Raises:
        ValueError: Anything else.
    """
    if value is not None and not (math.isfinite(value) and value > 0):
        raise ValueError(f"max_session_seconds must be None or a positive number, got {value}")
    return value


class SessionLifetime:
    """One session's end, ``max_seconds`` of server time after it begins (made as it begins).

    Args:
        clock: The server's clock.
        max_seconds: The session's maximum duration (``None``: it has none).

    Attributes:
        expires_at: The session's ``expires_at``: when :meth:`end_at_limit` closes it, in whole
            seconds of the clock's wall time, rounded up so that the session lasts at least
            ``max_seconds``.
    """

    def __init__(self, clock: FakeClock, max_seconds: float | None) -> None:
        self._clock = clock
        self._max_seconds = max_seconds
        lifetime = DEFAULT_MAX_SESSION_SECONDS if max_seconds is None else max_seconds
        self.expires_at = math.ceil(clock.wall_time() + lifetime)

    async def end_at_limit(
        self, outbox: Outbox, websocket: web.WebSocketResponse, event_id: Callable[[], str]
    ) -> None:
        """Wait for :attr:`expires_at`, then send ``session_expired`` and close with 1001 (run
        as a task once the session is created; cancel it when the connection ends first).
        Returns at once when the session has no maximum duration."""
        if self._max_seconds is None:
            return
        # A loop: a sleep may wake a hair early on the clock's wall time.
        while (left := self.expires_at - self._clock.wall_time()) > 0:
            await self._clock.sleep(left)
        message = expiry_message(self._max_seconds)
        expired = InvalidRequest(message, code="session_expired")
        try:
            await outbox.send(expired.to_event(event_id()))
        except ConnectionGone:
            return
        await websocket.close(code=EXPIRY_CLOSE_CODE, message=message.encode())
