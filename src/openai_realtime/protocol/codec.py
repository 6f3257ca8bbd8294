"""Frames to typed events and back, for both directions.

Decoding validates the raw frame text straight into the discriminated union (pydantic's
``validate_json``: no intermediate ``dict``), which is both the strictest and the fastest path.
Encoding writes only the fields that were set (``exclude_unset``), so what the caller wrote is
what goes on the wire.

Outcomes of :func:`decode_server_event`:

============================================  ==========================================
frame                                         result
============================================  ==========================================
valid event of a known type                   the typed model (e.g. ``ResponseDoneEvent``)
JSON object with an unknown string ``type``   ``UnknownServerEvent`` (forward compatible)
known type, payload fails validation          ``ProtocolError``
not JSON, not an object, no ``type``          ``ProtocolError``
============================================  ==========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from openai_realtime._models import RealtimeModel
from openai_realtime.errors import ProtocolError
from openai_realtime.types import ClientEvent, ServerEvent, UnknownServerEvent

__all__ = [
    "decode_client_event",
    "decode_server_event",
    "encode_client_event",
    "encode_server_event",
    "validate_client_event",
]

_SERVER: Final = TypeAdapter[ServerEvent](ServerEvent)
_CLIENT: Final = TypeAdapter[ClientEvent](ClientEvent)


def _is_unknown_type(error: ValidationError) -> bool:
    """True when the only problem is a top-level ``type`` the union does not list."""
    details = error.errors(include_url=False)
    return len(details) == 1 and details[0]["type"] == "union_tag_invalid" and not details[0]["loc"]


def _protocol_error(direction: str, frame: str | bytes, error: ValidationError) -> ProtocolError:
    details = error.errors(include_url=False, include_input=False)
    kind = details[0]["type"] if details else ""
    if kind == "json_invalid":
        message = f"{direction} frame is not valid JSON"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"{direction} frame is not a JSON object"
    elif kind == "union_tag_not_found":
        message = f"{direction} frame has no 'type'"
    elif kind == "union_tag_invalid":
        message = f"{direction} frame has an unknown 'type'"
    else:
        message = f"{direction} event failed validation"
    detail = "\n".join(
        f"  {'.'.join(str(part) for part in d['loc']) or '<frame>'}: {d['msg']}" for d in details
    )
    return ProtocolError(message, raw=frame, detail=detail)


def decode_server_event(frame: str | bytes) -> ServerEvent | UnknownServerEvent:
    """Decode one server frame into its typed event.

    Args:
        frame: The text of one WebSocket message (``bytes`` are read as UTF-8 JSON).

    Returns:
        The typed event, or ``UnknownServerEvent`` when its ``type`` is not one we know.

    Raises:
        ProtocolError: The frame is not JSON, not an object, has no ``type``, or a known event
            fails validation. The exception carries the whole frame in ``raw``.
    """
    try:
        return _SERVER.validate_json(frame)
    except ValidationError as error:
        if _is_unknown_type(error):
            try:
                return UnknownServerEvent.model_validate_json(frame)
            except ValidationError as fallback_error:
                raise _protocol_error("server", frame, fallback_error) from None
        raise _protocol_error("server", frame, error) from None


def decode_client_event(frame: str | bytes) -> ClientEvent:
    """Decode one client frame (what a server or relay receives).

    Raises:
        ProtocolError: The frame is not a valid client event; unknown types included, since a
            server must reject what it cannot handle.
    """
    try:
        return _CLIENT.validate_json(frame)
    except ValidationError as error:
        raise _protocol_error("client", frame, error) from None


def validate_client_event(fields: Mapping[str, Any]) -> ClientEvent:
    """Validate a mapping into its typed client event; only the given fields count as set.

    Raises:
        ProtocolError: The mapping is not a valid client event.
    """
    try:
        return _CLIENT.validate_python(fields)
    except ValidationError as error:
        raise _protocol_error("client", repr(dict(fields)), error) from None


def encode_client_event(event: ClientEvent | Mapping[str, Any]) -> str:
    """Encode a client event as minimal wire JSON.

    Args:
        event: A typed client event, or a mapping with a ``type``; a mapping is validated first.

    Returns:
        JSON text with only the fields that were set; ``type`` is always present.

    Raises:
        ProtocolError: The mapping is not a valid client event (nothing should be sent).
    """
    if not isinstance(event, RealtimeModel):
        event = validate_client_event(event)
    return event.model_dump_json(exclude_unset=True)


def encode_server_event(event: ServerEvent | UnknownServerEvent) -> str:
    """Encode a server event as minimal wire JSON (for the fake server and the relay)."""
    return event.model_dump_json(exclude_unset=True)
