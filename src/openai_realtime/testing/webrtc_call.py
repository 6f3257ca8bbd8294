"""One fake WebRTC call: the aiortc peer that answers the caller's offer.

The answer carries the speech track; the caller's ``oai-events`` data channel and microphone
track arrive once the peers connect. ICE uses no STUN or TURN server (an empty server list):
the fake answers only from this machine's own addresses.

Needs the ``webrtc`` extra (aiortc): imported only when a call arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCDataChannel,
    RTCPeerConnection,
    RTCSessionDescription,
)

from openai_realtime.testing.clock import FakeClock
from openai_realtime.testing.connection import Connection
from openai_realtime.testing.ids import IdFactory
from openai_realtime.testing.outbox import ConnectionGone
from openai_realtime.testing.webrtc_channel import CallSocket
from openai_realtime.testing.webrtc_media import PlayedAudio, SpeechTrack
from openai_realtime.transports._webrtc_media import pcm16_blocks

__all__ = ["EVENTS_CHANNEL", "FakeCall"]

logger = logging.getLogger("openai_realtime.testing")

EVENTS_CHANNEL = "oai-events"
"""The label of the data channel the events travel on."""


class FakeCall:
    """The service's end of one call: peer connection, speech track, events socket.

    Args:
        call_id: The call's id (``rtc_…``).
        clock: The server's clock, which paces the speech.
    """

    def __init__(self, call_id: str, clock: FakeClock) -> None:
        self.call_id = call_id
        self._peer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._ids = IdFactory()
        self._track = SpeechTrack(clock, started=self._started, stopped=self._stopped)
        self._channel: asyncio.Future[RTCDataChannel] = asyncio.get_running_loop().create_future()
        self._microphone: MediaStreamTrack | None = None
        self._connection: Connection | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.socket: CallSocket | None = None
        """The events socket, once the data channel is open."""
        self._peer.on("datachannel", self._on_datachannel)
        self._peer.on("track", self._on_track)
        self._peer.on("connectionstatechange", self._on_state)

    async def answer(self, offer_sdp: str) -> str:
        """Take the caller's offer and return the answer (ICE candidates included).

        Raises:
            ValueError: The offer is not SDP aiortc can answer.
        """
        await self._peer.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        self._peer.addTrack(self._track)
        # aiortc gathers every candidate before setLocalDescription returns: no trickle ICE.
        await self._peer.setLocalDescription(await self._peer.createAnswer())
        return str(self._peer.localDescription.sdp)

    async def open_socket(self, timeout: float) -> CallSocket:
        """Wait for the caller's ``oai-events`` channel and wrap it in the events socket.

        Raises:
            TimeoutError: The channel did not open within ``timeout`` seconds.
        """
        channel = await asyncio.wait_for(asyncio.shield(self._channel), timeout)
        socket = CallSocket(channel, self._track, self._ids, self._truncate, self.hang_up)
        channel.on("message", socket.receive)
        channel.on("close", self._closed)
        self.socket = socket
        return socket

    def start(self, connection: Connection) -> None:
        """The call's connection is about to serve: route the microphone into it."""
        self._connection = connection
        if self._microphone is not None:
            self._spawn(self._listen(self._microphone))

    async def hang_up(self) -> None:
        """Close the peer connection and stop the call's tasks."""
        others = [task for task in self._tasks if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        self._track.stop()
        await self._peer.close()

    async def _listen(self, microphone: MediaStreamTrack) -> None:
        """The caller's audio into the connection's input buffer and VAD, until either ends."""
        connection = self._connection
        if connection is None:
            return
        with contextlib.suppress(ConnectionGone):
            async for samples in pcm16_blocks(microphone):
                await connection.receive_audio(samples)

    async def _truncate(self, played: PlayedAudio) -> None:
        if self._connection is not None:
            await self._connection.truncate_played(played.item_id, played.content_index, played.ms)

    def _started(self, response_id: str) -> None:
        if self.socket is not None:
            self.socket.started(response_id)

    def _stopped(self, response_id: str) -> None:
        if self.socket is not None:
            self.socket.stopped(response_id)

    def _on_datachannel(self, channel: RTCDataChannel) -> None:
        if channel.label == EVENTS_CHANNEL and not self._channel.done():
            self._channel.set_result(channel)

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio" and self._microphone is None:
            self._microphone = track
            if self._connection is not None:
                self._spawn(self._listen(track))

    def _on_state(self) -> None:
        if self._peer.connectionState in ("failed", "closed"):
            self._closed()

    def _closed(self, *_: Any) -> None:
        if self.socket is not None and not self.socket.closed:
            self._spawn(self.socket.close())

    def _spawn(self, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        with contextlib.suppress(asyncio.CancelledError):
            if task.exception() is not None:
                logger.error("a WebRTC call task failed", exc_info=task.exception())
