"""One timer for every send of a connection: ``send_timeout`` without a timer per send.

A timer per send (``asyncio.timeout``) is cancelled when the send completes, but a cancelled
timer stays in the event loop's heap until the loop gets round to it: a burst of sends leaves
one dead handle each. :class:`SendWatchdog` keeps the sends in progress in start order and
arms at most one timer, for the oldest of them. The timer is never cancelled while sends come
and go: when it fires it expires the sends that have run out of time and, if any is still in
progress, re-arms itself for the next oldest. A send therefore leaves nothing scheduled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

__all__ = ["PendingSend", "SendWatchdog"]

# The loop may run a timer up to its clock resolution early: count such a send as expired.
_EARLY: Final = 1e-3


class PendingSend:
    """A send in progress: when it started, the task running it, and whether it expired."""

    __slots__ = ("expired", "started", "task")

    def __init__(self, started: float, task: asyncio.Task[object] | None) -> None:
        self.started = started
        self.task = task
        self.expired = False


class SendWatchdog:
    """Expires sends that take longer than ``timeout`` seconds.

    Args:
        timeout: Seconds a send may take, waiting for earlier sends included.
        expired: Called once per check that expired sends (the connection is then aborted);
            each expired send's task is cancelled, and the send sees :attr:`PendingSend.expired`.
    """

    def __init__(self, timeout: float, expired: Callable[[], None]) -> None:
        self._timeout = timeout
        self._expired = expired
        # Insertion order is start order: the first entry is the oldest send.
        self._pending: dict[PendingSend, None] = {}
        self._timer: asyncio.TimerHandle | None = None

    def start(self) -> PendingSend:
        """A send starts (call from the task that runs it)."""
        loop = asyncio.get_running_loop()
        send = PendingSend(loop.time(), asyncio.current_task())
        self._pending[send] = None
        if self._timer is None:
            self._timer = loop.call_at(send.started + self._timeout, self._check)
        return send

    def finish(self, send: PendingSend) -> None:
        """The send completed or failed; its timer, if it is the oldest, is left to fire."""
        self._pending.pop(send, None)

    def stop(self) -> None:
        """The connection ended: drop the timer (sends still pending fail with it)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending.clear()

    def _check(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time() + _EARLY
        expired: list[PendingSend] = []
        for send in self._pending:
            if send.started + self._timeout > now:
                break
            expired.append(send)
        for send in expired:
            del self._pending[send]
            send.expired = True
            if send.task is not None:
                send.task.cancel()
        if expired:
            self._expired()
        if self._pending:
            oldest = next(iter(self._pending))
            self._timer = loop.call_at(oldest.started + self._timeout, self._check)
