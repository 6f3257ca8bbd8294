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


def test_add_returns_the_wire_definition_and_remove_forgets_it() -> None:
    registry = ToolRegistry()

    async def handler(args: dict[str, Any]) -> None:
        return None

    wire = registry.add(WEATHER, handler)
    assert wire == {"type": "function", **WEATHER}
    typed = registry.add(RealtimeFunctionTool(name="typed", description="d"), None)
    assert typed == {"type": "function", "name": "typed", "description": "d"}
    assert registry.definitions() == [wire, typed]
    assert registry.has_handler("get_weather")
    assert not registry.has_handler("typed")
    assert not registry.has_handler("missing")

    registry.remove("get_weather")
    assert registry.definitions() == [typed]
    assert not registry.has_handler("get_weather")
    registry.add(WEATHER, None)  # the name is free again
    assert [d["name"] for d in registry.definitions()] == ["typed", "get_weather"]


@pytest.mark.parametrize("name", [None, "", 5])
def test_a_definition_needs_a_string_name(name: object) -> None:
    with pytest.raises(ConfigurationError, match="non-empty 'name'"):
        ToolRegistry().add({"name": name}, None)


def test_a_handler_must_be_callable() -> None:
    registry = ToolRegistry()
    with pytest.raises(ConfigurationError, match="not callable"):
        registry.add(WEATHER, "get_weather")  # type: ignore[arg-type]
    assert registry.definitions() == []


async def test_blank_arguments_are_an_empty_object_and_no_timeout_waits() -> None:
    registry = ToolRegistry()
    seen: list[dict[str, Any]] = []

    async def record(args: dict[str, Any]) -> str:
        seen.append(args)
        return "ok"

    registry.add({"name": "record"}, record)
    for arguments in ("", "  \n", "{}"):
        result = await registry.run("record", arguments, timeout=None)
        assert (result.output, result.error) == ('"ok"', None)
    assert seen == [{}, {}, {}]


async def test_a_sync_handler_may_return_an_awaitable() -> None:
    registry = ToolRegistry()

    async def later(value: int) -> int:
        return value * 2

    registry.add({"name": "deferred"}, lambda args: later(args["n"]))
    result = await registry.run("deferred", '{"n": 21}', timeout=5)
    assert (result.output, result.error) == ("42", None)


async def test_error_outputs_name_the_tool_and_keep_the_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = ToolRegistry()

    def broken(args: dict[str, Any]) -> None:
        raise KeyError("city")

    registry.add({"name": "broken"}, broken)
    registry.add({"name": "defined_only"}, None)

    with caplog.at_level("WARNING", logger="openai_realtime"):
        raised = await registry.run("broken", "{}", timeout=5)
    assert json.loads(raised.output) == {"error": "tool 'broken': KeyError: 'city'"}
    assert isinstance(raised.error, KeyError)
    assert [r.getMessage() for r in caplog.records] == ["tool 'broken' raised KeyError"]
    assert caplog.records[0].exc_info is not None and caplog.records[0].exc_info[0] is KeyError

    not_object = await registry.run("broken", "3", timeout=5)
    assert json.loads(not_object.output) == {
        "error": "tool 'broken': invalid arguments: arguments must be a JSON object"
    }
    assert isinstance(not_object.error, ValueError)

    no_handler = await registry.run("defined_only", "{}", timeout=5)
    assert json.loads(no_handler.output) == {"error": "no handler for tool 'defined_only'"}
    assert isinstance(no_handler.error, ConfigurationError)


async def test_timeout_output_says_how_long_was_waited() -> None:
    registry = ToolRegistry()
    release = asyncio.Event()

    async def stuck(args: dict[str, Any]) -> None:
        await release.wait()

    registry.add({"name": "stuck"}, stuck)
    result = await registry.run("stuck", "{}", timeout=0.01)
    assert json.loads(result.output) == {"error": "tool 'stuck': timed out after 0.01 s"}
    assert isinstance(result.error, TimeoutError)
