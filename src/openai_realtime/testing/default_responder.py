"""The fake server's default "model": deterministic answers that exercise the whole protocol.

Rules, first match wins:

1. Response-level instructions that say ``say "…"`` (or ``repeat "…"``) are answered with
   exactly that text.
2. Function outputs and MCP call results added since the last user message are reported
   back (``The get_weather tool returned: {"temp": 21}.``); a refused MCP approval is
   acknowledged (``The add tool call was not approved.``).
3. Declared tools (function tools, and the tools MCP servers listed) are called when the
   user's text names them (``get_weather`` or ``get weather``), several at once when
   ``parallel_tool_calls`` allows. ``tool_choice`` ``"none"`` never calls, ``"required"``
   calls the first tool when none is named, and a specific function or MCP tool is always
   called. Arguments follow the tool's JSON schema, filled from the text (the tool's name left
   out) in the order values appear: numbers go to numeric parameters in turn ("add 2 and 40"
   gives ``{"a": 2, "b": 40}``; an array of numbers takes the rest), quoted text and then
   capitalised words go to string parameters in turn, an enum takes the first of its values
   the text mentions, a boolean is true when the text names it. Optional parameters the text
   has no value for are left out; required ones get a placeholder of their type (``1``,
   ``1.0``, ``false``, ``[]``, ``{}``, the enum's first value, ``"example <name>"``).
4. Otherwise the user's latest turn is answered: simple arithmetic (``what is 2 + 3?``) is
   computed, other questions and statements are echoed (``You said: …``), audio without a
   transcript is described (``I heard 1.5 seconds of audio.``), and an empty conversation
   gets a greeting.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openai_realtime.testing.replies import Reply, ToolCall
from openai_realtime.testing.responder import ResponseContext, describe_audio
from openai_realtime.types import (
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemFunctionCallOutput,
    RealtimeConversationItemMessageUser,
    RealtimeMCPApprovalRequest,
    RealtimeMCPApprovalResponse,
    RealtimeMCPToolCall,
    ToolChoiceFunction,
    ToolChoiceMCP,
)

__all__ = ["DefaultResponder"]

GREETING = "Hello! How can I help you today?"

_SAY = re.compile(r"\b(?:say|repeat)\b\W*[\"“']([^\"”']+)[\"”']", re.IGNORECASE)
_NUMBER = r"-?\d+(?:\.\d+)?"
_MULTIPLICATION_SIGN = "\N{MULTIPLICATION SIGN}"
_ARITHMETIC = re.compile(rf"({_NUMBER})\s*([-+*/x{_MULTIPLICATION_SIGN}])\s*({_NUMBER})")
_OPERATORS: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "x": operator.mul,
    _MULTIPLICATION_SIGN: operator.mul,
    "/": operator.truediv,
}
_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")
_CAPITALISED = re.compile(r"(?<=\s)[A-Z][\w-]*")


@dataclass
class _Turn:
    """What the model is answering: the latest user message, or function outputs after it."""

    text: str = ""
    audio_seconds: float | None = None
    tool_outputs: list[tuple[str, str]] = field(default_factory=list)
    refused: bool = False


class DefaultResponder:
    """Deterministic answers and tool calls (rules in the module description).

    Example::

        async with FakeRealtimeServer(responder=DefaultResponder()) as server:
            ...
    """

    def respond(self, context: ResponseContext) -> Reply:
        """Decide a reply by the rules above.

        Args:
            context: The conversation and settings.

        Returns:
            The reply.
        """
        said = _SAY.search(context.params.instructions or "")
        if said:
            return Reply(text=said.group(1))
        turn = _latest_turn(context)
        if turn.refused:
            return Reply(text=turn.text)
        if turn.tool_outputs:
            return Reply(
                text=" ".join(f"The {n} tool returned: {o}." for n, o in turn.tool_outputs)
            )
        calls = _tool_calls(context, turn.text)
        if calls:
            return Reply(tool_calls=calls)
        return Reply(text=_answer(turn))

    def transcribe(self, audio: NDArray[np.int16], sample_rate: int) -> str:
        """Describe the audio (there is no speech recognition here)."""
        return describe_audio(audio, sample_rate)


def _latest_turn(context: ResponseContext) -> _Turn:
    call_names = {
        item.call_id: item.name
        for item in context.items
        if isinstance(item, RealtimeConversationItemFunctionCall)
    }
    requested = {
        item.id: item.name for item in context.items if isinstance(item, RealtimeMCPApprovalRequest)
    }
    outputs: list[tuple[str, str]] = []
    for item in reversed(context.items):
        if isinstance(item, RealtimeConversationItemFunctionCallOutput):
            outputs.insert(0, (call_names.get(item.call_id, "function"), item.output))
        elif isinstance(item, RealtimeMCPToolCall):
            failure = f"an error ({item.error.message})" if item.error else "nothing"
            outputs.insert(0, (item.name, item.output if item.output is not None else failure))
        elif isinstance(item, RealtimeMCPApprovalResponse) and not item.approve:
            name = requested.get(item.approval_request_id, "MCP")
            return _Turn(text=f"The {name} tool call was not approved.", refused=True)
        elif isinstance(item, RealtimeConversationItemMessageUser):
            if outputs:
                break
            return _user_turn(item, context)
    return _Turn(tool_outputs=outputs)


def _user_turn(item: RealtimeConversationItemMessageUser, context: ResponseContext) -> _Turn:
    pieces = [part.text or part.transcript or "" for part in item.content]
    text = " ".join(piece for piece in pieces if piece)
    audio = context.audio.get(item.id or "")
    seconds = len(audio) / context.sample_rate if audio is not None else None
    return _Turn(text=text, audio_seconds=seconds)


def _answer(turn: _Turn) -> str:
    if turn.text:
        arithmetic = _ARITHMETIC.search(turn.text)
        if arithmetic:
            return _arithmetic_answer(*arithmetic.groups())
        if turn.text.rstrip().endswith("?"):
            return f"You asked: {turn.text}"
        return f"You said: {turn.text}"
    if turn.audio_seconds is not None:
        return f"I heard {turn.audio_seconds:.1f} seconds of audio."
    return GREETING


def _arithmetic_answer(left: str, symbol: str, right: str) -> str:
    try:
        result = _OPERATORS[symbol](float(left), float(right))
    except ZeroDivisionError:
        return f"{left} {symbol} {right} is undefined: that divides by zero."
    shown = int(result) if result == int(result) else round(result, 6)
    return f"{left} {symbol} {right} is {shown}."


@dataclass(frozen=True)
class _Tool:
    """A function tool or an MCP server's tool, as the responder weighs calling it."""

    name: str
    schema: Mapping[str, Any]
    server_label: str | None = None


