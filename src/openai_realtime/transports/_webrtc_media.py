"""The media tracks of a WebRTC client: the microphone going out, the assistant coming in.

Needs the ``webrtc`` extra (aiortc, PyAV); :mod:`openai_realtime.transports.webrtc` imports this
module only when it connects.
"""

from __future__ import annotations

import asyncio
import fractions
from collections.abc import Callable
from typing import Final

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from numpy.typing import NDArray

__all__ = ["SAMPLE_RATE", "MicrophoneTrack", "pump_speaker"]

SAMPLE_RATE: Final = 24_000
"""The rate of the SDK's audio (PCM16, mono), in and out."""

_FRAME_SAMPLES: Final = SAMPLE_RATE // 50  # 20 ms, the Opus frame
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
        frame = av.AudioFrame.from_ndarray(
            self._take_frame().reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._pts
        frame.time_base = _TIME_BASE
        self._pts += _FRAME_SAMPLES
        return frame

    def _take_frame(self) -> NDArray[np.int16]:
        if self._pending_count < _FRAME_SAMPLES:
            # A partial frame waits for the rest unless nothing more is coming soon;
            # sending it padded keeps the audio's timing honest either way.
            frame = np.zeros(_FRAME_SAMPLES, dtype=np.int16)
            queued = np.concatenate(self._pending) if self._pending else frame[:0]
            frame[: len(queued)] = queued
            self._pending.clear()
            self._pending_count = 0
            return frame
        queued = np.concatenate(self._pending)
        frame, rest = queued[:_FRAME_SAMPLES], queued[_FRAME_SAMPLES:]
        self._pending = [rest] if len(rest) else []
        self._pending_count = len(rest)
        return frame


async def pump_speaker(track: MediaStreamTrack, deliver: Callable[[NDArray[np.int16]], None]) -> None:
    """Deliver the incoming assistant audio as 24 kHz mono PCM16 until the track ends.

    Args:
        track: The remote audio track (Opus decoded to 48 kHz by aiortc).
        deliver: Takes each block of samples, in order.
    """
    # One resampler for the whole call: it keeps its filter state across frames.
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        for converted in resampler.resample(frame):
            deliver(converted.to_ndarray().reshape(-1).astype(np.int16, copy=False))
