"""What a timeline picture shows, independent of how it is drawn (PNG or HTML).

Lanes, top to bottom, on one time axis in seconds since the recording started:

=================  =============================================================================
lane               content
=================  =============================================================================
``user speech``    spans ``speech_started`` .. ``speech_stopped``
``response``       a light *latency* span from the user's speech end (or ``response.created``)
                   to the first output, labelled with the turn's latency; then the output span
                   (first delta .. ``response.done``), ``audio`` or ``text``, labelled with the
                   response's status when it did not complete
``tool calls``     spans from the call (arguments done) to the client's output, labelled with it
``interruptions``  markers at ``response.cancel`` and ``conversation.item.truncate``
``errors``         markers at server ``error`` events and frames that did not decode
=================  =============================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from openai_realtime.recording.decoded import TimedEvent, decode_frames
from openai_realtime.recording.metrics import (
    SessionMetrics,
    TurnMetrics,
    format_duration,
    metrics_from_events,
)
from openai_realtime.recording.reader import Recording
from openai_realtime.types import (
    ConversationItemTruncateEvent,
    ErrorEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    ResponseCancelEvent,
)

__all__ = [
    "COLORS",
    "LANES",
    "Marker",
    "MarkerKind",
    "Span",
    "SpanKind",
    "Timeline",
    "build_timeline",
    "label_goes_left",
    "marker_label_levels",
    "timeline_from_recording",
]

LANES: Final = ("user speech", "response", "tool calls", "interruptions", "errors")
"""The lanes of a timeline, top to bottom."""

SpanKind: TypeAlias = Literal["speech", "latency", "audio", "text", "tool"]
MarkerKind: TypeAlias = Literal["cancel", "truncate", "error"]

COLORS: Final[dict[str, str]] = {
    "speech": "#2b8a3e",
    "latency": "#ffd8a8",
    "audio": "#1c7ed6",
    "text": "#7048e8",
    "tool": "#e67700",
    "cancel": "#c92a2a",
    "truncate": "#f76707",
    "error": "#e03131",
}
"""One colour per span and marker kind, shared by the PNG and HTML renderers."""
_LABEL_FLIP_FRACTION: Final = 5 / 6


@dataclass(frozen=True, slots=True)
class Span:
    """Something that lasted, on one lane.

    Attributes:
        lane: One of :data:`LANES`.
        start: Seconds since the recording started.
        end: Seconds since the recording started, at least ``start``.
        kind: What it is, which decides its colour.
        label: Text shown with it (may be empty).
    """

    lane: str
    start: float
    end: float
    kind: SpanKind
    label: str = ""


@dataclass(frozen=True, slots=True)
class Marker:
    """Something that happened at one moment, on one lane.

    Attributes:
        lane: One of :data:`LANES`.
        at: Seconds since the recording started.
        kind: What it is, which decides its shape and colour.
        label: Text shown with it.
    """

    lane: str
    at: float
    kind: MarkerKind
    label: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """A session laid out on lanes, ready to draw.

    Attributes:
        title: A heading (model and start time for a recording).
        duration: Seconds the axis must cover.
        spans: Every span, in time order per lane.
        markers: Every marker, in time order.
        metrics: The session's metrics, shown as a table beside the picture.
    """

    title: str
    duration: float
    spans: tuple[Span, ...]
    markers: tuple[Marker, ...]
    metrics: SessionMetrics


def marker_label_levels(markers: Sequence[Marker]) -> list[int]:
    """For each marker, 0 or 1: labels of neighbours on one lane alternate, so they rarely overlap.

    Args:
        markers: The timeline's markers, in order.

    Returns:
        One level per marker.
    """
    seen_in_lane: dict[str, int] = {}
    levels = []
    for marker in markers:
        count = seen_in_lane.get(marker.lane, 0)
        levels.append(count % 2)
        seen_in_lane[marker.lane] = count + 1
    return levels


def label_goes_left(at: float, duration: float) -> bool:
    """Whether a label at ``at`` should end there rather than start there (near the right edge).

    Args:
        at: Where the label is attached, in seconds.
        duration: The timeline's duration.

    Returns:
        True in the last sixth of the axis.
    """
    return at > duration * _LABEL_FLIP_FRACTION


def _latency_span(turn: TurnMetrics) -> Span | None:
    """The wait before the answer: from the end of speech to audio, else from creation."""
    if turn.speech_stopped_at is not None and turn.first_audio_at is not None:
        label = f"speech→audio {format_duration(turn.first_audio_at - turn.speech_stopped_at)}"
        return Span("response", turn.speech_stopped_at, turn.first_audio_at, "latency", label)
    if turn.first_delta_at is not None:
        label = f"created→first delta {format_duration(turn.first_delta_at - turn.created_at)}"
        return Span("response", turn.created_at, turn.first_delta_at, "latency", label)
    return None


def _turn_spans(turn: TurnMetrics, end_of_session: float) -> list[Span]:
    latency = _latency_span(turn)
    spans = [latency] if latency is not None else []
    start = turn.first_delta_at if turn.first_delta_at is not None else turn.created_at
    end = turn.done_at if turn.done_at is not None else end_of_session
    kind: SpanKind = "audio" if turn.first_audio_at is not None else "text"
    # The colour says audio or text; only an unusual ending needs words.
    status = turn.status if turn.status not in (None, "completed") else ""
    spans.append(Span("response", start, max(end, start), kind, status or ""))
    for call in turn.tool_calls:
        call_end = call.output_at if call.output_at is not None else end_of_session
        label = (
            f"{call.name} {format_duration(call.latency)}"
            if call.latency is not None
            else call.name
        )
        spans.append(
            Span("tool calls", call.called_at, max(call_end, call.called_at), "tool", label)
        )
    return spans


def build_timeline(events: Iterable[TimedEvent], *, title: str = "") -> Timeline:
    """Lay decoded recorded events out on the timeline's lanes.

    Args:
        events: Decoded frames in order (see :func:`~openai_realtime.recording.decode_frames`).
        title: The heading.

    Returns:
        The timeline; speech or a response still open at the end runs to the last event.
    """
    timed_events = list(events)
    end_of_session = timed_events[-1].t if timed_events else 0.0
    spans: list[Span] = []
    markers: list[Marker] = []
    speech_started_at: float | None = None
    for timed in timed_events:
        event = timed.event
        if event is None:
            markers.append(Marker("errors", timed.t, "error", f"bad {timed.direction} frame"))
        elif isinstance(event, InputAudioBufferSpeechStartedEvent):
            speech_started_at = timed.t
        elif isinstance(event, InputAudioBufferSpeechStoppedEvent):
            start = speech_started_at if speech_started_at is not None else timed.t
            spans.append(Span("user speech", start, timed.t, "speech", "speech"))
            speech_started_at = None
        elif isinstance(event, ResponseCancelEvent):
            markers.append(Marker("interruptions", timed.t, "cancel", "response.cancel"))
        elif isinstance(event, ConversationItemTruncateEvent):
            label = f"truncate at {event.audio_end_ms} ms"
            markers.append(Marker("interruptions", timed.t, "truncate", label))
        elif isinstance(event, ErrorEvent):
            markers.append(Marker("errors", timed.t, "error", event.error.message))
    if speech_started_at is not None:
        spans.append(Span("user speech", speech_started_at, end_of_session, "speech", "speech"))
    metrics = metrics_from_events(timed_events)
    for turn in metrics.turns:
        spans.extend(_turn_spans(turn, end_of_session))
    duration = max([end_of_session, *(span.end for span in spans)])
    return Timeline(title, duration, tuple(spans), tuple(markers), metrics)


def timeline_from_recording(recording: Recording) -> Timeline:
    """The timeline of a recording, titled with its model and start time.

    Args:
        recording: A recording read with :func:`~openai_realtime.recording.read_recording`.

    Returns:
        The timeline.
    """
    header = recording.header
    title = f"{header.model or 'session'} — recorded {header.started}"
    return build_timeline(decode_frames(recording.frames), title=title)
