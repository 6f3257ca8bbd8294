"""Flat session options map onto the GA shape; patches merge; invalid configs are caught."""

from __future__ import annotations

import pytest

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.session_options import (
    build_session_patch,
    merge_patch,
    validate_session,
)
from openai_realtime.types import RealtimeSessionCreateRequest, ServerVAD


def test_flat_names_map_onto_the_nested_shape() -> None:
    patch = build_session_patch(
        instructions="Be brief.",
        voice="verse",
        turn_detection=None,
        input_audio_transcription={"model": "whisper-1"},
        input_audio_format="pcm16",
        output_audio_format="g711_ulaw",
        output_modalities=["text"],
        max_response_output_tokens=200,
    )
    assert patch == {
        "instructions": "Be brief.",
        "audio": {
            "output": {"voice": "verse", "format": {"type": "audio/pcmu"}},
            "input": {
                "turn_detection": None,
                "transcription": {"model": "whisper-1"},
                "format": {"type": "audio/pcm", "rate": 24000},
            },
        },
        "output_modalities": ["text"],
        "max_output_tokens": 200,
    }


def test_typed_session_and_typed_values() -> None:
    session = RealtimeSessionCreateRequest(instructions="typed")
    patch = build_session_patch(session, turn_detection=ServerVAD(silence_duration_ms=300))
    assert patch == {
        "instructions": "typed",
        "audio": {"input": {"turn_detection": {"type": "server_vad", "silence_duration_ms": 300}}},
    }


def test_unknown_option_and_format_are_errors() -> None:
    with pytest.raises(ConfigurationError, match="unknown session option 'colour'"):
        build_session_patch(colour="blue")
    with pytest.raises(ConfigurationError, match="unknown audio format 'mp3'"):
        build_session_patch(input_audio_format="mp3")


def test_merge_overrides_and_keeps_null() -> None:
    config: dict[str, object] = {}
    merge_patch(config, build_session_patch(voice="alloy", instructions="one"))
    merge_patch(config, build_session_patch(instructions="two", turn_detection=None))
    assert config == {
        "audio": {"output": {"voice": "alloy"}, "input": {"turn_detection": None}},
        "instructions": "two",
    }


def test_merge_copies_nested_mappings() -> None:
    source = {"audio": {"input": {"turn_detection": {"type": "server_vad"}}}}
    config: dict[str, object] = {}
    merge_patch(config, source)
    merge_patch(config, {"audio": {"input": {"turn_detection": {"threshold": 0.7}}}})
    assert source == {"audio": {"input": {"turn_detection": {"type": "server_vad"}}}}


def test_validate_session_rejects_bad_values() -> None:
    assert validate_session({"instructions": "x"}).instructions == "x"
    with pytest.raises(ConfigurationError, match="invalid session configuration"):
        validate_session({"output_modalities": ["smell"]})
