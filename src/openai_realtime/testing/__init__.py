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
  eagerness to a silence duration; the idle timeout runs out on the server's clock or on
  streamed silent input audio, whichever comes first;
* token ``usage`` and ``rate_limits.updated`` are plausible estimates, not billing;
* ``output_audio_buffer.clear`` on a WebSocket session is answered with an ``error`` (upstream
  it exists on WebRTC and SIP only, as here);
* transcription "text" comes from the responder, and a translation is the heard text marked
  with the target language.

Where an app depends on it, it follows the service: refusals carry the live codes, messages and
event-relative params; the orders the service may choose either way (input transcripts before
or after ``response.created``) are chosen from a seed (``seed=``, or the
``OPENAI_REALTIME_FAKE_SEED`` environment variable); ``POST /v1/realtime/client_secrets``
mints ``ek_`` secrets; MCP tools list and call real MCP servers on loopback; transcription
sessions (``?intent=transcription``), translation sessions (``/v1/realtime/translations``),
WebRTC calls (``POST /v1/realtime/calls``, the ``webrtc`` extra), a SIP phone line
(``place_call``) and sidebands by ``call_id`` are emulated; sessions end at 60 minutes of server
time (``max_session_seconds``).

Time: ``FakeRealtimeServer(time_scale=0.05)`` runs the server's clock (audio pacing, delays)
twenty times faster than real time, with the same events and audio-time fields; tests pace
their own audio on ``server.clock`` (:class:`FakeClock`).

Importing this package is cheap (the pytest plugin imports it in every test run): each name
is imported on first use.

Logging goes to the ``openai_realtime.testing`` logger (per-frame messages only at DEBUG).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openai_realtime import _lazy_exports

if TYPE_CHECKING:
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
    from openai_realtime.testing.threaded import FakeServerThread
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
    "FakeServerThread",
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

# Where each lazily imported name is defined.
_LAZY_NAMES = {
    "CallOutcome": "openai_realtime.testing.calls",
    "ConnectionRecord": "openai_realtime.testing.record",
    "DefaultResponder": "openai_realtime.testing.default_responder",
    "Delay": "openai_realtime.testing.faults",
    "DropConnection": "openai_realtime.testing.faults",
    "EnergyVAD": "openai_realtime.testing.vad",
    "FakeClock": "openai_realtime.testing.clock",
    "FakeRealtimeServer": "openai_realtime.testing.server",
    "FakeServerThread": "openai_realtime.testing.threaded",
    "Fault": "openai_realtime.testing.faults",
    "McpToolInfo": "openai_realtime.testing.mcp_tools",
    "PhoneCall": "openai_realtime.testing.phone",
    "Reply": "openai_realtime.testing.replies",
    "Responder": "openai_realtime.testing.responder",
    "ResponderFunction": "openai_realtime.testing.responder",
    "ResponseContext": "openai_realtime.testing.responder",
    "ScriptedResponder": "openai_realtime.testing.responder",
    "SendBinaryFrame": "openai_realtime.testing.faults",
    "SendMalformedFrame": "openai_realtime.testing.faults",
    "SendUnknownEvent": "openai_realtime.testing.faults",
    "SpeechStarted": "openai_realtime.testing.vad",
    "SpeechStopped": "openai_realtime.testing.vad",
    "ToolCall": "openai_realtime.testing.replies",
    "VADSettings": "openai_realtime.testing.vad",
    "describe_audio": "openai_realtime.testing.responder",
    "serve": "openai_realtime.testing.server",
    "synthesize_speech": "openai_realtime.testing.synth",
}

if not TYPE_CHECKING:
    # Hidden from type checkers, so a misspelt name stays an error there instead of becoming Any.
    __getattr__, __dir__ = _lazy_exports.lazy_exports(globals(), _LAZY_NAMES)
