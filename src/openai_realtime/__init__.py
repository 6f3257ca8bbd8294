"""openai-realtime: a typed Python client for the OpenAI Realtime API.

The three primitives:

* :class:`RealtimeClient`: the facade (session config, tools, audio/text helpers, utility events);
* :class:`RealtimeAPI`: the WebSocket wrapper (``client.realtime``);
* :class:`RealtimeConversation`: the client-side cache of items (``client.conversation``).

The other two session kinds: :class:`RealtimeTranscriber` (transcription only, kept as timed
segments) and :class:`RealtimeTranslator` (speech translation).

Wire events are generated pydantic models in :mod:`openai_realtime.types`; audio helpers are in
:mod:`openai_realtime.audio`; a local fake server for tests is in :mod:`openai_realtime.testing`.

``import openai_realtime`` itself is cheap: the exception classes are imported at once, the
other names on first use, since they bring in aiohttp, numpy and a few hundred models. Type
checkers see every name as if it had been imported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openai_realtime import _lazy_exports
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

if TYPE_CHECKING:
    from openai_realtime.api import RealtimeAPI
    from openai_realtime.client import RealtimeClient
    from openai_realtime.protocol.conversation import RealtimeConversation
    from openai_realtime.protocol.items import (
        ConversationItem,
        Delta,
        FormattedItem,
        FormattedTool,
    )
    from openai_realtime.transcriber import RealtimeTranscriber
    from openai_realtime.translator import RealtimeTranslator

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
    "RealtimeTranscriber",
    "RealtimeTranslator",
]

__version__ = "0.1.0"

# Where each lazily imported name is defined.
_LAZY_NAMES = {
    "RealtimeAPI": "openai_realtime.api",
    "RealtimeClient": "openai_realtime.client",
    "RealtimeConversation": "openai_realtime.protocol.conversation",
    "ConversationItem": "openai_realtime.protocol.items",
    "Delta": "openai_realtime.protocol.items",
    "FormattedItem": "openai_realtime.protocol.items",
    "FormattedTool": "openai_realtime.protocol.items",
    "RealtimeTranscriber": "openai_realtime.transcriber",
    "RealtimeTranslator": "openai_realtime.translator",
}

if not TYPE_CHECKING:
    # Hidden from type checkers, so a misspelt name stays an error there instead of becoming Any.
    __getattr__, __dir__ = _lazy_exports.lazy_exports(globals(), _LAZY_NAMES)
