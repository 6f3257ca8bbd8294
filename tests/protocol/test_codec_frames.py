"""The codec's edges: the append encoder's fast path and its safety check, the messages of
malformed frames, and fields a frame carries beyond the schema."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from openai_realtime.errors import ProtocolError
from openai_realtime.protocol.codec import (
    decode_client_event,
    decode_server_event,
    encode_client_event,
    encode_server_event,
    validate_client_event,
)
from openai_realtime.types import (
    InputAudioBufferAppendEvent,
    InputAudioBufferClearEvent,
    UnknownServerEvent,
)

AUDIO = base64.b64encode(bytes(range(256)) * 4).decode("ascii")  # every base64 character


class SerialiserCalls:
    """Counts calls of pydantic's serialiser on append events (it still does the work)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = InputAudioBufferAppendEvent.model_dump_json

        def counted(event: InputAudioBufferAppendEvent, **options: Any) -> str:
            self.count += 1
            return original(event, **options)

        monkeypatch.setattr(InputAudioBufferAppendEvent, "model_dump_json", counted)


@pytest.fixture
def serialiser(monkeypatch: pytest.MonkeyPatch) -> SerialiserCalls:
    return SerialiserCalls(monkeypatch)


def pydantic_frame(event: InputAudioBufferAppendEvent) -> str:
    return event.model_dump_json(exclude_unset=True)


@pytest.mark.parametrize(
    "event",
    [
        InputAudioBufferAppendEvent(audio=AUDIO),
        InputAudioBufferAppendEvent(audio=AUDIO, event_id="evt_1"),
        InputAudioBufferAppendEvent(audio=AUDIO, event_id='évt "quoted" \\ ✓'),
        InputAudioBufferAppendEvent(audio=AUDIO, event_id=None),
        InputAudioBufferAppendEvent(audio=""),
        InputAudioBufferAppendEvent(audio="#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~"),
    ],
    ids=["no-id", "id", "id-needs-escaping", "null-id", "empty", "lowest-safe-codes"],
)
def test_append_fast_path_writes_pydantics_bytes_without_calling_it(
    event: InputAudioBufferAppendEvent, serialiser: SerialiserCalls
) -> None:
    expected = pydantic_frame(event)
    serialiser.count = 0

    frame = encode_client_event(event)

    assert frame == expected
    assert serialiser.count == 0, "a plain append must not go through the general serialiser"
    assert decode_client_event(frame) == event


@pytest.mark.parametrize(
    "audio",
    [
        'AA"AA',  # the quote ends the JSON string
        "AA\\AA",  # a backslash starts an escape
        "AA\nAA",  # control characters must be escaped
        "\x00",
        "AA\x1fAA",
        "AAé",  # not ASCII
        "!",  # 0x21: below the splice threshold, so it takes the safe path
    ],
)
def test_append_whose_audio_needs_escaping_falls_back_to_the_serialiser(
    audio: str, serialiser: SerialiserCalls
) -> None:
    event = InputAudioBufferAppendEvent(audio=audio, event_id="evt_1")
    expected = pydantic_frame(event)
    serialiser.count = 0

    frame = encode_client_event(event)

    assert frame == expected
    assert serialiser.count == 1
    assert json.loads(frame)["audio"] == audio


def test_append_with_extra_fields_keeps_them(serialiser: SerialiserCalls) -> None:
    event = InputAudioBufferAppendEvent(audio=AUDIO, trace={"hop": 1})
    expected = pydantic_frame(event)
    serialiser.count = 0

    frame = encode_client_event(event)

    assert frame == expected
    assert json.loads(frame)["trace"] == {"hop": 1}
    assert serialiser.count == 1


def test_append_given_as_a_mapping_takes_the_fast_path(serialiser: SerialiserCalls) -> None:
    frame = encode_client_event({"type": "input_audio_buffer.append", "audio": AUDIO})

    assert frame == f'{{"type":"input_audio_buffer.append","audio":"{AUDIO}"}}'
    assert serialiser.count == 0


