"""``transport=``: a name (``"websocket"``, ``"webrtc"``) or a connector, resolved here only.

``RealtimeAPI`` (and so ``RealtimeClient``) takes either spelling; this module turns it into
the :class:`~openai_realtime.transports.Connector` that opens connections, and refuses a name
it does not know, or ``"webrtc"`` without the ``webrtc`` extra, before anything connects.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Final, Literal, get_args

from openai_realtime.errors import ConfigurationError
from openai_realtime.transports.base import Connector
from openai_realtime.transports.webrtc import MISSING_EXTRA, WebRTCConnector
from openai_realtime.transports.websocket import WebSocketConnector

if TYPE_CHECKING:
    import aiohttp

__all__ = ["TransportChoice", "TransportName", "resolve_transport"]

TransportName = Literal["websocket", "webrtc"]
"""The transports that have a name: aiohttp's WebSocket (the default) and a WebRTC call."""

TransportChoice = TransportName | Connector
"""What ``transport=`` accepts: a name, or a connector you built (``MemoryConnector()``, a
configured ``WebRTCConnector(...)``)."""

_NAMES: Final[tuple[str, ...]] = get_args(TransportName)


def resolve_transport(
    transport: TransportChoice | None,
    *,
    session: aiohttp.ClientSession | None,
    max_message_size: int,
    heartbeat: float | None,
) -> Connector:
    """The connector for ``transport=``.

    Args:
        transport: A name, a connector (returned as it is), or ``None`` for ``"websocket"``.
        session: The aiohttp session the named transports make their requests with (the
            WebSocket handshake, or the WebRTC offer's POST); ``None``: one per connection.
        max_message_size: Largest frame the WebSocket accepts (the WebSocket only).
        heartbeat: Seconds between WebSocket pings (the WebSocket only).

    Returns:
        The connector.

    Raises:
        ConfigurationError: An unknown name or an object that is not a connector, or
            ``"webrtc"`` while the ``webrtc`` extra (aiortc) is not installed.
    """
    if transport is None or transport == "websocket":
        return WebSocketConnector(
            session=session, max_message_size=max_message_size, heartbeat=heartbeat
        )
    if transport == "webrtc":
        # Refused here rather than on connect(): the choice is wrong as soon as it is made.
        if importlib.util.find_spec("aiortc") is None:
            raise ConfigurationError(MISSING_EXTRA)
        return WebRTCConnector(session=session)
    if isinstance(transport, str) or not callable(transport):
        names = " or ".join(repr(name) for name in _NAMES)
        raise ConfigurationError(
            f"transport must be {names}, or a Connector such as WebRTCConnector(), "
            f"got {transport!r}"
        )
    return transport
