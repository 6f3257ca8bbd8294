"""Tests for openai_realtime.testing.session: defaults and partial session updates."""

from __future__ import annotations

import pytest

from openai_realtime.protocol.client_frames import InvalidRequest
from openai_realtime.testing.audio_format import PCM_24K, AudioFormat
from openai_realtime.testing.session import SessionState, deep_merge
from openai_realtime.types import (
    RealtimeSessionCreateRequest,
    RealtimeSessionCreateRequestAudio,
    RealtimeSessionCreateRequestAudioOutput,
    RealtimeTranscriptionSessionCreateRequest,
)


def test_deep_merge_changes_only_what_is_given() -> None:
    base = {"a": {"b": 1, "c": {"d": 2}}, "tools": [1, 2], "keep": "x"}

    merged = deep_merge(base, {"a": {"c": {"d": 3}}, "tools": [9]})

    assert merged == {"a": {"b": 1, "c": {"d": 3}}, "tools": [9], "keep": "x"}
    assert base["a"] == {"b": 1, "c": {"d": 2}}  # the original is untouched


def test_deep_merge_null_clears_and_a_new_type_replaces() -> None:
    base = {"vad": {"type": "server_vad", "threshold": 0.5}, "other": {"x": 1}}

    assert deep_merge(base, {"vad": None})["vad"] is None
    assert deep_merge(base, {"vad": {"type": "semantic_vad"}})["vad"] == {"type": "semantic_vad"}
    assert deep_merge(base, {"vad": {"threshold": 0.9}})["vad"] == {
        "type": "server_vad",
        "threshold": 0.9,
    }


def test_defaults_look_like_the_service() -> None:
    session = SessionState("sess_1", "gpt-realtime-mini")
    current = session.current

    assert (current.id, current.model, current.output_modalities) == (
        "sess_1",
        "gpt-realtime-mini",
        ["audio"],
    )
    assert session.turn_detection is not None
    assert session.turn_detection["type"] == "server_vad"
    assert session.input_format == session.output_format == PCM_24K
    assert session.transcription_model is None
    assert current.audio is not None
    assert current.audio.output is not None
    assert current.audio.output.voice == "alloy"


def test_update_is_partial() -> None:
    session = SessionState("sess_1", "gpt-realtime")
    request = RealtimeSessionCreateRequest.model_validate(
        {
            "type": "realtime",
            "instructions": "Be brief.",
            "audio": {
                "input": {
                    "format": {"type": "audio/pcmu"},
                    "transcription": {"model": "whisper-1"},
                    "turn_detection": {"type": "server_vad", "silence_duration_ms": 900},
                }
            },
        }
    )

    session.update(request)

    current = session.current
    assert current.instructions == "Be brief."
    assert current.output_modalities == ["audio"]  # untouched
    assert session.input_format == AudioFormat("audio/pcmu", 8000)
    assert session.output_format == PCM_24K
    assert session.transcription_model == "whisper-1"
    assert session.turn_detection is not None
    assert session.turn_detection["silence_duration_ms"] == 900
    assert session.turn_detection["threshold"] == 0.5  # kept from the defaults


def test_null_turn_detection_disables_vad() -> None:
    session = SessionState("sess_1", "gpt-realtime")

    session.update(
        RealtimeSessionCreateRequest.model_validate(
            {"type": "realtime", "audio": {"input": {"turn_detection": None}}}
        )
    )

    assert session.turn_detection is None
    assert session.snapshot().model_dump(mode="json")["audio"]["input"]["turn_detection"] is None


def test_invalid_updates_change_nothing() -> None:
    session = SessionState("sess_1", "gpt-realtime")
    before = session.snapshot()

    with pytest.raises(InvalidRequest) as caught:
        session.update(RealtimeTranscriptionSessionCreateRequest())
    assert caught.value.param == "session.type"
    assert caught.value.message == (
        "Passing a transcription session update event to a realtime session is not allowed."
    )

    # Requests are validated on arrival; the merged result is checked again as a safety net.
    unvalidated = RealtimeSessionCreateRequest.model_construct(
        _fields_set={"type", "audio"},
        type="realtime",
        audio=RealtimeSessionCreateRequestAudio.model_construct(
            _fields_set={"output"},
            output=RealtimeSessionCreateRequestAudioOutput.model_construct(
                _fields_set={"speed"}, speed=9.0
            ),
        ),
    )
    with pytest.raises(InvalidRequest) as caught:
        session.update(unvalidated)
    assert caught.value.code == "invalid_value"
    assert caught.value.param == "session.audio.output.speed"
    assert session.snapshot() == before


def test_invalid_overrides_are_refused() -> None:
    with pytest.raises(ValueError, match="invalid session overrides"):
        SessionState("sess_1", "gpt-realtime", {"output_modalities": ["smell"]})
