"""Tones and their measures, for checking audio that went through Opus both ways."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from openai_realtime.testing import Reply, ResponseContext

RATE = 24_000
API_KEY = "sk-test-webrtc"

# Short turns: the caller's tone is a turn once 200 ms of silence follow it.
CALL_SESSION: dict[str, Any] = {
    "audio": {"input": {"turn_detection": {"type": "server_vad", "silence_duration_ms": 200}}}
}


__all__ = [
    "API_KEY",
    "CALL_SESSION",
    "RATE",
    "ToneResponder",
    "dominant_frequency",
    "rms",
    "tone",
    "voiced",
]


def tone(frequency: float, seconds: float, amplitude: float = 8000.0) -> NDArray[np.int16]:
    """A sine tone at 24 kHz."""
    times = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * frequency * times)).astype(np.int16)


def dominant_frequency(samples: NDArray[np.int16]) -> float:
    """The strongest frequency of ``samples``, in Hz."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.fft.rfftfreq(len(samples), 1 / RATE)[int(np.argmax(spectrum))])


def rms(samples: NDArray[np.int16]) -> float:
    """Root mean square of ``samples``."""
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def voiced(samples: NDArray[np.int16]) -> NDArray[np.int16]:
    """``samples`` from the first to the last 10 ms block louder than a whisper."""
    blocks = len(samples) // 240
    loud = [i for i in range(blocks) if rms(samples[i * 240 : (i + 1) * 240]) > 500]
    if not loud:
        return samples[:0]
    return samples[loud[0] * 240 : (loud[-1] + 1) * 240]


class ToneResponder:
    """Answers every turn with a tone, and keeps the caller audio it was given."""

    def __init__(self, answer: NDArray[np.int16]) -> None:
        self.answer = answer
        self.heard: list[NDArray[np.int16]] = []

    def __call__(self, context: ResponseContext) -> Reply:
        if context.audio:
            self.heard.append(list(context.audio.values())[-1].copy())
        return Reply(audio=self.answer, audio_text="a tone")
