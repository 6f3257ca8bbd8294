"""Latency and token metrics of a session, per turn and summarised, live or from a recording.

A *turn* is one model response, from ``response.created`` to ``response.done``. For each:

===============================  =================================================================
metric                           from .. to
===============================  =================================================================
``speech_stopped_to_first_audio``  ``input_audio_buffer.speech_stopped`` that led to the response
                                   .. its first ``response.output_audio.delta``
``created_to_first_delta``       ``response.created`` .. its first output delta of any kind
                                 (text, audio, transcript, tool arguments)
``response_duration``            ``response.created`` .. ``response.done``
``tool_call_to_output``          ``response.function_call_arguments.done`` .. the client's
                                 ``function_call_output`` for that call (one value per call)
``input_tokens`` ...             ``usage`` of ``response.done`` (input, output, total)
===============================  =================================================================

The speech that led to a response is the last ``speech_stopped`` before its ``response.created``
that no earlier response claimed. Percentiles use the nearest-rank method: every reported value
is one that was measured, never an interpolation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final, TypeAlias

from openai_realtime.api import RealtimeAPI
from openai_realtime.protocol.tolerant import issue_touching
from openai_realtime.recording.decoded import TimedEvent, decode_frames
from openai_realtime.recording.reader import Recording
from openai_realtime.types import (
    ClientEvent,
    ConversationItemCreateEvent,
    InputAudioBufferSpeechStoppedEvent,
    RealtimeConversationItemFunctionCallOutput,
    ResponseCreatedEvent,
    ResponseDoneEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseMcpCallArgumentsDeltaEvent,
    ResponseOutputAudioDeltaEvent,
    ResponseOutputAudioTranscriptDeltaEvent,
    ResponseOutputTextDeltaEvent,
    ServerEvent,
    UnknownServerEvent,
)

__all__ = [
    "LATENCY_METRICS",
    "TOKEN_METRICS",
    "MetricSummary",
    "MetricsCollector",
    "SessionMetrics",
    "ToolCallTiming",
    "TurnMetrics",
    "format_duration",
    "metrics_from_events",
    "metrics_from_recording",
    "nearest_rank",
]

LATENCY_METRICS: Final = (
    "speech_stopped_to_first_audio",
    "created_to_first_delta",
    "response_duration",
    "tool_call_to_output",
)
"""The latency metrics, in seconds."""
TOKEN_METRICS: Final = ("input_tokens", "output_tokens", "total_tokens")
"""The token metrics, per response."""

_OutputDelta: TypeAlias = (
    ResponseOutputTextDeltaEvent
    | ResponseOutputAudioDeltaEvent
    | ResponseOutputAudioTranscriptDeltaEvent
    | ResponseFunctionCallArgumentsDeltaEvent
    | ResponseMcpCallArgumentsDeltaEvent
)
_AnyEvent: TypeAlias = ServerEvent | UnknownServerEvent | ClientEvent
# What `feed` reads of events; a rebuilt event with one of these raw is not counted.
_READS: Final = (
    ("response", "id"),
    ("response", "status"),
    ("response", "usage"),
    ("response_id",),
    ("call_id",),
    ("name",),
)


def nearest_rank(sorted_values: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile: the smallest value at or above ``percent`` % of the values.

    Args:
        sorted_values: The values, sorted ascending; at least one.
        percent: In ``(0, 100]``.

    Returns:
        One of ``sorted_values``.

    Raises:
        ValueError: No values, or ``percent`` out of range.
    """
    if not sorted_values or not 0 < percent <= 100:
        raise ValueError("need at least one value and 0 < percent <= 100")
    rank = math.ceil(percent / 100 * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


def _check_metric(metric: str) -> None:
    if metric not in LATENCY_METRICS and metric not in TOKEN_METRICS:
        raise ValueError(f"unknown metric {metric!r}")


@dataclass(frozen=True, slots=True)
class ToolCallTiming:
    """One function call of a response and when the client answered it.

    Attributes:
        call_id: The call id.
        name: The function name.
        called_at: When ``response.function_call_arguments.done`` arrived.
        output_at: When the client sent the call's ``function_call_output``, if it did.
    """

    call_id: str
    name: str
    called_at: float
    output_at: float | None = None

    @property
    def latency(self) -> float | None:
        """Seconds from the call to its output, or ``None`` while unanswered."""
        return None if self.output_at is None else self.output_at - self.called_at


@dataclass(frozen=True, slots=True)
class TurnMetrics:
    """The timings and token usage of one response (all times in seconds on one clock).

    Attributes:
        response_id: The response id.
        created_at: When ``response.created`` arrived.
        status: The status ``response.done`` reported, if it came.
        speech_stopped_at: When the user's speech that led to this response stopped, if any.
        first_delta_at: When the first output delta of any kind arrived.
        first_audio_at: When the first audio delta arrived.
        done_at: When ``response.done`` arrived.
        tool_calls: The response's function calls.
        input_tokens: From ``usage``.
        output_tokens: From ``usage``.
        total_tokens: From ``usage``.
    """

    response_id: str
    created_at: float
    status: str | None = None
    speech_stopped_at: float | None = None
    first_delta_at: float | None = None
    first_audio_at: float | None = None
    done_at: float | None = None
    tool_calls: tuple[ToolCallTiming, ...] = ()
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None

    @property
    def speech_stopped_to_first_audio(self) -> float | None:
        """Seconds from the end of the user's speech to the first audio of the answer."""
        if self.speech_stopped_at is None or self.first_audio_at is None:
            return None
        return self.first_audio_at - self.speech_stopped_at

    @property
    def created_to_first_delta(self) -> float | None:
        """Seconds from ``response.created`` to the first output delta."""
        return None if self.first_delta_at is None else self.first_delta_at - self.created_at

    @property
    def response_duration(self) -> float | None:
        """Seconds from ``response.created`` to ``response.done``."""
        return None if self.done_at is None else self.done_at - self.created_at

    def values(self, metric: str) -> list[float]:
        """The values of one metric in this turn: none, one, or one per tool call.

        Raises:
            ValueError: ``metric`` is not in ``LATENCY_METRICS`` or ``TOKEN_METRICS``.
        """
        _check_metric(metric)
        if metric == "tool_call_to_output":
            return [c.latency for c in self.tool_calls if c.latency is not None]
        value: float | None = getattr(self, metric)
        return [] if value is None else [value]


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """The distribution of one metric over a session (nearest-rank percentiles).

    Attributes:
        count: How many values.
        p50: Median.
        p90: 90th percentile.
        p99: 99th percentile.
        max: Largest value.
    """

    count: int
    p50: float
    p90: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Iterable[float]) -> MetricSummary | None:
        """Summarise values; ``None`` when there are none."""
        ordered = sorted(values)
        if not ordered:
            return None
        return cls(
            count=len(ordered),
            p50=nearest_rank(ordered, 50),
            p90=nearest_rank(ordered, 90),
            p99=nearest_rank(ordered, 99),
            max=ordered[-1],
        )


