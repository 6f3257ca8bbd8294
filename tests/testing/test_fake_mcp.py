"""MCP tools: the fake server lists and calls a real MCP server on loopback, as live does."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_wire import WireClient, connect, deltas_of, types_of
from mcp_server import running_mcp_server

from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types import (
    ConversationItemDoneEvent,
    RealtimeMCPApprovalRequest,
    RealtimeMCPListTools,
    RealtimeMCPToolCall,
    RealtimeMCPToolExecutionError,
    ResponseDoneEvent,
)

TEXT_ONLY = {"audio": {"input": {"turn_detection": None}}, "output_modalities": ["text"]}


@pytest.fixture
async def mcp_url() -> AsyncIterator[str]:
    async with running_mcp_server() as url:
        yield url


def mcp_tool(url: str, **extra: Any) -> dict[str, Any]:
    return {"type": "mcp", "server_label": "calc", "server_url": url, **extra}


async def with_tools(client: WireClient, *tools: dict[str, Any]) -> list[str]:
    """Configure the tools; return the event types up to the listing's item.done."""
    await client.send(
        {"type": "session.update", "session": {"type": "realtime", "tools": list(tools)}}
    )
    events = await client.receive_until("session.updated")
    events += await client.receive_until("conversation.item.done")
    return types_of(events)


async def ask(client: WireClient, text: str) -> list[Any]:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await client.send({"type": "conversation.item.create", "item": item})
    await client.receive_until("conversation.item.done")
    await client.send({"type": "response.create"})
    return await client.response()


def output(events: list[Any]) -> list[Any]:
    done = events[-1]
    assert isinstance(done, ResponseDoneEvent)
    return done.response.output or []


async def test_the_tool_list_comes_from_the_mcp_server(mcp_url: str) -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        kinds = await with_tools(client, mcp_tool(mcp_url, require_approval="never"))
        listed = client.received[-1]

    assert kinds == [
        "session.updated",
        "conversation.item.added",
        "mcp_list_tools.in_progress",
        "mcp_list_tools.completed",
        "conversation.item.done",
    ]
    assert isinstance(listed, ConversationItemDoneEvent)
    item = listed.item
    assert isinstance(item, RealtimeMCPListTools)
    assert item.server_label == "calc"
    tools = {tool.name: tool for tool in item.tools}
    assert set(tools) == {"add", "explode", "shout"}
    assert tools["add"].description == "Add two whole numbers."
    assert tools["add"].input_schema["required"] == ["a", "b"]


async def test_allowed_tools_filters_the_list(mcp_url: str) -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        await with_tools(client, mcp_tool(mcp_url, allowed_tools=["shout"]))
        listed = client.received[-1]

    assert isinstance(listed, ConversationItemDoneEvent)
    assert isinstance(listed.item, RealtimeMCPListTools)
    assert [tool.name for tool in listed.item.tools] == ["shout"]


async def test_a_call_runs_on_the_mcp_server_and_the_model_goes_on(mcp_url: str) -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        await with_tools(client, mcp_tool(mcp_url, require_approval="never"))
        events = await ask(client, "add 2 and 40")

    kinds = types_of(events)
    call_events = [
        "response.output_item.added",
        "conversation.item.added",
        *["response.mcp_call_arguments.delta"] * kinds.count("response.mcp_call_arguments.delta"),
        "response.mcp_call_arguments.done",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        "response.output_item.done",
        "conversation.item.done",
    ]
    assert kinds[2 : 2 + len(call_events)] == call_events
    assert json.loads(deltas_of(events, "response.mcp_call_arguments.delta")) == {"a": 2, "b": 40}
    call, message = output(events)
    assert isinstance(call, RealtimeMCPToolCall)
    assert (call.server_label, call.name, call.output, call.error) == ("calc", "add", "42", None)
    assert deltas_of(events, "response.output_text.delta") == "The add tool returned: 42."
    assert message.type == "message"


async def test_a_failing_tool_fails_the_call(mcp_url: str) -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        await with_tools(client, mcp_tool(mcp_url, require_approval="never"))
        events = await ask(client, "explode please")

    assert "response.mcp_call.failed" in types_of(events)
    assert "response.mcp_call.completed" not in types_of(events)
    call = output(events)[0]
    assert isinstance(call, RealtimeMCPToolCall)
    assert isinstance(call.error, RealtimeMCPToolExecutionError)
    assert "explode" in call.error.message


async def test_calls_wait_for_approval_by_default(mcp_url: str) -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        await with_tools(client, mcp_tool(mcp_url))
        asked = await ask(client, 'shout "hello"')
        (request,) = output(asked)
        assert isinstance(request, RealtimeMCPApprovalRequest)
        approval = {
            "type": "mcp_approval_response",
            "id": "item_approval_1",
            "approval_request_id": request.id,
            "approve": True,
        }
        await client.send({"type": "conversation.item.create", "item": approval})
        await client.receive_until("conversation.item.done")
        await client.send({"type": "response.create"})
        approved = await client.response()

    assert "response.mcp_call.in_progress" not in types_of(asked)
    assert (request.server_label, request.name) == ("calc", "shout")
    assert json.loads(request.arguments) == {"text": "hello"}
    call = output(approved)[0]
    assert isinstance(call, RealtimeMCPToolCall)
    assert (call.approval_request_id, call.output) == (request.id, "HELLO")


async def test_a_refused_approval_runs_nothing(mcp_url: str) -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        await with_tools(client, mcp_tool(mcp_url, require_approval="always"))
        (request,) = output(await ask(client, "add 1 and 1"))
        refusal = {
            "type": "mcp_approval_response",
            "id": "item_refusal_1",
            "approval_request_id": request.id,
            "approve": False,
        }
        await client.send({"type": "conversation.item.create", "item": refusal})
        await client.receive_until("conversation.item.done")
        await client.send({"type": "response.create"})
        refused = await client.response()

    assert "response.mcp_call.in_progress" not in types_of(refused)
    assert deltas_of(refused, "response.output_text.delta") == "The add tool call was not approved."


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "url",
    [f"http://127.0.0.1:{closed_port()}/mcp", "https://mcp.example.com/mcp"],
    ids=["nothing listening", "not loopback"],
)
async def test_an_unreachable_or_remote_server_fails_the_listing(url: str) -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        kinds = await with_tools(client, mcp_tool(url))
        events = await ask(client, "add 2 and 40")

    assert kinds[-2:] == ["mcp_list_tools.failed", "conversation.item.done"]
    # With no tools listed, nothing is called: the model just answers.
    assert deltas_of(events, "response.output_text.delta") == "You said: add 2 and 40"
