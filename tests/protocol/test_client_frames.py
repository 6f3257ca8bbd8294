"""openai_realtime.protocol.client_frames: client frames in, live-shaped rejections out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openai_realtime.protocol.client_frames import (
    CLIENT_EVENT_TYPES,
    InvalidRequest,
    parse_client_frame,
)
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
    assert (missing.event_id, missing.code, missing.param) == (
        "evt_2",
        "missing_required_parameter",
        "item_id",
    )
    assert missing.message == "Missing required parameter: 'item_id'."

    not_json = rejection("{nope")
    assert (not_json.event_id, not_json.code) == (None, "invalid_json")
    assert "JSON" in not_json.message

    assert rejection("[1, 2]").code == "invalid_type"
    no_type = rejection('{"event_id": "evt_0"}')
    assert (no_type.code, no_type.param, no_type.event_id) == (
        "missing_required_parameter",
        "type",
        "evt_0",
    )


def test_an_unknown_event_type_is_an_invalid_value_of_type() -> None:
    unknown_type = rejection('{"type": "session.make_coffee", "event_id": "evt_3"}')

    assert (unknown_type.code, unknown_type.param, unknown_type.event_id) == (
        "invalid_value",
        "type",
        "evt_3",
    )
    assert unknown_type.message.startswith(
        "Invalid value: 'session.make_coffee'. Supported values are: 'conversation.item.create', "
    )
    assert unknown_type.message.endswith(", and 'session.update'.")
    assert all(f"'{name}'" in unknown_type.message for name in CLIENT_EVENT_TYPES)
    assert len(CLIENT_EVENT_TYPES) == 11


def item_create(*content: dict[str, Any], role: str = "user") -> str:
    item = {"type": "message", "role": role, "content": list(content)}
    return json.dumps({"type": "conversation.item.create", "item": item})


@pytest.mark.parametrize(
    ("frame", "code", "param", "message"),
    [
        (
            item_create({"type": "input_txt", "text": "hi"}),
            "invalid_value",
            "item.content[0].type",
            "Invalid value: 'input_txt'. Supported values are: 'input_text', 'input_audio', "
            "and 'input_image'.",
        ),
        (
            item_create({"type": "input_text", "text": "a"}, {"text": "b"}),
            "missing_required_parameter",
            "item.content[1].type",
            "Missing required parameter: 'item.content[1].type'.",
        ),
        (
            json.dumps({"type": "conversation.item.create", "item": {"type": "message"}}),
            "missing_required_parameter",
            "item.role",
            "Missing required parameter: 'item.role'.",
        ),
        (
            item_create(role="bot"),
            "invalid_value",
            "item.role",
            "Invalid value: 'bot'. Supported values are: 'system', 'user', and 'assistant'.",
        ),
        (
            json.dumps(
                {
                    "type": "session.update",
                    "session": {"type": "realtime", "audio": {"input": {"format": "pcm16"}}},
                }
            ),
            "invalid_type",
            "session.audio.input.format",
            "Invalid type for 'session.audio.input.format': expected an object, but got a "
            "string instead.",
        ),
        (
            json.dumps(
                {
                    "type": "session.update",
                    "session": {"type": "realtime", "audio": {"output": {"voice": 5}}},
                }
            ),
            "invalid_type",
            "session.audio.output.voice",
            "Invalid type for 'session.audio.output.voice': expected a string, but got an "
            "integer instead.",
        ),
    ],
)
def test_validation_problems_are_reported_as_live_relative_to_the_event(
    frame: str, code: str, param: str, message: str
) -> None:
    refused = rejection(frame)

    assert (refused.code, refused.param, refused.message) == (code, param, message)


@pytest.mark.parametrize(
    ("part", "role"),
    [
        ({"type": "input_text"}, "user"),
        ({"type": "output_text"}, "assistant"),
        # The service cannot populate assistant audio, and says so with the missing text.
        ({"type": "output_audio", "transcript": "Hello."}, "assistant"),
    ],
)
def test_content_parts_need_the_fields_their_type_needs(part: dict[str, Any], role: str) -> None:
    refused = rejection(item_create(part, role=role))

    assert (refused.code, refused.param) == (
        "missing_required_parameter",
        "item.content[0].text",
    )
    assert refused.message == "Missing required parameter: 'item.content[0].text'."


def test_fields_the_official_sdk_sends_are_accepted() -> None:
    session = {
        "type": "realtime",
        "audio": {
            "input": {"noise_reduction": {"type": "near_field", "strength": 0.4}},
            "output": {"voice": {"id": "voice_1234"}},
        },
    }

    event = parse_client_frame(json.dumps({"type": "session.update", "session": session}))

    assert event.model_dump(mode="json", exclude_unset=True)["session"] == session


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


def test_numbers_out_of_range_are_named_as_live() -> None:
    speed = {"type": "realtime", "audio": {"output": {"speed": 9.0}}}
    refused = rejection(json.dumps({"type": "session.update", "session": speed}))

    assert (refused.code, refused.param) == (
        "decimal_above_max_value",
        "session.audio.output.speed",
    )
    assert "Expected a value <= 1.5, but got 9.0 instead." in refused.message


def test_an_overlong_event_id_is_refused_as_live() -> None:
    refused = rejection(json.dumps({"type": "response.create", "event_id": "e" * 600}))

    assert (refused.code, refused.param) == ("string_above_max_length", "event_id")
    assert refused.message == (
        "Invalid 'event_id': string too long. Expected a string with maximum length 512, but "
        "got a string with length 600 instead."
    )


VALID_EVENTS: list[dict[str, Any]] = [
    {
        "type": "conversation.item.create",
        "previous_item_id": "root",
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "hi"}, {"type": "input_audio"}],
        },
    },
    {
        "type": "conversation.item.create",
        "item": {"type": "function_call_output", "call_id": "call_1", "output": "{}"},
    },
    {"type": "conversation.item.truncate", "item_id": "i", "content_index": 0, "audio_end_ms": 5},
    {
        "type": "session.update",
        "session": {
            "type": "realtime",
            "instructions": "Be brief.",
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "turn_detection": {"type": "server_vad", "threshold": 0.5},
                },
                "output": {"voice": "marin", "speed": 1.0},
            },
            "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
        },
    },
    {"type": "response.create", "response": {"output_modalities": ["text"], "instructions": "x"}},
]


def leaves(value: Any, path: str = "") -> list[tuple[str, list[str | int]]]:
    """Every leaf of ``value``: its live path and the keys leading to it."""
    if isinstance(value, dict):
        return [
            (live, [key, *steps])
            for key, child in value.items()
            for live, steps in leaves(child, f"{path}.{key}" if path else key)
        ]
    if isinstance(value, list):
        return [
            (live, [index, *steps])
            for index, child in enumerate(value)
            for live, steps in leaves(child, f"{path}[{index}]")
        ]
    return [(path, [])]


def replaced(event: dict[str, Any], steps: list[str | int], new: Any) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(event))
    node: Any = copy
    for step in steps[:-1]:
        node = node[step]
    if new is _DELETE:
        del node[steps[-1]]
    else:
        node[steps[-1]] = new
    return copy


_DELETE = object()


def test_every_refusal_names_a_live_path_of_the_event() -> None:
    """Break each leaf of valid events (wrong type, odd value, removed): any ``param`` the
    refusal names is that leaf, a path that exists in the frame, or a missing field of it."""
    checked = 0
    for event in VALID_EVENTS:
        for live, steps in leaves(event):
            if live == "type":
                continue
            for new in (12345, "zzz", None, [], {}, _DELETE):
                frame = replaced(event, steps, new)
                try:
                    parse_client_frame(json.dumps(frame))
                except InvalidRequest as refused:
                    checked += 1
                    param = refused.param or ""
                    existing = {path for path, _ in leaves(frame)} | {live}
                    parent = live.rsplit(".", 1)[0] if "." in live else ""
                    assert (
                        param in existing
                        or param.startswith(f"{live}.")
                        or param.startswith(f"{parent}.")
                        or param == parent
                    ), (frame, param)
                    for internal in ("union[", "literal[", "function-", ".str", ".message."):
                        assert internal not in param, (frame, param)
    assert checked > 100