_TURN_COLUMNS: Final = (
    "turn",
    "response",
    "status",
    "speech->audio",
    "created->delta",
    "duration",
    "tool calls",
    "tokens in/out/total",
)


def format_duration(seconds: float | None) -> str:
    """A duration for people: ``"250 ms"``, ``"0.4 ms"`` under 10 ms, ``"-"`` for ``None``.

    Args:
        seconds: The duration, or ``None`` when it was not measured.

    Returns:
        The text.
    """
    if seconds is None:
        return "-"
    milliseconds = seconds * 1000
    # Local servers answer in well under a millisecond: keep a decimal where it matters.
    return f"{milliseconds:.1f} ms" if abs(milliseconds) < 10 else f"{milliseconds:.0f} ms"


def _tokens(turn: TurnMetrics) -> str:
    counts = (turn.input_tokens, turn.output_tokens, turn.total_tokens)
    return "/".join("-" if count is None else str(count) for count in counts)


def _table(rows: list[list[str]], *, left_columns: int) -> str:
    """Aligned columns: the first ``left_columns`` (names) to the left, numbers to the right."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if column < left_columns else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )


@dataclass(frozen=True, slots=True)
class SessionMetrics:
    """The metrics of every turn of a session.

    Attributes:
        turns: One entry per response, in the order they were created.
    """

    turns: tuple[TurnMetrics, ...] = ()

    def values(self, metric: str) -> list[float]:
        """Every value of one metric over the session, in turn order.

        Raises:
            ValueError: An unknown metric.
        """
        _check_metric(metric)
        return [value for turn in self.turns for value in turn.values(metric)]

    def summary(self) -> dict[str, MetricSummary]:
        """Percentiles of each metric that has at least one value, by metric name."""
        summaries = {
            metric: MetricSummary.of(self.values(metric))
            for metric in (*LATENCY_METRICS, *TOKEN_METRICS)
        }
        return {metric: summary for metric, summary in summaries.items() if summary is not None}

    def format(self) -> str:
        """A readable report: one row per turn, then the session's percentiles."""
        if not self.turns:
            return "no responses"
        turn_rows: list[list[str]] = [list(_TURN_COLUMNS)]
        for number, turn in enumerate(self.turns, start=1):
            calls = (
                ", ".join(f"{c.name} {format_duration(c.latency)}" for c in turn.tool_calls) or "-"
            )
            turn_rows.append(
                [
                    str(number),
                    turn.response_id,
                    turn.status or "-",
                    format_duration(turn.speech_stopped_to_first_audio),
                    format_duration(turn.created_to_first_delta),
                    format_duration(turn.response_duration),
                    calls,
                    _tokens(turn),
                ]
            )
        summary_rows = [["metric", "count", "p50", "p90", "p99", "max"]]
        for metric, summary in self.summary().items():
            show = format_duration if metric in LATENCY_METRICS else (lambda value: f"{value:g}")
            quantiles = (summary.p50, summary.p90, summary.p99, summary.max)
            summary_rows.append([metric, str(summary.count), *map(show, quantiles)])
        return _table(turn_rows, left_columns=3) + "\n\n" + _table(summary_rows, left_columns=1)


