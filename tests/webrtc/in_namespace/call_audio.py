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
    "tone_match",
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


def tone_match(samples: NDArray[np.int16], frequency: float) -> float:
    """How much of ``samples`` is a sine at ``frequency``, whatever its phase: 1.0 for a pure tone.

    The normalised projection onto the sine and cosine at that frequency (codecs shift phase).
    """
    times = np.arange(len(samples)) / RATE
    signal = samples.astype(np.float64)
    sine = np.sin(2 * np.pi * frequency * times)
    cosine = np.cos(2 * np.pi * frequency * times)
    projected = np.hypot(signal @ sine, signal @ cosine) / np.sqrt(len(samples) / 2)
    return float(projected / np.linalg.norm(signal))


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
    """Answers each turn with its next tone (the last one repeats); keeps what it heard."""

    def __init__(self, *answers: NDArray[np.int16]) -> None:
        self.answers = answers
        self.heard: list[NDArray[np.int16]] = []

    @property
    def answer(self) -> NDArray[np.int16]:
        """The first answer."""
        return self.answers[0]

    def __call__(self, context: ResponseContext) -> Reply:
        if context.audio:
            self.heard.append(list(context.audio.values())[-1].copy())
        answer = self.answers[min(len(self.heard), len(self.answers)) - 1]
        return Reply(audio=answer, audio_text="a tone")
