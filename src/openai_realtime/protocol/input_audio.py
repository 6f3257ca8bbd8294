"""The user's input audio as the conversation store keeps it, in absolute sample offsets.

``audio_start_ms`` / ``audio_end_ms`` of the server's speech events count from the start of the
session's input audio, so the store numbers every sample the client appended and keeps only the
tail a pending speech segment can still need. Everything here is in samples, never bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from openai_realtime.protocol.audio import SAMPLE_RATE

__all__ = ["InputAudioWindow", "SpeechSegment"]


@dataclass(slots=True)
class SpeechSegment:
    """A span of input audio, in absolute samples, that will become (or is) a user item."""

    start: int
    end: int | None = None
    committed: bool = False


class InputAudioWindow:
    """The tail of the input audio the client sent, addressed by absolute sample offsets.

    Samples before :attr:`start` have been forgotten. Appends are amortised O(len(samples)):
    when the storage runs out of room at its end, the retained samples move to its front if
    they fill between a quarter and a half of it; otherwise it is reallocated at twice the
    retained size, which also lets it shrink again after a long utterance has been attached and
    forgotten. A steady session (the same amount retained turn after turn) thus reuses one
    storage instead of allocating and freeing a new one every few seconds, which would leave
    the allocator's heap fragmented.
    """

    __slots__ = ("_data", "_head", "_keep", "_length", "start")

    _MIN_CAPACITY: Final = SAMPLE_RATE

    def __init__(self, *, keep: bool) -> None:
        self._keep = keep
        self._data: NDArray[np.int16] = np.empty(0, dtype=np.int16)
        self._head = 0
        self._length = 0
        self.start = 0

    @property
    def end(self) -> int:
        """Absolute offset one past the last sample ever appended."""
        return self.start + self._length

    @property
    def retained(self) -> int:
        """How many samples are held in memory."""
        return self._length

    def append(self, samples: NDArray[np.int16]) -> None:
        """Add samples at the end (only counted when audio is not kept)."""
        count = len(samples)
        if not self._keep:
            self.start += count
            return
        if self._head + self._length + count > len(self._data):
            needed = self._length + count
            capacity = len(self._data)
            retained = self._data[self._head : self._head + self._length]
            if capacity // 4 <= needed <= capacity // 2:
                # At most half is in use and the end was reached, so what is kept starts past
                # where it moves to: the two ranges cannot overlap.
                self._data[: self._length] = retained
            else:
                moved = np.empty(max(2 * needed, self._MIN_CAPACITY), dtype=np.int16)
                moved[: self._length] = retained
                self._data = moved
            self._head = 0
        tail = self._head + self._length
        self._data[tail : tail + count] = samples
        self._length += count

    def forget_before(self, offset: int) -> None:
        """Drop the samples before the absolute ``offset``."""
        dropped = min(max(offset - self.start, 0), self._length)
        self._head += dropped
        self._length -= dropped
        self.start += dropped
        if self._length == 0:
            self._head = 0  # nothing to move: the next appends start at the front again

    def slice(self, start: int, end: int) -> NDArray[np.int16]:
        """The retained samples in ``[start, end)``; forgotten or future samples are left out."""
        first = max(start, self.start) - self.start
        last = min(end, self.end) - self.start
        if last <= first:
            return np.empty(0, dtype=np.int16)
        return self._data[self._head + first : self._head + last]
