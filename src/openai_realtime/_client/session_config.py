"""The session configuration a client accumulates, and the ``session.update`` each change needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openai_realtime.protocol.session_options import (
    build_session_patch,
    merge_patch,
    validate_session,
)
from openai_realtime.tools import ToolRegistry
from openai_realtime.types import (
    RealtimeSessionCreateRequest,
    RealtimeSessionCreateResponse,
    RealtimeTranscriptionSessionCreateResponse,
    SessionUpdateEvent,
)

__all__ = ["SessionConfig"]


class SessionConfig:
    """The configuration sent on every connect, kept current by ``update_session``.

    Args:
        tools: The registry whose definitions join the configured ``tools``.
    """

    def __init__(self, tools: ToolRegistry) -> None:
        self._tools = tools
        self._config: dict[str, Any] = {}

    def update(
        self, session: RealtimeSessionCreateRequest | None, options: Mapping[str, Any]
    ) -> SessionUpdateEvent:
        """Merge a change into the configuration.

        Returns:
            The partial ``session.update`` carrying only this change, for a live connection.

        Raises:
            ConfigurationError: An unknown option, or a configuration the schema rejects.
        """
        patch = build_session_patch(session, **options)
        merged = merge_patch(merge_patch({}, self._config), patch)
        validate_session(self._with_tools(merged))
        self._config = merged
        if "tools" in patch:
            patch["tools"] = self._with_tools(merged)["tools"]
        return SessionUpdateEvent(session=validate_session(patch))

    def full_update(self) -> SessionUpdateEvent:
        """The whole configuration, tools included, as one ``session.update``."""
        return SessionUpdateEvent(session=validate_session(self._with_tools(self._config)))

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the whole configuration, tools included, in the GA wire shape."""
        return self.full_update().session.model_dump(mode="json", exclude_unset=True)

    def tools_update(self) -> SessionUpdateEvent:
        """A ``session.update`` of the tool list alone (after a tool was added or removed)."""
        tools = self._with_tools(self._config).get("tools", [])
        return SessionUpdateEvent(session=validate_session({"tools": tools}))

    def turn_detection_type(
        self,
        server_session: RealtimeSessionCreateResponse
        | RealtimeTranscriptionSessionCreateResponse
        | None,
    ) -> str | None:
        """``server_vad`` / ``semantic_vad`` (the server's view first), or ``None`` when off."""
        if server_session is not None and server_session.audio and server_session.audio.input:
            detection = server_session.audio.input.turn_detection
            return detection.type if detection is not None else None
        configured_input = self._config.get("audio", {}).get("input", {})
        if "turn_detection" not in configured_input:
            return "server_vad"  # the service's default
        configured = configured_input["turn_detection"]
        return configured.get("type") if isinstance(configured, Mapping) else None

    def _with_tools(self, config: dict[str, Any]) -> dict[str, Any]:
        registered = self._tools.definitions()
        if not registered:
            return config
        return {**config, "tools": [*config.get("tools", []), *registered]}
