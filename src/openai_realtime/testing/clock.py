"""The fake server's clock: the one place where its durations become real waiting time.

Everything the fake server times goes through one :class:`FakeClock`, owned by the server
(:attr:`FakeRealtimeServer.clock <openai_realtime.testing.FakeRealtimeServer.clock>`) and
shared by every connection. ``FakeRealtimeServer(time_scale=0.05)`` makes the clock run
twenty times faster than real time, so a 60-second voice scenario plays out in 3 seconds with
the same events in the same order. Audio-time fields (``audio_start_ms``, ``audio_end_ms``,
truncation points) never depend on the clock: they are computed from sample counts, so they
are identical at every scale. The default scale, 1.0, is real time (what demos want).

What runs on the clock today: the real-time pacing of audio deltas (``pace``),
:class:`~openai_realtime.testing.Delay` faults, the idle timeout of a silent client and the
session lifetime. Voice activity detection needs no clock: it is computed from the audio
itself, which the client sends at its own pace.

The seam for new timers (call timeouts and the like): take the server's
clock (``ConnectionOptions.clock`` inside a connection) and never call ``asyncio.sleep`` or
``loop.time()`` for a duration of server time:

* ``await clock.sleep(seconds)`` waits a duration of server time;
* ``clock.now()`` and ``await clock.sleep_until(deadline)`` keep a schedule that does not drift;
* ``clock.call_later(seconds, callback)`` arms a timer that can be cancelled and re-armed (an
  idle timeout that each append restarts);
* ``clock.real_seconds(seconds)`` converts for a client that paces itself on the same clock
  (a test that streams a microphone at the server's pace).

Timestamps sent to clients (``expires_at``) are Unix times on the server's clock:
:meth:`FakeClock.wall_time` starts at the real wall time when the clock is made and then runs at
the clock's speed, so a limit enforced on the clock reports ``clock.wall_time() + lifetime`` and
the client sees it end exactly then, at any scale (whole seconds of server time, as live's
timestamps). A client that times itself by such a timestamp reads the same clock
(``SessionRenewal(ahead=..., clock=server.clock)``). :func:`wall_time` is the real wall time,
for what is not timed on the clock (client secrets).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from openai_realtime.errors import ConfigurationError

__all__ = ["FakeClock", "wall_time"]


class FakeClock:
    """Server time, running ``1 / time_scale`` times as fast as real time.

    Args:
        time_scale: Real seconds per second of server time: 1.0 is real time, 0.05 runs
            twenty times faster. Any positive finite number.

    Raises:
        ConfigurationError: ``time_scale`` is not a positive finite number.

    Example::

        clock = FakeClock(time_scale=0.05)
        await clock.sleep(2.0)  # returns after 0.1 real seconds
    """

    def __init__(self, time_scale: float = 1.0) -> None:
        self._time_scale = _valid_time_scale(time_scale)
        # Where wall_time() starts: the real wall time now, then server seconds from here on
        # (time.monotonic is the event loop's clock, which sleep() and now() follow).
        self._wall_origin = wall_time()
        self._monotonic_origin = time.monotonic()

    def __repr__(self) -> str:
        return f"FakeClock(time_scale={self._time_scale!r})"

    @property
    def time_scale(self) -> float:
        """Real seconds per second of server time."""
        return self._time_scale

    def real_seconds(self, seconds: float) -> float:
        """How long ``seconds`` of server time last in real time."""
        return seconds * self._time_scale

    def now(self) -> float:
        """Server time in seconds, on a monotonic scale with an arbitrary origin.

        Raises:
            RuntimeError: No event loop is running.
        """
        return asyncio.get_running_loop().time() / self._time_scale

    def wall_time(self) -> float:
        """Seconds since the epoch on this clock: the ``expires_at`` the server reports.

        The real wall time when the clock was made, plus the server time passed since; at
        ``time_scale=0.001`` it gains a minute every 60 real milliseconds.
        """
        return self._wall_origin + (time.monotonic() - self._monotonic_origin) / self._time_scale

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of server time (at least one pass through the event loop)."""
        await asyncio.sleep(max(0.0, self.real_seconds(seconds)))

    async def sleep_until(self, deadline: float) -> None:
        """Wait until :meth:`now` reaches ``deadline`` (at once when it already has)."""
        await self.sleep(deadline - self.now())

    def call_later(self, seconds: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        """Call ``callback`` after ``seconds`` of server time.

        Returns:
            The handle; ``cancel()`` it to disarm the timer.

        Raises:
            RuntimeError: No event loop is running.
        """
        return asyncio.get_running_loop().call_later(max(0.0, self.real_seconds(seconds)), callback)


def _valid_time_scale(time_scale: object) -> float:
    # bool is an int to Python, but True as a time scale is a mistake, not 1.0.
    if isinstance(time_scale, bool) or not isinstance(time_scale, int | float):
        raise ConfigurationError(
            f"time_scale must be a positive number, got {type(time_scale).__name__}"
        )
    if not (math.isfinite(time_scale) and time_scale > 0):
        raise ConfigurationError(f"time_scale must be a positive finite number, got {time_scale}")
    return float(time_scale)


def wall_time() -> float:
    """Seconds since the epoch, as the service's ``expires_at`` timestamps count them.

    The one wall-clock reading of the fake server: the moments it reports to clients.
    """
    return time.time()
