"""Tool definitions the client, recording and fault tests share."""

from __future__ import annotations

from typing import Final

from openai_realtime.types.params import RealtimeFunctionToolParam

__all__ = ["WEATHER_TOOL"]

WEATHER_TOOL: Final[RealtimeFunctionToolParam] = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
"""A function tool with one required string argument."""