def _offered(context: ResponseContext) -> list[_Tool]:
    functions = [_Tool(tool.name, tool.parameters or {}) for tool in context.tools if tool.name]
    servers = [_Tool(tool.name, tool.input_schema, tool.server_label) for tool in context.mcp_tools]
    return functions + servers


def _tool_calls(context: ResponseContext, text: str) -> list[ToolCall]:
    offered = _offered(context)
    choice = context.tool_choice
    if choice == "none":
        return []
    if isinstance(choice, ToolChoiceFunction):
        forced = next((tool for tool in offered if tool.name == choice.name), None)
        return [_call(forced, text) if forced else ToolCall(choice.name)]
    if isinstance(choice, ToolChoiceMCP):
        offered = [tool for tool in offered if tool.server_label == choice.server_label]
        offered = [tool for tool in offered if choice.name in (None, tool.name)]
        choice = "required"
    chosen = [tool for tool in offered if _mentions(text, tool.name)]
    if not chosen and choice == "required" and offered:
        chosen = offered[:1]
    if not context.parallel_tool_calls:
        chosen = chosen[:1]
    return [_call(tool, text) for tool in chosen]


def _mentions(text: str, name: str) -> bool:
    lowered = text.lower()
    return name.lower() in lowered or name.lower().replace("_", " ") in lowered


def _call(tool: _Tool, text: str) -> ToolCall:
    # The tool's own name is not an argument: "call get_weather" must not yield "get_weather".
    prompt = _Prompt(re.sub(re.escape(tool.name), " ", text, flags=re.IGNORECASE))
    arguments = prompt.object_for(tool.schema)
    return ToolCall(name=tool.name, arguments=json.dumps(arguments), server_label=tool.server_label)


class _Prompt:
    """The values a prompt offers, handed out in the order they appear.

    Numbers go to numeric parameters in order ("add 2 and 40" gives ``a=2, b=40``); quoted
    text, then capitalised words, go to string parameters in order; an enum takes the first of
    its values the text mentions.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._numbers = [match.group() for match in re.finditer(_NUMBER, text)]
        quoted = [match.group(1) for match in _QUOTED.finditer(text)]
        unquoted = _QUOTED.sub(" ", text)
        self._words = quoted + [match.group() for match in _CAPITALISED.finditer(unquoted)]

    def object_for(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """Arguments for an object schema: every required property, and the optional ones the
        prompt has a value for."""
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            return {}
        required = set(schema.get("required") or ())
        arguments: dict[str, Any] = {}
        for name, prop in properties.items():
            value = self._value_for(prop if isinstance(prop, Mapping) else {}, name)
            if value is not _NOTHING:
                arguments[name] = value
            elif name in required:
                arguments[name] = _placeholder(prop if isinstance(prop, Mapping) else {}, name)
        return arguments

    def _value_for(self, schema: Mapping[str, Any], name: str) -> Any:
        kind = _kind(schema)
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return next((v for v in enum if str(v).lower() in self.text.lower()), _NOTHING)
        if kind in ("integer", "number"):
            if not self._numbers:
                return _NOTHING
            number = float(self._numbers.pop(0))
            return int(number) if kind == "integer" else number
        if kind == "boolean":
            return True if _mentions(self.text, name) else _NOTHING
        if kind == "object":
            return self.object_for(schema)
        if kind == "array":
            items = schema.get("items")
            values = []
            while (
                value := self._value_for(items if isinstance(items, Mapping) else {}, name)
            ) is not _NOTHING:
                values.append(value)
            return values or _NOTHING
        if kind in ("string", None) and self._words:
            return self._words.pop(0)
        return _NOTHING


_NOTHING: Any = object()
"""No value in the prompt for a parameter."""


def _kind(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind if isinstance(kind, str) else None


def _placeholder(schema: Mapping[str, Any], name: str) -> Any:
    """A value of the right type for a required parameter the prompt says nothing about."""
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    return {
        "integer": 1,
        "number": 1.0,
        "boolean": False,
        "array": [],
        "object": {},
    }.get(_kind(schema) or "string", f"example {name}")
