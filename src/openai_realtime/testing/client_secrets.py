"""``POST /v1/realtime/client_secrets`` on the fake server: ephemeral ``ek_`` secrets.

A secret is minted with a session configuration (realtime or transcription) and a lifetime
(``expires_after.seconds``, 10 to 7200, default 600, anchored at creation as the service does).
Until it expires, a WebSocket that presents it as its key is accepted and starts with that
session configuration (a transcription secret opens a transcription session); after, it is
refused like a bad key. Expiry reads :func:`openai_realtime.testing.clock.wall_time`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import Field, TypeAdapter, ValidationError

from openai_realtime.protocol.client_frames import refuse_unknown_parameters, validation_rejection
from openai_realtime.protocol.rejections import (
    InvalidRequest,
    integer_in_range,
    invalid_type,
    invalid_value,
    json_request_body,
    unknown_parameter_error,
)
from openai_realtime.testing import clock
from openai_realtime.testing.session import DEFAULT_MODEL, SessionState, deep_merge
from openai_realtime.testing.transcription import TranscriptionSession
from openai_realtime.types import (
    RealtimeSessionCreateRequest,
    RealtimeTranscriptionSessionCreateRequest,
)

__all__ = ["SECRET_PREFIX", "ClientSecretStore", "MintedSecret"]

SECRET_PREFIX: Final = "ek_"
_DEFAULT_SECONDS: Final = 600
_MIN_SECONDS: Final = 10
_MAX_SECONDS: Final = 7200
_SESSION: Final = TypeAdapter[
    RealtimeSessionCreateRequest | RealtimeTranscriptionSessionCreateRequest
](
    Annotated[
        RealtimeSessionCreateRequest | RealtimeTranscriptionSessionCreateRequest,
        Field(discriminator="type"),
    ]
)
_REQUEST_FIELDS: Final = frozenset({"expires_after", "session"})


@dataclass(frozen=True)
class MintedSecret:
    """One minted secret.

    Attributes:
        value: The ``ek_…`` secret.
        expires_at: When it stops opening sessions (seconds since the epoch).
        model: The session's model.
        session: The session configuration it carries, as a ``session.update`` would merge it.
    """

    value: str
    expires_at: int
    model: str
    session: Mapping[str, Any]

    @classmethod
    def mint(cls, seconds: int, model: str, session: Mapping[str, Any]) -> MintedSecret:
        """A new secret for ``session`` that expires ``seconds`` from now (the fake's clock)."""
        return cls(
            value=SECRET_PREFIX + secrets.token_hex(16),
            expires_at=int(clock.wall_time()) + seconds,
            model=model,
            session=session,
        )


class ClientSecretStore:
    """The secrets one fake server has minted.

    Args:
        server_session: The server's own session changes, under each secret's configuration.
    """

    def __init__(self, server_session: Mapping[str, Any] | None) -> None:
        self._server_session = dict(server_session or {})
        self._secrets: dict[str, MintedSecret] = {}

    def mint(self, body: str) -> dict[str, Any]:
        """Mint a secret from a request body.

        Args:
            body: The JSON request body.

        Returns:
            The response body: ``value``, ``expires_at`` and the full ``session``.

        Raises:
            InvalidRequest: The body is not valid, worded as the service words it.
        """
        request = json_request_body(body)
        unknown = next((name for name in request if name not in _REQUEST_FIELDS), None)
        if unknown is not None:
            raise unknown_parameter_error(unknown)
        seconds = _lifetime(request.get("expires_after") or {})
        changes = _session_changes(request.get("session") or {"type": "realtime"})
        session_id = "sess_" + secrets.token_hex(10)
        if changes.get("type") == "transcription":
            # A transcription secret carries its own session, not the server's realtime changes.
            model, session = DEFAULT_MODEL, changes
            snapshot = _transcription_snapshot(session_id, session)
        else:
            model = str(changes.pop("model", None) or DEFAULT_MODEL)
            session = deep_merge(self._server_session, changes)
            snapshot = _realtime_snapshot(session_id, model, session)
        secret = MintedSecret.mint(seconds, model, session)
        self._secrets[secret.value] = secret
        return {"value": secret.value, "expires_at": secret.expires_at, "session": snapshot}

    def valid(self, value: str) -> MintedSecret | None:
        """The secret ``value`` names, if this server minted it and it has not expired."""
        secret = self._secrets.get(value)
        if secret is None or clock.wall_time() >= secret.expires_at:
            return None
        return secret


def _lifetime(expires_after: Any) -> int:
    if not isinstance(expires_after, dict):
        raise invalid_type("expires_after", "an object")
    anchor = expires_after.get("anchor", "created_at")
    if anchor != "created_at":
        raise invalid_value("expires_after.anchor", anchor, ["created_at"])
    seconds = expires_after.get("seconds", _DEFAULT_SECONDS)
    return integer_in_range("expires_after.seconds", seconds, _MIN_SECONDS, _MAX_SECONDS)


def _realtime_snapshot(session_id: str, model: str, session: Mapping[str, Any]) -> Any:
    try:
        state = SessionState(session_id, model, session)
    except ValueError as error:
        raise InvalidRequest(str(error), code="invalid_value", param="session") from None
    return state.snapshot().model_dump(mode="json", exclude_unset=True)


def _transcription_snapshot(session_id: str, session: Mapping[str, Any]) -> Any:
    try:
        state = TranscriptionSession(session_id, session)
    except ValueError as error:
        raise InvalidRequest(str(error), code="invalid_value", param="session") from None
    return state.snapshot().model_dump(mode="json", exclude_unset=True)


def _session_changes(session: Any) -> dict[str, Any]:
    """The session of the request (realtime or transcription), validated."""
    data = {"session": session}
    try:
        typed = _SESSION.validate_python(
            {"type": "realtime", **session} if isinstance(session, dict) else session
        )
    except ValidationError as error:
        raise validation_rejection(data, error.errors(include_url=False), "session") from None
    refuse_unknown_parameters(typed, "session")
    return typed.model_dump(mode="json", exclude_unset=True)
