"""Energy-based voice activity detection, the fake server's stand-in for ``server_vad``.

Pure computation on PCM16 samples (numpy, no I/O). Audio is cut into fixed frames counted from
the first sample the session ever received, and each frame is "loud" when its RMS level reaches
the level that ``threshold`` maps to. Because frames are anchored to that session timeline (a
partial frame waits for the next chunk), the result does not depend on how the audio was split
into chunks.

Timing follows the service's documented meaning of the event fields:

* speech starts at the first loud frame; ``audio_start_ms`` is reported ``prefix_padding_ms``
  earlier, since it marks the start of the audio the model receives;
* speech stops once ``silence_duration_ms`` of quiet frames follow the last loud frame;
  ``audio_end_ms`` is the moment that silence was confirmed, so it includes the silence.

``threshold`` (0 to 1, default 0.5) maps linearly in decibels from -70 dBFS (0, everything but
digital silence is speech) to -10 dBFS (1, only loud audio is speech); 0.5 is -40 dBFS.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["EnergyVAD", "SpeechStarted", "SpeechStopped", "VADSettings"]

_QUIETEST_DBFS = -70.0
_LOUDEST_DBFS = -10.0
_FULL_SCALE = 32768.0

# semantic_vad has no silence setting; its eagerness decides how long a pause ends a turn.
_SEMANTIC_SILENCE_MS = {"high": 200, "medium": 500, "auto": 500, "low": 1000}


@dataclass(frozen=True)
class VADSettings:
    """What the detector is told by the session's ``turn_detection``.

    Attributes:
        threshold: Sensitivity from 0 to 1; higher needs louder audio.
        prefix_padding_ms: Audio kept before the detected start of speech.
        silence_duration_ms: Quiet time that ends speech.
        frame_ms: Analysis frame length.
    """

    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500
    frame_ms: int = 10

    @classmethod
    def from_turn_detection(cls, turn_detection: Mapping[str, Any]) -> VADSettings:
        """Read a ``server_vad`` or ``semantic_vad`` configuration (missing values: defaults).

        Args:
            turn_detection: The session's ``audio.input.turn_detection`` object.

        Returns:
            The settings to run the detector with.
        """
        defaults = cls()
        if turn_detection.get("type") == "semantic_vad":
            eagerness = turn_detection.get("eagerness") or "auto"
            return cls(silence_duration_ms=_SEMANTIC_SILENCE_MS.get(eagerness, 500))
        return cls(
            threshold=_or_default(turn_detection.get("threshold"), defaults.threshold),
            prefix_padding_ms=_or_default(
                turn_detection.get("prefix_padding_ms"), defaults.prefix_padding_ms
            ),
            silence_duration_ms=_or_default(
                turn_detection.get("silence_duration_ms"), defaults.silence_duration_ms
            ),
        )

    @property
    def rms_level(self) -> float:
        """The frame RMS (in PCM16 units) at and above which a frame counts as speech."""
        clamped = min(max(self.threshold, 0.0), 1.0)
        dbfs = _QUIETEST_DBFS + (_LOUDEST_DBFS - _QUIETEST_DBFS) * clamped
        return _FULL_SCALE * 10 ** (dbfs / 20)


@dataclass(frozen=True)
class SpeechStarted:
    """Speech began.

    Attributes:
        onset_sample: Session sample index of the first loud frame.
        audio_start_sample: ``onset_sample`` minus the prefix padding (never below 0).
    """

    onset_sample: int
    audio_start_sample: int


@dataclass(frozen=True)
class SpeechStopped:
    """Speech ended.

    Attributes:
        speech_end_sample: Session sample index just after the last loud frame.
        audio_end_sample: Where the confirming silence ended (``speech_end_sample`` plus the
            silence duration); the turn's audio ends here.
    """

    speech_end_sample: int
    audio_end_sample: int


def _or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


class EnergyVAD:
    """Incremental speech detector over one session's input audio.

    Args:
        settings: Threshold, padding and silence settings.
        sample_rate: Rate of the samples that will be fed.

    Example::

        vad = EnergyVAD(VADSettings(), sample_rate=24000)
        for chunk in chunks:
            for transition in vad.feed(chunk):
                ...
    """

    def __init__(self, settings: VADSettings, sample_rate: int) -> None:
        self.settings = settings
        self.sample_rate = sample_rate
        self._frame_length = max(1, sample_rate * settings.frame_ms // 1000)
        self._silence_frames = max(1, math.ceil(settings.silence_duration_ms / settings.frame_ms))
        self._padding_samples = sample_rate * settings.prefix_padding_ms // 1000
        self._level_squared = settings.rms_level**2
        self._frames_done = 0
        self._partial: NDArray[np.int16] = np.zeros(0, dtype=np.int16)
        self._in_speech = False
        self._quiet_run = 0
        self._last_loud_end = 0

    @property
    def in_speech(self) -> bool:
        """True between a :class:`SpeechStarted` and the matching :class:`SpeechStopped`."""
        return self._in_speech

    @property
    def samples_seen(self) -> int:
        """Samples fed so far, including a partial frame still waiting for more audio."""
        return self._frames_done * self._frame_length + len(self._partial)

    def reset(self) -> None:
        """Forget any speech in progress (after a manual commit or clear); the timeline stays."""
        self._in_speech = False
        self._quiet_run = 0

    def feed(self, samples: NDArray[np.int16]) -> list[SpeechStarted | SpeechStopped]:
        """Analyse more audio.

        Args:
            samples: The next PCM16 samples of the session's input audio, of any length.

        Returns:
            The transitions that the new audio completes, in order.
        """
        transitions: list[SpeechStarted | SpeechStopped] = []
        if len(self._partial):
            missing = self._frame_length - len(self._partial)
            self._partial = np.concatenate((self._partial, samples[:missing]))
            samples = samples[missing:]
            if len(self._partial) < self._frame_length:
                return transitions
            self._scan(self._partial.reshape(1, -1), transitions)
        whole = len(samples) - len(samples) % self._frame_length
        if whole:
            self._scan(samples[:whole].reshape(-1, self._frame_length), transitions)
        self._partial = samples[whole:].copy()
        return transitions

    def _scan(
        self, frames: NDArray[np.int16], transitions: list[SpeechStarted | SpeechStopped]
    ) -> None:
        as_float = frames.astype(np.float32)
        mean_square = np.einsum("ij,ij->i", as_float, as_float) / self._frame_length
        loud_frames = np.flatnonzero(mean_square >= self._level_squared)
        frame_count = len(frames)
        # Jump from run to run with vector operations; a Python step per frame would make a
        # ten-minute append slow.
        position = 0
        while position < frame_count:
            if self._in_speech:
                position = self._find_stop(loud_frames, position, frame_count, transitions)
            else:
                position = self._find_start(loud_frames, position, frame_count, transitions)
        self._frames_done += frame_count

    def _absolute(self, frame: int) -> int:
        """Session sample index where ``frame`` (counted within the current scan) starts."""
        return (self._frames_done + frame) * self._frame_length

    def _find_start(
        self,
        loud_frames: NDArray[np.intp],
        position: int,
        frame_count: int,
        transitions: list[SpeechStarted | SpeechStopped],
    ) -> int:
        index = int(np.searchsorted(loud_frames, position))
        if index == len(loud_frames):
            return frame_count
        onset_frame = int(loud_frames[index])
        onset = self._absolute(onset_frame)
        transitions.append(SpeechStarted(onset, max(0, onset - self._padding_samples)))
        self._in_speech, self._quiet_run = True, 0
        self._last_loud_end = onset + self._frame_length
        return onset_frame + 1

    def _find_stop(
        self,
        loud_frames: NDArray[np.intp],
        position: int,
        frame_count: int,
        transitions: list[SpeechStarted | SpeechStopped],
    ) -> int:
        later_loud = loud_frames[np.searchsorted(loud_frames, position) :]
        # Each quiet gap runs from one loud frame (the first "anchor" is the last loud frame
        # before this scan, possibly in an earlier chunk) to the next, or to the scan's end.
        anchors = np.concatenate(([position - self._quiet_run - 1], later_loud))
        following = np.concatenate((later_loud, [frame_count]))
        quiet_lengths = following - anchors - 1
        long_enough = np.flatnonzero(quiet_lengths >= self._silence_frames)
        if not len(long_enough):
            if len(later_loud):
                self._last_loud_end = self._absolute(int(later_loud[-1]) + 1)
            self._quiet_run = int(quiet_lengths[-1])
            return frame_count
        gap = int(long_enough[0])
        anchor = int(anchors[gap])
        if gap:
            self._last_loud_end = self._absolute(anchor + 1)
        stop_frame = anchor + 1 + self._silence_frames
        transitions.append(SpeechStopped(self._last_loud_end, self._absolute(stop_frame)))
        self._in_speech, self._quiet_run = False, 0
        return stop_frame
