"""Sans-I/O core: pure protocol logic with no network or event-loop dependencies.

The codec's functions are exported here (``from openai_realtime.protocol import
decode_server_event``), imported on first use like the package's own exports: the codec brings
in every generated model, which the audio helpers of this package do not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openai_realtime import _lazy_exports

if TYPE_CHECKING:
    from openai_realtime._models import RealtimeModel, ValidationIssue
    from openai_realtime.protocol.codec import (
        decode_client_event,
        decode_server_event,
        encode_client_event,
        encode_server_event,
        validate_client_event,
    )

__all__ = [
    "RealtimeModel",
    "ValidationIssue",
    "decode_client_event",
    "decode_server_event",
    "encode_client_event",
    "encode_server_event",
    "validate_client_event",
]

# Where each lazily imported name is defined.
_LAZY_NAMES = {
    "RealtimeModel": "openai_realtime._models",
    "ValidationIssue": "openai_realtime._models",
    "decode_client_event": "openai_realtime.protocol.codec",
    "decode_server_event": "openai_realtime.protocol.codec",
    "encode_client_event": "openai_realtime.protocol.codec",
    "encode_server_event": "openai_realtime.protocol.codec",
    "validate_client_event": "openai_realtime.protocol.codec",
}

if not TYPE_CHECKING:
    # Hidden from type checkers, so a misspelt name stays an error there instead of becoming Any.
    __getattr__, __dir__ = _lazy_exports.lazy_exports(globals(), _LAZY_NAMES)
