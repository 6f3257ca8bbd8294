"""The fake translator's timeline, with no server: lengths, timings and chunking."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from spoken_audio import RATE, utterances_with_silences

from openai_realtime.testing.responder import describe_audio
from openai_realtime.testing.translation_engine import (
    AudioChunk,
    TranscriptDelta,
    TranslationOutput,
    TranslationTimeline,
    translate_text,
)
from openai_realtime.testing.vad import VADSettings


def run(audio: NDArray[np.int16], chunk_samples: int) -> list[TranslationOutput]:
    timeline = TranslationTimeline(RATE, describe_audio, VADSettings(silence_duration_ms=500))
    outputs: list[TranslationOutput] = []
    for start in range(0, len(audio), chunk_samples):
        outputs += timeline.append(audio[start : start + chunk_samples], "it")
    outputs += timeline.flush("it")
    assert timeline.output_samples == timeline.input_samples == len(audio)
    return outputs


@pytest.mark.parametrize("chunk_samples", [240, 2400, 7919])
def test_output_keeps_the_input_timeline_however_the_audio_is_split(chunk_samples: int) -> None:
    audio, spans = utterances_with_silences(["uno due", "tre quattro cinque"], [700, 900], 5000)
    outputs = run(audio, chunk_samples)
    chunks = [output for output in outputs if isinstance(output, AudioChunk)]
    assert sum(len(chunk.samples) for chunk in chunks) == len(audio)
    position = 0
    for chunk in chunks:  # each chunk is stamped where it sits on the input clock
        assert chunk.elapsed_ms == position * 1000 // RATE
        position += len(chunk.samples)
    said = [o for o in outputs if isinstance(o, TranscriptDelta) and o.side == "output"]
    assert "".join(piece.text for piece in said).count("[it] ") == len(spans)
    spoken = np.concatenate([chunk.samples for chunk in chunks])
    reference = np.concatenate(
        [chunk.samples for chunk in run(audio, 4800) if isinstance(chunk, AudioChunk)]
    )
    assert np.array_equal(spoken, reference)  # the same speech for any chunking


def test_speech_still_going_on_is_translated_by_flush() -> None:
    audio, _ = utterances_with_silences(["senza fine"], [200], 0)
    timeline = TranslationTimeline(RATE, describe_audio, VADSettings())
    before = timeline.append(audio, "it")
    assert not any(isinstance(output, TranscriptDelta) for output in before)
    after = timeline.flush("it")
    heard = "".join(o.text for o in after if isinstance(o, TranscriptDelta) and o.side == "input")
    assert heard.endswith("seconds of audio)")
    assert timeline.output_samples == len(audio)


def test_translations_are_marked_with_their_language() -> None:
    assert translate_text("hello", "es") == "[es] hello"
