"""A scripted WebSocket server on 127.0.0.1 for the RealtimeAPI tests.

It records each handshake and every text frame it receives, and lets a test push frames, close
with a code, or drop the TCP connection. Every wait is bounded by ``WAIT``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web
from multidict import CIMultiDictProxy

from tests.support import WAIT

__all__ = ["SENTINEL_KEY", "Handshake", "ScriptedServer"]

"""Seconds any single wait in these tests may take before it fails."""

SENTINEL_KEY = "sk-test-SENTINEL-0123456789abcdef"
"""An API key distinctive enough to search for in logs, reprs and messages."""


@dataclass(frozen=True)
class Handshake:
    """What the client sent when it opened the WebSocket."""

    path: str
    query: dict[str, str]
    headers: CIMultiDictProxy[str]


class ScriptedServer:
    """A real aiohttp WebSocket endpoint driven by the test.

    ``url`` points at ``/v1/realtime``; ``base`` is ``http://host:port`` (for other paths).
    """

    def __init__(self) -> None:
        self.url = ""
        self.base = ""
        self.handshakes: list[Handshake] = []
        self.received: list[str] = []
        self.refuse_with: int | None = None
        self._frames: asyncio.Queue[str] = asyncio.Queue()
        self._connections: asyncio.Queue[tuple[web.WebSocketResponse, web.Request]] = (
            asyncio.Queue()
        )
        self._current: tuple[web.WebSocketResponse, web.Request] | None = None
        self._open: set[web.WebSocketResponse] = set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler: record, then echo nothing and collect frames until closed."""
        self.handshakes.append(Handshake(request.path, dict(request.query), request.headers))
        if self.refuse_with is not None:
            return web.Response(status=self.refuse_with, text="refused")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._open.add(ws)
        self._connections.put_nowait((ws, request))
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    self.received.append(message.data)
                    self._frames.put_nowait(message.data)
        finally:
            self._open.discard(ws)
        return ws

    async def accepted(self) -> web.WebSocketResponse:
        """Wait for the next client connection and make it the one scripted."""
        self._current = await asyncio.wait_for(self._connections.get(), WAIT)
        return self._current[0]

    def _socket(self) -> web.WebSocketResponse:
        assert self._current is not None, "call accepted() first"
        return self._current[0]

    async def next_frame(self) -> dict[str, Any]:
        """The next text frame received, parsed."""
        frame = await asyncio.wait_for(self._frames.get(), WAIT)
        parsed: dict[str, Any] = json.loads(frame)
        return parsed

    def pending_frames(self) -> int:
        """How many received frames no test has read yet."""
        return self._frames.qsize()

    async def send(self, event: Mapping[str, Any] | str) -> None:
        """Send one text frame: a mapping as JSON, a string as is."""
        text = event if isinstance(event, str) else json.dumps(event)
        await self._socket().send_str(text)

    async def send_bytes(self, data: bytes) -> None:
        """Send one binary frame."""
        await self._socket().send_bytes(data)

    async def close(self, code: int = WSCloseCode.OK, reason: str = "") -> None:
        """Close the connection with a close frame."""
        await self._socket().close(code=code, message=reason.encode())

    def drop(self) -> None:
        """Cut the TCP connection with no close frame (the server vanishing)."""
        assert self._current is not None, "call accepted() first"
        transport = self._current[1].transport
        assert transport is not None
        transport.abort()

    async def shutdown(self) -> None:
        """Close every connection still open, so the server can stop at once."""
        for ws in list(self._open):
            await ws.close(code=WSCloseCode.GOING_AWAY)
