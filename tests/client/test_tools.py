"""The tool registry: definitions, and runs that never raise."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from openai_realtime.errors import ConfigurationError
from openai_realtime.tools import ToolRegistry
from openai_realtime.types import RealtimeFunctionTool

WEATHER = {
    "name": "get_weather",
    "description": "Weather for a place.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def test_definitions_in_order_with_type() -> None:
    registry = ToolRegistry()
    registry.add(WEATHER, None)
    registry.add(RealtimeFunctionTool(name="typed", parameters={"type": "object"}), None)
    assert [d["name"] for d in registry.definitions()] == ["get_weather", "typed"]
    assert all(d["type"] == "function" for d in registry.definitions())
    assert not registry.has_handler("get_weather")


def test_bad_definitions() -> None:
    registry = ToolRegistry()
    registry.add(WEATHER, None)
    with pytest.raises(ConfigurationError, match="already added"):
        registry.add(WEATHER, None)
    with pytest.raises(ConfigurationError, match="non-empty 'name'"):
        registry.add({"description": "nameless"}, None)
    with pytest.raises(ConfigurationError, match="no tool named"):
        registry.remove("missing")


async def test_async_and_sync_handlers() -> None:
    registry = ToolRegistry()
    loop_thread = threading.get_ident()
    seen_threads: list[int] = []

    async def weather(args: dict[str, Any]) -> dict[str, Any]:
        return {"city": args["city"], "temp_c": 21}

    def add(args: dict[str, Any]) -> int:
        seen_threads.append(threading.get_ident())
        return int(args["a"]) + int(args["b"])

    registry.add(WEATHER, weather)
    registry.add({"name": "add"}, add)
    result = await registry.run("get_weather", '{"city": "Oslo"}', timeout=5)
    assert json.loads(result.output) == {"city": "Oslo", "temp_c": 21} and result.error is None
    assert json.loads((await registry.run("add", '{"a": 2, "b": 3}', timeout=5)).output) == 5
    assert seen_threads and seen_threads[0] != loop_thread  # sync handlers run off the loop


async def test_failures_become_error_outputs() -> None:
    registry = ToolRegistry()

    def broken(args: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    async def slow(args: dict[str, Any]) -> None:
        await asyncio.sleep(10)

    registry.add({"name": "broken"}, broken)
    registry.add({"name": "slow"}, slow)
    registry.add({"name": "odd"}, lambda args: {1, 2})

    raised = await registry.run("broken", "{}", timeout=5)
    assert "RuntimeError: boom" in json.loads(raised.output)["error"]
    assert isinstance(raised.error, RuntimeError)
    timed_out = await registry.run("slow", "{}", timeout=0.05)
    assert "timed out" in json.loads(timed_out.output)["error"]
    bad_json = await registry.run("broken", "{not json", timeout=5)
    assert "invalid arguments" in json.loads(bad_json.output)["error"]
    not_object = await registry.run("broken", "[1, 2]", timeout=5)
    assert "JSON object" in json.loads(not_object.output)["error"]
    unserialisable = await registry.run("odd", "", timeout=5)
    assert "not JSON-serialisable" in json.loads(unserialisable.output)["error"]
    missing = await registry.run("nope", "{}", timeout=5)
    assert "no handler" in json.loads(missing.output)["error"]
