"""The tolerant reader on the deviations seen live, and its contract around them.

The property over every field path of every event is in ``test_tolerant_corpus.py``; this module
pins the known cases (a custom voice object, a ``null`` format type), what is recorded and
logged, the strict option, and what stays an error.
"""

from __future__ import annotations

import json
import logging
from typing import Final

import pytest
from live_deviations import CUSTOM_VOICE, FUTURE_VOICE, response_created, session_created

from openai_realtime.errors import ProtocolError
from openai_realtime.protocol import (
    RealtimeModel,
    ValidationIssue,
    decode_client_event,
    decode_server_event,
    encode_server_event,
    tolerant,
    validate_client_event,
)
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.types import (
    RealtimeResponse,
    RealtimeResponseAudioOutput,
    RealtimeSessionCreateResponse,
    ResponseCreatedEvent,
    ResponseOutputTextDeltaEvent,
    SessionCreatedEvent,
    UnknownServerEvent,
)

LOGGER: Final = "openai_realtime.protocol.codec"


pytestmark = pytest.mark.usefixtures("fresh_log_memory")


def test_the_custom_voice_object_live_sends_is_modelled_by_the_overlay() -> None:
    event = decode_server_event(json.dumps(session_created(CUSTOM_VOICE)), strict=True)

    assert isinstance(event, SessionCreatedEvent)
    assert event.validation_issues == ()
    assert isinstance(event.session, RealtimeSessionCreateResponse)
    assert event.session.audio is not None and event.session.audio.output is not None
    voice = event.session.audio.output.voice
    assert isinstance(voice, RealtimeModel)
    assert voice.model_dump(exclude_unset=True) == CUSTOM_VOICE


def test_an_unknown_voice_shape_keeps_the_rest_of_the_session_typed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frame = json.dumps(session_created(FUTURE_VOICE))

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        event = decode_server_event(frame)

    assert isinstance(event, SessionCreatedEvent)
    assert isinstance(event.session, RealtimeSessionCreateResponse)
    assert event.session.instructions == "Be brief."
    assert event.session.audio is not None and event.session.audio.output is not None
    assert event.session.audio.output.speed == 1.0
    assert event.session.audio.output.format is not None
    assert event.session.audio.output.format.type == "audio/pcm"
    voice: object = event.session.audio.output.voice
    assert voice == FUTURE_VOICE
    assert [issue.path for issue in event.validation_issues] == ["session.audio.output.voice"]
    assert event.validation_issues[0].loc == ("session", "audio", "output", "voice")
    assert event.validation_issues[0].message
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "session.created" in warnings[0].getMessage()
    assert "session.audio.output.voice" in warnings[0].getMessage()


def test_the_same_deviation_is_logged_once_per_event_type_and_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frame = json.dumps(response_created(format_type=["once"], response_id="resp_once"))
    other = json.dumps({**json.loads(frame), "type": "response.done"})

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for _ in range(3):
            decode_server_event(frame)
        decode_server_event(other)

    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert [m.split(":")[0] for m in messages] == ["response.created", "response.done"]


def test_a_null_format_type_keeps_the_format_raw_and_the_response_typed() -> None:
    event = decode_server_event(json.dumps(response_created(format_type=None)))

    assert isinstance(event, ResponseCreatedEvent)
    assert isinstance(event.response, RealtimeResponse)
    assert (event.response.id, event.response.status) == ("resp_1", "in_progress")
    assert event.response.audio is not None
    assert isinstance(event.response.audio.output, RealtimeResponseAudioOutput)
    assert event.response.audio.output.voice == "marin"
    audio_format: object = event.response.audio.output.format
    assert audio_format == {"type": None}
    assert [issue.path for issue in event.validation_issues] == ["response.audio.output.format"]


def test_a_rebuilt_event_writes_back_exactly_the_wire_json() -> None:
    wire = response_created(format_type=None)
    wire["response"]["future_field"] = {"nested": [1, 2]}

    event = decode_server_event(json.dumps(wire))

    assert isinstance(event, ResponseCreatedEvent)
    assert json.loads(encode_server_event(event)) == wire
    assert event.response.model_extra == {"future_field": {"nested": [1, 2]}}


def test_a_missing_required_field_is_none_and_not_set() -> None:
    event = decode_server_event('{"type": "response.output_text.delta", "delta": "Hi"}')

    assert isinstance(event, ResponseOutputTextDeltaEvent)
    assert event.delta == "Hi"
    assert event.item_id is None and "item_id" not in event.model_fields_set
    missing = {issue.path for issue in event.validation_issues}
    assert missing == {"event_id", "response_id", "item_id", "output_index", "content_index"}
    assert {issue.message for issue in event.validation_issues} == {"Field required"}
    assert json.loads(encode_server_event(event)) == {
        "type": "response.output_text.delta",
        "delta": "Hi",
    }


