"""An in-memory transport pair, for tests that need no socket.

Each end has an inbox; what one end sends lands in the other's. Delivery is deterministic:
:meth:`MemoryTransport.flush` returns once the peer has received every frame sent to it and
come back for the next one, which for ``RealtimeAPI`` means each frame has been decoded, applied
and dispatched to every sync handler::

    connector = MemoryConnector()
    api = RealtimeAPI(transport=connector)
    await api.connect()
    server = await connector.accept()
    await server.send_text('{"type": "session.created", ...}')
    await server.flush()  # the client has handled session.created
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Final, TypeAlias

from yarl import URL

from openai_realtime.errors import ConnectionClosedError
from openai_realtime.transports.base import TransportClosed

__all__ = ["MemoryConnector", "MemoryTransport", "memory_pair"]

_NORMAL_CLOSURE: Final = 1000
_ABNORMAL_CLOSURE: Final = 1006

_Message: TypeAlias = str | bytes | TransportClosed


class _Link:
    """What the two ends share: closing either closes both."""

    __slots__ = ("closed",)

    def __init__(self) -> None:
        self.closed = asyncio.Event()


class MemoryTransport:
    """One end of an in-memory pair (see :func:`memory_pair`)."""

    def __init__(
        self, inbox: asyncio.Queue[_Message], outbox: asyncio.Queue[_Message], link: _Link
    ) -> None:
        self._inbox = inbox
        self._outbox = outbox
        self._link = link
        self._taken = False  # a frame was received and its handling is not yet acknowledged

    @property
    def closed(self) -> bool:
        """True once either end has closed or aborted."""
        return self._link.closed.is_set()

    async def send_text(self, text: str) -> None:
        """Put one text frame in the peer's inbox.

        Raises:
            ConnectionClosedError: This end or the peer has closed.
        """
        self._put(text)

    async def send_bytes(self, data: bytes) -> None:
        """Put one binary frame in the peer's inbox (a peer misbehaving, in tests).

        Raises:
            ConnectionClosedError: This end or the peer has closed.
        """
        self._put(data)

    def _put(self, message: str | bytes) -> None:
        if self.closed:
            raise ConnectionClosedError(_NORMAL_CLOSURE, "the in-memory connection is closed")
        self._outbox.put_nowait(message)

    async def receive(self) -> _Message:
        """The next frame from the peer, or how the connection ended."""
        self._acknowledge()
        message = await self._inbox.get()
        if isinstance(message, TransportClosed):
            self._inbox.task_done()
        else:
            self._taken = True
        return message

    def _acknowledge(self) -> None:
        # Coming back for the next frame is what proves the previous one was handled.
        if self._taken:
            self._taken = False
            self._inbox.task_done()

    async def flush(self) -> None:
        """Return once the peer has handled every frame sent to it (or the connection ended)."""
        joined = asyncio.ensure_future(self._outbox.join())
        ended = asyncio.ensure_future(self._link.closed.wait())
        try:
            await asyncio.wait((joined, ended), return_when=asyncio.FIRST_COMPLETED)
        finally:
            joined.cancel()
            ended.cancel()

    async def close(self, code: int = _NORMAL_CLOSURE, reason: str = "") -> None:
        """Close both ends: each one's ``receive`` ends with ``code`` and ``reason``."""
        self._end(TransportClosed(code, reason))

    def abort(self) -> None:
        """Cut the connection: both ends' ``receive`` end with code 1006."""
        self._end(TransportClosed(_ABNORMAL_CLOSURE, "connection aborted"))

    def _end(self, closed: TransportClosed) -> None:
        if self.closed:
            return
        self._link.closed.set()
        self._outbox.put_nowait(closed)
        self._inbox.put_nowait(closed)


def memory_pair() -> tuple[MemoryTransport, MemoryTransport]:
    """Two connected ends: what one sends, the other receives.

    Returns:
        The client's end and the server's end.
    """
    to_client: asyncio.Queue[_Message] = asyncio.Queue()
    to_server: asyncio.Queue[_Message] = asyncio.Queue()
    link = _Link()
    return MemoryTransport(to_client, to_server, link), MemoryTransport(to_server, to_client, link)


class MemoryConnector:
    """A connector of in-memory pairs: ``RealtimeAPI(transport=MemoryConnector())``.

    Each connection made through it is a fresh pair; :meth:`accept` hands the test the
    server's end, in order.

    Attributes:
        handshakes: The URL and headers of every connection made, in order.
        refuse_with: When set, the next connections fail with this exception instead.
    """

    def __init__(self) -> None:
        self.handshakes: list[tuple[URL, dict[str, str]]] = []
        self.refuse_with: BaseException | None = None
        self._accepted: asyncio.Queue[MemoryTransport] = asyncio.Queue()

    async def __call__(self, url: URL, headers: Mapping[str, str]) -> MemoryTransport:
        """Open one in-memory connection and queue its server end for :meth:`accept`.

        Raises:
            BaseException: :attr:`refuse_with`, when set.
        """
        self.handshakes.append((url, dict(headers)))
        if self.refuse_with is not None:
            raise self.refuse_with
        client, server = memory_pair()
        self._accepted.put_nowait(server)
        return client

    async def accept(self) -> MemoryTransport:
        """The server's end of the next connection (waits for ``connect()`` if needed)."""
        return await self._accepted.get()
