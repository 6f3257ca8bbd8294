"""WebRTC audio as the SDK's PCM16: the microphone track, frames out, blocks in.

Needs the ``webrtc`` extra (aiortc, PyAV); :mod:`openai_realtime.transports.webrtc` imports this
module only when it connects (and the fake server's calls use it too).
"""

from __future__ import annotations

import asyncio
import fractions
from collections.abc import AsyncIterator
from typing import Final

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from numpy.typing import NDArray

__all__ = ["FRAME_SAMPLES", "SAMPLE_RATE", "MicrophoneTrack", "pcm16_blocks", "pcm16_frame"]

SAMPLE_RATE: Final = 24_000
"""The rate of the SDK's audio (PCM16, mono), in and out."""

FRAME_SAMPLES: Final = SAMPLE_RATE // 50
"""20 ms, the Opus frame."""
_TIME_BASE: Final = fractions.Fraction(1, SAMPLE_RATE)


class MicrophoneTrack(MediaStreamTrack):
    """An outgoing audio track fed with PCM16 blocks, sent in real time.

    Like a microphone it never falls silent on the wire: when nothing is queued it sends
    silence, which is what lets the service's VAD hear a turn end.
    """

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._pending: list[NDArray[np.int16]] = []
        self._pending_count = 0
        self._pts = 0
        self._started_at: float | None = None

    def feed(self, samples: NDArray[np.int16]) -> None:
        """Queue samples (24 kHz mono) to be sent after those already queued."""
        if len(samples):
            self._pending.append(samples)
            self._pending_count += len(samples)

    async def recv(self) -> av.AudioFrame:
        """The next 20 ms, when it is due in real time."""
        loop = asyncio.get_running_loop()
        if self._started_at is None:
            self._started_at = loop.time()
        due = self._started_at + self._pts / SAMPLE_RATE
        await asyncio.sleep(max(0.0, due - loop.time()))
        frame = pcm16_frame(self._take_frame(), self._pts)
        self._pts += FRAME_SAMPLES
        return frame

    def _take_frame(self) -> NDArray[np.int16]:
        if self._pending_count < FRAME_SAMPLES:
            # A microphone does not wait for the rest: what is missing is silence.
            frame = np.zeros(FRAME_SAMPLES, dtype=np.int16)
            queued = np.concatenate(self._pending) if self._pending else frame[:0]
            frame[: len(queued)] = queued
            self._pending.clear()
            self._pending_count = 0
            return frame
        queued = np.concatenate(self._pending)
        frame, rest = queued[:FRAME_SAMPLES], queued[FRAME_SAMPLES:]
        self._pending = [rest] if len(rest) else []
        self._pending_count = len(rest)
        return frame


def pcm16_frame(samples: NDArray[np.int16], pts: int) -> av.AudioFrame:
    """One outgoing frame of 24 kHz mono PCM16 starting at sample ``pts``."""
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = SAMPLE_RATE
    frame.pts = pts
    frame.time_base = _TIME_BASE
    return frame


async def pcm16_blocks(track: MediaStreamTrack) -> AsyncIterator[NDArray[np.int16]]:
    """The audio of an incoming track as 24 kHz mono PCM16 blocks, until the track ends.

    Args:
        track: A remote audio track (aiortc decodes Opus to 48 kHz).
    """
    # One resampler for the whole track: it keeps its filter state across frames.
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        if not isinstance(frame, av.AudioFrame):
            continue
        for converted in resampler.resample(frame):
            yield converted.to_ndarray().reshape(-1).astype(np.int16, copy=False)
