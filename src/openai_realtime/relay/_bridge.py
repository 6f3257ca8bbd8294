"""One relayed connection: two pumps between a client socket and its upstream socket.

Client frames pass through the :class:`~openai_realtime.relay.policy.ClientEventPolicy`, which
hands back what to send upstream (the validated event, encoded again); upstream frames pass
through untouched (no decoding, no re-encoding: the relay stays cheap).
When either side ends, the other pump is cancelled and both sockets are closed:

=============================  ===============================================================
what ended                     how the other side is closed
=============================  ===============================================================
client closed or failed        upstream with 1000
upstream sent a close frame    client with the same code and reason, when that code may be
                               sent by a server; else 1011
upstream dropped or failed     client with 1011
no frame either way for        client with 1001 ("idle timeout"), upstream with 1000
``idle_timeout``
a frame for the client waited  client aborted (it stopped reading: its buffer is full),
``send_timeout`` for room      upstream with 1000
the relay is stopping          client with 1001, upstream with 1000
=============================  ===============================================================
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Final

import aiohttp
from aiohttp import WSCloseCode, WSMsgType, web

from openai_realtime.protocol.codec import encode_server_event
from openai_realtime.relay.policy import BINARY_FRAME_REJECTION, ClientEventPolicy, Rejection
from openai_realtime.relay.tools import RelayToolRunner

__all__ = ["RelayBridge", "client_close_code", "logger"]

logger = logging.getLogger("openai_realtime.relay")

# Close codes a server may put in a close frame (RFC 6455 section 7.4 and the IANA registry).
# 1005, 1006 and 1015 only describe local events, and 1010 is for clients to send.
_SENDABLE_STANDARD_CODES: Final = frozenset({1000, 1001, 1002, 1003, *range(1007, 1010), 1011})
_SENDABLE_REGISTERED_CODES: Final = frozenset({1012, 1013, 1014})
_SENDABLE_APPLICATION_CODES: Final = range(3000, 5000)


def client_close_code(upstream_code: int | None) -> int:
    """The code to close the client with after the upstream closed with ``upstream_code``.

    Args:
        upstream_code: The code from the upstream's close frame; ``None`` when it dropped.

    Returns:
        ``upstream_code`` when a server may send it, else 1011 (internal error).
    """
    if upstream_code is not None and (
        upstream_code in _SENDABLE_STANDARD_CODES
        or upstream_code in _SENDABLE_REGISTERED_CODES
        or upstream_code in _SENDABLE_APPLICATION_CODES
    ):
        return upstream_code
    return WSCloseCode.INTERNAL_ERROR


class RelayBridge:
    """Relays frames between one client and its upstream until either side ends.

    Args:
        client: The client's prepared WebSocket.
        upstream: The open upstream WebSocket; the bridge owns it from now on.
        policy: Which client frames may go upstream.
        peer: The client's address, for the session log.
        client_transport: The client's socket, dropped at once if it stops reading.
        idle_timeout: Seconds without a frame either way before the session ends.
        send_timeout: Seconds a frame for the client may wait for room in its buffer.
        tools: Answers the upstream's calls of relay tools; ``None`` for a plain relay.
        opening: A frame sent upstream before any client frame (the relay's own
            ``session.update``); ``None`` sends none.
    """

    def __init__(
        self,
        client: web.WebSocketResponse,
        upstream: aiohttp.ClientWebSocketResponse,
        policy: ClientEventPolicy,
        *,
        peer: str,
        client_transport: asyncio.BaseTransport | None,
        idle_timeout: float,
        send_timeout: float,
        tools: RelayToolRunner | None = None,
        opening: str | None = None,
    ) -> None:
        self._client = client
        self._upstream = upstream
        self._policy = policy
        self._peer = peer
        self._client_transport = client_transport
        self._idle_timeout = idle_timeout
        self._send_timeout = send_timeout
        self._tools = tools
        self._opening = opening
        self._last_frame = time.monotonic()
        self._client_close: tuple[int, bytes] = (WSCloseCode.INTERNAL_ERROR, b"")
        self.frames_to_upstream = 0
        self.frames_to_client = 0
        self.frames_rejected = 0

    async def run(self) -> None:
        """Pump frames both ways, then close both sockets; returns when both are closed."""
        started = time.monotonic()
        logger.info("relay session from %s started", self._peer)
        if self._opening is not None:
            await self._upstream.send_str(self._opening)
        pumps = (
            asyncio.create_task(self._pump_client_to_upstream()),
            asyncio.create_task(self._pump_upstream_to_client()),
            asyncio.create_task(self._end_when_idle()),
        )
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            outcomes = await asyncio.gather(*pumps, return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, Exception):
                    logger.debug("relay pump for %s failed: %r", self._peer, outcome)
            await self._close_both()
            logger.info(
                "relay session from %s ended after %.1f s: %d frames to upstream, "
                "%d frames to client, %d rejected, close codes client %s upstream %s",
                self._peer,
                time.monotonic() - started,
                self.frames_to_upstream,
                self.frames_to_client,
                self.frames_rejected,
                self._client.close_code,
                self._upstream.close_code,
            )

    async def shutdown(self) -> None:
        """End the session because the relay is stopping (client closed with 1001)."""
        self._client_close = (WSCloseCode.GOING_AWAY, b"relay shutting down")
        await self._client.close(code=WSCloseCode.GOING_AWAY, message=b"relay shutting down")

    async def _pump_client_to_upstream(self) -> None:
        while True:
            message = await self._client.receive()
            self._last_frame = time.monotonic()
            if message.type is WSMsgType.TEXT:
                verdict = self._policy.judge(message.data)
                if isinstance(verdict, Rejection):
                    await self._reject(verdict)
                else:
                    await self._upstream.send_str(verdict)
                    self.frames_to_upstream += 1
            elif message.type is WSMsgType.BINARY:
                await self._reject(BINARY_FRAME_REJECTION)
            else:
                # Close, closing, closed or error (an oversize frame: aiohttp already closed
                # the client with 1009, so the frame is gone and nothing was forwarded).
                return

    async def _reject(self, rejection: Rejection) -> None:
        self.frames_rejected += 1
        logger.debug("relay dropped a frame from %s: %s", self._peer, rejection.code)
        await self._send_to_client(encode_server_event(rejection.to_error_event()))

    async def _pump_upstream_to_client(self) -> None:
        while True:
            message = await self._upstream.receive()
            self._last_frame = time.monotonic()
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                await self._send_to_client(message.data)
                if self._tools and message.type is WSMsgType.TEXT:
                    # Answered after forwarding: the client sees the call before its output.
                    for frame in await self._tools.answer(message.data):
                        await self._upstream.send_str(frame)
            elif message.type is WSMsgType.CLOSE:
                code = client_close_code(message.data)
                reason = message.extra.encode() if code == message.data and message.extra else b""
                self._client_close = (code, reason)
                return
            else:
                return
            self.frames_to_client += 1

    async def _send_to_client(self, data: str | bytes) -> None:
        """Send one frame; a client with no room for it this long has stopped reading."""
        try:
            async with asyncio.timeout(self._send_timeout):
                if isinstance(data, str):
                    await self._client.send_str(data)
                else:
                    await self._client.send_bytes(data)
        except TimeoutError:
            logger.info("relay dropped %s: it stopped reading", self._peer)
            # Its close handshake could never complete either: drop the socket at once.
            if isinstance(self._client_transport, asyncio.Transport):
                self._client_transport.abort()
            raise

    async def _end_when_idle(self) -> None:
        while True:
            quiet_until = self._last_frame + self._idle_timeout
            remaining = quiet_until - time.monotonic()
            if remaining <= 0:
                logger.info("relay session from %s idle for %s s", self._peer, self._idle_timeout)
                self._client_close = (WSCloseCode.GOING_AWAY, b"idle timeout")
                return
            await asyncio.sleep(remaining)

    async def _close_both(self) -> None:
        # A socket that already broke cannot fail the other one's close.
        with contextlib.suppress(Exception):
            await self._upstream.close()
        code, reason = self._client_close
        with contextlib.suppress(Exception):
            await self._client.close(code=code, message=reason)
