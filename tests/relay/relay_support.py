"""Helpers for the relay tests: a scripted upstream Realtime server and bounded client waits.

The upstream is a real aiohttp WebSocket server on 127.0.0.1 that records what the relay sends
(headers, query, every frame) and lets each test speak for the server side.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from aiohttp import web
from multidict import CIMultiDictProxy

from openai_realtime.relay import RealtimeRelay
from tests.support import WAIT

UPSTREAM_KEY = "sk-upstream-secret-0123456789"
RELAY_TOKEN = "relay-token-abcdef-987654"

SESSION_CREATED = json.dumps(
    {
        "type": "session.created",
        "event_id": "event_upstream_1",
        "session": {"type": "realtime", "id": "sess_1", "object": "realtime.session"},
    }
)


@dataclass
class UpstreamConnection:
    """One WebSocket the relay opened to the upstream, seen from the upstream's side."""

    headers: CIMultiDictProxy[str]
    query: dict[str, str]
    ws: web.WebSocketResponse
    transport: asyncio.BaseTransport | None
    frames: list[str | bytes] = field(default_factory=list)
    close_code: int | None = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    _arrivals: asyncio.Queue[str | bytes] = field(default_factory=asyncio.Queue)

    async def next_frame(self) -> str | bytes:
        """The next frame the relay forwarded (bounded wait)."""
        return await asyncio.wait_for(self._arrivals.get(), WAIT)

    async def wait_ended(self) -> None:
        """Wait until the relay's connection to this upstream is gone (bounded wait)."""
        await asyncio.wait_for(self.ended.wait(), WAIT)

    def drop(self) -> None:
        """Cut the TCP connection without a close frame, like a crashed server."""
        assert self.transport is not None
        self.transport.close()


class ScriptedUpstream:
    """A stand-in Realtime server: greets with ``session.created``, then answers by script.

    Attributes:
        answers: Client event type -> frames sent back when a frame of that type arrives.
        connections: Every connection, in arrival order.
    """

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}
        self.connections: list[UpstreamConnection] = []
        self._arrivals: asyncio.Queue[UpstreamConnection] = asyncio.Queue()
        self.url = ""

    async def next_connection(self) -> UpstreamConnection:
        """The next connection the relay opens (bounded wait)."""
        return await asyncio.wait_for(self._arrivals.get(), WAIT)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        connection = UpstreamConnection(
            headers=request.headers, query=dict(request.query), ws=ws, transport=request.transport
        )
        self.connections.append(connection)
        self._arrivals.put_nowait(connection)
        try:
            await ws.send_str(SESSION_CREATED)
            async for message in ws:
                frame: str | bytes = message.data
                connection.frames.append(frame)
                connection._arrivals.put_nowait(frame)
                if isinstance(frame, str):
                    for answer in self.answers.get(json.loads(frame).get("type", ""), []):
                        await ws.send_str(answer)
        finally:
            connection.close_code = ws.close_code
            connection.ended.set()
        return ws


class RelayFactory(Protocol):
    def __call__(self, **options: Any) -> Awaitable[RealtimeRelay]: ...


Connect = Callable[..., Awaitable[aiohttp.ClientWebSocketResponse]]


async def receive(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    """The next message on a client socket (bounded wait)."""
    return await ws.receive(timeout=WAIT)


async def receive_event(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    """The next text frame on a client socket, parsed."""
    message = await receive(ws)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    parsed: dict[str, Any] = json.loads(message.data)
    return parsed
