"""Flat session options map onto the GA shape; patches merge; invalid configs are caught."""

from __future__ import annotations

from typing import Any

import pytest

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.session_options import (
    AUDIO_FORMATS,
    build_session_patch,
    merge_patch,
    validate_session,
)
from openai_realtime.types import RealtimeFunctionTool, RealtimeSessionCreateRequest, ServerVAD

# These tests pin how the beta-era names still map (for one minor version); that they warn is
# tested once, below, so the mapping tests let that one warning through.
pytestmark = pytest.mark.filterwarnings("ignore:.* is the beta-era name:DeprecationWarning")


@pytest.mark.parametrize(
    ("name", "value", "replacement"),
    [
        ("modalities", ["text"], "output_modalities"),
        ("max_response_output_tokens", 100, "max_output_tokens"),
        ("input_audio_format", "pcm16", "audio={'input': {'format'"),
        ("output_audio_format", "g711_ulaw", "audio={'output': {'format'"),
    ],
)
def test_beta_names_warn_and_name_their_replacement(
    name: str, value: Any, replacement: str
) -> None:
    with pytest.warns(DeprecationWarning, match=f"{name} is the beta-era name") as caught:
        build_session_patch(**{name: value})
    assert replacement in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller, not at the SDK


def test_an_option_the_ga_interface_removed_says_so() -> None:
    with pytest.raises(ConfigurationError, match="GA Realtime API removed 'temperature'"):
        build_session_patch(temperature=0.5)


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


def test_every_flat_name_has_its_place() -> None:
    patch = build_session_patch(
        speed=1.25,
        input_audio_noise_reduction={"type": "near_field"},
        modalities=["audio"],
        output_audio_format={"type": "audio/pcma"},
    )
    assert patch == {
        "audio": {
            "output": {"speed": 1.25, "format": {"type": "audio/pcma"}},
            "input": {"noise_reduction": {"type": "near_field"}},
        },
        "output_modalities": ["audio"],
    }


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("pcm16", {"type": "audio/pcm", "rate": 24000}),
        ("audio/pcm", {"type": "audio/pcm", "rate": 24000}),
        ("g711_alaw", {"type": "audio/pcma"}),
        ("audio/pcmu", {"type": "audio/pcmu"}),
    ],
)
def test_format_names_become_fresh_format_objects(name: str, wire: dict[str, object]) -> None:
    patch = build_session_patch(input_audio_format=name)
    assert patch == {"audio": {"input": {"format": wire}}}
    patch["audio"]["input"]["format"]["rate"] = 8000
    assert build_session_patch(input_audio_format=name) == {"audio": {"input": {"format": wire}}}
    assert AUDIO_FORMATS[name] == wire


def test_a_null_format_stays_null_and_the_error_lists_known_names() -> None:
    assert build_session_patch(output_audio_format=None) == {"audio": {"output": {"format": None}}}
    with pytest.raises(ConfigurationError) as raised:
        build_session_patch(output_audio_format="wav")
    message = str(raised.value)
    assert message.startswith("output_audio_format: unknown audio format 'wav' (")
    assert ", ".join(sorted(AUDIO_FORMATS)) in message


def test_typed_values_inside_lists_and_mappings_become_plain() -> None:
    tool = RealtimeFunctionTool(name="f")
    patch = build_session_patch(tools=[tool, {"type": "function", "name": "g"}], tracing="auto")
    assert patch == {
        "tools": [{"type": "function", "name": "f"}, {"type": "function", "name": "g"}],
        "tracing": "auto",
    }
    nested = build_session_patch({"type": "realtime", "tools": (tool,), "prompt": {"id": "p"}})
    assert nested == {"tools": [{"type": "function", "name": "f"}], "prompt": {"id": "p"}}


def test_options_override_the_typed_session_and_type_is_left_out() -> None:
    session = RealtimeSessionCreateRequest(instructions="typed", output_modalities=["audio"])
    patch = build_session_patch(session, instructions="flat")
    assert patch == {"instructions": "flat", "output_modalities": ["audio"]}
    with pytest.raises(ConfigurationError, match="unknown session option 'type'"):
        build_session_patch(type="realtime")


def test_merge_replaces_lists_and_scalars_and_returns_its_target() -> None:
    config: dict[str, object] = {"tools": [{"name": "a"}], "audio": {"output": {"voice": "x"}}}
    result = merge_patch(config, {"tools": [{"name": "b"}], "audio": "gone"})
    assert result is config
    assert config == {"tools": [{"name": "b"}], "audio": "gone"}
    merge_patch(config, {"audio": {"input": {"format": None}}})
    assert config["audio"] == {"input": {"format": None}}


def test_validated_session_is_a_realtime_session() -> None:
    session = validate_session({"instructions": "x", "audio": {"output": {"voice": "marin"}}})
    assert session.type == "realtime"
    assert "type" in session.model_fields_set
    with pytest.raises(ConfigurationError) as raised:
        validate_session({"output_modalities": ["smell"]})
    assert "output_modalities" in str(raised.value)
