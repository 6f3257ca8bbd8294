"""Session configuration: the defaults a new connection gets and partial ``session.update``.

The configuration is kept as the JSON object the service would send, because updates are
deep merges of JSON: only the fields present change, an explicit ``null`` clears a field, a
list replaces the old list, and an object whose ``type`` changes (``server_vad`` to
``semantic_vad``) replaces the old object instead of mixing their fields.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.testing import clock
from openai_realtime.testing.audio_format import AudioFormat
from openai_realtime.testing.lifetime import DEFAULT_MAX_SESSION_SECONDS
from openai_realtime.types import (
    RealtimeSessionCreateRequest,
    RealtimeSessionCreateResponse,
    RealtimeTranscriptionSessionCreateRequest,
)

__all__ = [
    "DEFAULT_INSTRUCTIONS",
    "DEFAULT_MODEL",
    "SessionState",
    "deep_merge",
    "merge_update",
    "session_rejection",
]

DEFAULT_MODEL = "gpt-realtime"
DEFAULT_INSTRUCTIONS = (
    "You are a helpful assistant. This session runs on openai-realtime's local fake server, "
    "which answers deterministically."
)


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``update`` into a copy of ``base`` the way ``session.update`` does.

    Args:
        base: The current configuration (not modified).
        update: The fields to change; ``None`` values clear.

    Returns:
        The merged configuration.
    """
    merged = copy.deepcopy(dict(base))
    for key, value in update.items():
        current = merged.get(key)
        same_kind = (
            isinstance(current, dict)
            and isinstance(value, Mapping)
            and value.get("type", current.get("type")) == current.get("type")
        )
        if same_kind:
            assert isinstance(current, dict)  # narrowed by same_kind, for the type checker
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def merge_update(
    config: Mapping[str, Any],
    request: RealtimeSessionCreateRequest | RealtimeTranscriptionSessionCreateRequest,
) -> dict[str, Any]:
    """The configuration a ``session.update`` makes of ``config`` (to be validated next).

    Raises:
        InvalidRequest: The update is for another kind of session.
    """
    if request.type != config["type"]:
        # The service's wording (seen live for a transcription update to a realtime session).
        raise InvalidRequest(
            f"Passing a {request.type} session update event to a {config['type']} "
            "session is not allowed.",
            code="invalid_value",
            param="session.type",
        )
    return deep_merge(config, request.model_dump(mode="json", exclude_unset=True))


def session_rejection(error: ValidationError) -> InvalidRequest:
    """The live-shaped refusal of an update whose merged session does not validate."""
    problem = error.errors(include_url=False)[0]
    param = ".".join(["session", *(str(part) for part in problem["loc"])])
    return InvalidRequest(
        f"Invalid session configuration: {problem['msg']}", code="invalid_value", param=param
    )


def _default_config(session_id: str, model: str, expires_at: int) -> dict[str, Any]:
    pcm = {"type": "audio/pcm", "rate": 24000}
    return {
        "type": "realtime",
        "object": "realtime.session",
        "id": session_id,
        "model": model,
        "output_modalities": ["audio"],
        "instructions": DEFAULT_INSTRUCTIONS,
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": None,
        "truncation": "auto",
        "prompt": None,
        "expires_at": expires_at,
        "audio": {
            "input": {
                "format": dict(pcm),
                "transcription": None,
                "noise_reduction": None,
                "turn_detection": {
                    "type": "server_vad",
                    "threshold": 0.5,
                    "prefix_padding_ms": 300,
                    "silence_duration_ms": 200,
                    "idle_timeout_ms": None,
                    "create_response": True,
                    "interrupt_response": True,
                },
            },
            "output": {"format": dict(pcm), "voice": "alloy", "speed": 1.0},
        },
        "include": None,
    }


class SessionState:
    """One connection's session configuration.

    Args:
        session_id: The ``sess_…`` id.
        model: The model the client asked for.
        overrides: Changes to the defaults, merged like a ``session.update`` (server option).
        expires_at: When the session ends, in seconds since the epoch on the server's clock
            (a connection's :class:`~openai_realtime.testing.lifetime.SessionLifetime` says);
            ``None``: the service's maximum duration from now, on the real wall clock.

    Raises:
        ValueError: ``overrides`` do not produce a valid session.
    """

    def __init__(
        self,
        session_id: str,
        model: str,
        overrides: Mapping[str, Any] | None = None,
        *,
        expires_at: int | None = None,
    ) -> None:
        if expires_at is None:
            expires_at = math.ceil(clock.wall_time() + DEFAULT_MAX_SESSION_SECONDS)
        config = deep_merge(_default_config(session_id, model, expires_at), overrides or {})
        try:
            self._current = RealtimeSessionCreateResponse.model_validate(config)
        except ValidationError as error:
            raise ValueError(f"invalid session overrides: {error}") from None
        self._config = config

    @property
    def current(self) -> RealtimeSessionCreateResponse:
        """The session as the service shows it (do not modify; use :meth:`snapshot`)."""
        return self._current

    def snapshot(self) -> RealtimeSessionCreateResponse:
        """A copy of the full session, for ``session.created`` / ``session.updated``."""
        return RealtimeSessionCreateResponse.model_validate(self._config)

    def update(
        self, request: RealtimeSessionCreateRequest | RealtimeTranscriptionSessionCreateRequest
    ) -> None:
        """Apply a ``session.update`` partially.

        Args:
            request: The ``session`` of the update event.

        Raises:
            InvalidRequest: The update changes the session type or makes the session invalid;
                nothing is changed then.
        """
        merged = merge_update(self._config, request)
        try:
            validated = RealtimeSessionCreateResponse.model_validate(merged)
        except ValidationError as error:
            raise session_rejection(error) from None
        self._config, self._current = merged, validated

    @property
    def turn_detection(self) -> dict[str, Any] | None:
        """The ``audio.input.turn_detection`` object, or ``None`` when VAD is off."""
        value = self._section("input").get("turn_detection")
        return value if isinstance(value, dict) else None

    @property
    def transcription_model(self) -> str | None:
        """The input transcription model, or ``None`` when transcription is off."""
        transcription = self._section("input").get("transcription")
        return transcription.get("model") if isinstance(transcription, dict) else None

    @property
    def voice(self) -> str | None:
        """The output voice: a built-in voice's name or a custom voice's ``id``."""
        voice = self._section("output").get("voice")
        return voice.get("id") if isinstance(voice, dict) else voice

    @property
    def input_format(self) -> AudioFormat:
        """The format of ``input_audio_buffer.append`` audio."""
        return AudioFormat.from_wire(self._section("input").get("format"))

    @property
    def output_format(self) -> AudioFormat:
        """The format of the audio the server sends."""
        return AudioFormat.from_wire(self._section("output").get("format"))

    def _section(self, direction: str) -> dict[str, Any]:
        audio = self._config.get("audio") or {}
        section = audio.get(direction) if isinstance(audio, dict) else None
        return section if isinstance(section, dict) else {}
