"""The transport protocol: send text, receive text or the close, close, abort."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from yarl import URL

__all__ = ["Connector", "Transport", "TransportClosed"]


@dataclass(frozen=True, slots=True)
class TransportClosed:
    """What :meth:`Transport.receive` returns once the connection has ended.

    Attributes:
        code: The close code (1000 normal, 1006 abnormal, ...), if one is known.
        reason: The close reason, possibly empty.
    """

    code: int | None
    reason: str


class Transport(Protocol):
    """One open connection that carries JSON text frames both ways."""

    @property
    def closed(self) -> bool:
        """True once the connection is closing or closed."""
        ...

    async def send_text(self, text: str) -> None:
        """Send one frame; returns once the transport's bounded buffer has taken it.

        Raises:
            ConnectionClosedError: The connection has closed or failed.
        """
        ...

    async def receive(self) -> str | bytes | TransportClosed:
        """The next frame (text, or bytes for a binary frame), or how the connection ended.

        After a :class:`TransportClosed` the transport has released everything it holds.
        """
        ...

    async def close(self) -> None:
        """Close normally (code 1000) and release the connection; does nothing if closed."""
        ...

    def abort(self) -> None:
        """Cut the connection at once, without waiting for the peer (a pending ``receive``
        then ends with code 1006)."""
        ...


class Connector(Protocol):
    """Opens a :class:`Transport` to ``url`` with the handshake ``headers``."""

    async def __call__(self, url: URL, headers: Mapping[str, str]) -> Transport:
        """Open one connection.

        Raises:
            RealtimeConnectionError: Refused or unreachable.
            RealtimeTimeoutError: The attempt timed out.
        """
        ...
