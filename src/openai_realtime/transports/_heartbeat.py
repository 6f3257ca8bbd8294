"""Keep-alive pings for a WebSocket that has gone quiet, at no loop cost per received frame.

aiohttp's own heartbeat re-arms its timer through a ``call_soon`` on every chunk it receives:
one more callback per frame, which the loop runs ahead of the task that handles the frame.
Here a received frame costs one attribute write (``heartbeat.heard = True``) and a single
timer looks at it once per interval.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

__all__ = ["Heartbeat"]


class Heartbeat:
    """Pings the peer when nothing arrived for an interval; no answer means a dead connection.

    A ping goes out at the first tick that finds nothing heard since the tick before (so between
    ``interval`` and twice that after the last frame). When nothing, pong included, arrives
    within ``interval / 2`` after it, ``on_dead`` is called once, provided the connection is
    being read (``reading``): frames waiting unread behind a reader that has stopped, for
    back-pressure, say nothing about the peer.

    Args:
        interval: Seconds between ticks.
        ping: Sends one ping frame.
        on_dead: Called with the seconds waited when a ping went unanswered.

    Attributes:
        heard: Set by the transport on every frame received (pongs included).
        reading: True while the transport waits for the next frame.
    """

    def __init__(
        self,
        interval: float,
        ping: Callable[[], Awaitable[None]],
        on_dead: Callable[[float], None],
    ) -> None:
        self.heard = False
        self.reading = False
        self._interval = interval
        self._ping = ping
        self._on_dead = on_dead
        self._pinged = False
        self._pinging: asyncio.Future[None] | None = None
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = self._loop.call_later(interval, self._tick)

    def stop(self) -> None:
        """Cancel the timer and a ping still being written; does nothing once stopped."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pinging is not None:
            self._pinging.cancel()
            self._pinging = None

    def _tick(self) -> None:
        if self.heard or not self.reading:
            self.heard = self._pinged = False
            self._timer = self._loop.call_later(self._interval, self._tick)
        elif not self._pinged:
            self._pinged = True
            self._pinging = asyncio.ensure_future(self._ping())
            self._pinging.add_done_callback(self._pinged_out)
            self._timer = self._loop.call_later(self._interval / 2, self._tick)
        else:
            self._timer = None
            self._on_dead(self._interval / 2)

    def _pinged_out(self, pinging: asyncio.Future[None]) -> None:
        if self._pinging is pinging:
            self._pinging = None
        # A ping that could not be written needs no report: the reader sees the close.
        with contextlib.suppress(asyncio.CancelledError):
            pinging.exception()
