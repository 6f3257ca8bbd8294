"""Session configuration: the familiar flat option names, mapped onto the GA nested shape.

``RealtimeClient.update_session`` accepts options the way the reference clients spell them
(``voice``, ``turn_detection``, ``input_audio_format``, ...). The GA protocol nests most of them
under ``session.audio.input`` / ``session.audio.output``. This module turns one call's options
into a *patch* in the GA shape, merges patches into the accumulated configuration, and checks
the result against the generated ``RealtimeSessionCreateRequest`` model.

``SessionOptions`` types the same options for ``update_session(**options)``: the flat names
here, over the generated ``Param`` types, plus every top-level field of the GA session
(inherited from the generated ``RealtimeSessionCreateRequestFields``); a test keeps its keys and
``_PATHS`` in step.

A patch keeps ``None`` as an explicit ``null`` (turn detection ``None`` disables VAD); an option
that was not passed is simply absent, so a partial ``session.update`` stays partial.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias

from pydantic import BaseModel, ValidationError

from openai_realtime.errors import ConfigurationError
from openai_realtime.types import RealtimeSessionCreateRequest
from openai_realtime.types.params import (
    AudioTranscriptionParam,
    RealtimeAudioFormatsParam,
    RealtimeSessionCreateRequestAudioInputNoiseReductionParam,
    RealtimeSessionCreateRequestFields,
    RealtimeTurnDetectionParam,
    VoiceIdsOrCustomVoiceParam,
)

__all__ = [
    "AUDIO_FORMATS",
    "AudioFormatName",
    "SessionOptions",
    "build_session_patch",
    "merge_patch",
    "validate_session",
]

# Where each flat option lives in the GA session object.
_PATHS: dict[str, tuple[str, ...]] = {
    "voice": ("audio", "output", "voice"),
    "speed": ("audio", "output", "speed"),
    "output_audio_format": ("audio", "output", "format"),
    "input_audio_format": ("audio", "input", "format"),
    "turn_detection": ("audio", "input", "turn_detection"),
    "input_audio_transcription": ("audio", "input", "transcription"),
    "input_audio_noise_reduction": ("audio", "input", "noise_reduction"),
    # Beta-era spellings of top-level options, kept so older code keeps working.
    "modalities": ("output_modalities",),
    "max_response_output_tokens": ("max_output_tokens",),
}

# Beta-era names: they keep working for one minor version, with a DeprecationWarning naming the GA
# spelling (the deprecation rule in CHANGELOG.md).
_DEPRECATED: Final = {
    "modalities": "output_modalities",
    "max_response_output_tokens": "max_output_tokens",
    "input_audio_format": "audio={'input': {'format': ...}} (e.g. {'type': 'audio/pcm'})",
    "output_audio_format": "audio={'output': {'format': ...}} (e.g. {'type': 'audio/pcmu'})",
}
# Session fields the GA interface removed: accepting them would only fail on the wire.
_REMOVED: Final = {
    "temperature": "the GA Realtime API removed 'temperature'; leave it out",
}

AUDIO_FORMATS: dict[str, dict[str, Any]] = {
    "pcm16": {"type": "audio/pcm", "rate": 24000},
    "audio/pcm": {"type": "audio/pcm", "rate": 24000},
    "g711_ulaw": {"type": "audio/pcmu"},
    "audio/pcmu": {"type": "audio/pcmu"},
    "g711_alaw": {"type": "audio/pcma"},
    "audio/pcma": {"type": "audio/pcma"},
}
"""Audio format names accepted as strings: the beta names and the GA ``type`` values."""

AudioFormatName: TypeAlias = Literal[
    "pcm16", "audio/pcm", "g711_ulaw", "audio/pcmu", "g711_alaw", "audio/pcma"
]
"""The keys of ``AUDIO_FORMATS``, for the type checker."""


class SessionOptions(RealtimeSessionCreateRequestFields, total=False):
    """The keyword options of ``update_session``: flat names and GA top-level fields.

    The flat names are mapped by ``_PATHS`` onto ``audio.input`` / ``audio.output`` (or, for
    the beta-era spellings, onto their GA top-level names); every other key is a top-level
    field of the GA session, typed as the generated ``RealtimeSessionCreateRequestFields``
    types it.
    """

    voice: VoiceIdsOrCustomVoiceParam
    speed: float
    output_audio_format: RealtimeAudioFormatsParam | AudioFormatName
    input_audio_format: RealtimeAudioFormatsParam | AudioFormatName
    turn_detection: RealtimeTurnDetectionParam | None
    input_audio_transcription: AudioTranscriptionParam | None
    input_audio_noise_reduction: RealtimeSessionCreateRequestAudioInputNoiseReductionParam | None
    modalities: Sequence[Literal["text", "audio"]]
    max_response_output_tokens: int | Literal["inf"]


_TOP_LEVEL = frozenset(RealtimeSessionCreateRequest.model_fields) - {"type"}


_PACKAGE_DIR: Final = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _caller_outside_package() -> int:
    """The ``stacklevel`` of the first frame outside this package: the app's own call."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def _plain(value: Any) -> Any:
    """Typed models become the JSON-ready dicts they would be on the wire."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _audio_format(name: str, value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dict(AUDIO_FORMATS[value])
        except KeyError:
            known = ", ".join(sorted(AUDIO_FORMATS))
            raise ConfigurationError(f"{name}: unknown audio format {value!r} ({known})") from None
    return _plain(value)


def build_session_patch(
    session: RealtimeSessionCreateRequest | Mapping[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    """Turn a typed session and/or flat options into a GA-shaped patch.

    Args:
        session: A typed session (or its dict form); only the fields it set are used.
        **options: Flat options (``voice``, ``turn_detection``, ``input_audio_format``, ...) or
            any top-level field of the GA session (``instructions``, ``tools``, ...). They
            override what ``session`` says.

    Returns:
        The patch: nested dicts in the GA shape, with ``None`` kept as an explicit null.

    Warns:
        DeprecationWarning: A beta-era name (``modalities``, ``input_audio_format``,
            ``output_audio_format``, ``max_response_output_tokens``); the message names the
            GA spelling.

    Raises:
        ConfigurationError: An option name the session does not have (``temperature``, which
            the GA interface removed, says so), or an unknown format.
    """
    patch: dict[str, Any] = {}
    if session is not None:
        base = _plain(session)
        base.pop("type", None)
        merge_patch(patch, base)
    for name, value in options.items():
        if name in _REMOVED:
            raise ConfigurationError(_REMOVED[name])
        if name in _DEPRECATED:
            warnings.warn(
                f"{name} is the beta-era name; use {_DEPRECATED[name]}",
                DeprecationWarning,
                stacklevel=_caller_outside_package(),
            )
        if name in ("input_audio_format", "output_audio_format") and value is not None:
            value = _audio_format(name, value)
        path = _PATHS.get(name)
        if path is None:
            if name not in _TOP_LEVEL:
                raise ConfigurationError(f"unknown session option {name!r}")
            path = (name,)
        nested: dict[str, Any] = {path[-1]: _plain(value)}
        for key in reversed(path[:-1]):
            nested = {key: nested}
        merge_patch(patch, nested)
    return patch


def merge_patch(target: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``patch`` into ``target`` in place: nested dicts merge, anything else replaces.

    Lists replace rather than extend (a new ``tools`` list is the whole list), and ``None``
    replaces too, since on the wire it means "turn this off".

    Returns:
        ``target``, for chaining.
    """
    for key, value in patch.items():
        current = target.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            merge_patch(current, value)
        else:
            # Copy nested mappings, so later merges never write into the caller's dicts.
            target[key] = merge_patch({}, value) if isinstance(value, Mapping) else value
    return target


def validate_session(config: Mapping[str, Any]) -> RealtimeSessionCreateRequest:
    """Check an accumulated configuration against the schema.

    Raises:
        ConfigurationError: With pydantic's explanation of what is invalid.
    """
    try:
        return RealtimeSessionCreateRequest.model_validate({**config, "type": "realtime"})
    except ValidationError as error:
        raise ConfigurationError(f"invalid session configuration:\n{error}") from None
