"""What a relay lets a client send upstream: one frame in, a verdict out (no I/O).

A client frame is forwarded only when all of these hold, checked in this order:

===================================  ==============================  ==========================
check                                rejection ``code``              ``param``
===================================  ==============================  ==========================
frame is text, not binary            ``binary_frame``                none
one JSON object, no repeated key     ``invalid_json``                none
a client event the service accepts   the service's own: ``invalid_   the field, as the service
(schema, known keys, item rules)     value``, ``missing_required_    names it:
                                     parameter``, ``invalid_type``,  ``item.content[0].type``
                                     ``unknown_parameter``, ...
its type is allowed                  ``event_not_allowed``           none
it sets no pinned or denied field    ``session_field_denied``        the field, e.g.
                                                                     ``session.instructions``
===================================  ==============================  ==========================

The third row is :mod:`openai_realtime.protocol.client_frames`, the same judgement the fake
server makes, so a client sees the live service's error before anything is sent upstream.

What is forwarded is the validated event, encoded again: never the client's own bytes, so the
upstream reads exactly what the policy judged. Denied fields are checked in ``session.update``
(the session) and in ``response.create`` (the per-response settings, which can override the
session's). Two rules reach further, through the whole event, derived from the schema:

* with the model pinned, no field called ``model`` anywhere (the session's, the transcription
  model, ...);
* with ``instructions`` denied, no ``prompt`` anywhere and no ``system`` message anywhere (an
  item created, a response's ``input``): both carry instructions by another door.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

from pydantic import BaseModel

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.client_frames import validate_client_fields
from openai_realtime.protocol.codec import encode_client_event
from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.relay._frames import UnreadableFrame, read_json_object
from openai_realtime.relay._reach import fields_set_named, system_messages
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
    "binary_frame", "invalid_json", "event_not_allowed", "session_field_denied"
]
"""The relay's own reasons; an invalid event gets the service's code (``invalid_value``, ...)."""

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
        param: The offending field, relative to the event (``session.instructions``).
    """

    code: RejectionCode | str
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
    """Decides which client frames a relay forwards upstream, and in what form.

    Args:
        allowed_client_events: Client event types a client may send; ``None`` allows every
            type.
        denied_session_fields: Fields a client may not set, as dotted paths into the session
            (``"instructions"``, ``"tools"``, ``"audio.output.voice"``). A frame that sets one,
            or sets an enclosing object (even to ``null``), is rejected. Denying
            ``"instructions"`` also denies ``prompt`` and ``system`` messages everywhere.
        pin_model: Reject every field called ``model``, wherever the schema has one: the relay
            alone chooses models.

    Raises:
        ConfigurationError: An allowed type is not a client event type, or a denied path does
            not start with a session or response field (both are likely typos).
    """

    def __init__(
        self,
        allowed_client_events: Collection[str] | None = None,
        denied_session_fields: Collection[str] = (),
        *,
        pin_model: bool = False,
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
        self.pin_model = pin_model
        names = {"model"} if pin_model else set()
        if ("instructions",) in paths:
            names |= {"instructions", "prompt"}
        self._denied_everywhere = frozenset(names)
        self._deny_system_messages = ("instructions",) in paths

    def __repr__(self) -> str:
        allowed = None if self.allowed_client_events is None else sorted(self.allowed_client_events)
        denied = [".".join(path) for path in self.denied_session_fields]
        return (
            f"ClientEventPolicy(allowed_client_events={allowed}, denied_session_fields={denied}, "
            f"pin_model={self.pin_model})"
        )

    def judge(self, frame: str) -> str | Rejection:
        """Judge one text frame from a client.

        Args:
            frame: The frame exactly as the client sent it.

        Returns:
            The frame to send upstream (the validated event, encoded again), or the reason
            nothing may be sent.
        """
        try:
            fields = read_json_object(frame)
        except UnreadableFrame as error:
            return Rejection("invalid_json", str(error))
        event_id = _event_id_of(fields)
        try:
            event = validate_client_fields(fields)
        except InvalidRequest as refused:
            return Rejection(refused.code, refused.message, refused.event_id, refused.param)
        if self.allowed_client_events is not None and event.type not in self.allowed_client_events:
            return Rejection(
                "event_not_allowed",
                f"this relay does not forward {event.type!r} events",
                event_id=event_id,
            )
        denied = self._denied_field(event)
        if denied is not None:
            return Rejection(
                "session_field_denied",
                f"this relay does not let clients set {denied}",
                event_id=event_id,
                param=denied,
            )
        return encode_client_event(event)

    def check(self, frame: str) -> Rejection | None:
        """Judge one text frame from a client, without encoding what would be forwarded.

        Args:
            frame: The frame exactly as the client sent it.

        Returns:
            ``None`` when the frame may be forwarded, else the reason it may not.
        """
        verdict = self.judge(frame)
        return verdict if isinstance(verdict, Rejection) else None

    def _denied_field(self, event: ClientEvent) -> str | None:
        """The first pinned or denied field the event sets, as a path; ``None`` if none."""
        everywhere = fields_set_named(event, self._denied_everywhere)
        if self._deny_system_messages:
            everywhere += [f"{path}.role" for path in system_messages(event)]
        if everywhere:
            return everywhere[0]
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
                return ".".join((prefix, *path))
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


def _event_id_of(fields: Mapping[str, Any]) -> str | None:
    """The ``event_id`` of a frame, when it has a readable one (even if it failed validation)."""
    event_id = fields.get("event_id")
    return event_id if isinstance(event_id, str) else None
