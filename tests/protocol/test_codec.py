"""Tests for openai_realtime.protocol.codec: frames to typed events and back."""

from __future__ import annotations

import base64
import json
import types
import typing
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel
from typing_extensions import TypeAliasType

from openai_realtime._models import RealtimeModel
from openai_realtime.errors import ProtocolError
from openai_realtime.protocol.audio import decode_base64
from openai_realtime.protocol.codec import (
    decode_client_event,
    decode_server_event,
    encode_client_event,
    encode_server_event,
)
from openai_realtime.types import (
    CLIENT_EVENTS,
    SERVER_EVENTS,
    InputAudioBufferAppendEvent,
    RealtimeSessionCreateRequest,
    RealtimeSessionCreateRequestAudio,
    RealtimeSessionCreateRequestAudioInput,
    ResponseOutputAudioDeltaEvent,
    ResponseOutputTextDeltaEvent,
    SessionUpdateEvent,
    UnknownServerEvent,
)

_SCALARS: dict[Any, Any] = {str: "x", int: 0, float: 0.0, bool: False}


def minimal_value(annotation: Any) -> Any:
    """The smallest JSON value that validates against a field annotation."""
    if isinstance(annotation, TypeAliasType):
        return minimal_value(annotation.__value__)
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return minimal_value(arguments[0])
    if origin is typing.Literal:
        return arguments[0]
    if origin in (typing.Union, types.UnionType):
        return minimal_value(next(arg for arg in arguments if arg is not type(None)))
    if origin is list:
        return []
    if origin is dict or annotation is dict:
        return {}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return minimal_payload(annotation)
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    raise NotImplementedError(f"no minimal value for {annotation!r}")


def minimal_payload(model: type[BaseModel]) -> dict[str, Any]:
    """A payload that sets the model's required fields and its tags.

    Tags (``type``, and ``role`` on messages) have defaults, but a discriminated union can only
    pick the model when the tag is in the payload.
    """
    return {
        field.alias or name: minimal_value(field.annotation)
        for name, field in model.model_fields.items()
        if field.is_required() or typing.get_origin(field.annotation) is typing.Literal
    }


def minimal_event(model: type[RealtimeModel]) -> RealtimeModel:
    return model.model_validate(minimal_payload(model))


@pytest.mark.parametrize("event_type", sorted(SERVER_EVENTS))
def test_every_server_event_round_trips(event_type: str) -> None:
    event = minimal_event(SERVER_EVENTS[event_type])
    frame = encode_server_event(event)  # type: ignore[arg-type]

    decoded = decode_server_event(frame)

    assert type(decoded) is SERVER_EVENTS[event_type]
    assert decoded == event
    assert encode_server_event(decoded) == frame
    assert json.loads(frame)["type"] == event_type


@pytest.mark.parametrize("event_type", sorted(CLIENT_EVENTS))
def test_every_client_event_round_trips(event_type: str) -> None:
    event = minimal_event(CLIENT_EVENTS[event_type])
    frame = encode_client_event(event)  # type: ignore[arg-type]

    decoded = decode_client_event(frame)

    assert type(decoded) is CLIENT_EVENTS[event_type]
    assert decoded == event
    assert encode_client_event(decoded) == frame
    assert encode_client_event(json.loads(frame)) == frame


def test_unknown_server_event_type_keeps_every_field() -> None:
    frame = '{"type": "response.telepathy.delta", "event_id": "event_1", "thought": {"depth": 3}}'

    event = decode_server_event(frame)

    assert isinstance(event, UnknownServerEvent)
    assert (event.type, event.event_id) == ("response.telepathy.delta", "event_1")
    assert event.model_extra == {"thought": {"depth": 3}}
    assert json.loads(encode_server_event(event)) == json.loads(frame)


MALFORMED_FRAMES: list[str | bytes] = [
    '{"type": "response.done", ',  # not JSON
    "",
    '["response.done"]',  # JSON, not an object
    '"response.done"',
    "42",
    "null",
    '{"event_id": "event_1"}',  # no type
    '{"type": 5, "event_id": "event_1"}',  # type not a string
    '{"type": null}',
    b'{"type": "response.done", "x": "\xff"}',  # not UTF-8
    b"\xff\xfe",
]
# Known types whose payload fails validation: delivered leniently, refused only when strict.
INVALID_PAYLOADS: list[str] = [
    '{"type": "response.done", "event_id": "event_1"}',  # payload missing
    '{"type": "response.output_text.delta", "event_id": "e", "delta": 5}',
]


@pytest.mark.parametrize("frame", MALFORMED_FRAMES)
@pytest.mark.parametrize("strict", [False, True])
def test_malformed_server_frame_is_a_protocol_error_carrying_the_frame(
    frame: str | bytes, strict: bool
) -> None:
    with pytest.raises(ProtocolError) as raised:
        decode_server_event(frame, strict=strict)
    assert raised.value.raw == frame


