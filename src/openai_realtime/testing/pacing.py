"""How streamed content is cut into deltas and spread over time."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

from openai_realtime.testing.clock import FakeClock

__all__ = ["Pacer", "text_deltas", "timed_deltas"]

_PIECES = re.compile(r"\s*\S+\s*|\s+")


def text_deltas(text: str) -> list[str]:
    """Split text into word-sized deltas that join back into exactly ``text``."""
    return _PIECES.findall(text)


def timed_deltas(text: str, total_samples: int) -> Iterator[tuple[str, int]]:
    """Word-sized deltas of a transcript, each with the sample at which it starts being said.

    Positions assume the audio spends the same time on every character, which is how
    synthesised speech is made (and a fair guess for given audio).
    """
    if not text:
        return
    for match in _PIECES.finditer(text):
        yield match.group(), match.start() * total_samples // len(text)


class Pacer:
    """Sleeps so audio goes out at ``pace`` times the clock's speed, or just yields when unpaced.

    Args:
        pace: ``None`` or 0 for as fast as possible; 1.0 for the speed of speech.
        sample_rate: Rate of the audio being sent.
        clock: The server's clock (real time unless the server has a time scale).
    """

    def __init__(self, pace: float | None, sample_rate: int, clock: FakeClock) -> None:
        self._pace = pace or None
        self._sample_rate = sample_rate
        self._clock = clock
        self._started = clock.now()

    async def wait_until_played(self, samples_sent: int) -> None:
        """Wait until the audio sent so far would have played (always yields once)."""
        if self._pace is None:
            await asyncio.sleep(0)
            return
        await self._clock.sleep_until(self._started + samples_sent / self._sample_rate / self._pace)
