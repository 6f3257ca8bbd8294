"""One ``response.create`` at a time: hold a request back while the service would refuse it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Literal

from openai_realtime.errors import ResponseInProgressError

__all__ = ["ResponseGate"]


class ResponseGate:
    """Lets a request through once no response is in progress (or refuses it at once).

    Args:
        in_progress: Whether a response is running or requested now (the session core knows).
        timeout: Returns the seconds a request may wait (read at each request).
    """

    def __init__(self, in_progress: Callable[[], bool], timeout: Callable[[], float]) -> None:
        self._in_progress = in_progress
        self._timeout = timeout
        # Held from the check to the end of the send: two requests waiting for the same
        # response must not both go out when it ends.
        self._lock = asyncio.Lock()
        self._waiters: list[asyncio.Future[None]] = []

    @asynccontextmanager
    async def turn(self, if_active: Literal["wait", "raise"]) -> AsyncIterator[None]:
        """Wait for the request's turn; send it inside the block.

        Raises:
            ResponseInProgressError: A response is in progress and ``if_active`` is
                ``raise``, or it still was after the timeout.
        """
        async with self._lock:
            if self._in_progress():
                if if_active == "raise":
                    raise ResponseInProgressError("a response is in progress")
                await self._until_idle()
            yield

    def wake(self) -> None:
        """A response ended or a request failed: waiting requests look again."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _until_idle(self) -> None:
        timeout = self._timeout()
        try:
            async with asyncio.timeout(timeout):
                while self._in_progress():
                    idle = asyncio.get_running_loop().create_future()
                    self._waiters.append(idle)
                    await idle
        except TimeoutError:
            raise ResponseInProgressError(
                f"a response was still in progress after {timeout} s"
            ) from None