def test_a_valid_event_has_no_issues_and_issues_are_not_fields() -> None:
    event = decode_server_event(json.dumps(session_created("marin")))
    rebuilt = decode_server_event(json.dumps(session_created(FUTURE_VOICE)))

    assert event.validation_issues == ()
    assert "validation_issues" not in json.loads(encode_server_event(rebuilt))
    assert "validation_issues" not in (rebuilt.model_extra or {})
    assert isinstance(rebuilt.validation_issues[0], ValidationIssue)


def test_an_unknown_type_with_a_bad_known_field_is_still_an_unknown_event() -> None:
    event = decode_server_event('{"type": "response.telepathy", "event_id": 7, "depth": 3}')

    assert isinstance(event, UnknownServerEvent)
    event_id: object = event.event_id
    assert (event.type, event_id) == ("response.telepathy", 7)
    assert event.model_extra == {"depth": 3}
    assert [issue.path for issue in event.validation_issues] == ["event_id"]


@pytest.mark.parametrize(
    "frame",
    [
        json.dumps(session_created(FUTURE_VOICE)),
        json.dumps(response_created(format_type=None)),
        '{"type": "response.telepathy", "event_id": 7}',
    ],
)
def test_strict_decoding_raises_a_protocol_error_carrying_the_frame(frame: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        decode_server_event(frame, strict=True)
    assert raised.value.raw == frame


def test_client_events_stay_strict() -> None:
    frame = json.dumps(
        {"type": "session.update", "session": {"type": "realtime", "output_modalities": 5}}
    )
    with pytest.raises(ProtocolError):
        decode_client_event(frame)
    with pytest.raises(ProtocolError):
        validate_client_event(json.loads(frame))


def test_the_store_applies_the_rebuilt_response_and_then_the_next_event() -> None:
    store = RealtimeConversation()

    store.process_event(decode_server_event(json.dumps(response_created(format_type=None))))
    item, _ = store.process_event(
        decode_server_event(
            json.dumps(
                {
                    "type": "response.output_item.added",
                    "event_id": "event_3",
                    "response_id": "resp_1",
                    "output_index": 0,
                    "item": {
                        "id": "item_1",
                        "type": "message",
                        "role": "assistant",
                        "content": [{"type": "output_image", "url": "x"}],
                    },
                }
            )
        )
    )

    record = store.get_response("resp_1")
    assert record is not None and record.status == "in_progress"
    assert item is not None and item.response_id == "resp_1"
    assert record.output_item_ids == ["item_1"]


def test_the_store_refuses_a_rebuilt_event_whose_item_it_cannot_read() -> None:
    store = RealtimeConversation()
    event = decode_server_event(
        '{"type": "conversation.item.added", "event_id": "e", "item": {"type": "hologram"}}'
    )

    with pytest.raises(ProtocolError, match=r"conversation\.item\.added: item did not validate"):
        store.process_event(event)
    assert store.get_items() == []


def test_the_protocol_package_exports_the_codec() -> None:
    import openai_realtime.protocol as protocol
    from openai_realtime.protocol import codec

    assert protocol.decode_server_event is codec.decode_server_event
    assert protocol.RealtimeModel is RealtimeModel
    assert "decode_server_event" in dir(protocol)
    with pytest.raises(AttributeError):
        _ = protocol.decode_server_events  # type: ignore[attr-defined]


def test_the_memory_of_logged_deviations_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    wire = response_created(format_type="audio/pcm")
    wire["response"]["metadata"] = {f"key_{n}": n for n in range(tolerant._LOGGED_LIMIT + 10)}

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        event = decode_server_event(json.dumps(wire))

    assert isinstance(event, ResponseCreatedEvent)
    assert len(event.validation_issues) == tolerant._LOGGED_LIMIT + 10
    assert event.response.metadata is not None
    key_3: object = event.response.metadata["key_3"]
    assert key_3 == 3
    assert len(tolerant._logged) <= tolerant._LOGGED_LIMIT


def test_issues_and_warnings_name_the_path_never_the_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wire = session_created("marin")
    wire["session"]["audio"]["output"]["format"] = {"type": "sk-not-a-format", "rate": 24000}

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        event = decode_server_event(json.dumps(wire))

    (issue,) = event.validation_issues
    assert issue.path == "session.audio.output.format"
    assert "'type'" in issue.message and "audio/pcm" in issue.message
    assert "sk-not-a-format" not in issue.message
    assert "sk-not-a-format" not in caplog.text
