"""Frames as the live API sends them where it deviates from the published schema."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["CUSTOM_VOICE", "FUTURE_VOICE", "response_created", "session_created"]

CUSTOM_VOICE: Final = {"id": "voice_1234"}
"""A custom voice, as live reports it in a session's output audio settings (in the overlay)."""

FUTURE_VOICE: Final = ["marin", "cedar"]
"""A voice shape no schema knows yet (a blend of two voices): how a future change would look."""


def session_created(voice: Any) -> dict[str, Any]:
    """A ``session.created`` as the live API sends it, with the given output voice."""
    return {
        "type": "session.created",
        "event_id": "event_1",
        "session": {
            "type": "realtime",
            "object": "realtime.session",
            "id": "sess_1",
            "model": "gpt-realtime",
            "output_modalities": ["audio"],
            "instructions": "Be brief.",
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "turn_detection": {"type": "server_vad", "threshold": 0.5},
                },
                "output": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "voice": voice,
                    "speed": 1.0,
                },
            },
            "tools": [],
            "tool_choice": "auto",
        },
    }


def response_created(format_type: Any, response_id: str = "resp_1") -> dict[str, Any]:
    """A ``response.created`` whose output audio format has the given ``type``."""
    return {
        "type": "response.created",
        "event_id": "event_2",
        "response": {
            "object": "realtime.response",
            "id": response_id,
            "status": "in_progress",
            "output": [],
            "output_modalities": ["audio"],
            "audio": {"output": {"format": {"type": format_type}, "voice": "marin"}},
        },
    }
