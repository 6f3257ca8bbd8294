"""Sans-I/O core: pure protocol logic with no network or event-loop dependencies.

The codec's functions are exported here (``from openai_realtime.protocol import
decode_server_event``), imported on first use like the package's own exports: the codec brings
in every generated model, which the audio helpers of this package do not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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

    def __getattr__(name: str) -> object:
        """Import a lazily exported name on first access, then keep it in the module."""
        module = _LAZY_NAMES.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        """Every public name, including those not imported yet."""
        return sorted({*globals(), *__all__})
