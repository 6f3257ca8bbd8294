"""The transport seam: how ``RealtimeAPI`` moves JSON text frames, whatever carries them.

``RealtimeAPI`` only ever sends text, receives text (or the end of the connection) and closes;
a :class:`Transport` does that over one connection, and a :class:`Connector` opens one. Three
ship here:

* :class:`WebSocketConnector` (the default): aiohttp's WebSocket client;
* :class:`MemoryConnector`: an in-memory pair for tests, in the manner of httpx's
  ``MockTransport``; the test holds the server's end (:class:`MemoryTransport`) and delivers
  frames deterministically (:meth:`MemoryTransport.flush` returns once the client has handled
  every frame sent to it);
* :class:`WebRTCConnector` (the ``webrtc`` extra): a WebRTC call, events on the
  ``oai-events`` data channel and audio on media tracks (aiortc is imported when it connects).

``transport=`` also takes the names ``"websocket"`` and ``"webrtc"`` (:data:`TransportName`);
:func:`resolve_transport` turns either spelling into a connector.
"""

from __future__ import annotations

from openai_realtime.transports.base import Connector, Transport, TransportClosed
from openai_realtime.transports.choice import TransportChoice, TransportName, resolve_transport
from openai_realtime.transports.memory import MemoryConnector, MemoryTransport, memory_pair
from openai_realtime.transports.webrtc import WebRTCConnector, WebRTCTransport
from openai_realtime.transports.websocket import WebSocketConnector, WebSocketTransport

__all__ = [
    "Connector",
    "MemoryConnector",
    "MemoryTransport",
    "Transport",
    "TransportChoice",
    "TransportClosed",
    "TransportName",
    "WebRTCConnector",
    "WebRTCTransport",
    "WebSocketConnector",
    "WebSocketTransport",
    "memory_pair",
    "resolve_transport",
]
