"""The conversation both browser tests (and ``make screenshots``) hold with the fake server.

The microphone says one thing (a tone the fake "transcribes" as :data:`QUESTION`), waits for
the answer to start playing, and speaks again over it (the barge-in). The fake answers the
question with a call of :data:`WEATHER`, then, once the tool's output is in, with
:data:`ANSWER`: long enough that the barge-in comes well before its end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from browser_harness import write_microphone

from openai_realtime.relay import RelayTool
from openai_realtime.testing import DefaultResponder, Reply, ScriptedResponder, ToolCall

__all__ = [
    "ANSWER",
    "API_KEY",
    "QUESTION",
    "WEATHER",
    "WeatherTool",
    "microphone",
    "responder",
]

API_KEY: Final = "sk-browser-test-key-5f2a9c71d3e8"
QUESTION: Final = "What is the weather in Paris?"
ANSWER: Final = (
    "It is sunny and twenty one degrees in Paris today, with a light breeze from the west "
    "and no rain expected before the evening."
)


class WeatherTool:
    """The server-side tool: records each call it ran."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, arguments: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(arguments)
        return {"city": arguments.get("city"), "sky": "sunny", "celsius": 21}

    def tool(self) -> RelayTool:
        """The tool as the relay or the sideband registers it."""
        return RelayTool(
            "get_weather",
            self,
            description="Current weather for a city.",
            parameters={
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        )


WEATHER: Final = ToolCall("get_weather", json.dumps({"city": "Paris"}))


def responder() -> ScriptedResponder:
    """The fake model: a tool call, then the long answer, then the default answers."""
    return ScriptedResponder(
        [Reply(tool_calls=[WEATHER]), Reply(text=ANSWER)],
        transcripts=[QUESTION],
        then=DefaultResponder(),
    )


def microphone(directory: Path) -> Path:
    """The WAV: the question, a pause while the answer starts, then speech over the answer."""
    return write_microphone(
        directory / "microphone.wav",
        [
            ("silence", 0.4),
            ("speech", 0.8),
            ("silence", 2.3),
            ("speech", 0.8),
            ("silence", 12.0),
        ],
    )