def test_other_client_events_are_written_by_pydantic() -> None:
    event = InputAudioBufferClearEvent(event_id="evt_2")
    assert encode_client_event(event) == '{"event_id":"evt_2","type":"input_audio_buffer.clear"}'


def test_server_event_encoding_writes_only_what_was_set() -> None:
    event = UnknownServerEvent(type="future.event", flag=True)
    assert encode_server_event(event) == '{"type":"future.event","flag":true}'


def first_line(error: pytest.ExceptionInfo[ProtocolError]) -> str:
    return str(error.value).splitlines()[0]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ('{"type": "response.done", ', "server frame is not valid JSON"),
        ("", "server frame is not valid JSON"),
        ('["response.done"]', "server frame is not a JSON object"),
        ("42", "server frame is not a JSON object"),
        ("null", "server frame is not a JSON object"),
        ('{"event_id": "event_1"}', "server frame has no 'type'"),
    ],
)
def test_malformed_server_frame_says_what_is_wrong(frame: str, message: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        decode_server_event(frame)
    assert first_line(raised).startswith(f"{message}: ")
    assert raised.value.raw == frame
    assert raised.value.detail.startswith("  ")


def test_the_detail_names_where_in_the_frame_the_problem_is() -> None:
    with pytest.raises(ProtocolError) as raised:
        decode_client_event('{"type": "input_audio_buffer.append", "audio": 5}')
    assert raised.value.detail.startswith("  input_audio_buffer.append.audio: ")
    with pytest.raises(ProtocolError) as raised:
        decode_client_event("[1]")
    assert raised.value.detail.startswith("  <frame>: ")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("{", "client frame is not valid JSON"),
        ("[]", "client frame is not a JSON object"),
        ('{"audio": "AAAA"}', "client frame has no 'type'"),
        ('{"type": "session.teleport"}', "client frame has an unknown 'type'"),
        ('{"type": "input_audio_buffer.append"}', "client event failed validation"),
    ],
)
def test_malformed_client_frame_says_what_is_wrong(frame: str, message: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        decode_client_event(frame)
    assert first_line(raised).startswith(f"{message}: ")
    assert raised.value.raw == frame


def test_invalid_client_mapping_error_shows_the_mapping() -> None:
    fields = {"type": "input_audio_buffer.append", "audio": 3}
    with pytest.raises(ProtocolError) as raised:
        validate_client_event(fields)
    assert first_line(raised).startswith("client event failed validation: ")
    assert raised.value.raw == repr(fields)


def test_unknown_server_event_keeps_extra_fields_and_round_trips_them() -> None:
    frame = '{"type":"future.thing","event_id":"evt_9","payload":{"n":[1,2]},"flag":null}'

    event = decode_server_event(frame)

    assert type(event) is UnknownServerEvent
    assert event.event_id == "evt_9"
    assert event.model_extra == {"payload": {"n": [1, 2]}, "flag": None}
    assert encode_server_event(event) == frame


def test_unknown_server_event_with_a_malformed_envelope_is_kept_with_its_issue() -> None:
    frame = '{"type": "future.thing", "event_id": 7}'
    event = decode_server_event(frame)
    assert isinstance(event, UnknownServerEvent)
    kept: object = event.event_id  # the raw value, as sent (not the declared str)
    assert (event.type, kept) == ("future.thing", 7)
    assert [issue.path for issue in event.validation_issues] == ["event_id"]
    with pytest.raises(ProtocolError) as raised:
        decode_server_event(frame, strict=True)
    assert raised.value.raw == frame
    assert "event_id" in raised.value.detail


def test_a_known_client_type_is_decoded_to_its_model() -> None:
    event = decode_client_event('{"type": "input_audio_buffer.append", "audio": "AAAA"}')
    assert type(event) is InputAudioBufferAppendEvent
    assert event.audio == "AAAA"
