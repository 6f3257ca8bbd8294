"""A WebSocket server on 127.0.0.1 that sends whatever frames a test hands it.

The fuzz test keeps one server and one connected client for all its examples: each example
pushes a batch of frames (text, or bytes sent as binary frames) followed by a marker event, and
waits until the client has dispatched the marker.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from aiohttp import WSMsgType, web

__all__ = ["MARKER_TYPE", "FrameServer", "marker"]

MARKER_TYPE = "fuzz.marker"
"""The ``type`` of the event closing each batch (unknown to the SDK, so always dispatched)."""


def marker(number: int) -> str:
    """The marker frame of batch ``number``."""
    return json.dumps({"type": MARKER_TYPE, "event_id": f"marker_{number}"})


class FrameServer:
    """Serves one WebSocket connection at a time and sends the batches it is given.

    Attributes:
        url: ``ws://127.0.0.1:<port>/v1/realtime`` once started.
    """

    def __init__(self) -> None:
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._batches: asyncio.Queue[Sequence[str | bytes]] = asyncio.Queue()
        self._open: set[web.WebSocketResponse] = set()

    async def start(self) -> None:
        """Bind an ephemeral port on 127.0.0.1 and serve."""
        app = web.Application()
        app.router.add_get("/v1/realtime", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"ws://{host}:{port}/v1/realtime"

    async def stop(self) -> None:
        """Close every connection and stop serving."""
        for websocket in list(self._open):
            await websocket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def connections(self) -> int:
        """Connections open now."""
        return len(self._open)

    def push(self, frames: Sequence[str | bytes]) -> None:
        """Queue a batch of frames for the connected client."""
        self._batches.put_nowait(frames)

    async def send_raw_text(self, payload: bytes) -> None:
        """Send ``payload`` as a text frame without checking that it is UTF-8."""
        for websocket in self._open:
            await websocket.send_frame(payload, WSMsgType.TEXT)

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        # No limit: sending oversized frames is part of the point.
        websocket = web.WebSocketResponse(max_msg_size=0)
        await websocket.prepare(request)
        self._open.add(websocket)
        sender = asyncio.create_task(self._send_batches(websocket))
        try:
            async for _ in websocket:
                pass  # what the client sends is of no interest here
        finally:
            sender.cancel()
            self._open.discard(websocket)
        return websocket

    async def _send_batches(self, websocket: web.WebSocketResponse) -> None:
        while True:
            for frame in await self._batches.get():
                if isinstance(frame, bytes):
                    await websocket.send_bytes(frame)
                else:
                    await websocket.send_str(frame)
