"""The fake translator's timeline: source audio in, translated speech and transcripts out (pure).

The output keeps the input's timeline sample for sample, so its length always equals the
input's: quiet input becomes silence as soon as the detector has ruled speech out, and each
stretch of speech (found by :class:`~openai_realtime.testing.vad.EnergyVAD`) becomes synthesised
"translated" speech of exactly the same length once its end is confirmed, so the output trails
the input by about ``silence_duration_ms``, as a live interpreter waits for a phrase to end.
Every transcript piece and audio chunk is stamped with ``elapsed_ms``: where it sits on the
input's clock (milliseconds since the first appended sample).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from openai_realtime.testing.pacing import timed_deltas
from openai_realtime.testing.synth import synthesize_speech
from openai_realtime.testing.vad import EnergyVAD, SpeechStarted, VADSettings

__all__ = [
    "AudioChunk",
    "Transcriber",
    "TranscriptDelta",
    "TranslationOutput",
    "TranslationTimeline",
    "translate_text",
]

Transcriber: TypeAlias = Callable[[NDArray[np.int16], int], str]
"""``transcribe(samples, sample_rate)``: the responder's transcript of a stretch of speech."""


def translate_text(text: str, language: str) -> str:
    """The fake's "translation": the source text marked with the target language.

    Args:
        text: What was said.
        language: The target language code.

    Returns:
        ``"[es] ..."`` for Spanish, and so on: deterministic and easy to assert on.
    """
    return f"[{language}] {text}"


@dataclass(frozen=True)
class TranscriptDelta:
    """A piece of the input or output transcript.

    Attributes:
        side: ``"input"`` (heard) or ``"output"`` (said).
        text: The piece.
        elapsed_ms: Where it sits on the input clock.
    """

    side: str
    text: str
    elapsed_ms: int


@dataclass(frozen=True)
class AudioChunk:
    """A chunk of output audio.

    Attributes:
        samples: PCM16 samples at the timeline's rate.
        elapsed_ms: Where its first sample sits on the input clock.
    """

    samples: NDArray[np.int16]
    elapsed_ms: int


TranslationOutput: TypeAlias = TranscriptDelta | AudioChunk
"""What the timeline produces, in the order it goes out."""


class TranslationTimeline:
    """One translation session's input audio and the output produced from it so far.

    Args:
        sample_rate: Rate of the input and output audio.
        transcribe: Transcribes a stretch of speech.
        vad: Detector settings.
        chunk_ms: Longest output audio chunk.
    """

    def __init__(
        self,
        sample_rate: int,
        transcribe: Transcriber,
        vad: VADSettings,
        chunk_ms: int = 100,
    ) -> None:
        self._rate = sample_rate
        self._transcribe = transcribe
        self._vad = EnergyVAD(vad, sample_rate)
        self._frame = max(1, sample_rate * vad.frame_ms // 1000)
        self._chunk = max(1, sample_rate * chunk_ms // 1000)
        # Input samples not yet turned into output; they start at sample `_emitted`.
        self._pending: list[NDArray[np.int16]] = []
        self._emitted = 0
        self._onset: int | None = None

    @property
    def input_samples(self) -> int:
        """Input samples received."""
        return self._vad.samples_seen

    @property
    def output_samples(self) -> int:
        """Output samples produced."""
        return self._emitted

    def append(self, samples: NDArray[np.int16], language: str) -> list[TranslationOutput]:
        """Take more input audio.

        Args:
            samples: The next PCM16 input samples.
            language: The target language.

        Returns:
            The output this audio completes, in order.
        """
        self._pending.append(samples)
        output: list[TranslationOutput] = []
        for transition in self._vad.feed(samples):
            if isinstance(transition, SpeechStarted):
                output += self._silence_until(transition.onset_sample)
                self._onset = transition.onset_sample
            else:
                output += self._speech_until(transition.speech_end_sample, language)
        if self._onset is None:
            # Whole frames already scanned are final: no speech can start inside them now.
            scanned = self._vad.samples_seen - self._vad.samples_seen % self._frame
            output += self._silence_until(scanned)
        return output

    def flush(self, language: str) -> list[TranslationOutput]:
        """Finish: speech still going on is translated as it is, the rest is silence.

        Args:
            language: The target language.

        Returns:
            The remaining output; afterwards output and input have the same length.
        """
        end = self._vad.samples_seen
        output = self._speech_until(end, language) if self._onset is not None else []
        return output + self._silence_until(end)

    def _take(self, end: int) -> NDArray[np.int16]:
        """The pending input up to sample ``end``, which is then emitted."""
        joined = np.concatenate(self._pending) if self._pending else np.zeros(0, np.int16)
        count = end - self._emitted
        self._pending = [joined[count:]]
        self._emitted = end
        return joined[:count]

    def _silence_until(self, end: int) -> list[TranslationOutput]:
        if end <= self._emitted:
            return []
        start = self._emitted
        self._take(end)
        return self._chunks(np.zeros(end - start, dtype=np.int16), start)

    def _speech_until(self, end: int, language: str) -> list[TranslationOutput]:
        start = self._emitted
        self._onset = None
        source = self._take(end)
        if not len(source):
            return []
        heard = self._transcribe(source, self._rate)
        said = translate_text(heard, language)
        output: list[TranslationOutput] = [
            TranscriptDelta("input", piece, self._ms(start + offset))
            for piece, offset in timed_deltas(heard, len(source))
        ]
        output += [
            TranscriptDelta("output", piece, self._ms(start + offset))
            for piece, offset in timed_deltas(said, len(source))
        ]
        return output + self._chunks(self._fit(said, len(source)), start)

    def _fit(self, text: str, sample_count: int) -> NDArray[np.int16]:
        """Speech for ``text`` spoken at the rate that fills exactly ``sample_count`` samples."""
        speech = np.zeros(sample_count, dtype=np.int16)
        if text:
            ms_per_char = sample_count * 1000 / self._rate / len(text)
            spoken = synthesize_speech(text, self._rate, ms_per_char)[:sample_count]
            speech[: len(spoken)] = spoken
        return speech

    def _chunks(self, samples: NDArray[np.int16], start: int) -> list[TranslationOutput]:
        return [
            AudioChunk(samples[offset : offset + self._chunk], self._ms(start + offset))
            for offset in range(0, len(samples), self._chunk)
        ]

    def _ms(self, sample: int) -> int:
        return sample * 1000 // self._rate
