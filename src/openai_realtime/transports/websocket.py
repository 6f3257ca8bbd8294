"""The default transport: aiohttp's WebSocket client."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Mapping
from typing import Final, Protocol

import aiohttp
from yarl import URL

from openai_realtime.credentials import redact_url, same_origin_only
from openai_realtime.errors import (
    ConnectionClosedError,
    RealtimeConnectionError,
    RealtimeTimeoutError,
)
from openai_realtime.transports._heartbeat import Heartbeat
from openai_realtime.transports.base import TransportClosed

__all__ = ["WebSocketConnector", "WebSocketTransport"]

_ABNORMAL_CLOSURE: Final = int(aiohttp.WSCloseCode.ABNORMAL_CLOSURE)


class _Socket(Protocol):
    """The part of the connection's socket (``ws.get_extra_info("socket")``) used here."""

    def shutdown(self, how: int, /) -> None: ...


def _shut_down(sock: _Socket | None) -> None:
    """Shut a socket down both ways; pending writes and reads then fail at once."""
    if sock is None:
        return
    # An OSError means it is already closed or disconnected: nothing is left to cut.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class WebSocketTransport:
    """One aiohttp WebSocket connection (made by :class:`WebSocketConnector`).

    Args:
        ws: The open connection.
        owned_session: A session made for this connection alone, closed with it.
        heartbeat: Seconds of quiet after which to ping the peer (``None``: no pings). A ping
            unanswered for half that aborts the connection (code 1006). For this, ``ws`` must
            come from ``ws_connect(heartbeat=None, autoping=False)``: the pings and pongs then
            reach :meth:`receive`, which answers the peer's pings itself.
    """

    def __init__(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        owned_session: aiohttp.ClientSession | None,
        *,
        heartbeat: float | None = None,
    ) -> None:
        self._ws = ws
        self._owned_session = owned_session
        self._dead: str | None = None  # why the heartbeat aborted the connection
        self._heartbeat = (
            None if heartbeat is None else Heartbeat(heartbeat, ws.ping, self._pong_missing)
        )
        # Kept now: once aiohttp has closed a connection it no longer exposes its socket, and
        # the socket is what lets a stuck connection be aborted.
        self._socket: _Socket | None = ws.get_extra_info("socket")
        # The receive side and close() may both release; the first does it, whole, while
        # the other waits (closing the session mid-handshake would turn 1000 into 1006).
        self._release_lock = asyncio.Lock()
        self._released = False

    @property
    def closed(self) -> bool:
        """True once the WebSocket is closing or closed."""
        return self._ws.closed

    async def send_text(self, text: str) -> None:
        """Send one text frame; waits while aiohttp's bounded write buffer is full.

        Raises:
            ConnectionClosedError: The connection has closed or failed.
        """
        try:
            await self._ws.send_str(text)
        except (aiohttp.ClientError, ConnectionError) as error:
            raise ConnectionClosedError(self._ws.close_code) from error

    async def receive(self) -> str | bytes | TransportClosed:
        """The next text or binary frame, or the end of the connection."""
        ws, heartbeat = self._ws, self._heartbeat
        while True:
            if heartbeat is None:
                message = await ws.receive()
            else:
                heartbeat.reading = True
                try:
                    message = await ws.receive()
                finally:
                    heartbeat.reading = False
                heartbeat.heard = True
            if message.type is aiohttp.WSMsgType.TEXT:
                return str(message.data)
            if message.type is aiohttp.WSMsgType.BINARY:
                return bytes(message.data)
            if message.type is aiohttp.WSMsgType.PING:
                # Only without aiohttp's autoping (see heartbeat): answered here instead.
                with contextlib.suppress(aiohttp.ClientError, ConnectionError):
                    await ws.pong(message.data)
            elif message.type is not aiohttp.WSMsgType.PONG:
                break
        code: int | None
        if message.type is aiohttp.WSMsgType.CLOSE:
            code, reason = message.data, message.extra or ""
        elif message.type is aiohttp.WSMsgType.ERROR:
            code, reason = ws.close_code or _ABNORMAL_CLOSURE, str(message.data)
        elif message.type is aiohttp.WSMsgType.CLOSING:
            # close() started the close handshake; its code is known once it completes.
            code, reason = None, ""
        else:
            # CLOSED: the TCP connection ended without a close frame.
            code, reason = _ABNORMAL_CLOSURE, "connection lost"
        if self._dead is not None:
            code, reason = _ABNORMAL_CLOSURE, self._dead
        await self._release(abnormal=code == _ABNORMAL_CLOSURE)
        return TransportClosed(ws.close_code if code is None else code, reason)

    async def close(self) -> None:
        """Close with code 1000 (waiting for the peer's close frame) and release the socket."""
        if self._heartbeat is not None:
            self._heartbeat.stop()
        await self._ws.close()
        await self._release(abnormal=self._ws.close_code == _ABNORMAL_CLOSURE)

    def abort(self) -> None:
        """Shut the socket down: a pending write and the pending receive fail at once.

        ``ws.close()`` would queue a close frame behind frames stuck in the write buffer and
        wait for a peer that stopped reading.
        """
        _shut_down(self._socket)

    def _pong_missing(self, waited: float) -> None:
        self._dead = f"no pong within {waited} s: the connection is dead"
        self.abort()

    async def _release(self, *, abnormal: bool) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()
        async with self._release_lock:
            if self._released:
                return
            await self._ws.close()
            if abnormal or self._ws.close_code == _ABNORMAL_CLOSURE:
                # aiohttp closes a failed connection gracefully, which never completes while
                # unsent frames wait for a peer that stopped reading; this frees the socket.
                _shut_down(self._socket)
            session, self._owned_session = self._owned_session, None
            if session is not None:
                await session.close()
            self._released = True


