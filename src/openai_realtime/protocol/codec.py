"""Frames to typed events and back, for both directions: a tolerant reader, a strict writer.

Decoding validates the raw frame text straight into the discriminated union (pydantic's
``validate_json``: no intermediate ``dict``), which is both the strictest and the fastest path.
Only when that fails for an event whose ``type`` we know does the tolerant reader
(:mod:`openai_realtime.protocol.tolerant`) rebuild it: the event keeps its class, every part that
validates is typed, the smallest parts that do not are kept as raw JSON and listed in
``event.validation_issues`` (logged once per event type and path at WARNING, logger
``openai_realtime.protocol.codec``). The live API grows faster than the published schema, and an
event must not be lost for a detail the application may never read. ``strict=True`` raises
instead, for tests that want to see every deviation.

Encoding writes only the fields that were set (``exclude_unset``), so what the caller wrote is
what goes on the wire. Client events are always validated strictly: nothing malformed is sent.
``input_audio_buffer.append``, sent many times a second with up to 15 MiB of base64 in it, has a
faster encoder that writes the same text (see :func:`_encode_append`).

Outcomes of :func:`decode_server_event`:

============================================  ==========================================
frame                                         result
============================================  ==========================================
valid event of a known type                   the typed model (e.g. ``ResponseDoneEvent``),
                                              ``validation_issues == ()``
known type, payload fails validation          the same class, failing parts raw, listed in
                                              ``validation_issues`` (``strict=True``:
                                              ``ProtocolError``)
JSON object with an unknown string ``type``   ``UnknownServerEvent`` (forward compatible)
not JSON, not an object, no string ``type``   ``ProtocolError``
============================================  ==========================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from pydantic import ConfigDict, TypeAdapter, ValidationError

from openai_realtime._models import RealtimeModel, ValidationIssue
from openai_realtime.errors import ProtocolError
from openai_realtime.protocol.tolerant import rebuild_event, rebuilt_to_json
from openai_realtime.types import (
    SERVER_EVENTS,
    ClientEvent,
    InputAudioBufferAppendEvent,
    ServerEvent,
    UnknownServerEvent,
)
from openai_realtime.types.translation import TRANSLATION_SERVER_EVENTS, TranslationServerEvent

__all__ = [
    "ValidationIssue",
    "decode_client_event",
    "decode_server_event",
    "decode_translation_event",
    "encode_client_event",
    "encode_server_event",
    "validate_client_event",
]

_SERVER: Final = TypeAdapter[ServerEvent](ServerEvent)
# Built on first use: a program that sends nothing yet, or never translates, does not pay for
# these unions at import.
_ON_FIRST_USE: Final = ConfigDict(defer_build=True)
_CLIENT: Final = TypeAdapter[ClientEvent](ClientEvent, config=_ON_FIRST_USE)
_TRANSLATION: Final = TypeAdapter[TranslationServerEvent](
    TranslationServerEvent, config=_ON_FIRST_USE
)

# Text is spliced into a frame only if every code is at least this: that rules out the controls
# JSON must escape and '"' (0x22), and rules in every base64 character ('+' is 0x2B).
_SPLICE_MIN_CODE: Final = 0x23
# Writes JSON values as pydantic does (non-ASCII as is); built once, as json.dumps with options
# would build an encoder on every call.
_json_value: Final = json.JSONEncoder(ensure_ascii=False).encode
_APPEND_FIELDS_WITHOUT_ID: Final = frozenset({"type", "audio"})
_APPEND_FIELDS_WITH_ID: Final = _APPEND_FIELDS_WITHOUT_ID | {"event_id"}


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


def decode_server_event(
    frame: str | bytes, *, strict: bool = False
) -> ServerEvent | UnknownServerEvent:
    """Decode one server frame into its typed event.

    Args:
        frame: The text of one WebSocket message (``bytes`` are read as UTF-8 JSON).
        strict: Raise ``ProtocolError`` when an event of a known type fails validation, instead
            of delivering it with the failing parts raw.

    Returns:
        The typed event, or ``UnknownServerEvent`` when its ``type`` is not one we know. When
        part of the payload did not validate, the parts kept raw are listed in the event's
        ``validation_issues`` (empty for a valid event).

    Raises:
        ProtocolError: The frame is not JSON, not an object or has no string ``type`` (or, with
            ``strict``, an event fails validation). The exception carries the frame in ``raw``.
    """
    try:
        return _SERVER.validate_json(frame)
    except ValidationError as error:
        return _recover(frame, error, SERVER_EVENTS, strict=strict)


def decode_translation_event(
    frame: str | bytes, *, strict: bool = False
) -> TranslationServerEvent | UnknownServerEvent:
    """Decode one server frame of the translation channel, as :func:`decode_server_event` does.

    Its events have their own classes (``TranslationSessionCreatedEvent``, ...), so a
    translation connection decodes with this instead.

    Returns:
        The typed event, ``UnknownServerEvent`` for a type the channel does not define.

    Raises:
        ProtocolError: As for :func:`decode_server_event`.
    """
    try:
        return _TRANSLATION.validate_json(frame)
    except ValidationError as error:
        return _recover(frame, error, TRANSLATION_SERVER_EVENTS, strict=strict)  # type: ignore[return-value]


def _recover(
    frame: str | bytes,
    error: ValidationError,
    registry: Mapping[str, type[RealtimeModel]],
    *,
    strict: bool,
) -> ServerEvent | UnknownServerEvent:
    """What a server frame that failed validation still is: an event of a type not in
    ``registry``, or (unless ``strict``) the event with its failing parts kept raw.

    Raises:
        ProtocolError: The frame is no event at all, or ``strict`` and it failed validation.
    """
    if _is_unknown_type(error):
        try:
            return UnknownServerEvent.model_validate_json(frame)
        except ValidationError as fallback_error:
            error = fallback_error
    if not strict:
        event = _tolerate(frame, error, registry)
        if event is not None:
            return event
    raise _protocol_error("server", frame, error) from None


def _tolerate(
    frame: str | bytes,
    error: ValidationError,
    registry: Mapping[str, type[RealtimeModel]],
) -> ServerEvent | UnknownServerEvent | None:
    """The event rebuilt around what failed, or ``None`` when the frame is no event at all."""
    # An error about the frame as a whole (not JSON, not an object, no usable `type`) has no
    # location; a payload problem always has one.
    if any(not detail["loc"] for detail in error.errors(include_url=False, include_input=False)):
        return None
    try:
        data = json.loads(frame)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return None
    model = registry.get(data["type"], UnknownServerEvent)
    return rebuild_event(model, data)  # type: ignore[return-value]


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
    if type(event) is InputAudioBufferAppendEvent:
        frame = _encode_append(event)
        if frame is not None:
            return frame
    return event.model_dump_json(exclude_unset=True)


def _encode_append(event: InputAudioBufferAppendEvent) -> str | None:
    """The frame ``model_dump_json(exclude_unset=True)`` would write, written faster.

    Pydantic's serialiser scans every character of a string for ones to escape, which for one
    second of audio (64,000 base64 characters) costs as much as the base64 encoding itself. Base64
    never needs escaping, so when a vectorised check confirms that, the audio is spliced into the
    frame as it is.

    Returns:
        The frame, or ``None`` when the event has extra fields or its audio needs escaping (then
        the general encoder must write it).
    """
    fields = event.model_fields_set
    if event.model_extra or fields not in (_APPEND_FIELDS_WITH_ID, _APPEND_FIELDS_WITHOUT_ID):
        return None
    audio = event.audio
    if not _needs_no_escaping(audio):
        return None
    # Field order is the model's (event_id, type, audio), as pydantic writes it.
    event_id = f'"event_id":{_json_value(event.event_id)},' if "event_id" in fields else ""
    return f'{{{event_id}"type":"input_audio_buffer.append","audio":"{audio}"}}'


def _needs_no_escaping(text: str) -> bool:
    """True when ``text`` can go into a JSON string as it is (always true of base64).

    ``isascii`` is O(1) and the rest is one vectorised pass, about ten times faster than the
    serialiser's character-by-character scan.
    """
    if not text.isascii() or "\\" in text:
        return False
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return len(codes) == 0 or int(codes.min()) >= _SPLICE_MIN_CODE


def encode_server_event(event: ServerEvent | UnknownServerEvent) -> str:
    """Encode a server event as minimal wire JSON (for the fake server and the relay).

    A rebuilt event (non-empty ``validation_issues``) is written with its raw parts as they
    came, so it round-trips to the same JSON.
    """
    if event.validation_issues:
        return rebuilt_to_json(event)
    return event.model_dump_json(exclude_unset=True)
