"""``ReplayServer``: serve the recorded server side of a session back to a live client.

A bug seen once in a recorded session can then be replayed in a test, against the real client::

    async with ReplayServer("bug.jsonl", speed=0) as server:
        async with RealtimeClient(url=server.url) as client:
            ...  # drive the client as the recorded application did

Each connection gets the opening frames at once, then, for every frame the client sends, the
server frames recorded after the matching recorded client frame (see ``replay_script`` for the
matching rule), spaced as recorded divided by ``speed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import ClassVar, Final

import aiohttp
from aiohttp import web

from openai_realtime._loopback_server import LoopbackServer
from openai_realtime.errors import ConfigurationError
from openai_realtime.recording.audio_omission import restore_audio
from openai_realtime.recording.reader import Recording, read_recording
from openai_realtime.recording.replay_script import ReplayBatch, ReplayScript, event_type_of

__all__ = ["ReplayServer"]

logger = logging.getLogger("openai_realtime")

# A recorded append can be as large as the service accepts: 15 MiB of base64 plus the JSON.
_MAX_MESSAGE_BYTES: Final = 16 * 1024 * 1024 + 64 * 1024


class ReplayServer(LoopbackServer):
    """A WebSocket server on loopback that plays a recording's server side to each client.

    Args:
        recording: A :class:`~openai_realtime.recording.Recording` or the path of a recording.
        host: Interface to bind; loopback by default.
        port: TCP port; 0 picks a free one.
        speed: 1.0 keeps the recorded spacing between frames, 2.0 halves it, 0 sends every due
            frame at once.

    Raises:
        ConfigurationError: ``speed`` is negative.
        OSError: The recording cannot be read.
        RecordingFormatError: The file is not a recording.
    """

    def __init__(
        self,
        recording: Recording | str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
    ) -> None:
        if speed < 0:
            raise ConfigurationError(f"speed must be at least 0, got {speed}")
        if not isinstance(recording, Recording):
            recording = read_recording(recording)
        self.script = ReplayScript.from_recording(recording)
        self.speed = speed
        super().__init__(host, port)
        self.connections = 0
        """How many clients have connected so far."""

    label: ClassVar[str] = "replay server"
    route: ClassVar[str] = "/{path:.*}"  # any path is served the same

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        websocket = web.WebSocketResponse(max_msg_size=_MAX_MESSAGE_BYTES)
        await websocket.prepare(request)
        self.connections += 1
        self._open.add(websocket)
        outbox: asyncio.Queue[ReplayBatch] = asyncio.Queue()
        outbox.put_nowait(self.script.opening_batch())
        # One sender per connection keeps the recorded order while receiving goes on.
        sender = asyncio.create_task(self._send_batches(websocket, outbox))
        cursor = self.script.cursor()
        try:
            async for message in websocket:
                if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    continue
                batch = cursor.match(event_type_of(message.data))
                if batch is None:
                    logger.info("replay: no recorded client frame matches; nothing sent")
                elif batch.frames:
                    outbox.put_nowait(batch)
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
            self._open.discard(websocket)
        return websocket

    async def _send_batches(
        self, websocket: web.WebSocketResponse, outbox: asyncio.Queue[ReplayBatch]
    ) -> None:
        while True:
            batch = await outbox.get()
            previous = batch.anchor
            for frame in batch.frames:
                if self.speed > 0:
                    await asyncio.sleep(max(frame.t - previous, 0.0) / self.speed)
                previous = frame.t
                if websocket.closed:
                    return
                try:
                    if isinstance(frame.frame, str):
                        # A recording without audio plays silence of the recorded length.
                        await websocket.send_str(restore_audio(frame.frame))
                    else:
                        await websocket.send_bytes(frame.frame)
                except ConnectionError:
                    return
