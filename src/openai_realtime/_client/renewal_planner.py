"""Renewing a session ahead of its maximum duration, at a quiet moment (``SessionRenewal.ahead``).

The server reports when the session ends (``expires_at`` in ``session.created`` and
``session.updated``). :class:`RenewalPlanner` arms one timer per session on the renewal's
:class:`~openai_realtime.reconnect.WallClock`; at ``expires_at - ahead`` it waits until nothing
is under way, then asks the lifecycle to close the connection for a planned renewal. Every
close disarms it: the next session arms it again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from openai_realtime.api import RealtimeAPI
from openai_realtime.protocol.session_state import SessionState
from openai_realtime.reconnect import SessionRenewal, WallClock
from openai_realtime.types import SessionCreatedEvent

__all__ = ["RenewalPlanner"]

logger = logging.getLogger("openai_realtime")


class _SystemClock:
    """This machine's wall time, and the event loop's sleep."""

    def wall_time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


_SYSTEM_CLOCK = _SystemClock()
# The events after which something under way may have ended (`error` may refuse a request).
_SETTLING = ("server.response.done", "server.error")


class RenewalPlanner:
    """Closes a session before its limit, at the first quiet moment from ``expires_at - ahead``.

    Quiet: no response running, none asked for and not started, and no tool run of this
    client's pending (a run ends once its outputs and follow-up ``response.create`` are sent,
    so the response that follows keeps it busy). The wait is woken by ``response.done`` and
    ``error`` (which may refuse a request); the limit ends it otherwise, with the server's close.

    Args:
        realtime: The connection: its session events arm the timer; during the wait for a
            quiet moment, ``response.done`` and ``error`` wake it.
        state: The session core: the session as last reported, and what is under way.
        renewal: The renewal now (read as each session is reported).
        close: Closes the connection for a planned renewal.
    """

    def __init__(
        self,
        realtime: RealtimeAPI,
        state: SessionState,
        *,
        renewal: Callable[[], SessionRenewal | None],
        close: Callable[[], Awaitable[None]],
    ) -> None:
        self._realtime = realtime
        self._state = state
        self._renewal = renewal
        self._close = close
        self._task: asyncio.Task[None] | None = None
        # The expires_at the armed timer runs for, and the session's start on the renewal's
        # clock (set by session.created, read by the updates that follow).
        self._armed_for: int | None = None
        self._started_at = 0.0
        self._settled = asyncio.Event()
        realtime._listen("server.session.created", self._session_reported)
        realtime._listen("server.session.updated", self._session_reported)

    def cancel(self) -> None:
        """Disarm (the connection closed, or the application disconnects)."""
        task, self._task, self._armed_for = self._task, None, None
        if task is not None:
            task.cancel()

    def _session_reported(self, event: object) -> None:
        renewal = self._renewal()
        ahead = renewal.ahead if renewal is not None else None
        expires_at = getattr(self._state.session, "expires_at", None)
        if renewal is None or ahead is None or not isinstance(expires_at, int):
            self.cancel()
            return
        clock = renewal.clock or _SYSTEM_CLOCK
        if isinstance(event, SessionCreatedEvent):
            self._started_at = clock.wall_time()
        if expires_at == self._armed_for:
            return  # an update that left the end where it was
        self.cancel()
        renew_at = expires_at - ahead
        if renew_at <= self._started_at:
            logger.warning(
                "the session lasts less than ahead=%s seconds: it is renewed at its limit", ahead
            )
            return
        self._armed_for = expires_at
        self._task = asyncio.get_running_loop().create_task(self._renew_at(clock, renew_at))

    def _settle(self, event: object) -> None:
        self._settled.set()

    async def _quiet_moment(self) -> None:
        """Return once nothing is under way; heard only while waiting, so that the events that
        may end the wait cost nothing the rest of the time."""
        for name in _SETTLING:
            self._realtime._listen(name, self._settle)
        try:
            while not self._quiet():
                self._settled.clear()
                await self._settled.wait()
        finally:
            for name in _SETTLING:
                self._realtime.off(name, self._settle)

    def _quiet(self) -> bool:
        state = self._state
        # interrupted_tool_runs() lists the runs still pending (a reconnect reads it afterwards).
        busy = state.active_response_ids or state.response_in_progress
        return not (busy or state.interrupted_tool_runs())

    async def _renew_at(self, clock: WallClock, renew_at: float) -> None:
        # A loop: the clock's sleep may wake a hair early, or this machine's time may jump.
        while (left := renew_at - clock.wall_time()) > 0:
            await clock.sleep(left)
        await self._quiet_moment()
        # Detached first: the close this starts disarms the planner, which must not cancel
        # the task doing the closing.
        self._task = self._armed_for = None
        await self._close()
