"""MCP servers given only in ``response.create``: listed before that response uses them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_wire import WireClient, connect, deltas_of, output_of, types_of
from mcp_server import running_mcp_server

from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types import (
    ConversationItemAddedEvent,
    ConversationItemDoneEvent,
    RealtimeMCPListTools,
    RealtimeMCPToolCall,
    ServerEvent,
)

TEXT_ONLY = {"audio": {"input": {"turn_detection": None}}, "output_modalities": ["text"]}
LISTING = [
    "conversation.item.added",
    "mcp_list_tools.in_progress",
    "mcp_list_tools.completed",
    "conversation.item.done",
]


@pytest.fixture
async def mcp_url() -> AsyncIterator[str]:
    async with running_mcp_server() as url:
        yield url


def mcp_tool(url: str, **extra: Any) -> dict[str, Any]:
    return {"type": "mcp", "server_label": "calc", "server_url": url, **extra}


async def say(client: WireClient, text: str) -> str:
    """Add a user message; return its item id."""
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await client.send({"type": "conversation.item.create", "item": item})
    done = (await client.receive_until("conversation.item.done"))[-1]
    assert isinstance(done, ConversationItemDoneEvent)
    return done.item.id or ""


async def respond_with(client: WireClient, *tools: dict[str, Any]) -> list[ServerEvent]:
    await client.send({"type": "response.create", "response": {"tools": list(tools)}})
    return await client.response()


async def test_a_response_lists_its_own_mcp_server_before_it_starts(mcp_url: str) -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        question = await say(client, "add 2 and 40")
        events = await respond_with(client, mcp_tool(mcp_url, require_approval="never"))

    assert types_of(events)[:6] == [*LISTING, "response.created", "rate_limits.updated"]
    added, done = events[0], events[3]
    assert isinstance(added, ConversationItemAddedEvent)
    assert isinstance(done, ConversationItemDoneEvent)
    # The listing joins the conversation after what was there, as a session tool's does.
    assert added.previous_item_id == done.previous_item_id == question
    assert isinstance(done.item, RealtimeMCPListTools)
    assert done.item.server_label == "calc"
    assert {tool.name for tool in done.item.tools} == {"add", "explode", "shout"}
    # ... and the response calls a tool from that list on the MCP server.
    call = output_of(events)[0]
    assert isinstance(call, RealtimeMCPToolCall)
    assert (call.server_label, call.name, call.output) == ("calc", "add", "42")
    assert json.loads(call.arguments) == {"a": 2, "b": 40}
    assert deltas_of(events, "response.output_text.delta") == "The add tool returned: 42."


async def test_a_server_is_listed_again_only_when_its_configuration_changes(mcp_url: str) -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        tool = mcp_tool(mcp_url, require_approval="never")
        await say(client, 'shout "hi"')
        first = await respond_with(client, tool)
        await say(client, 'shout "again"')
        again = await respond_with(client, tool)
        await say(client, 'shout "now"')
        narrowed = await respond_with(client, {**tool, "allowed_tools": ["add"]})

    assert types_of(first)[:4] == LISTING
    assert types_of(again)[:2] == ["response.created", "rate_limits.updated"]
    call = output_of(again)[0]
    assert isinstance(call, RealtimeMCPToolCall)
    assert call.output == "AGAIN"
    assert types_of(narrowed)[:4] == LISTING
    listed = narrowed[3]
    assert isinstance(listed, ConversationItemDoneEvent)
    assert isinstance(listed.item, RealtimeMCPListTools)
    assert [tool.name for tool in listed.item.tools] == ["add"]
    # With shout no longer listed, the model has nothing to call for it.
    assert all(item.type == "message" for item in output_of(narrowed))


async def test_a_failed_listing_leaves_the_response_without_those_tools() -> None:
    async with FakeRealtimeServer(session=TEXT_ONLY) as fake, connect(fake) as client:
        await say(client, "add 2 and 40")
        events = await respond_with(client, mcp_tool("https://mcp.example.com/mcp"))

    kinds = types_of(events)
    assert kinds[:4] == [
        "conversation.item.added",
        "mcp_list_tools.in_progress",
        "mcp_list_tools.failed",
        "conversation.item.done",
    ]
    assert kinds[4] == "response.created"
    assert deltas_of(events, "response.output_text.delta") == "You said: add 2 and 40"
