"""Reconnecting after an abnormal close: the attempt loop a ``ReconnectPolicy`` drives."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from openai_realtime.errors import ConnectionClosedError, RealtimeError
from openai_realtime.events import EventEmitter
from openai_realtime.local_events import ReconnectedEvent, ReconnectingEvent
from openai_realtime.reconnect import ReconnectPolicy

__all__ = ["Reconnector"]

logger = logging.getLogger("openai_realtime")


class Reconnector:
    """Runs one reconnect at a time: ``reconnecting`` before each attempt, ``reconnected``
    after the one that worked, ``end`` when ``max_attempts`` consecutive failures happened.

    Failures are counted across reconnects: a connection that opened but closed before it was
    useful (see :meth:`useful`) leaves the count where it was, so the next drop goes on from the
    next attempt number, with its longer backoff.

    Args:
        emitter: Where ``reconnecting`` and ``reconnected`` are dispatched.
        restore: Opens a connection and restores the session on it; returns how many items it
            replayed. Raises ``ConnectionClosedError`` or another ``RealtimeError`` on failure.
        end: Called with the last close code and reason when giving up.
    """

    def __init__(
        self,
        emitter: EventEmitter,
        *,
        restore: Callable[[ReconnectPolicy], Awaitable[int]],
        end: Callable[[int | None, str], None],
    ) -> None:
        self._emitter = emitter
        self._restore = restore
        self._end = end
        self._task: asyncio.Task[None] | None = None
        self._random = random.Random()
        self._failures = 0

    @property
    def running(self) -> bool:
        """True while attempts are under way."""
        return self._task is not None

    def useful(self) -> None:
        """The connection did something useful (or a fresh ``connect()``): count from zero."""
        self._failures = 0

    def start(self, policy: ReconnectPolicy, code: int | None, reason: str) -> None:
        """Start reconnecting after a close with ``code`` and ``reason``."""
        self._task = asyncio.get_running_loop().create_task(self._attempts(policy, code, reason))

    async def stop(self) -> None:
        """Stop reconnecting, if it is; returns once the attempt loop has ended."""
        task = self._task
        if task is not None:
            task.cancel()
            # asyncio.wait, not `await task`: the task's own cancellation is not an error here,
            # while a cancellation of this call must still propagate.
            await asyncio.wait([task])

    async def _attempts(self, policy: ReconnectPolicy, code: int | None, reason: str) -> None:
        try:
            while self._failures < policy.max_attempts:
                # Counted before the attempt: a connection that works but dies before it is
                # useful stays counted as a failure.
                self._failures += 1
                attempt = self._failures
                delay = policy.delay(attempt, self._random)
                self._emitter.dispatch("reconnecting", ReconnectingEvent(attempt, delay, code))
                await asyncio.sleep(delay)
                try:
                    replayed = await self._restore(policy)
                except ConnectionClosedError as error:
                    code, reason = error.code, error.reason
                    if not policy.should_retry(code):
                        break
                    continue
                except RealtimeError as error:
                    logger.warning("reconnect attempt %d failed: %s", attempt, error)
                    continue
                self._emitter.dispatch("reconnected", ReconnectedEvent(attempt, replayed))
                return
            logger.warning("giving up reconnecting after code %s", code)
            self._failures = 0
            self._end(code, reason)
        finally:
            self._task = None
