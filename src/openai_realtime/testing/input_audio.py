"""The input audio buffer, placed on the session's audio timeline, with optional VAD.

Positions are sample indices from the first input sample of the session (they keep counting
across commits and clears), which is what ``audio_start_ms`` / ``audio_end_ms`` measure. The
buffer holds the samples from :attr:`InputAudio.buffer_start` up to the newest one. While VAD
is on and nobody is speaking, only the last ``prefix_padding_ms`` are kept: older silence can
never become part of a turn, and an always-open microphone must not grow memory.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from openai_realtime.testing.audio_format import AudioFormat
from openai_realtime.testing.vad import EnergyVAD, SpeechStarted, SpeechStopped, VADSettings

__all__ = ["InputAudio"]

_EMPTY = np.zeros(0, dtype=np.int16)


class InputAudio:
    """One connection's input audio buffer.

    Args:
        audio_format: The session's input format.
        vad: Detector settings, or ``None`` for manual commits only.
    """

    def __init__(self, audio_format: AudioFormat, vad: VADSettings | None) -> None:
        self.audio_format = audio_format
        self._chunks: list[NDArray[np.int16]] = []
        self._buffered = 0
        self.buffer_start = 0
        self._vad_settings = vad
        self._vad = EnergyVAD(vad, audio_format.rate) if vad else None
        self._vad_origin = 0

    @property
    def end(self) -> int:
        """Timeline position just after the newest sample."""
        return self.buffer_start + self._buffered

    @property
    def buffered_ms(self) -> int:
        """Duration of the buffered audio in whole milliseconds."""
        return self.audio_format.ms_for_samples(self._buffered)

    @property
    def in_speech(self) -> bool:
        """True while VAD considers the user to be speaking."""
        return self._vad is not None and self._vad.in_speech

    @property
    def vad_enabled(self) -> bool:
        """True when turn detection runs on appended audio."""
        return self._vad is not None

    def reconfigure(self, audio_format: AudioFormat, vad: VADSettings | None) -> None:
        """Follow a session update (a no-op when nothing relevant changed).

        A new input format drops the buffered audio (samples at two rates cannot be mixed) and
        continues the timeline at the same point in time.
        """
        if audio_format != self.audio_format:
            elapsed_ms = self.audio_format.ms_for_samples(self.end)
            self.audio_format = audio_format
            self.buffer_start = audio_format.samples_for_ms(elapsed_ms)
            self._chunks, self._buffered = [], 0
        elif vad == self._vad_settings:
            return
        self._vad_settings = vad
        self._vad = EnergyVAD(vad, audio_format.rate) if vad else None
        self._vad_origin = self.end

    def append(self, samples: NDArray[np.int16]) -> list[SpeechStarted | SpeechStopped]:
        """Add audio and run the detector on it.

        Args:
            samples: PCM16 samples at the input rate.

        Returns:
            Speech transitions, in timeline positions (empty without VAD). The caller applies
            them in order with :meth:`start_turn` and :meth:`take_until`.
        """
        self._chunks.append(samples)
        self._buffered += len(samples)
        if self._vad is None:
            return []
        transitions = self._vad.feed(samples)
        if not self._vad_origin:
            return transitions
        return [self._shifted(transition) for transition in transitions]

    def start_turn(self, audio_start: int) -> None:
        """Speech began: drop what is older than ``audio_start`` (the padded start)."""
        self._drop_before(audio_start)

    def take_until(self, end: int) -> NDArray[np.int16]:
        """Remove and return the buffered audio before timeline position ``end``."""
        samples = self._joined()
        cut = max(0, min(len(samples), end - self.buffer_start))
        taken, rest = samples[:cut], samples[cut:]
        self._chunks, self._buffered = ([rest] if len(rest) else []), len(rest)
        self.buffer_start += cut
        return taken

    def take_all(self) -> NDArray[np.int16]:
        """Remove and return everything buffered (a manual commit); speech in progress ends."""
        if self._vad is not None:
            self._vad.reset()
        return self.take_until(self.end)

    def clear(self) -> None:
        """Drop everything buffered; speech in progress ends."""
        self.take_all()

    def forget_idle_audio(self) -> None:
        """With VAD on and no speech, keep only what prefix padding could still need."""
        if self._vad is None or self._vad.in_speech or self._vad_settings is None:
            return
        keep = self.audio_format.samples_for_ms(self._vad_settings.prefix_padding_ms)
        self._drop_before(self.end - keep)

    def _drop_before(self, position: int) -> None:
        if position > self.buffer_start:
            self.take_until(position)

    def _joined(self) -> NDArray[np.int16]:
        if len(self._chunks) != 1:
            self._chunks = [np.concatenate(self._chunks) if self._chunks else _EMPTY]
        return self._chunks[0]

    def _shifted(self, transition: SpeechStarted | SpeechStopped) -> SpeechStarted | SpeechStopped:
        origin = self._vad_origin
        if isinstance(transition, SpeechStarted):
            return SpeechStarted(
                transition.onset_sample + origin, transition.audio_start_sample + origin
            )
        return SpeechStopped(
            transition.speech_end_sample + origin, transition.audio_end_sample + origin
        )