class MetricsCollector:
    """Builds :class:`SessionMetrics` from timestamped events, as they come or from a recording.

    Feed it every event of both directions with :meth:`feed`, or let :meth:`attach` do that for
    a live connection; read the result with :meth:`session`.
    """

    def __init__(self) -> None:
        self._turns: dict[str, TurnMetrics] = {}
        self._calls: dict[str, ToolCallTiming] = {}
        self._call_responses: dict[str, str] = {}
        self._speech_stopped_at: float | None = None

    def __repr__(self) -> str:
        return f"<MetricsCollector turns={len(self._turns)} tool_calls={len(self._calls)}>"

    @classmethod
    def attach(
        cls, api: RealtimeAPI, *, clock: Callable[[], float] = time.monotonic
    ) -> MetricsCollector:
        """Collect the metrics of a live connection from now on.

        Args:
            api: The connection; its ``server.*`` and ``client.*`` events are fed in.
            clock: Seconds, monotonic; times are measured from when this is called.

        Returns:
            The collector, kept current as events are dispatched.
        """
        collector = cls()
        started = clock()
        api._listen("server.*", lambda event: collector.feed(clock() - started, event))
        api._listen("client.*", lambda event: collector.feed(clock() - started, event))
        return collector

    def feed(self, t: float, event: _AnyEvent) -> None:
        """Account for one event.

        Args:
            t: When it was sent or received, in seconds on the collector's clock.
            event: A server event, or a client event this side sent.
        """
        if event.validation_issues and issue_touching(event, _READS):
            return  # a part read below did not validate (the codec kept it raw)
        if isinstance(event, InputAudioBufferSpeechStoppedEvent):
            self._speech_stopped_at = t
        elif isinstance(event, ResponseCreatedEvent):
            response_id = event.response.id or f"response_{len(self._turns) + 1}"
            self._turns[response_id] = TurnMetrics(
                response_id, t, speech_stopped_at=self._speech_stopped_at
            )
            self._speech_stopped_at = None
        elif isinstance(event, _OutputDelta):
            self._on_delta(t, event)
        elif isinstance(event, ResponseFunctionCallArgumentsDoneEvent):
            self._calls.setdefault(event.call_id, ToolCallTiming(event.call_id, event.name, t))
            self._call_responses.setdefault(event.call_id, event.response_id)
        elif isinstance(event, ConversationItemCreateEvent):
            self._on_item_create(t, event)
        elif isinstance(event, ResponseDoneEvent):
            self._on_done(t, event)

    def _on_delta(self, t: float, event: _OutputDelta) -> None:
        turn = self._turns.get(event.response_id)
        if turn is None:
            return
        if turn.first_delta_at is None:
            turn = replace(turn, first_delta_at=t)
        if turn.first_audio_at is None and isinstance(event, ResponseOutputAudioDeltaEvent):
            turn = replace(turn, first_audio_at=t)
        self._turns[event.response_id] = turn

    def _on_item_create(self, t: float, event: ConversationItemCreateEvent) -> None:
        if not isinstance(event.item, RealtimeConversationItemFunctionCallOutput):
            return
        call = self._calls.get(event.item.call_id)
        if call is not None and call.output_at is None:
            self._calls[call.call_id] = replace(call, output_at=t)

    def _on_done(self, t: float, event: ResponseDoneEvent) -> None:
        response = event.response
        turn = self._turns.get(response.id or "")
        if turn is None:
            return
        usage = response.usage
        self._turns[turn.response_id] = replace(
            turn,
            done_at=t,
            status=response.status,
            input_tokens=usage.input_tokens if usage else None,
            output_tokens=usage.output_tokens if usage else None,
            total_tokens=usage.total_tokens if usage else None,
        )

    def session(self) -> SessionMetrics:
        """The metrics so far, as an immutable snapshot."""
        calls_by_response: dict[str, list[ToolCallTiming]] = {}
        for call_id, call in self._calls.items():
            calls_by_response.setdefault(self._call_responses[call_id], []).append(call)
        return SessionMetrics(
            tuple(
                replace(turn, tool_calls=tuple(calls_by_response.get(response_id, ())))
                for response_id, turn in self._turns.items()
            )
        )


def metrics_from_events(events: Iterable[TimedEvent]) -> SessionMetrics:
    """The metrics of decoded recorded events.

    Args:
        events: Decoded frames (see :func:`~openai_realtime.recording.decode_frames`).

    Returns:
        The session's metrics, times in seconds since the recording started.
    """
    collector = MetricsCollector()
    for timed in events:
        event = timed.event
        if event is not None:
            collector.feed(timed.t, event)
    return collector.session()


def metrics_from_recording(recording: Recording) -> SessionMetrics:
    """The metrics of a recording.

    Args:
        recording: A recording read with :func:`~openai_realtime.recording.read_recording`.

    Returns:
        The session's metrics.
    """
    return metrics_from_events(decode_frames(recording.frames))
