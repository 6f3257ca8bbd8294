"""The session of a call: one fake session shared by the caller and every sideband connection.

A SIP or WebRTC call has one session on OpenAI's side. The caller's audio goes into it, its
answers go out to the caller, and any number of sideband WebSockets (``?call_id=``) watch and
steer it. Here the ordinary :class:`~openai_realtime.testing.connection.Connection` serves that
session, and :class:`CallLine` stands in for its WebSocket:

* what the session sends goes to every attached sideband (all see the session's events) and to
  the caller's ear (:class:`CallerEar`: the audio and transcript the caller heard);
* what it reads is one queue fed by every sideband and by the caller's audio, handled in
  arrival order by the same handlers, VAD and responder as any connection;
* a ``session.update`` without ``session.type`` is ignored, as live ignores it on calls (no
  error, no ``session.updated``): an app that forgets the type finds out offline;
* ``output_audio_buffer.*`` exists on calls only, so the line adds it: ``started`` before a
  response's first audio, ``stopped`` after its ``response.done``, and
  ``output_audio_buffer.clear`` from a sideband answered with ``cleared`` (the rest of that
  response's audio is not played to the caller).

An ``error`` event for one sideband's mistake goes to every sideband (a simplification).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Any, cast

import numpy as np
from aiohttp import WSMessage, WSMsgType, web
from numpy.typing import NDArray

from openai_realtime.testing.audio_format import AudioFormat
from openai_realtime.testing.connection import Connection, ConnectionOptions
from openai_realtime.testing.ids import IdFactory
from openai_realtime.testing.record import ConnectionRecord
from openai_realtime.testing.responder import Responder

__all__ = ["CallLine", "CallSession", "CallerEar"]

logger = logging.getLogger("openai_realtime.testing")

_NORMAL_CLOSURE = 1000
_SESSION_FRAMES = ("session.created", "session.updated")


class CallerEar:
    """What the caller heard: the answers' audio (as played) and their transcripts."""

    def __init__(self) -> None:
        self.audio_format = AudioFormat.from_wire(None)
        self._chunks: list[NDArray[np.int16]] = []
        self.transcripts: list[str] = []
        """The transcript of each answer the caller heard, in order."""
        self._muted: set[str] = set()
        self.greeted = asyncio.Event()
        """Set once the caller has heard the agent's first spoken answer to its end."""

    @property
    def audio(self) -> NDArray[np.int16]:
        """Every sample played to the caller, at :attr:`audio_format`'s rate."""
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)

    def mute(self, response_id: str) -> None:
        """Play no more of this response (its output buffer was cleared)."""
        self._muted.add(response_id)

    def hear(self, event: dict[str, Any]) -> None:
        """Take in one server event."""
        kind = event.get("type")
        if kind in _SESSION_FRAMES:
            output = event["session"].get("audio", {}).get("output", {})
            self.audio_format = AudioFormat.from_wire(output.get("format"))
        elif event.get("response_id") in self._muted:
            return
        elif kind == "response.output_audio.delta":
            self._chunks.append(self.audio_format.decode(event["delta"]))
        elif kind == "response.output_audio_transcript.done":
            self.transcripts.append(event["transcript"])
        elif kind == "response.done" and self._chunks:
            self.greeted.set()


