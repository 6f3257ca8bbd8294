"""A hop between the voice page's relay and the fake server that makes audio arrive late.

Live, the service is some way off: when the page sends ``response.cancel``, audio deltas
already on the wire still arrive after it. On loopback that window is a few milliseconds, so
whether a test sees any late audio would be luck. :class:`LateAudioHop` makes it certain: it
holds the client's ``response.cancel`` (and every frame after it, keeping their order) until
the fake has sent ``late_deltas`` more audio deltas, or finished the response. A cancel sent
while no response is streaming goes through at once.
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType

import aiohttp
from aiohttp import WSMsgType, web
from yarl import URL

__all__ = ["LateAudioHop"]


class LateAudioHop:
    """A WebSocket hop on 127.0.0.1 to ``upstream`` (one connection at a time).

    Args:
        upstream: The fake server's WebSocket URL.
        late_deltas: Audio deltas let through after a held ``response.cancel``.
    """

    def __init__(self, upstream: str, late_deltas: int) -> None:
        self._upstream = URL(upstream)
        self._late_deltas = late_deltas
        self._runner: web.AppRunner | None = None
        self.url = ""
        """The hop's WebSocket URL (set once it is running)."""
        self.held_deltas = 0
        """Audio deltas that went to the client while a cancel was held."""
        self._streaming = False

    async def __aenter__(self) -> LateAudioHop:
        app = web.Application()
        app.router.add_get(self._upstream.path, self._bridge)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = str(self._upstream.with_host("127.0.0.1").with_port(port))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _bridge(self, request: web.Request) -> web.WebSocketResponse:
        client = web.WebSocketResponse()
        await client.prepare(request)
        headers = {"Authorization": request.headers.get("Authorization", "")}
        target = self._upstream.with_query(request.url.query)
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(target, headers=headers) as upstream,
        ):
            released = asyncio.Event()
            released.set()
            down = asyncio.create_task(self._downstream(upstream, client, released))
            try:
                async for message in client:
                    if message.type is not WSMsgType.TEXT:
                        break
                    kind = json.loads(message.data).get("type")
                    if kind == "response.cancel" and self._streaming:
                        released.clear()
                    await released.wait()
                    await upstream.send_str(message.data)
            finally:
                down.cancel()
        return client

    async def _downstream(
        self,
        upstream: aiohttp.ClientWebSocketResponse,
        client: web.WebSocketResponse,
        released: asyncio.Event,
    ) -> None:
        let_through = 0
        async for message in upstream:
            if message.type is not WSMsgType.TEXT:
                break
            await client.send_str(message.data)
            kind = json.loads(message.data).get("type")
            if kind in ("response.created", "response.done"):
                self._streaming = kind == "response.created"
            if released.is_set():
                let_through = 0
                continue
            if kind == "response.output_audio.delta":
                let_through += 1
                self.held_deltas += 1
            if let_through >= self._late_deltas or kind == "response.done":
                released.set()
        await client.close()
