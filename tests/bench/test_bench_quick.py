"""``make bench --quick`` as part of ``make test``: every row runs on tiny sizes, nothing timed is
asserted; the harness pieces (rounds, ratios, table, comparison) are checked on known figures."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from bench_report import Row, compare, format_table, interleaved, spread
from run_bench import main

ROWS_WITH_PEER_AND_CEILING = [
    "decode response.output_audio.delta",
    "decode response.output_audio_transcript.delta",
    "decode conversation.item.added",
    "decode response.done",
    "decode session.created",
    "decode mixed stream",
    "end to end",
    "end to end cpu",
    "latency p50",
    "latency p99",
    "stall max",
    "stall p99",
]
ROWS_WITH_PEER = ["import", "start", "memory growth", "sessions"]


@pytest.mark.timeout(120)
def test_quick_run_measures_every_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "results.json"
    assert main(["--quick", "--output", str(output)]) == 0
    results = json.loads(output.read_text())
    rows = {row["key"]: row for row in results["rows"]}
    assert list(rows) == [
        *ROWS_WITH_PEER_AND_CEILING,
        "import",
        "start",
        "memory growth",
        "memory beyond audio",
        "sessions",
    ]
    for key in ROWS_WITH_PEER_AND_CEILING:
        assert len(rows[key]["ours"]) == len(rows[key]["peer"]) == len(rows[key]["ceiling"]) == 1
    for key in ROWS_WITH_PEER:
        assert len(rows[key]["ours"]) == len(rows[key]["peer"]) == 1
    for row in results["rows"]:
        assert all(math.isfinite(value) for value in row["ours"] + row["peer"] + row["ceiling"])
    for key in ["end to end", "end to end cpu", "import", "start", "decode mixed stream"]:
        assert rows[key]["ours"][0] > 0
        assert rows[key]["peer"][0] > 0
    # Two sessions are far below any limit: both sides keep up.
    assert rows["sessions"]["ours"] == rows["sessions"]["peer"] == [2.0]
    machine = results["machine"]
    assert machine["versions"]["openai"] == "3.57.0"
    assert len(machine["load_average"]) == len(machine["load_average_end"]) == 3
    assert results["sizes"]["rounds"] == 1
    printed = capsys.readouterr().out
    assert "| end to end, 40-event spoken answer, events/s" in printed
    assert "load average" in printed


async def test_interleaved_rotates_the_sides_and_discards_the_warm_up() -> None:
    calls: list[str] = []

    def side(name: str, value: float) -> Callable[[], Awaitable[dict[str, float]]]:
        async def measure() -> dict[str, float]:
            calls.append(name)
            return {"value": value + len(calls)}

        return measure

    sides = {"a": side("a", 0), "b": side("b", 100), "c": side("c", 200)}
    measured = await interleaved(sides, 3, warm_up=True)
    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b", "a", "b", "c"]
    # The first three calls (the warm-up round) are left out.
    assert measured["a"] == [{"value": 6}, {"value": 8}, {"value": 10}]
    assert measured["b"] == [{"value": 104}, {"value": 109}, {"value": 111}]


def test_ratios_are_taken_round_by_round_then_summarised() -> None:
    row = Row(key="k", what="w", ours=[10, 30, 20], peer=[5, 10, 20], ceiling=[20, 60, 40])
    assert row.ratio_to_peer() == [2.0, 3.0, 1.0]
    assert row.ratio_to_ceiling() == [0.5, 0.5, 0.5]
    assert spread(row.ratio_to_peer()) == "2.00 [1.00-3.00]"
    assert spread([12_345.0, 20_000.0, 15_000.0]) == "15.0k [12.3k-20.0k]"
    table = format_table([row])
    assert "| w    | 20.0 [10.0-30.0] | 10.0 [5.00-20.0] |" in table
    assert "2.00 [1.00-3.00]x" in table


def test_compare_prints_before_and_after_of_matching_rows() -> None:
    old = Row(key="k", what="w", ours=[1.0, 2.0, 3.0], peer=[1.0, 1.0, 1.0])
    gone = Row(key="gone", what="old only", ours=[1.0])
    moved = Row(key="m", what="moved", ours=[1.0, 2.0, 3.0], peer=[1.0, 1.0, 1.0])
    text = json.dumps({"rows": [old.__dict__, gone.__dict__, moved.__dict__]})
    new = Row(key="k", what="w", ours=[1.5, 2.5, 3.5], peer=[1.0, 1.0, 1.0])
    moved_now = Row(key="m", what="moved", ours=[3.5, 4.0, 5.0], peer=[1.0, 1.0, 1.0])
    rows = [new, Row(key="new", what="new only", ours=[1.0]), moved_now]
    lines = compare(text, rows).splitlines()
    assert len(lines) == 3
    assert [cell.strip() for cell in lines[1].split("|")[1:-1]] == [
        "w",
        "2.00 [1.00-3.00]",
        "2.50 [1.50-3.50]",
        "yes",
        "2.00 [1.00-3.00]x",
        "2.50 [1.50-3.50]x",
        "yes",
    ]
    # The new median, 4.0, lies outside the old range, 1.0-3.0.
    assert [cell.strip() for cell in lines[2].split("|")[1:-1]][3] == "NO"
