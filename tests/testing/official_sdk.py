"""The fake server's frames judged by the official ``openai`` SDK's own models.

Every frame must validate strictly as one of the SDK's ``RealtimeServerEvent`` models. Those
models accept unknown keys (they keep them in ``model_extra``), so a misnamed field would pass
validation unnoticed: every model in the parsed tree must also have nothing in ``model_extra``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from openai_realtime.testing import FakeRealtimeServer

try:
    from openai.types.realtime import RealtimeServerEvent
except ImportError as error:  # pragma: no cover - the dev extra pins openai
    raise AssertionError("these tests need openai==3.57.0: pip install -e '.[dev]'") from error

__all__ = [
    "LIVE_UNMODELLED",
    "PROXY_VARIABLES",
    "assert_official",
    "clear_proxies",
    "server_frames",
    "unmodelled",
]

_OFFICIAL = TypeAdapter[Any](RealtimeServerEvent)

# What the live service sends that the official models leave unmodelled: the spec's own example
# of session.created (GA) carries the session's `object`, `id` and `expires_at`, which the SDK's
# request-shaped session models do not declare. Nothing else is excused.
LIVE_UNMODELLED = {
    kind: frozenset({"session.object", "session.id", "session.expires_at"})
    for kind in ("session.created", "session.updated")
}

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "WS_PROXY", "WSS_PROXY")
"""Variables that could route a client's request off the machine; the tests clear them."""


def unmodelled(value: Any, path: str = "") -> list[str]:
    """Paths of every key the official models do not declare, anywhere in ``value``."""
    found: list[str] = []
    if isinstance(value, BaseModel):
        found += [f"{path}.{key}" if path else key for key in value.model_extra or {}]
        for name in type(value).model_fields:
            found += unmodelled(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list | tuple):
        for index, element in enumerate(value):
            found += unmodelled(element, f"{path}[{index}]")
    return found


def assert_official(frames: Iterable[str | bytes]) -> list[str]:
    """Validate frames with the official models; returns their event types in order."""
    kinds = []
    for frame in frames:
        assert isinstance(frame, str), f"binary frame from the fake server: {frame!r}"
        event = _OFFICIAL.validate_json(frame, strict=True)
        extra = [
            path for path in unmodelled(event) if path not in LIVE_UNMODELLED.get(event.type, ())
        ]
        assert not extra, f"{event.type} has fields the official SDK does not model: {extra}"
        kinds.append(event.type)
    return kinds


def server_frames(server: FakeRealtimeServer) -> list[str | bytes]:
    """Every frame the fake server sent, over all connections (none may have been dropped)."""
    frames: list[str | bytes] = []
    for record in server.connections:
        assert len(record.sent) == record.sent_count, "raise record_frames to keep every frame"
        frames += record.sent
    return frames


def clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear proxy settings so no client can route a request anywhere but loopback."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
