"""The fake diarizing model's voices: pure numpy, driven by synthetic voices."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from spoken_audio import RATE, sounding_span_ms, voice

from openai_realtime.testing.transcription_speakers import SpeakerTurn, Voices, share_words


def pause(seconds: float) -> NDArray[np.int16]:
    return np.zeros(round(RATE * seconds), np.int16)


def test_silence_has_no_turns() -> None:
    assert Voices().turns(pause(1.0), RATE) == []


def test_stretches_of_one_voice_merge_and_another_pitch_is_a_new_voice() -> None:
    voices = Voices()
    pieces = [pause(0.2), voice(150.0, 0.6), pause(0.25), voice(155.0, 0.6), pause(0.3)]
    offset = sum(len(piece) for piece in pieces)
    audio = np.concatenate([*pieces, voice(300.0, 0.5)])
    turns = voices.turns(audio, RATE)
    assert [turn.speaker for turn in turns] == ["A", "B"]
    # The first turn spans both stretches of the first voice, pause included.
    first_start, _ = sounding_span_ms(pieces[1], len(pieces[0]))
    _, first_end = sounding_span_ms(pieces[3], offset - len(pieces[3]) - len(pieces[4]))
    second_start, _ = sounding_span_ms(voice(300.0, 0.5), offset)
    spans_ms = [(turn.start * 1000 // RATE, turn.stop * 1000 // RATE) for turn in turns]
    assert abs(spans_ms[0][0] - first_start) <= 15 and abs(spans_ms[0][1] - first_end) <= 15
    assert abs(spans_ms[1][0] - second_start) <= 15
    # The session remembers: the high voice alone is still B.
    assert [turn.speaker for turn in voices.turns(voice(300, 0.5), RATE)] == ["B"]


def test_a_short_pause_does_not_split_a_voice_from_another() -> None:
    # Below PAUSE_MS the two voices are one stretch of sound, heard as one speaker.
    audio = np.concatenate([voice(150.0, 0.6), pause(0.1), voice(300.0, 0.6)])
    assert len(Voices().turns(audio, RATE)) == 1


def test_words_are_shared_by_length_and_a_short_turn_may_get_none() -> None:
    turns = [SpeakerTurn(0, 300, "A"), SpeakerTurn(300, 400, "B"), SpeakerTurn(400, 1000, "A")]
    assert share_words("one two three four five six seven eight nine ten", turns) == [
        "one two three",
        "four",
        "five six seven eight nine ten",
    ]
    assert share_words("just two", turns) == ["just", "", "two"]
