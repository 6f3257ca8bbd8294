"""A relay server that keeps the Realtime API key off end-user devices.

Browsers and phones connect to the relay, which the application operator runs; the relay opens
the upstream Realtime connection with the server-side key and forwards frames both ways,
checking every client frame against a :class:`ClientEventPolicy` first. Usage::

    from openai_realtime.relay import RealtimeRelay

    async with RealtimeRelay(relay_token="s3cret", denied_session_fields={"instructions"}) as relay:
        print("clients connect to", relay.url)
        await asyncio.Event().wait()

Modules: ``server`` (the aiohttp app and :func:`serve_relay`), ``policy`` (what clients may
send), ``tools`` (tools run on the relay), ``_handshake`` (admission and upstream rules),
``_bridge`` (the two frame pumps).
"""

from __future__ import annotations

from openai_realtime.relay.policy import ClientEventPolicy, Rejection, RejectionCode
from openai_realtime.relay.server import (
    DEFAULT_MAX_FRAME_SIZE,
    RELAY_PATH,
    RealtimeRelay,
    serve_relay,
)
from openai_realtime.relay.tools import RelayTool, ToolHandler

__all__ = [
    "DEFAULT_MAX_FRAME_SIZE",
    "RELAY_PATH",
    "ClientEventPolicy",
    "RealtimeRelay",
    "Rejection",
    "RejectionCode",
    "RelayTool",
    "ToolHandler",
    "serve_relay",
]
