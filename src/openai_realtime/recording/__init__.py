"""Record a session, replay it, measure it and draw it.

* :class:`Recorder` writes every frame of a connection to a JSON Lines file
  (``client.start_recording(path)``, ``RealtimeClient(record=path)``); the format is described
  in :mod:`openai_realtime.recording.format`.
* :func:`read_recording` reads it back; :func:`replay_recording` rebuilds the conversation with
  the SDK's own codec and store, and :func:`format_conversation` prints it as a chat log
  (``openai-realtime replay session.jsonl``).
* :class:`ReplayServer` plays the recorded server side to a live client, so a bug seen once
  can be replayed in a test (``openai-realtime replay session.jsonl --serve``).
* :class:`MetricsCollector` measures latencies and tokens per turn, live (``client.metrics``)
  or from a recording (:func:`metrics_from_recording`).
* :func:`timeline_from_recording` lays a session out on lanes; :func:`render_timeline_png`
  (matplotlib) and :func:`render_timeline_html` (nothing needed) draw it
  (``openai-realtime timeline session.jsonl -o timeline.png``).
* :func:`write_inspector_html` writes the session inspector: one self-contained page with the
  lanes, the words on them, each response's audio, zoom and pan, errors, latencies and tokens
  (``openai-realtime inspect session.jsonl -o inspector.html``).

Example::

    async with RealtimeClient(url=server.url, record="session.jsonl") as client:
        ...
    recording = read_recording("session.jsonl")
    print(format_conversation(replay_recording(recording)))
    print(metrics_from_recording(recording).format())
"""

from __future__ import annotations

from openai_realtime.recording.decoded import TimedEvent, decode_frames
from openai_realtime.recording.format import (
    FORMAT_VERSION,
    AudioMode,
    FrameGap,
    RecordedFrame,
    RecordingFormatError,
    RecordingHeader,
)
from openai_realtime.recording.inspector import render_inspector_html, write_inspector_html
from openai_realtime.recording.metrics import (
    MetricsCollector,
    MetricSummary,
    SessionMetrics,
    ToolCallTiming,
    TurnMetrics,
    metrics_from_events,
    metrics_from_recording,
)
from openai_realtime.recording.reader import Recording, parse_recording, read_recording
from openai_realtime.recording.recorder import Recorder
from openai_realtime.recording.replay import (
    ReplayedSession,
    format_conversation,
    replay_conversation,
    replay_recording,
)
from openai_realtime.recording.replay_server import ReplayServer
from openai_realtime.recording.timeline import render_timeline_png
from openai_realtime.recording.timeline_html import render_timeline_html, write_timeline_html
from openai_realtime.recording.timeline_model import (
    Marker,
    Span,
    Timeline,
    build_timeline,
    timeline_from_recording,
)

__all__ = [
    "FORMAT_VERSION",
    "AudioMode",
    "FrameGap",
    "Marker",
    "MetricSummary",
    "MetricsCollector",
    "RecordedFrame",
    "Recorder",
    "Recording",
    "RecordingFormatError",
    "RecordingHeader",
    "ReplayServer",
    "ReplayedSession",
    "SessionMetrics",
    "Span",
    "TimedEvent",
    "Timeline",
    "ToolCallTiming",
    "TurnMetrics",
    "build_timeline",
    "decode_frames",
    "format_conversation",
    "metrics_from_events",
    "metrics_from_recording",
    "parse_recording",
    "read_recording",
    "render_inspector_html",
    "render_timeline_html",
    "render_timeline_png",
    "replay_conversation",
    "replay_recording",
    "timeline_from_recording",
    "write_inspector_html",
    "write_timeline_html",
]
