"""Tests for openai_realtime.testing.client_frames: client frames in, rejections out."""

from __future__ import annotations

import json

import pytest

from openai_realtime.testing.client_frames import InvalidRequest, parse_client_frame
from openai_realtime.types import ResponseCreateEvent


def rejection(frame: str) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        parse_client_frame(frame)
    return caught.value


def test_valid_events_parse() -> None:
    event = parse_client_frame('{"type": "response.create", "event_id": "evt_1"}')

    assert isinstance(event, ResponseCreateEvent)
    assert event.event_id == "evt_1"


def test_invalid_events_name_the_problem_and_the_event() -> None:
    missing = rejection('{"type": "conversation.item.delete", "event_id": "evt_2"}')
    assert missing.event_id == "evt_2"
    assert missing.code == "invalid_event"
    assert "item_id" in missing.message
    assert missing.param is not None
    assert "item_id" in missing.param

    unknown_type = rejection('{"type": "session.make_coffee", "event_id": "evt_3"}')
    assert unknown_type.event_id == "evt_3"
    assert "unknown 'type'" in unknown_type.message

    not_json = rejection("{nope")
    assert not_json.event_id is None
    assert "not valid JSON" in not_json.message

    assert rejection("[1, 2]").event_id is None


def test_unknown_parameters_are_rejected_with_their_path() -> None:
    beta_style = {
        "type": "session.update",
        "event_id": "evt_4",
        "session": {"type": "realtime", "modalities": ["text"]},
    }
    nested = {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "mood": 1}]},
    }

    assert rejection(json.dumps(beta_style)).param == "session.modalities"
    assert rejection(json.dumps(beta_style)).event_id == "evt_4"
    assert rejection(json.dumps(nested)).param == "item.content[0].mood"
    assert rejection(json.dumps(nested)).code == "unknown_parameter"


def test_rejections_become_error_events() -> None:
    event = InvalidRequest("Nope.", code="x", param="p", event_id="evt_5").to_event("event_1")

    assert event.model_dump(mode="json", exclude_unset=True) == {
        "type": "error",
        "event_id": "event_1",
        "error": {
            "type": "invalid_request_error",
            "code": "x",
            "message": "Nope.",
            "param": "p",
            "event_id": "evt_5",
        },
    }
