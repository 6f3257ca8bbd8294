"""Who speaks when in a committed turn: the fake diarizing model's stand-in (numpy, no I/O).

There is no speaker recognition here, only what a test can control with synthetic audio: a
voice is told apart by its pitch. A turn's audio is cut into stretches of sound separated by
pauses of at least :data:`PAUSE_MS`; each stretch's pitch is the strongest frequency between
:data:`LOWEST_PITCH_HZ` and :data:`HIGHEST_PITCH_HZ`. A pitch within :data:`SAME_VOICE_RATIO` of
a voice heard before in the session is that voice again; any other pitch is a new voice, named
``A``, ``B``, ... in the order voices are first heard (the labels the diarizing model gives
speakers it has no reference for). Neighbouring stretches of one voice make one turn.

The same audio always gives the same turns and labels, however it was split into chunks.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "HIGHEST_PITCH_HZ",
    "LOWEST_PITCH_HZ",
    "PAUSE_MS",
    "SAME_VOICE_RATIO",
    "SpeakerTurn",
    "Voices",
    "share_words",
]

PAUSE_MS: Final = 200
"""The shortest quiet that separates two stretches of sound (a space between words is shorter)."""
LOWEST_PITCH_HZ: Final = 60.0
HIGHEST_PITCH_HZ: Final = 600.0
SAME_VOICE_RATIO: Final = 1.12
"""Pitches closer than this ratio (about two semitones) are one voice."""

_FRAME_MS: Final = 10
# -40 dBFS: the level server VAD's default threshold calls speech.
_SOUND_RMS: Final = 32768.0 * 10 ** (-40 / 20)


@dataclass(frozen=True, slots=True)
class SpeakerTurn:
    """One voice's stretch of a committed turn.

    Attributes:
        start: First sample, counted from the start of the turn's audio.
        stop: One past the last sample.
        speaker: The voice's label.
    """

    start: int
    stop: int
    speaker: str


class Voices:
    """The voices heard so far in one session, and the turns of each committed stretch."""

    def __init__(self) -> None:
        self._pitches: list[float] = []

    def turns(self, samples: NDArray[np.int16], sample_rate: int) -> list[SpeakerTurn]:
        """Split committed audio into speaker turns.

        Args:
            samples: The committed PCM16 audio.
            sample_rate: Its rate.

        Returns:
            The turns in order; none when the audio holds no sound.
        """
        turns: list[SpeakerTurn] = []
        for start, stop in _sounding_stretches(samples, sample_rate):
            speaker = self._label(_pitch(samples[start:stop], sample_rate))
            if turns and turns[-1].speaker == speaker:
                turns[-1] = SpeakerTurn(turns[-1].start, stop, speaker)
            else:
                turns.append(SpeakerTurn(start, stop, speaker))
        return turns

    def _label(self, pitch: float) -> str:
        limit = math.log(SAME_VOICE_RATIO)
        for index, known in enumerate(self._pitches):
            if abs(math.log(pitch / known)) < limit:
                return _name(index)
        self._pitches.append(pitch)
        return _name(len(self._pitches) - 1)


def share_words(text: str, turns: list[SpeakerTurn]) -> list[str]:
    """Share a transcript's words among turns in proportion to their length.

    Args:
        text: The transcript of the whole committed audio.
        turns: Its speaker turns.

    Returns:
        One text per turn (empty for a turn too short to get a word).
    """
    words = text.split()
    total = sum(turn.stop - turn.start for turn in turns)
    texts: list[str] = []
    spoken = 0
    taken = 0
    for turn in turns:
        spoken += turn.stop - turn.start
        until = round(len(words) * spoken / total) if total else len(words)
        texts.append(" ".join(words[taken:until]))
        taken = until
    return texts


def _name(index: int) -> str:
    letter = string.ascii_uppercase[index % 26]
    return letter if index < 26 else f"{letter}{index // 26}"


def _sounding_stretches(samples: NDArray[np.int16], sample_rate: int) -> list[tuple[int, int]]:
    """``(start, stop)`` sample spans of sound, split where quiet lasts ``PAUSE_MS`` or more."""
    frame = max(1, sample_rate * _FRAME_MS // 1000)
    count = len(samples) // frame
    if count == 0:
        return []
    frames = samples[: count * frame].astype(np.float32).reshape(count, frame)
    loud = np.flatnonzero(np.sqrt(np.mean(frames * frames, axis=1)) >= _SOUND_RMS)
    if len(loud) == 0:
        return []
    pause_frames = PAUSE_MS // _FRAME_MS
    breaks = np.flatnonzero(np.diff(loud) > pause_frames)
    firsts = np.concatenate(([loud[0]], loud[breaks + 1]))
    lasts = np.concatenate((loud[breaks], [loud[-1]]))
    return [
        (int(first) * frame, (int(last) + 1) * frame)
        for first, last in zip(firsts, lasts, strict=True)
    ]


def _pitch(samples: NDArray[np.int16], sample_rate: int) -> float:
    """The strongest frequency of the stretch within the range of voices."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float32)))
    frequencies = np.fft.rfftfreq(len(samples), 1 / sample_rate)
    band = np.flatnonzero((frequencies >= LOWEST_PITCH_HZ) & (frequencies <= HIGHEST_PITCH_HZ))
    return float(frequencies[band[np.argmax(spectrum[band])]])
