"""Tests for openai_realtime.testing.responder and default_responder: deciding answers."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter

from openai_realtime.testing import (
    DefaultResponder,
    Reply,
    ResponseContext,
    ScriptedResponder,
    ToolCall,
)
from openai_realtime.testing.responder import as_responder, resolve_reply
from openai_realtime.testing.session import SessionState
from openai_realtime.testing.settings import ResponseSettings
from openai_realtime.types import RealtimeConversationItem, RealtimeResponseCreateParams

ITEM = TypeAdapter[RealtimeConversationItem](RealtimeConversationItem)

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "detailed": {"type": "boolean"},
            "when": {"type": ["string", "null"]},
        },
    },
}
TIME_TOOL = {"type": "function", "name": "get_time", "parameters": {"type": "object"}}


def user(text: str, item_id: str = "item_u") -> dict[str, Any]:
    content = [{"type": "input_text", "text": text}]
    return {"id": item_id, "type": "message", "role": "user", "content": content}


def context(
    items: list[dict[str, Any]],
    *,
    params: dict[str, Any] | None = None,
    session: dict[str, Any] | None = None,
    audio: dict[str, Any] | None = None,
) -> ResponseContext:
    state = SessionState("sess_1", "gpt-realtime", session)
    response_params = RealtimeResponseCreateParams.model_validate(params or {})
    settings = ResponseSettings.resolve(state.current, response_params)
    return ResponseContext(
        items=tuple(ITEM.validate_python(item) for item in items),
        audio=audio or {},
        sample_rate=24000,
        session=state.snapshot(),
        params=response_params,
        instructions=settings.instructions,
        output_modalities=settings.output_modalities,
        tools=settings.tools,
        tool_choice=settings.tool_choice,
        parallel_tool_calls=settings.parallel_tool_calls,
        out_of_band=settings.out_of_band,
    )


def answer(ctx: ResponseContext) -> Reply:
    return DefaultResponder().respond(ctx)


def test_echoes_statements_answers_arithmetic_and_questions() -> None:
    assert answer(context([user("I like tea")])).text == "You said: I like tea"
    assert answer(context([user("What is 6 * 7?")])).text == "6 * 7 is 42."
    assert answer(context([user("what is 1 / 4")])).text == "1 / 4 is 0.25."
    assert "divides by zero" in (answer(context([user("3/0?")])).text or "")
    assert answer(context([user("Is it sunny?")])).text == "You asked: Is it sunny?"
    assert answer(context([])).text == "Hello! How can I help you today?"


def test_answers_audio_by_transcript_or_duration() -> None:
    audio_item = {
        "id": "item_a",
        "type": "message",
        "role": "user",
        "content": [{"type": "input_audio"}],
    }
    samples = np.zeros(36000, dtype=np.int16)

    assert answer(context([audio_item], audio={"item_a": samples})).text == (
        "I heard 1.5 seconds of audio."
    )
    audio_item["content"] = [{"type": "input_audio", "transcript": "turn on the light"}]
    assert answer(context([audio_item])).text == "You said: turn on the light"


def test_says_what_response_instructions_quote() -> None:
    reply = answer(context([user("hi")], params={"instructions": 'Say "Welcome back!" warmly.'}))

    assert reply.text == "Welcome back!"


def test_calls_a_tool_named_in_the_text_with_arguments_from_its_schema() -> None:
    tools = {"tools": [WEATHER_TOOL, TIME_TOOL]}
    ctx = context([user("Use get_weather for Paris, 3 days, in fahrenheit")], session=tools)

    reply = answer(ctx)

    assert reply.text is None
    (call,) = reply.tool_calls
    assert call.name == "get_weather"
    # Optional parameters the prompt gives no value for are left out.
    assert json.loads(call.arguments_json) == {"city": "Paris", "days": 3, "unit": "fahrenheit"}


def function_tool(name: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    parameters = {"type": "object", "properties": properties, "required": required}
    return {"type": "function", "name": name, "parameters": parameters}


@pytest.mark.parametrize(
    ("prompt", "properties", "required", "expected"),
    [
        (
            "add 2 and 40",
            {"a": {"type": "integer"}, "b": {"type": "integer"}},
            ["a", "b"],
            {"a": 2, "b": 40},
        ),
        (
            "add -1.5 and 2.25 and 7",
            {"a": {"type": "number"}, "b": {"type": "number"}},
            ["a"],
            {"a": -1.5, "b": 2.25},
        ),
        (
            'add "milk" then "eggs" for Alice',
            {"first": {"type": "string"}, "second": {"type": "string"}, "who": {"type": "string"}},
            [],
            {"first": "milk", "second": "eggs", "who": "Alice"},
        ),
        (
            "add something",
            {
                "n": {"type": "integer"},
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "label": {"type": "string"},
                "flag": {"type": "boolean"},
            },
            ["n", "mode", "label", "flag"],
            {"n": 1, "mode": "fast", "label": "example label", "flag": False},
        ),
        (
            "add in slow mode, 5 7 9",
            {
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "values": {"type": "array", "items": {"type": "integer"}},
            },
            ["values"],
            {"mode": "slow", "values": [5, 7, 9]},
        ),
    ],
)
def test_arguments_take_the_prompts_values_in_order(
    prompt: str,
    properties: dict[str, Any],
    required: list[str],
    expected: dict[str, Any],
) -> None:
    tool = function_tool("add", properties, required)

    (call,) = answer(context([user(prompt)], session={"tools": [tool]})).tool_calls

    assert json.loads(call.arguments_json) == expected


def test_tool_choice_and_parallel_calls() -> None:
    tools = {"tools": [WEATHER_TOOL, TIME_TOOL]}
    both = [user("get weather and get_time please")]

    assert [c.name for c in answer(context(both, session=tools)).tool_calls] == [
        "get_weather",
        "get_time",
    ]
    assert (
        len(answer(context(both, session=tools, params={"parallel_tool_calls": False})).tool_calls)
        == 1
    )
    assert answer(context(both, session={**tools, "tool_choice": "none"})).tool_calls == ()
    required = answer(context([user("hello")], session={**tools, "tool_choice": "required"}))
    assert [c.name for c in required.tool_calls] == ["get_weather"]
    forced = answer(
        context(
            [user("hello")],
            session=tools,
            params={"tool_choice": {"type": "function", "name": "get_time"}},
        )
    )
    assert [(c.name, c.arguments_json) for c in forced.tool_calls] == [("get_time", "{}")]
    assert answer(context([user("hello")], session=tools)).tool_calls == ()


def test_reports_function_outputs_after_the_call() -> None:
    items = [
        user("get_weather"),
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": '{"temp": 21}'},
    ]

    assert answer(context(items)).text == 'The get_weather tool returned: {"temp": 21}.'


def test_scripted_responder_replays_then_reports_exhaustion() -> None:
    responder = ScriptedResponder(
        [Reply(text="one"), Reply(tool_calls=[ToolCall("f", {"a": 1})])], transcripts=["hello"]
    )
    ctx = context([user("x")])
    audio = np.zeros(2400, dtype=np.int16)

    assert responder.respond(ctx) == Reply(text="one")
    assert responder.remaining == 1
    assert responder.respond(ctx) == Reply(tool_calls=[ToolCall("f", {"a": 1})])
    exhausted = responder.respond(ctx)
    assert isinstance(exhausted, Reply)
    assert exhausted.error is not None
    assert "no replies left" in exhausted.error
    assert len(responder.contexts) == 3
    assert responder.transcribe(audio, 24000) == "hello"
    assert responder.transcribe(audio, 24000) == "(0.1 seconds of audio)"


def test_scripted_responder_can_hand_over() -> None:
    responder = ScriptedResponder([], then=DefaultResponder())

    assert responder.respond(context([user("hey")])) == Reply(text="You said: hey")


async def test_functions_and_async_functions_are_responders() -> None:
    async def async_answer(ctx: ResponseContext) -> Reply:
        return Reply(text=str(len(ctx.items)))

    plain = as_responder(lambda ctx: Reply(text="plain"))
    asynchronous = as_responder(async_answer)

    assert await resolve_reply(plain, context([])) == Reply(text="plain")
    assert await resolve_reply(asynchronous, context([user("a")])) == Reply(text="1")
    assert plain.transcribe(np.zeros(12000, dtype=np.int16), 24000) == "(0.5 seconds of audio)"
    with pytest.raises(TypeError, match="must return a Reply"):
        await resolve_reply(as_responder(lambda ctx: "text"), context([]))  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError, match="respond"):
        as_responder(42)  # type: ignore[arg-type]


def test_reply_rejects_two_texts_and_encodes_arguments() -> None:
    with pytest.raises(ValueError, match="either text or audio_text"):
        Reply(text="a", audio_text="b")
    assert ToolCall("f", {"b": [1, 2]}).arguments_json == '{"b": [1, 2]}'
    assert ToolCall("f", '{"raw": true}').arguments_json == '{"raw": true}'