class WebSocketConnector:
    """Opens aiohttp WebSocket connections: the default connector of ``RealtimeAPI``.

    Args:
        session: An aiohttp session to connect with; it stays open after the connection ends.
            Without one, each connection has its own session, closed with it.
        max_message_size: Largest frame accepted, in bytes (0: no limit); a larger frame
            closes the connection with code 1009.
        heartbeat: Seconds of quiet after which the connection is pinged (``None``: no pings);
            a ping unanswered for half that closes it with code 1006.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None,
        max_message_size: int,
        heartbeat: float | None,
    ) -> None:
        self._session = session
        self._max_message_size = max_message_size
        self._heartbeat = heartbeat

    async def __call__(self, url: URL, headers: Mapping[str, str]) -> WebSocketTransport:
        """Open one WebSocket connection.

        Raises:
            RealtimeConnectionError: The server refused the handshake (the message carries the
                HTTP status) or was unreachable.
            RealtimeTimeoutError: The attempt timed out.
        """
        owned_session = None
        if self._session is None:
            # The session it opens itself follows no redirect to another origin: aiohttp would
            # drop only `Authorization` there, and an Azure `api-key` would go along.
            session = owned_session = aiohttp.ClientSession(middlewares=(same_origin_only(url),))
        else:
            session = self._session
        try:
            ws = await self._open(session, url, headers)
        except BaseException:
            if owned_session is not None:
                await owned_session.close()
            raise
        return WebSocketTransport(ws, owned_session, heartbeat=self._heartbeat)

    async def _open(
        self, session: aiohttp.ClientSession, url: URL, headers: Mapping[str, str]
    ) -> aiohttp.ClientWebSocketResponse:
        where = redact_url(url)
        try:
            return await session.ws_connect(
                url,
                headers=headers,
                max_msg_size=self._max_message_size,
                # The transport keeps the heartbeat: aiohttp's costs a loop callback per frame.
                heartbeat=None,
                autoping=self._heartbeat is None,
            )
        except aiohttp.ClientResponseError as error:
            # The aiohttp error's request_info holds the request headers, and so the key.
            # Raised below, outside this block, it is not even kept as a suppressed
            # __context__, which error reporters that walk exception chains would show.
            refusal = (
                f"{where} refused the WebSocket handshake: HTTP {error.status} {error.message}"
            )
        except TimeoutError as error:
            raise RealtimeTimeoutError(f"timed out connecting to {where}") from error
        except (aiohttp.ClientError, OSError) as error:
            raise RealtimeConnectionError(f"could not connect to {where}: {error}") from error
        raise RealtimeConnectionError(refusal)
