"""Speech-like audio for spoken answers: deterministic, vectorised, cached.

Every character of the text lasts the same time (``ms_per_char``), so an answer's duration is
proportional to its length and a character's position maps exactly to a sample position (which
is how transcript deltas are lined up with audio deltas). Each word becomes a voiced sound: a
few harmonics of a pitch derived from the word, shaped into syllable-like bumps; spaces and
punctuation are silence. The same word always sounds the same, so words are synthesised once
and reused, and whole answers are cached too (benchmarks repeat one long answer in hundreds of
sessions).
"""

from __future__ import annotations

import functools
import re
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from openai_realtime.protocol.audio import float_to_pcm16
from openai_realtime.testing.audio_format import AudioFormat

__all__ = ["DEFAULT_MS_PER_CHAR", "SpokenAudio", "encode_chunks", "speak", "synthesize_speech"]

DEFAULT_MS_PER_CHAR = 65.0
"""About 15 characters per second: an ordinary speaking rate."""

_AMPLITUDE = 0.3
_HARMONIC_WEIGHTS = (1.0, 0.5, 0.25)
_CHARS_PER_SYLLABLE = 3
_WORD = re.compile(r"\w+")


def samples_per_char(sample_rate: int, ms_per_char: float) -> int:
    """Return the whole number of samples one character of text lasts (at least 1)."""
    return max(1, round(ms_per_char * sample_rate / 1000))


@functools.lru_cache(maxsize=4096)
def _word_sound(word: str, sample_count: int, sample_rate: int) -> NDArray[np.int16]:
    # A stable hash (not Python's salted `hash`) so the audio is the same in every process.
    pitch = 110.0 + zlib.crc32(word.lower().encode()) % 110
    time = np.arange(sample_count, dtype=np.float32) / np.float32(sample_rate)
    phase = np.float32(2 * np.pi * pitch) * time
    voiced = sum(
        (np.float32(weight) * np.sin(phase * np.float32(harmonic + 1)))
        for harmonic, weight in enumerate(_HARMONIC_WEIGHTS)
    )
    syllables = max(1, round(len(word) / _CHARS_PER_SYLLABLE))
    # Raised-cosine bumps that start and end at zero, so joins between words never click.
    envelope = 0.5 - 0.5 * np.cos(
        np.float32(2 * np.pi * syllables / sample_count) * np.arange(sample_count, dtype=np.float32)
    )
    sound = float_to_pcm16(np.float32(_AMPLITUDE / sum(_HARMONIC_WEIGHTS)) * voiced * envelope)
    sound.flags.writeable = False
    return sound


@functools.lru_cache(maxsize=32)
def synthesize_speech(
    text: str, sample_rate: int, ms_per_char: float = DEFAULT_MS_PER_CHAR
) -> NDArray[np.int16]:
    """Synthesise speech-like PCM16 audio for ``text``.

    Args:
        text: What is "said".
        sample_rate: Output rate in Hz.
        ms_per_char: Duration of one character.

    Returns:
        A read-only int16 array of exactly ``len(text) * samples_per_char(...)`` samples.
    """
    per_char = samples_per_char(sample_rate, ms_per_char)
    samples = np.zeros(len(text) * per_char, dtype=np.int16)
    for match in _WORD.finditer(text):
        start, end = match.start() * per_char, match.end() * per_char
        samples[start:end] = _word_sound(match.group(), end - start, sample_rate)
    samples.flags.writeable = False
    return samples


@dataclass(frozen=True)
class SpokenAudio:
    """An answer's audio, ready to stream.

    Attributes:
        samples: PCM16 samples at the format's rate (read-only).
        chunks: The samples encoded for the wire, one base64 string per audio delta.
        chunk_samples: Samples per chunk (the last chunk may be shorter).
    """

    samples: NDArray[np.int16]
    chunks: tuple[str, ...]
    chunk_samples: int


def encode_chunks(
    samples: NDArray[np.int16], audio_format: AudioFormat, chunk_ms: int
) -> SpokenAudio:
    """Split samples into delta-sized chunks and encode each for the wire.

    Args:
        samples: PCM16 samples at ``audio_format.rate``.
        audio_format: The output format.
        chunk_ms: Duration of one chunk.

    Returns:
        The audio with its encoded chunks.
    """
    chunk_samples = max(1, audio_format.samples_for_ms(chunk_ms))
    chunks = tuple(
        audio_format.encode(samples[start : start + chunk_samples])
        for start in range(0, len(samples), chunk_samples)
    )
    return SpokenAudio(samples, chunks, chunk_samples)


@functools.lru_cache(maxsize=16)
def speak(text: str, audio_format: AudioFormat, ms_per_char: float, chunk_ms: int) -> SpokenAudio:
    """Synthesise and encode the audio for ``text`` (cached: repeated answers cost nothing).

    Args:
        text: What is said.
        audio_format: The output format.
        ms_per_char: Duration of one character.
        chunk_ms: Duration of one audio delta.

    Returns:
        The audio with its encoded chunks.
    """
    samples = synthesize_speech(text, audio_format.rate, ms_per_char)
    return encode_chunks(samples, audio_format, chunk_ms)
