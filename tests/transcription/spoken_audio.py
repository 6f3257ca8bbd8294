"""Test audio for transcription and translation: utterances separated by silences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from openai_realtime.testing.synth import synthesize_speech

RATE = 24000


@dataclass(frozen=True)
class Utterance:
    """Where one utterance's sound is, in milliseconds of the whole recording."""

    text: str
    start_ms: int
    end_ms: int


def utterances_with_silences(
    texts: list[str], silence_ms: list[int], total_ms: int
) -> tuple[NDArray[np.int16], list[Utterance]]:
    """Synthesised utterances, each after its silence, padded with silence to ``total_ms``."""
    pieces: list[NDArray[np.int16]] = []
    spans: list[Utterance] = []
    position = 0
    for text, gap in zip(texts, silence_ms, strict=True):
        pieces.append(np.zeros(RATE * gap // 1000, dtype=np.int16))
        position += RATE * gap // 1000
        speech = synthesize_speech(text, RATE)
        sounding = np.flatnonzero(speech)
        spans.append(
            Utterance(
                text,
                (position + int(sounding[0])) * 1000 // RATE,
                (position + int(sounding[-1]) + 1) * 1000 // RATE,
            )
        )
        pieces.append(speech)
        position += len(speech)
    pieces.append(np.zeros(max(0, RATE * total_ms // 1000 - position), dtype=np.int16))
    return np.concatenate(pieces), spans


def voice(pitch_hz: float, seconds: float) -> NDArray[np.int16]:
    """A voice-like sound at one pitch: a few harmonics shaped into syllables (~4 per second).

    Different pitches stand for different speakers (what the fake diarizing model tells apart).
    """
    count = round(RATE * seconds)
    time = np.arange(count) / RATE
    harmonics = sum(
        weight * np.sin(2 * np.pi * pitch_hz * (index + 1) * time)
        for index, weight in enumerate((1.0, 0.5, 0.25))
    )
    syllables = max(1, round(seconds * 4))
    envelope = 0.5 - 0.5 * np.cos(2 * np.pi * syllables * np.arange(count) / count)
    return (0.3 / 1.75 * 32767 * harmonics * envelope).astype(np.int16)


def sounding_span_ms(samples: NDArray[np.int16], offset_samples: int) -> tuple[int, int]:
    """Where ``samples`` is audible (above -40 dBFS), in ms of a recording it starts in."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) >= 328)
    return (
        (offset_samples + int(loud[0])) * 1000 // RATE,
        (offset_samples + int(loud[-1]) + 1) * 1000 // RATE,
    )