@pytest.mark.parametrize("frame", INVALID_PAYLOADS)
def test_strict_decoding_refuses_a_known_event_that_fails_validation(frame: str) -> None:
    event = decode_server_event(frame)
    assert type(event) is SERVER_EVENTS[json.loads(frame)["type"]]
    assert event.validation_issues
    with pytest.raises(ProtocolError) as raised:
        decode_server_event(frame, strict=True)
    assert raised.value.raw == frame


@pytest.mark.parametrize(
    "frame", [*MALFORMED_FRAMES, *INVALID_PAYLOADS, '{"type": "session.teleport"}']
)
def test_malformed_or_unknown_client_frame_is_a_protocol_error(frame: str | bytes) -> None:
    with pytest.raises(ProtocolError) as raised:
        decode_client_event(frame)
    assert raised.value.raw == frame


def test_long_frame_is_shortened_in_the_message_but_kept_whole_on_the_error() -> None:
    frame = json.dumps({"type": "response.output_audio.delta", "delta": "A" * 10_000})
    with pytest.raises(ProtocolError) as raised:
        decode_server_event(frame, strict=True)
    assert raised.value.raw == frame
    assert len(str(raised.value).splitlines()[0]) < 300


@pytest.mark.parametrize(
    "mapping",
    [
        {"type": "session.update"},  # session missing
        {"type": "input_audio_buffer.append", "audio": 3},
        {"type": "session.teleport"},
        {"audio": "AAAA"},
    ],
)
def test_encoding_an_invalid_mapping_is_a_protocol_error(mapping: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        encode_client_event(mapping)


def test_encoding_a_valid_mapping_validates_and_keeps_it_minimal() -> None:
    frame = encode_client_event({"type": "input_audio_buffer.append", "audio": "AAAA"})
    assert json.loads(frame) == {"type": "input_audio_buffer.append", "audio": "AAAA"}


def test_partial_session_update_stays_partial() -> None:
    event = SessionUpdateEvent(session=RealtimeSessionCreateRequest(instructions="Be brief."))
    assert json.loads(encode_client_event(event)) == {
        "type": "session.update",
        "session": {"type": "realtime", "instructions": "Be brief."},
    }


def test_explicit_none_is_sent_as_null() -> None:
    no_vad = RealtimeSessionCreateRequestAudioInput(turn_detection=None)
    event = SessionUpdateEvent(
        session=RealtimeSessionCreateRequest(audio=RealtimeSessionCreateRequestAudio(input=no_vad))
    )
    expected = {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
    }
    assert json.loads(encode_client_event(event)) == expected
    assert json.loads(encode_client_event(expected)) == expected


_ID = st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12)


@given(delta=st.text(), item_id=_ID)
def test_text_delta_round_trips_any_unicode(delta: str, item_id: str) -> None:
    event = ResponseOutputTextDeltaEvent(
        event_id="event_1",
        response_id="resp_1",
        item_id=item_id,
        output_index=0,
        content_index=0,
        delta=delta,
    )
    decoded = decode_server_event(encode_server_event(event))
    assert decoded == event
    decoded_bytes = decode_server_event(encode_server_event(event).encode("utf-8"))
    assert decoded_bytes == event


@given(audio=st.binary(max_size=4096))
def test_audio_delta_round_trips_any_bytes(audio: bytes) -> None:
    event = ResponseOutputAudioDeltaEvent(
        event_id="event_1",
        response_id="resp_1",
        item_id="item_1",
        output_index=0,
        content_index=0,
        delta=base64.b64encode(audio).decode("ascii"),
    )
    decoded = decode_server_event(encode_server_event(event))
    assert isinstance(decoded, ResponseOutputAudioDeltaEvent)
    assert base64.b64decode(decoded.delta) == audio
    if len(audio) % 2 == 0:
        assert np.array_equal(decode_base64(decoded.delta), np.frombuffer(audio, dtype="<i2"))


@given(audio=st.binary(max_size=4096))
def test_audio_append_round_trips_any_bytes(audio: bytes) -> None:
    event = InputAudioBufferAppendEvent(audio=base64.b64encode(audio).decode("ascii"))
    decoded = decode_client_event(encode_client_event(event))
    assert isinstance(decoded, InputAudioBufferAppendEvent)
    assert base64.b64decode(decoded.audio) == audio


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(
    name=st.from_regex(r"\Afuture\.[a-z_]{1,12}(\.[a-z_]{1,12})?\Z"),
    extras=st.dictionaries(st.text().filter(lambda key: key not in ("type", "event_id")), _JSON),
)
def test_unknown_events_keep_arbitrary_extras(name: str, extras: dict[str, Any]) -> None:
    frame = json.dumps({"type": name, **extras})
    event = decode_server_event(frame)
    assert isinstance(event, UnknownServerEvent)
    assert event.model_extra == extras
    assert json.loads(encode_server_event(event)) == {"type": name, **extras}
