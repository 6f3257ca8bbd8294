"""A local, protocol-faithful Realtime API server for tests, demos and offline development.

Start :class:`FakeRealtimeServer`, point a client at :attr:`~FakeRealtimeServer.url`, and the
client talks to something that behaves like the Realtime API: no network, no API key, and
answers decided by a responder you can script::

    from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder, ToolCall

    responder = ScriptedResponder([
        Reply(text="Let me check."),
        Reply(tool_calls=[ToolCall("get_weather", {"city": "Paris"})]),
    ])
    async with FakeRealtimeServer(responder=responder) as server:
        ...  # connect to server.url

Where it differs from the service, on purpose:

* answers come from a responder (:class:`DefaultResponder` echoes, does simple arithmetic,
  calls tools named in the text and reports their outputs), and input "transcripts" too;
* turn detection is an energy detector (:class:`EnergyVAD`); ``semantic_vad`` maps its
  eagerness to a silence duration; the idle timeout counts streamed input audio;
* token ``usage`` and ``rate_limits.updated`` are plausible estimates, not billing;
* ``output_audio_buffer.clear`` (WebRTC and SIP only upstream) is answered with an ``error``;
  transcription-only sessions are not emulated.

Where an app depends on it, it follows the service: refusals carry the live codes, messages and
event-relative params; the orders the service may choose either way (input transcripts before
or after ``response.created``) are chosen from a seed (``seed=``, or the
``OPENAI_REALTIME_FAKE_SEED`` environment variable); ``POST /v1/realtime/client_secrets``
mints ``ek_`` secrets; MCP tools list and call real MCP servers on loopback.

Time: ``FakeRealtimeServer(time_scale=0.05)`` runs the server's clock (audio pacing, delays)
twenty times faster than real time, with the same events and audio-time fields; tests pace
their own audio on ``server.clock`` (:class:`FakeClock`).

Logging goes to the ``openai_realtime.testing`` logger (per-frame messages only at DEBUG).
"""

from __future__ import annotations

from openai_realtime.testing.calls import CallOutcome
from openai_realtime.testing.clock import FakeClock
from openai_realtime.testing.default_responder import DefaultResponder
from openai_realtime.testing.faults import (
    Delay,
    DropConnection,
    Fault,
    SendBinaryFrame,
    SendMalformedFrame,
    SendUnknownEvent,
)
from openai_realtime.testing.mcp_tools import McpToolInfo
from openai_realtime.testing.phone import PhoneCall
from openai_realtime.testing.record import ConnectionRecord
from openai_realtime.testing.replies import Reply, ToolCall
from openai_realtime.testing.responder import (
    Responder,
    ResponderFunction,
    ResponseContext,
    ScriptedResponder,
    describe_audio,
)
from openai_realtime.testing.server import FakeRealtimeServer, serve
from openai_realtime.testing.synth import synthesize_speech
from openai_realtime.testing.vad import EnergyVAD, SpeechStarted, SpeechStopped, VADSettings

__all__ = [
    "CallOutcome",
    "ConnectionRecord",
    "DefaultResponder",
    "Delay",
    "DropConnection",
    "EnergyVAD",
    "FakeClock",
    "FakeRealtimeServer",
    "Fault",
    "McpToolInfo",
    "PhoneCall",
    "Reply",
    "Responder",
    "ResponderFunction",
    "ResponseContext",
    "ScriptedResponder",
    "SendBinaryFrame",
    "SendMalformedFrame",
    "SendUnknownEvent",
    "SpeechStarted",
    "SpeechStopped",
    "ToolCall",
    "VADSettings",
    "describe_audio",
    "serve",
    "synthesize_speech",
]
