"""openai-realtime: a typed Python client for the OpenAI Realtime API.

The three primitives:

* :class:`RealtimeClient`: the facade (session config, tools, audio/text helpers, utility events);
* :class:`RealtimeAPI`: the WebSocket wrapper (``client.realtime``);
* :class:`RealtimeConversation`: the client-side cache of items (``client.conversation``).

Wire events are generated pydantic models in :mod:`openai_realtime.types`; audio helpers are in
:mod:`openai_realtime.audio`; a local fake server for tests is in :mod:`openai_realtime.testing`.
"""

from __future__ import annotations

from openai_realtime.api import RealtimeAPI
from openai_realtime.client import RealtimeClient
from openai_realtime.errors import (
    ConfigurationError,
    ConnectionClosedError,
    ConversationError,
    InsecureTransportError,
    NotConnectedError,
    ProtocolError,
    RealtimeConnectionError,
    RealtimeError,
    RealtimeTimeoutError,
)
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import ConversationItem, Delta, FormattedItem, FormattedTool

__all__ = [
    "ConfigurationError",
    "ConnectionClosedError",
    "ConversationError",
    "ConversationItem",
    "Delta",
    "FormattedItem",
    "FormattedTool",
    "InsecureTransportError",
    "NotConnectedError",
    "ProtocolError",
    "RealtimeAPI",
    "RealtimeClient",
    "RealtimeConnectionError",
    "RealtimeConversation",
    "RealtimeError",
    "RealtimeTimeoutError",
]

__version__ = "0.1.0"