class CallLine:
    """The WebSocket a call's :class:`Connection` talks to (see the module description).

    Args:
        ear: Where what the caller hears goes.
    """

    def __init__(self, ear: CallerEar) -> None:
        self._ear = ear
        self._inbox: asyncio.Queue[WSMessage] = asyncio.Queue()
        self._sidebands: set[web.WebSocketResponse] = set()
        self._write_lock = asyncio.Lock()
        self._ids = IdFactory()
        self._session_frame: dict[str, Any] | None = None
        self._conversation_frame: str | None = None
        self._playing: str | None = None
        self.closed = False

    # --- the Connection's side: a WebSocket ------------------------------------------------

    def __aiter__(self) -> CallLine:
        return self

    async def __anext__(self) -> WSMessage:
        message = await self._inbox.get()
        if message.type is WSMsgType.CLOSE:
            raise StopAsyncIteration
        return message

    async def send_str(self, text: str) -> None:
        """Deliver one server frame to the caller and every sideband."""
        event = json.loads(text)
        kind = event.get("type")
        if kind in _SESSION_FRAMES:
            self._session_frame = event
        elif kind == "conversation.created":
            self._conversation_frame = text
        elif kind == "response.output_audio.delta" and self._playing != event["response_id"]:
            self._playing = event["response_id"]
            await self._broadcast(self._buffer_event("output_audio_buffer.started"))
        self._ear.hear(event)
        await self._broadcast(text)
        if kind == "response.done" and self._playing == event["response"]["id"]:
            await self._broadcast(self._buffer_event("output_audio_buffer.stopped"))
            self._playing = None

    async def send_bytes(self, data: bytes) -> None:
        """Binary frames are never part of a call's session (faults are not injected here)."""
        raise RuntimeError("a call's session sends text frames only")

    async def close(self, *, code: int = _NORMAL_CLOSURE, message: bytes = b"") -> None:
        """End the line: the session stops reading, every sideband is closed with ``message``."""
        if self.closed:
            return
        self.closed = True
        self._inbox.put_nowait(WSMessage(WSMsgType.CLOSE, code, None))
        for sideband in list(self._sidebands):
            await sideband.close(code=code, message=message)
        self._sidebands.clear()

    # --- the callers' side -----------------------------------------------------------------

    def put(self, frame: str) -> None:
        """Queue a client frame for the session (from a sideband or the caller's audio)."""
        if not self.closed:
            self._inbox.put_nowait(WSMessage(WSMsgType.TEXT, frame, None))

    async def send_event(self, event: dict[str, Any]) -> None:
        """Send a server event made outside the session (DTMF) to every sideband."""
        await self._broadcast(json.dumps(event))

    async def serve_sideband(self, websocket: web.WebSocketResponse) -> None:
        """Greet a new sideband with the session as it is now, then relay its frames."""
        if self._session_frame is not None:
            greeting = {**self._session_frame, "type": "session.created"}
            await websocket.send_str(json.dumps(greeting))
        if self._conversation_frame is not None:
            await websocket.send_str(self._conversation_frame)
        self._sidebands.add(websocket)
        try:
            async for message in websocket:
                if message.type is not WSMsgType.TEXT:
                    break
                event = _parse(message.data)
                kind = event.get("type")
                if kind == "output_audio_buffer.clear":
                    await self._clear_output()
                elif kind == "session.update" and not _has_session_type(event):
                    # What live does on a call: no error, no session.updated, no change.
                    logger.warning("ignored a sideband's session.update without session.type")
                else:
                    self.put(message.data)
        finally:
            self._sidebands.discard(websocket)

    async def _clear_output(self) -> None:
        if self._playing is not None:
            self._ear.mute(self._playing)
            await self._broadcast(self._buffer_event("output_audio_buffer.cleared"))
            self._playing = None

    def _buffer_event(self, kind: str) -> str:
        event = {"type": kind, "event_id": self._ids.make("event"), "response_id": self._playing}
        return json.dumps(event)

    async def _broadcast(self, text: str) -> None:
        async with self._write_lock:
            for sideband in list(self._sidebands):
                try:
                    await sideband.send_str(text)
                except (ConnectionError, RuntimeError):
                    # A sideband that went away misses the rest; the call goes on.
                    self._sidebands.discard(sideband)


def _parse(frame: str) -> dict[str, Any]:
    """The frame's JSON object, or an empty one (the session rejects it as live would)."""
    try:
        event = json.loads(frame)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


def _has_session_type(event: dict[str, Any]) -> bool:
    session = event.get("session")
    return isinstance(session, dict) and "type" in session


class CallSession:
    """Runs a call's session from acceptance to its end.

    Args:
        request: The HTTP request that started it (``/accept``, or the WebRTC offer).
        record: Where its frames are recorded.
        responder: The server's responder.
        options: Connection options with the call's session in ``session_overrides``.
        rng: Seeded random choices.
    """

    def __init__(
        self,
        request: web.Request,
        record: ConnectionRecord,
        responder: Responder,
        options: ConnectionOptions,
        rng: random.Random,
    ) -> None:
        self.ear = CallerEar()
        """What the caller heard."""
        self.line = CallLine(self.ear)
        """The session's line: sidebands attach here, the caller's audio goes in here."""
        self.record = record
        wire_input = (options.session_overrides or {}).get("audio", {}).get("input", {})
        self.input_format = AudioFormat.from_wire(wire_input.get("format"))
        """The input format the call was answered with: the caller's audio is sent in it."""
        # The line speaks the part of the WebSocket API a Connection uses.
        websocket = cast(web.WebSocketResponse, self.line)
        self._connection = Connection(websocket, request, record, responder, options, rng)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start serving (``session.created`` is sent at once)."""
        self._task = asyncio.create_task(self._connection.run())

    async def end(self, reason: str) -> None:
        """End the session: every sideband is closed with code 1000 and ``reason``."""
        await self.line.close(message=reason.encode())
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
