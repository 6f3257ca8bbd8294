"""The fake server's default "model": deterministic answers that exercise the whole protocol.

Rules, first match wins:

1. Response-level instructions that say ``say "…"`` (or ``repeat "…"``) are answered with
   exactly that text.
2. Function outputs added since the last user message are reported back:
   ``The get_weather tool returned: {"temp": 21}.``
3. Declared function tools are called when the user's text names them (``get_weather`` or
   ``get weather``), several at once when ``parallel_tool_calls`` allows. ``tool_choice``
   ``"none"`` never calls, ``"required"`` calls the first tool when none is named, and a
   specific function is always called. Arguments follow the tool's JSON schema, with values
   taken from the text where simple (numbers, enum values, quoted or capitalised words) and
   placeholders otherwise.
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
    RealtimeFunctionTool,
    ToolChoiceFunction,
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
    outputs: list[tuple[str, str]] = []
    for item in reversed(context.items):
        if isinstance(item, RealtimeConversationItemFunctionCallOutput):
            outputs.insert(0, (call_names.get(item.call_id, "function"), item.output))
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


def _tool_calls(context: ResponseContext, text: str) -> list[ToolCall]:
    named = [tool for tool in context.tools if tool.name]
    choice = context.tool_choice
    if choice == "none":
        return []
    if isinstance(choice, ToolChoiceFunction):
        forced = next((tool for tool in named if tool.name == choice.name), None)
        return [_call(forced, text) if forced else ToolCall(choice.name)]
    chosen = [tool for tool in named if _mentions(text, tool.name or "")]
    if not chosen and choice == "required" and named:
        chosen = named[:1]
    if not context.parallel_tool_calls:
        chosen = chosen[:1]
    return [_call(tool, text) for tool in chosen]


def _mentions(text: str, name: str) -> bool:
    lowered = text.lower()
    return name.lower() in lowered or name.lower().replace("_", " ") in lowered


def _call(tool: RealtimeFunctionTool, text: str) -> ToolCall:
    arguments = _object_for(tool.parameters or {}, text)
    return ToolCall(name=tool.name or "", arguments=json.dumps(arguments))


def _object_for(schema: Mapping[str, Any], text: str) -> dict[str, Any]:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}
    return {
        name: _value_for(prop if isinstance(prop, Mapping) else {}, name, text)
        for name, prop in properties.items()
    }


def _value_for(schema: Mapping[str, Any], name: str, text: str) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return next((v for v in enum if str(v).lower() in text.lower()), enum[0])
    number = re.search(_NUMBER, text)
    if kind == "integer":
        return int(float(number.group())) if number else 1
    if kind == "number":
        return float(number.group()) if number else 1.0
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return _object_for(schema, text)
    quoted = _QUOTED.search(text) or _CAPITALISED.search(text)
    return quoted.group(quoted.lastindex or 0) if quoted else f"example {name}"
