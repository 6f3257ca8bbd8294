"""The typed option bags stay in step with what they stand for: ``SessionOptions`` with the option
mapping, ``ConnectionOptions`` with ``RealtimeAPI``'s keyword parameters."""

from __future__ import annotations

import inspect
from typing import get_args

import pytest

from openai_realtime.api import ConnectionOptions, RealtimeAPI
from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.session_options import (
    _PATHS,
    _TOP_LEVEL,
    AUDIO_FORMATS,
    AudioFormatName,
    SessionOptions,
    build_session_patch,
    validate_session,
)


@pytest.mark.filterwarnings("ignore:.* is the beta-era name:DeprecationWarning")
def test_typed_keys_are_exactly_the_accepted_options() -> None:
    """Every key the mapping accepts is typed, and every typed key is accepted."""
    assert set(SessionOptions.__annotations__) == set(_PATHS) | _TOP_LEVEL
    assert SessionOptions.__required_keys__ == frozenset()
    for name in SessionOptions.__annotations__:
        build_session_patch(**{name: None})  # accepted: no ConfigurationError
    with pytest.raises(ConfigurationError, match="voicee"):
        build_session_patch(voicee="marin")


def test_audio_format_names_are_the_mapped_ones() -> None:
    assert set(get_args(AudioFormatName)) == set(AUDIO_FORMATS)


def test_typed_options_build_a_valid_session() -> None:
    options: SessionOptions = {
        "voice": {"id": "voice_1234"},
        "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}}},
        "output_audio_format": {"type": "audio/pcmu"},
        "turn_detection": {"type": "semantic_vad", "eagerness": "low"},
        "input_audio_noise_reduction": {"type": "near_field"},
        "instructions": "Be brief.",
        "tools": [{"type": "function", "name": "lookup", "parameters": {"type": "object"}}],
    }
    with pytest.warns(DeprecationWarning, match="output_audio_format"):
        session = validate_session(build_session_patch(**options))
    assert session.audio is not None and session.audio.output is not None
    assert session.audio.output.format is not None
    assert session.audio.output.format.type == "audio/pcmu"
    assert session.instructions == "Be brief."


def test_the_client_passes_exactly_the_api_keyword_options() -> None:
    keywords = {
        name
        for name, parameter in inspect.signature(RealtimeAPI).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name != "model"
    }
    assert set(ConnectionOptions.__annotations__) == keywords
