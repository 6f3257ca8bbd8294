"""The fake server's wall clock, in one place.

Everything the fake server times against the wall (client secret expiry) reads
:func:`wall_time`, so a time scale or a test's fake clock changes one function.
"""

from __future__ import annotations

import time

__all__ = ["wall_time"]


def wall_time() -> float:
    """Seconds since the epoch, as the service's ``expires_at`` timestamps count them."""
    return time.time()
