"""MCP tools on the fake server: it lists and calls real MCP servers as the service does.

A tool ``{"type": "mcp", "server_label": ..., "server_url": ...}`` in the session, or only in
one ``response.create`` (listed before that response starts), makes the service fetch that
server's tool list into an ``mcp_list_tools`` conversation item (``conversation.item.added``,
``mcp_list_tools.in_progress``, then ``mcp_list_tools.completed`` or ``.failed``,
``conversation.item.done``), and lets the model call those tools during a response. Here the
server is contacted with the ``mcp`` package's own client (Streamable HTTP), so the tool list
and the call results are what that MCP server really answers. Only servers on loopback are
contacted: any other URL fails the listing without a request leaving the machine.

``require_approval`` defaults to ``"always"`` as in the spec: an approval is asked with an
``mcp_approval_request`` item, and the call runs in a later response once the client added an
``mcp_approval_response`` approving it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from openai_realtime.testing.conversation import Conversation, StoredItem
from openai_realtime.testing.ids import IdFactory
from openai_realtime.testing.outbox import ConnectionGone, Outbox
from openai_realtime.types import (
    ConversationItemAddedEvent,
    ConversationItemDoneEvent,
    McpListToolsCompletedEvent,
    McpListToolsFailedEvent,
    McpListToolsInProgressEvent,
    MCPListToolsTool,
    MCPTool,
    MCPToolFilter,
    RealtimeMCPApprovalRequest,
    RealtimeMCPApprovalResponse,
    RealtimeMCPHTTPError,
    RealtimeMCPListTools,
    RealtimeMCPProtocolError,
    RealtimeMCPToolCall,
    RealtimeMCPToolExecutionError,
)

if TYPE_CHECKING:
    from mcp import Client

__all__ = ["McpCallFailed", "McpServers", "McpToolInfo", "approved_request"]

logger = logging.getLogger("openai_realtime.testing")

McpError = RealtimeMCPProtocolError | RealtimeMCPToolExecutionError | RealtimeMCPHTTPError


@dataclass(frozen=True)
class McpToolInfo:
    """One tool an MCP server offers, as a responder sees it.

    Attributes:
        server_label: The session tool's ``server_label``.
        name: The tool's name.
        description: Its description, if any.
        input_schema: The JSON schema of its arguments.
    """

    server_label: str
    name: str
    description: str | None
    input_schema: dict[str, Any]


class McpCallFailed(Exception):
    """An MCP tool call failed; :attr:`error` is what the ``mcp_call`` item reports."""

    def __init__(self, error: McpError) -> None:
        super().__init__(error.message)
        self.error = error


class _NotLoopback(Exception):
    """The MCP server is not on loopback, so the fake server will not contact it."""


class McpServers:
    """One connection's MCP servers: their tool lists and calls to them.

    Args:
        outbox: Where listing events go.
        ids: Makes item and event ids.
        conversation: Where ``mcp_list_tools`` items are stored.
    """

    def __init__(self, outbox: Outbox, ids: IdFactory, conversation: Conversation) -> None:
        self._outbox = outbox
        self._ids = ids
        self._conversation = conversation
        self._configs: dict[str, MCPTool] = {}
        self._tools: dict[str, list[MCPListToolsTool]] = {}
        self._listings: set[asyncio.Task[None]] = set()

    async def configure(self, tools: Iterable[object]) -> None:
        """List every MCP server in ``tools`` that is new or changed since it was last listed.

        Called with the session's tools on every ``session.update``, and with a response's
        tools before that response starts: a server given only in ``response.create`` gets
        the same ``mcp_list_tools`` item and events, once, and later responses reuse its list.

        Raises:
            ConnectionGone: The connection closed.
        """
        for tool in tools:
            if not isinstance(tool, MCPTool) or self._configs.get(tool.server_label) == tool:
                continue
            self._configs[tool.server_label] = tool
            self._tools.pop(tool.server_label, None)
            item = RealtimeMCPListTools(
                type="mcp_list_tools",
                id=self._ids.make("item"),
                server_label=tool.server_label,
                tools=[],
            )
            stored = StoredItem(item)
            previous = self._conversation.insert(stored)
            await self._outbox.send(
                ConversationItemAddedEvent(
                    event_id=self._ids.make("event"), previous_item_id=previous, item=item
                )
            )
            await self._outbox.send(
                McpListToolsInProgressEvent(
                    event_id=self._ids.make("event"), item_id=stored.item_id
                )
            )
            task = asyncio.create_task(self._list(tool, stored))
            self._listings.add(task)
            task.add_done_callback(self._listings.discard)

    async def settled(self) -> None:
        """Wait until every tool listing in progress has finished."""
        while self._listings:
            await asyncio.gather(*self._listings, return_exceptions=True)

    def close(self) -> None:
        """Stop listings in progress (the connection is ending)."""
        for task in self._listings:
            task.cancel()

    def available(self, servers: Sequence[MCPTool]) -> tuple[McpToolInfo, ...]:
        """The tools of ``servers`` (the MCP tools a response may use) that have been listed."""
        return tuple(
            McpToolInfo(server.server_label, tool.name, tool.description, dict(tool.input_schema))
            for server in servers
            for tool in self._tools.get(server.server_label, [])
        )

    def needs_approval(self, server_label: str, name: str) -> bool:
        """Whether a call must be approved first (``require_approval``, default ``always``)."""
        config = self._configs.get(server_label)
        rule = config.require_approval if config is not None else None
        if rule is None or rule == "always":
            return True
        if rule == "never":
            return False
        return rule.never is None or name not in (rule.never.tool_names or ())

    async def call(self, server_label: str, name: str, arguments: str) -> str:
        """Call a tool on its MCP server.

        Returns:
            The text the tool returned.

        Raises:
            McpCallFailed: The server is unknown or unreachable, the arguments are not a JSON
                object, or the tool reported an error.
        """
        config = self._configs.get(server_label)
        if config is None:
            raise McpCallFailed(
                RealtimeMCPProtocolError(
                    type="protocol_error", code=-32602, message=f"unknown server {server_label!r}"
                )
            )
        try:
            parsed = json.loads(arguments or "{}")
        except ValueError as error:
            raise McpCallFailed(
                RealtimeMCPProtocolError(type="protocol_error", code=-32602, message=str(error))
            ) from None
        try:
            async with _client(config) as client:
                result = await client.call_tool(name, parsed if isinstance(parsed, dict) else {})
        except Exception as error:
            raise McpCallFailed(_transport_error(error)) from None
        text = "\n".join(
            getattr(block, "text", "") for block in result.content if block.type == "text"
        )
        if result.is_error:
            raise McpCallFailed(
                RealtimeMCPToolExecutionError(type="tool_execution_error", message=text)
            )
        return text

    async def _list(self, config: MCPTool, stored: StoredItem) -> None:
        event_id = self._ids.make
        try:
            async with _client(config) as client:
                listed = await client.list_tools()
        except Exception as error:
            logger.warning("listing MCP server %r failed: %r", config.server_label, error)
            done: Any = McpListToolsFailedEvent(event_id=event_id("event"), item_id=stored.item_id)
        else:
            tools = [
                MCPListToolsTool(
                    name=tool.name,
                    description=tool.description,
                    input_schema=dict(tool.input_schema),
                    annotations=tool.annotations.model_dump(exclude_none=True)
                    if tool.annotations
                    else None,
                )
                for tool in listed.tools
                if _allowed(config, tool.name)
            ]
            self._tools[config.server_label] = tools
            stored.item = stored.item.model_copy(update={"tools": tools})
            done = McpListToolsCompletedEvent(event_id=event_id("event"), item_id=stored.item_id)
        try:
            await self._outbox.send(done)
            if stored.item_id in self._conversation:
                await self._outbox.send(
                    ConversationItemDoneEvent(
                        event_id=event_id("event"),
                        previous_item_id=self._conversation.previous_id(stored.item_id),
                        item=stored.item,
                    )
                )
        except ConnectionGone:
            return


def approved_request(
    conversation: Conversation, server_label: str, name: str
) -> RealtimeMCPApprovalRequest | None:
    """An approved ``mcp_approval_request`` for this tool that no call has used yet."""
    items = [stored.item for stored in conversation]
    used = {item.approval_request_id for item in items if isinstance(item, RealtimeMCPToolCall)}
    approved = {
        item.approval_request_id
        for item in items
        if isinstance(item, RealtimeMCPApprovalResponse) and item.approve
    }
    for item in items:
        if (
            isinstance(item, RealtimeMCPApprovalRequest)
            and (item.server_label, item.name) == (server_label, name)
            and item.id in approved
            and item.id not in used
        ):
            return item
    return None


def _allowed(config: MCPTool, name: str) -> bool:
    allowed = config.allowed_tools
    if allowed is None:
        return True
    names = allowed.tool_names if isinstance(allowed, MCPToolFilter) else allowed
    return names is None or name in names


@contextlib.asynccontextmanager
async def _client(config: MCPTool) -> AsyncIterator[Client]:
    """An ``mcp`` client connected to a loopback server.

    Raises:
        _NotLoopback: The URL is not on loopback (nothing is sent).
        ImportError: The ``mcp`` package is not installed.
    """
    url = config.server_url or ""
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise _NotLoopback(f"the fake server only contacts MCP servers on loopback, not {url!r}")
    # The mcp package is a test-time dependency, imported only when an MCP tool is used.
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    headers = dict(config.headers or {})
    if config.authorization:
        headers["Authorization"] = f"Bearer {config.authorization}"
    # trust_env=False: no proxy settings can route this request off the machine.
    async with (
        httpx2.AsyncClient(headers=headers, trust_env=False) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


def _transport_error(error: Exception) -> McpError:
    status = getattr(getattr(error, "response", None), "status_code", None)
    if isinstance(status, int):
        return RealtimeMCPHTTPError(type="http_error", code=status, message=str(error))
    code = getattr(getattr(error, "error", None), "code", None)
    return RealtimeMCPProtocolError(
        type="protocol_error",
        code=code if isinstance(code, int) else -32000,
        message=str(error) or type(error).__name__,
    )
