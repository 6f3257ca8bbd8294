"""The media of a fake WebRTC call: the assistant's speech as an Opus track, the caller's audio in.

Live, a WebRTC call carries no audio in JSON: the caller's microphone reaches the service as an
RTP track, and the assistant's speech leaves it as one, played out in real time. The service
knows exactly how much of each answer it has sent, which is what it truncates to when the
caller interrupts. :class:`SpeechTrack` is that outgoing track: the connection's audio deltas
are queued on it and it hands them to the encoder at the speed of speech on the fake's clock,
reporting when a response's audio starts and stops playing.

Needs the ``webrtc`` extra (aiortc, PyAV): imported only when a call arrives.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import av
import numpy as np
from aiortc import MediaStreamTrack
from numpy.typing import NDArray

from openai_realtime.testing.clock import FakeClock
from openai_realtime.transports._webrtc_media import FRAME_SAMPLES, SAMPLE_RATE, pcm16_frame

__all__ = ["PlayedAudio", "SpeechTrack"]

# Silence after the last word pushes the codec's and resampler's buffered tail out to the caller.
_TRAILING_SILENCE_FRAMES: Final = 3


@dataclass
class PlayedAudio:
    """How much of one audio part has gone out on the track.

    Attributes:
        response_id: The response the audio belongs to.
        item_id: The assistant item.
        content_index: The audio part of that item.
        sample_count: Samples handed to the encoder so far (24 kHz).
    """

    response_id: str
    item_id: str
    content_index: int
    sample_count: int = 0

    @property
    def ms(self) -> int:
        """The played length in whole milliseconds."""
        return self.sample_count * 1000 // SAMPLE_RATE


@dataclass
class _Chunk:
    part: PlayedAudio
    samples: NDArray[np.int16]


class SpeechTrack(MediaStreamTrack):
    """The assistant's speech, paced on the fake's clock.

    ``started`` is called with a response id when that response's first sample goes out,
    ``stopped`` once its last sample (and a little silence) has; between answers the track
    sends nothing.

    Args:
        clock: The server's clock.
        started: Told when a response starts playing.
        stopped: Told when a response has finished playing.
    """

    kind = "audio"

    def __init__(
        self,
        clock: FakeClock,
        started: Callable[[str], None],
        stopped: Callable[[str], None],
    ) -> None:
        super().__init__()
        self._clock = clock
        self._started = started
        self._stopped = stopped
        self._queue: deque[_Chunk] = deque()
        self._unfinished: set[str] = set()  # responses with audio queued, more may come
        self._finished: set[str] = set()  # responses with audio queued, all of it
        self._playing: PlayedAudio | None = None
        self._silence_left = 0
        self._has_audio = asyncio.Event()
        self._pts = 0
        self._paced_from: tuple[float, int] | None = None  # (clock time, pts) of a speaking run

    @property
    def playing(self) -> PlayedAudio | None:
        """The part being played now, if any."""
        return self._playing

    def queue(self, part: PlayedAudio, samples: NDArray[np.int16]) -> None:
        """Queue one delta of a part (the same :class:`PlayedAudio` for every delta of it)."""
        self._queue.append(_Chunk(part, samples))
        self._unfinished.add(part.response_id)
        self._has_audio.set()

    def finish(self, response_id: str) -> None:
        """The response has sent all its audio: report it stopped once played."""
        if response_id in self._unfinished:
            self._unfinished.discard(response_id)
            self._finished.add(response_id)
            self._has_audio.set()

    def clear(self) -> PlayedAudio | None:
        """Drop everything not yet played; returns the part that was playing, if any."""
        playing, self._playing = self._playing, None
        self._queue.clear()
        self._unfinished.clear()
        self._finished.clear()
        self._silence_left = 0
        return playing

    async def recv(self) -> av.AudioFrame:
        """The next 20 ms of speech, when it is due; waits while there is nothing to say."""
        while True:
            samples = self._next_frame()
            if samples is not None:
                break
            self._paced_from = None
            self._has_audio.clear()
            await self._has_audio.wait()
        if self._paced_from is None:
            self._paced_from = (self._clock.now(), self._pts)
        start_time, start_pts = self._paced_from
        await self._clock.sleep_until(start_time + (self._pts - start_pts) / SAMPLE_RATE)
        frame = pcm16_frame(samples, self._pts)
        self._pts += FRAME_SAMPLES
        return frame

    def _next_frame(self) -> NDArray[np.int16] | None:
        frame = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        filled = 0
        while filled < FRAME_SAMPLES and self._queue:
            chunk = self._queue[0]
            if self._playing is not chunk.part:
                self._switch_to(chunk.part)
            taken = chunk.samples[: FRAME_SAMPLES - filled]
            frame[filled : filled + len(taken)] = taken
            filled += len(taken)
            chunk.part.sample_count += len(taken)
            chunk.samples = chunk.samples[len(taken) :]
            if not len(chunk.samples):
                self._queue.popleft()
        if filled:
            return frame
        if self._playing is not None and self._playing.response_id in self._finished:
            if self._silence_left > 0:
                self._silence_left -= 1
                return frame
            self._end_playing()
        return None

    def _switch_to(self, part: PlayedAudio) -> None:
        previous = self._playing
        if previous is not None and previous.response_id != part.response_id:
            self._end_playing()
        if previous is None or previous.response_id != part.response_id:
            self._started(part.response_id)
        self._playing = part
        self._silence_left = _TRAILING_SILENCE_FRAMES

    def _end_playing(self) -> None:
        playing, self._playing = self._playing, None
        if playing is not None:
            self._finished.discard(playing.response_id)
            self._stopped(playing.response_id)
