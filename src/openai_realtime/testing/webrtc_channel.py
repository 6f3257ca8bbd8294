"""The event side of a fake WebRTC call, shaped like the WebSocket a connection serves.

A call's :class:`~openai_realtime.testing.connection.Connection` is the same one a WebSocket
client gets; :class:`CallSocket` stands where its WebSocket would. Client events arrive from the
``oai-events`` data channel and from sideband WebSockets attached by call id, merged in arrival
order; server events go to the data channel and every sideband. What live does differently on
a call happens here, on the way out:

* ``response.output_audio.delta`` never travels as JSON: its audio is queued on the speech
  track, which plays it out in real time;
* the track reports ``output_audio_buffer.started`` / ``.stopped`` as each answer plays;
* when the caller starts speaking over an answer (``input_audio_buffer.speech_started``), the
  rest of the answer is dropped, ``output_audio_buffer.cleared`` goes out and the assistant item
  is truncated at what the track had actually sent;
* a caller's ``output_audio_buffer.clear`` is answered here (the WebSocket connection refuses it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final, Protocol

from aiohttp import WSMessage, WSMsgType, web

from openai_realtime.protocol.audio import decode_base64
from openai_realtime.protocol.codec import encode_server_event
from openai_realtime.testing.ids import IdFactory
from openai_realtime.testing.webrtc_media import PlayedAudio, SpeechTrack
from openai_realtime.types import (
    OutputAudioBufferClearedEvent,
    OutputAudioBufferStartedEvent,
    OutputAudioBufferStoppedEvent,
    ServerEvent,
)

__all__ = ["CallSocket"]

logger = logging.getLogger("openai_realtime.testing")

_AUDIO_DELTA: Final = "response.output_audio.delta"

Truncate = Callable[[PlayedAudio], Awaitable[None]]
"""Truncates an assistant item at what was played (the connection's own truncation)."""


class _Channel(Protocol):
    """The part of aiortc's ``RTCDataChannel`` used here."""

    @property
    def readyState(self) -> str: ...  # aiortc's name

    def send(self, data: str | bytes) -> None: ...


class CallSocket:
    """What a call's connection reads client events from and sends server events to.

    Args:
        channel: The ``oai-events`` data channel.
        track: The speech track the assistant's audio is played on.
        ids: Makes event ids for the events this socket adds.
        truncate: Truncates the interrupted item at what was played.
        hang_up: Ends the call's peer connection (when the connection closes).
    """

    def __init__(
        self,
        channel: _Channel,
        track: SpeechTrack,
        ids: IdFactory,
        truncate: Truncate,
        hang_up: Callable[[], Awaitable[None]],
    ) -> None:
        self._channel = channel
        self._track = track
        self._ids = ids
        self._truncate = truncate
        self._hang_up = hang_up
        self._inbox: asyncio.Queue[WSMessage | None] = asyncio.Queue()
        self._sidebands: dict[web.WebSocketResponse, asyncio.Queue[str | None]] = {}
        self._parts: dict[tuple[str, int], PlayedAudio] = {}
        self._interrupted: set[str] = set()  # responses whose rest is not played
        self._closed = False

    # --- what the connection sees: a WebSocket ---------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the call has ended."""
        return self._closed

    def __aiter__(self) -> CallSocket:
        return self

    async def __anext__(self) -> WSMessage:
        message = await self._inbox.get()
        if message is None:
            raise StopAsyncIteration
        return message

    async def send_str(self, text: str) -> None:
        """Send one server event, the call's way (see the module docstring)."""
        if self._closed:
            raise ConnectionResetError("the call has ended")
        event = json.loads(text)
        event_type = event.get("type")
        if event_type == _AUDIO_DELTA:
            self._play(event)
            return
        self._broadcast(text)
        if event_type == "input_audio_buffer.speech_started":
            await self._interrupt()
        elif event_type == "response.done":
            response_id = event["response"]["id"]
            self._track.finish(response_id)
            # Its parts get no more deltas; the track keeps what it still has to play.
            self._parts = {
                key: part for key, part in self._parts.items() if part.response_id != response_id
            }
            self._interrupted.discard(response_id)

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary message on the data channel (a fault the fake can inject)."""
        if self._closed:
            raise ConnectionResetError("the call has ended")
        self._channel.send(data)

    async def close(self, *, code: int = 1000, message: bytes = b"") -> bool:
        """End the call: the connection stops reading, sidebands close, the peer hangs up."""
        if self._closed:
            return False
        self._closed = True
        self._inbox.put_nowait(None)
        for queue in self._sidebands.values():
            queue.put_nowait(None)
        await self._hang_up()
        return True

    # --- what arrives ----------------------------------------------------------------------

    def receive(self, data: str | bytes) -> None:
        """A message from the data channel or a sideband."""
        if self._closed:
            return
        if isinstance(data, bytes):
            self._inbox.put_nowait(WSMessage(WSMsgType.BINARY, data, None))
        elif _event_type(data) == "output_audio_buffer.clear":
            self._clear()
        else:
            self._inbox.put_nowait(WSMessage(WSMsgType.TEXT, data, None))

    async def serve_sideband(self, websocket: web.WebSocketResponse) -> None:
        """Relay a sideband WebSocket both ways until it or the call closes."""
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._sidebands[websocket] = queue
        writer = asyncio.create_task(_write_all(websocket, queue))
        try:
            async for message in websocket:
                if message.type is WSMsgType.TEXT:
                    self.receive(str(message.data))
                elif message.type is WSMsgType.BINARY:
                    self.receive(bytes(message.data))
        finally:
            del self._sidebands[websocket]
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer

    # --- audio and the output audio buffer -------------------------------------------------

    def _play(self, event: dict[str, Any]) -> None:
        response_id = str(event["response_id"])
        if response_id in self._interrupted:
            return
        key = (str(event["item_id"]), int(event["content_index"]))
        part = self._parts.get(key)
        if part is None:
            part = self._parts[key] = PlayedAudio(response_id, *key)
        self._track.queue(part, decode_base64(event["delta"]))

    def started(self, response_id: str) -> None:
        """The track has started playing a response."""
        self._send_event(
            OutputAudioBufferStartedEvent(event_id=self._event_id(), response_id=response_id)
        )

    def stopped(self, response_id: str) -> None:
        """The track has played all of a response."""
        self._send_event(
            OutputAudioBufferStoppedEvent(event_id=self._event_id(), response_id=response_id)
        )

    async def _interrupt(self) -> None:
        played = self._clear()
        if played is not None:
            await self._truncate(played)

    def _clear(self) -> PlayedAudio | None:
        played = self._track.clear()
        if played is None:
            return None
        self._interrupted.add(played.response_id)
        self._send_event(
            OutputAudioBufferClearedEvent(event_id=self._event_id(), response_id=played.response_id)
        )
        return played

    # --- sending ---------------------------------------------------------------------------

    def _send_event(self, event: ServerEvent) -> None:
        self._broadcast(encode_server_event(event))

    def _broadcast(self, text: str) -> None:
        if self._channel.readyState == "open":
            self._channel.send(text)
        for queue in self._sidebands.values():
            queue.put_nowait(text)

    def _event_id(self) -> str:
        return self._ids.make("event")


def _event_type(text: str) -> object:
    try:
        event = json.loads(text)
    except ValueError:
        return None  # the connection refuses it, as it would on a WebSocket
    return event.get("type") if isinstance(event, dict) else None


async def _write_all(websocket: web.WebSocketResponse, queue: asyncio.Queue[str | None]) -> None:
    while (text := await queue.get()) is not None:
        try:
            await websocket.send_str(text)
        except (ConnectionError, RuntimeError):
            return
    await websocket.close()
