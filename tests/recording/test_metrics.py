"""Latency and token metrics: exact values from a recording with known times, and live."""

from __future__ import annotations

import pytest
from recording_support import LiveSession, run_scenario, scripted_responder, synthetic_session

from openai_realtime import RealtimeClient
from openai_realtime.recording import (
    MetricsCollector,
    MetricSummary,
    SessionMetrics,
    ToolCallTiming,
    TurnMetrics,
    metrics_from_recording,
    parse_recording,
    read_recording,
)
from openai_realtime.recording.metrics import nearest_rank
from openai_realtime.testing import FakeRealtimeServer

EXPECTED_TURNS = (
    TurnMetrics(
        "resp_1", 1.25, "completed", speech_stopped_at=1.0, first_delta_at=1.5,
        first_audio_at=1.5, done_at=3.0, input_tokens=100, output_tokens=20, total_tokens=120,
    ),
    TurnMetrics(
        "resp_2", 4.0, "completed", first_delta_at=4.125, done_at=4.75,
        tool_calls=(ToolCallTiming("call_1", "get_weather", 4.5, 5.0),),
        input_tokens=300, output_tokens=40, total_tokens=340,
    ),
    TurnMetrics("resp_3", 6.0, "cancelled", done_at=6.5),
)  # fmt: skip


def test_turn_metrics_of_a_recording_are_exact() -> None:
    metrics = metrics_from_recording(parse_recording(synthetic_session().data()))
    assert metrics.turns == EXPECTED_TURNS
    first, second, third = metrics.turns
    assert first.speech_stopped_to_first_audio == 0.5
    assert (first.created_to_first_delta, first.response_duration) == (0.25, 1.75)
    assert second.speech_stopped_to_first_audio is None
    assert (second.created_to_first_delta, second.response_duration) == (0.125, 0.75)
    assert second.tool_calls[0].latency == 0.5
    assert (third.created_to_first_delta, third.response_duration) == (None, 0.5)


def test_session_summary_uses_nearest_rank_percentiles() -> None:
    summary = metrics_from_recording(parse_recording(synthetic_session().data())).summary()
    assert summary == {
        "speech_stopped_to_first_audio": MetricSummary(1, 0.5, 0.5, 0.5, 0.5),
        "created_to_first_delta": MetricSummary(2, 0.125, 0.25, 0.25, 0.25),
        "response_duration": MetricSummary(3, 0.75, 1.75, 1.75, 1.75),
        "tool_call_to_output": MetricSummary(1, 0.5, 0.5, 0.5, 0.5),
        "input_tokens": MetricSummary(2, 100, 300, 300, 300),
        "output_tokens": MetricSummary(2, 20, 40, 40, 40),
        "total_tokens": MetricSummary(2, 120, 340, 340, 340),
    }


def test_format_is_a_readable_table() -> None:
    report = metrics_from_recording(parse_recording(synthetic_session().data())).format()
    turns, summary = report.split("\n\n")
    turn_lines = turns.splitlines()
    assert turn_lines[0].split()[:3] == ["turn", "response", "status"]
    assert turn_lines[1].split() == [
        "1", "resp_1", "completed", "500", "ms", "250", "ms", "1750", "ms", "-", "100/20/120",
    ]  # fmt: skip
    assert "get_weather 500 ms" in turn_lines[2]
    assert turn_lines[3].split()[-1] == "-/-/-"
    assert summary.splitlines()[3].split() == [
        "response_duration", "3", "750", "ms", "1750", "ms", "1750", "ms", "1750", "ms",
    ]  # fmt: skip
    assert SessionMetrics().format() == "no responses"


def test_nearest_rank() -> None:
    values = [float(value) for value in range(1, 11)]
    assert [nearest_rank(values, p) for p in (10, 50, 90, 99, 100)] == [1, 5, 9, 10, 10]
    assert nearest_rank([7.0], 50) == 7.0
    with pytest.raises(ValueError):
        nearest_rank([], 50)
    with pytest.raises(ValueError):
        nearest_rank([1.0], 0)
    with pytest.raises(ValueError, match="unknown metric"):
        SessionMetrics().values("latency")


async def test_live_collection_agrees_with_the_recording(live_session: LiveSession) -> None:
    async with FakeRealtimeServer(responder=scripted_responder()) as server:
        client = RealtimeClient(url=server.url)
        collector = MetricsCollector.attach(client.realtime)
        async with client:
            await run_scenario(client)
    live = collector.session()
    recorded = metrics_from_recording(read_recording(live_session.path))
    assert len(live.turns) == len(recorded.turns) == 4
    # Two separate runs: ids and times differ, what was measured does not.
    for live_turn, recorded_turn in zip(live.turns, recorded.turns, strict=True):
        assert live_turn.status == recorded_turn.status == "completed"
        assert live_turn.total_tokens == recorded_turn.total_tokens
        assert [c.name for c in live_turn.tool_calls] == [c.name for c in recorded_turn.tool_calls]
    for metrics in (live, recorded):
        assert metrics.turns[1].speech_stopped_to_first_audio is not None
        assert metrics.turns[2].tool_calls[0].latency is not None
        assert all(value >= 0 for value in metrics.values("response_duration"))
        assert set(metrics.summary()) >= {"created_to_first_delta", "tool_call_to_output"}
