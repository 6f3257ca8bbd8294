"""Tools that run on the relay: the relay answers the upstream's function calls itself."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from openai_realtime.errors import ConfigurationError
from openai_realtime.relay import RealtimeRelay, RelayTool
from openai_realtime.testing import FakeRealtimeServer
from tests.support import WAIT

KEY = "sk-relay-tools-test-key"
CITY = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


@asynccontextmanager
async def relayed(*tools: RelayTool) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A client socket through a relay with ``tools`` in front of a fake server."""
    async with (
        FakeRealtimeServer(api_key=KEY) as fake,
        RealtimeRelay(fake.url, api_key=KEY, tools=tools) as relay,
        aiohttp.ClientSession() as http,
        http.ws_connect(relay.url) as socket,
    ):
        yield socket


async def ask(socket: aiohttp.ClientWebSocketResponse, text: str) -> list[dict[str, Any]]:
    """Send a user message and a response.create; return the events up to the final answer."""
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await socket.send_json({"type": "conversation.item.create", "item": item})
    await socket.send_json({"type": "response.create"})
    events: list[dict[str, Any]] = []
    while True:
        event = json.loads((await socket.receive(timeout=WAIT)).data)
        events.append(event)
        output = event.get("response", {}).get("output", [])
        if event["type"] == "response.done" and any(o["type"] == "message" for o in output):
            return events


def _answer(events: list[dict[str, Any]]) -> str:
    [message] = [o for o in events[-1]["response"]["output"] if o["type"] == "message"]
    return str(message["content"][0]["transcript"] or message["content"][0].get("text"))


async def test_the_relay_declares_runs_and_answers_its_tool() -> None:
    calls: list[dict[str, Any]] = []

    def weather(arguments: dict[str, Any]) -> dict[str, Any]:
        calls.append(arguments)
        return {"celsius": 21}

    async with relayed(RelayTool("get_weather", weather, parameters=CITY)) as socket:
        events = await ask(socket, 'Please get_weather for "Paris"')

    assert calls == [{"city": "Paris"}]
    types = [event["type"] for event in events]
    # The client sees the call, the relay's output item, then the second response.
    assert types.count("response.done") == 2
    added = [e["item"] for e in events if e["type"] == "conversation.item.added"]
    outputs = [item for item in added if item["type"] == "function_call_output"]
    assert [json.loads(item["output"]) for item in outputs] == [{"celsius": 21}]
    assert '{"celsius": 21}' in _answer(events)


async def test_a_failing_async_tool_is_reported_to_the_model_and_the_session_goes_on() -> None:
    async def broken(_arguments: dict[str, Any]) -> str:
        raise RuntimeError("database password is hunter2")

    async with relayed(RelayTool("lookup", broken)) as socket:
        events = await ask(socket, "Please call lookup")
        again = await ask(socket, "What is 2 + 3?")

    added = [e["item"] for e in events if e["type"] == "conversation.item.added"]
    [output] = [item["output"] for item in added if item["type"] == "function_call_output"]
    assert json.loads(output) == {"error": "lookup failed: RuntimeError"}
    assert "hunter2" not in json.dumps(events)
    assert "5" in _answer(again)


def test_tool_names_must_be_unique() -> None:
    tool = RelayTool("same", lambda _arguments: "x")
    with pytest.raises(ConfigurationError, match="unique"):
        RealtimeRelay("ws://127.0.0.1:1/v1/realtime", tools=[tool, tool])
