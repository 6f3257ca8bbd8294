"""The relay's door at the TCP level: a per-client cap and a handshake deadline for every socket.

aiohttp's server starts counting a client only once its request headers are complete, and waits
for them as long as the client likes, so a client that trickles bytes (slowloris) or connects
and says nothing holds a socket for ever. Every accepted socket passes through
:class:`AdmissionGate` first:

========================================  ================================================
situation                                 what happens
========================================  ================================================
more open sockets from one IP than the    ``429 Too Many Requests`` is written and the
cap (counted from the TCP accept)         socket closed, before any request is read
no complete WebSocket upgrade request     the socket is aborted when the handshake timeout
within the handshake timeout              expires
========================================  ================================================

The wrapper hands every protocol callback to aiohttp's own request handler unchanged.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Final

__all__ = ["AdmissionGate"]

_TOO_MANY: Final = (
    b"HTTP/1.1 429 Too Many Requests\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 37\r\n"
    b"Connection: close\r\n"
    b"\r\n"
    b"too many connections from this client"
)


def _peer_of(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"


class AdmissionGate:
    """Counts open sockets per client IP and enforces the handshake deadline.

    Args:
        inner_factory: aiohttp's protocol factory (``runner.server``).
        max_per_client: Open sockets allowed from one IP, handshakes in progress included.
        handshake_timeout: Seconds from accept to a complete upgrade request.
    """

    def __init__(
        self,
        inner_factory: Callable[[], asyncio.Protocol],
        *,
        max_per_client: int,
        handshake_timeout: float,
    ) -> None:
        self._inner_factory = inner_factory
        self.max_per_client = max_per_client
        self.handshake_timeout = handshake_timeout
        self.open_per_client: Counter[str] = Counter()
        self._pending: dict[asyncio.BaseTransport, asyncio.TimerHandle] = {}

    def protocol(self) -> asyncio.Protocol:
        """A protocol for one new socket (pass this method to ``loop.create_server``)."""
        return _GatedProtocol(self, self._inner_factory())

    @property
    def handshakes_in_progress(self) -> int:
        """Sockets accepted whose upgrade request has not arrived yet."""
        return len(self._pending)

    def handshake_arrived(self, transport: asyncio.BaseTransport | None) -> None:
        """The socket's request headers are complete: its handshake deadline no longer applies."""
        timer = self._pending.pop(transport, None) if transport is not None else None
        if timer is not None:
            timer.cancel()

    def _admit(self, transport: asyncio.BaseTransport) -> bool:
        peer = _peer_of(transport)
        if self.open_per_client[peer] >= self.max_per_client:
            if isinstance(transport, asyncio.WriteTransport):
                transport.write(_TOO_MANY)
            transport.close()
            return False
        self.open_per_client[peer] += 1
        loop = asyncio.get_running_loop()
        self._pending[transport] = loop.call_later(self.handshake_timeout, self._expire, transport)
        return True

    def _expire(self, transport: asyncio.BaseTransport) -> None:
        if self._pending.pop(transport, None) is not None:
            transport.abort() if isinstance(transport, asyncio.Transport) else transport.close()

    def _release(self, transport: asyncio.BaseTransport) -> None:
        self.handshake_arrived(transport)
        peer = _peer_of(transport)
        self.open_per_client[peer] -= 1
        if self.open_per_client[peer] <= 0:
            del self.open_per_client[peer]


class _GatedProtocol(asyncio.Protocol):
    """Passes every callback to aiohttp's handler once the gate has admitted the socket."""

    def __init__(self, gate: AdmissionGate, inner: asyncio.Protocol) -> None:
        self._gate = gate
        self._inner = inner
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._gate._admit(transport):
            self._transport = transport
            self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._gate._release(self._transport)
            self._inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()
