"""Bounded waits for tests: one budget for every wait and one polling helper.

A test waits for the event that proves a state (``wait_for_next``, a future, a queue). ``until``
is for the few states no event announces, such as "the server has handled this frame", and it
still fails after ``WAIT`` seconds instead of hanging until the runner's timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["POLL_INTERVAL", "WAIT", "until"]

# Seconds any single wait in a test may take before the test fails: generous for a loaded 2-core
# machine, far below pytest-timeout's 60 s so the failure names the wait.
WAIT = 10.0

# Seconds between two checks of an ``until`` condition.
POLL_INTERVAL = 0.002


async def until(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    """Return as soon as ``condition()`` is true, checking every ``POLL_INTERVAL`` seconds.

    Args:
        condition: A cheap, side-effect-free check of the state being waited for.
        timeout: Seconds to wait before giving up.

    Raises:
        TimeoutError: ``condition()`` was still false after ``timeout`` seconds.
    """
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(POLL_INTERVAL)
