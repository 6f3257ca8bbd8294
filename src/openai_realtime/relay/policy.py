"""What a relay lets a client send upstream: one frame in, a verdict out (no I/O).

A client frame is forwarded only when all of these hold, checked in this order:

==============================  ========================  =====================================
check                           rejection ``code``        ``param``
==============================  ========================  =====================================
frame is text, not binary       ``binary_frame``          none
frame is a valid client event   ``invalid_event``         none
its type is allowed             ``event_not_allowed``     none
it touches no denied field      ``session_field_denied``  ``session.<path>``/``response.<path>``
==============================  ========================  =====================================

Denied fields are checked in ``session.update`` (the session) and in ``response.create`` (the
per-response settings), because a response can override the session's instructions and tools.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from pydantic import BaseModel

from openai_realtime.errors import ConfigurationError, ProtocolError
from openai_realtime.protocol.codec import decode_client_event
from openai_realtime.types import (
    CLIENT_EVENTS,
    ClientEvent,
    ErrorEvent,
    RealtimeErrorDetails,
    RealtimeResponseCreateParams,
    RealtimeSessionCreateRequest,
    RealtimeTranscriptionSessionCreateRequest,
    ResponseCreateEvent,
    SessionUpdateEvent,
)

__all__ = ["BINARY_FRAME_REJECTION", "ClientEventPolicy", "Rejection", "RejectionCode"]

RejectionCode: TypeAlias = Literal[
    "binary_frame", "invalid_event", "event_not_allowed", "session_field_denied"
]
"""Why a client frame was not forwarded; sent to the client as ``error.code``."""

# The OpenAI API reports bad client input with this error type; clients already handle it.
_ERROR_TYPE: Final = "invalid_request_error"

# Every object a denied field path may start in; used to catch typos in the configuration.
_CONFIGURABLE_FIELDS: Final = frozenset(
    name
    for model in (
        RealtimeSessionCreateRequest,
        RealtimeTranscriptionSessionCreateRequest,
        RealtimeResponseCreateParams,
    )
    for name in model.model_fields
)


@dataclass(frozen=True)
class Rejection:
    """Why one client frame was not forwarded.

    Attributes:
        code: The machine-readable reason.
        message: A sentence for the client's developer.
        event_id: The ``event_id`` of the offending event, when the frame carried one.
        param: The denied field, as ``session.<path>`` or ``response.<path>``.
    """

    code: RejectionCode
    message: str
    event_id: str | None = None
    param: str | None = None

    def to_error_event(self) -> ErrorEvent:
        """Build the ``error`` server event that tells the client its frame was dropped.

        Returns:
            An ``ErrorEvent`` with ``error.type`` ``invalid_request_error`` and a fresh
            ``event_id`` of its own.
        """
        details = RealtimeErrorDetails(
            type=_ERROR_TYPE,
            code=self.code,
            message=self.message,
            param=self.param,
            event_id=self.event_id,
        )
        return ErrorEvent(event_id=f"event_relay_{uuid.uuid4().hex}", error=details)


BINARY_FRAME_REJECTION: Final = Rejection(
    "binary_frame", "binary frames are not Realtime events; send each event as a JSON text frame"
)
"""The verdict on every binary client frame: the Realtime API speaks JSON text only."""


class ClientEventPolicy:
    """Decides which client frames a relay forwards upstream.

    Args:
        allowed_client_events: Client event types a client may send; ``None`` allows every
            type.
        denied_session_fields: Fields a client may not set, as dotted paths into the session
            (``"instructions"``, ``"tools"``, ``"audio.output.voice"``). A frame that sets one,
            or sets an enclosing object (even to ``null``), is rejected.

    Raises:
        ConfigurationError: An allowed type is not a client event type, or a denied path does
            not start with a session or response field (both are likely typos).
    """

    def __init__(
        self,
        allowed_client_events: Collection[str] | None = None,
        denied_session_fields: Collection[str] = (),
    ) -> None:
        if allowed_client_events is not None:
            unknown = sorted(set(allowed_client_events) - CLIENT_EVENTS.keys())
            if unknown:
                raise ConfigurationError(f"not client event types: {', '.join(unknown)}")
        self.allowed_client_events = (
            None if allowed_client_events is None else frozenset(allowed_client_events)
        )
        paths = tuple(tuple(field.split(".")) for field in sorted(set(denied_session_fields)))
        unknown = sorted(".".join(path) for path in paths if path[0] not in _CONFIGURABLE_FIELDS)
        if unknown:
            raise ConfigurationError(f"not session or response fields: {', '.join(unknown)}")
        self.denied_session_fields = paths

    def __repr__(self) -> str:
        allowed = None if self.allowed_client_events is None else sorted(self.allowed_client_events)
        denied = [".".join(path) for path in self.denied_session_fields]
        return f"ClientEventPolicy(allowed_client_events={allowed}, denied_session_fields={denied})"

    def check(self, frame: str) -> Rejection | None:
        """Judge one text frame from a client.

        Args:
            frame: The frame exactly as the client sent it.

        Returns:
            ``None`` when the frame may be forwarded unchanged, else the reason it may not.
        """
        try:
            event = decode_client_event(frame)
        except ProtocolError as error:
            return Rejection("invalid_event", str(error), event_id=_event_id_of(frame))
        if self.allowed_client_events is not None and event.type not in self.allowed_client_events:
            return Rejection(
                "event_not_allowed",
                f"this relay does not forward {event.type!r} events",
                event_id=event.event_id,
            )
        return self._check_denied_fields(event)

    def _check_denied_fields(self, event: ClientEvent) -> Rejection | None:
        settings: BaseModel | None
        if isinstance(event, SessionUpdateEvent):
            prefix, settings = "session", event.session
        elif isinstance(event, ResponseCreateEvent):
            prefix, settings = "response", event.response
        else:
            return None
        if settings is None:
            return None
        for path in self.denied_session_fields:
            if _sets_path(settings, path):
                param = ".".join((prefix, *path))
                return Rejection(
                    "session_field_denied",
                    f"this relay does not let clients set {param}",
                    event_id=event.event_id,
                    param=param,
                )
        return None


def _sets_path(settings: BaseModel, path: Sequence[str]) -> bool:
    """True when ``settings`` explicitly sets ``path`` or replaces an object that holds it."""
    node: object = settings
    for name in path:
        if isinstance(node, BaseModel):
            if name not in node.model_fields_set:
                return False
            node = getattr(node, name)
        elif isinstance(node, Mapping):
            if name not in node:
                return False
            node = node[name]
        else:
            # A null or scalar on the way replaces the whole subtree, the denied part with it.
            return True
    return True


def _event_id_of(frame: str) -> str | None:
    """The ``event_id`` of a frame that failed validation, when it still has a readable one."""
    try:
        parsed = json.loads(frame)
    except ValueError:
        return None
    event_id = parsed.get("event_id") if isinstance(parsed, dict) else None
    return event_id if isinstance(event_id, str) else None
