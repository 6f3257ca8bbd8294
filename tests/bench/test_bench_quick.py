"""``make bench --quick`` as part of ``make test``: every row runs on tiny sizes, nothing timed is
asserted; the harness pieces (rounds, ratios, table, comparison) are checked on known figures."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from bench_report import Group, Row, compare, format_table, run_rounds, spread
from bench_sessions import _Staircase
from bench_sizes import QUICK
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
    "import",
    "start",
]
ROWS_WITH_PEER = ["memory growth", "sessions"]


@pytest.mark.timeout(120)
def test_quick_run_measures_every_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "results.json"
    assert main(["--quick", "--output", str(output)]) == 0
    results = json.loads(output.read_text())
    rows = {row["key"]: row for row in results["rows"]}
    assert list(rows) == [
        *ROWS_WITH_PEER_AND_CEILING,
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
    # A stored run prints as it did when measured, and compares with itself in full.
    assert main(["--show", str(output), "--compare", str(output)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(printed)
    assert "the openai SDK's and the ceilings' own figures" in shown.removeprefix(printed)


async def test_rounds_are_outermost_and_rotate_the_sides() -> None:
    calls: list[str] = []

    def side(name: str, value: float) -> Callable[[], Awaitable[dict[str, float]]]:
        async def measure() -> dict[str, float]:
            calls.append(name)
            return {"value": value + len(calls)}

        return measure

    def rows(measured: dict[str, list[dict[str, float]]]) -> list[Row]:
        return [
            Row(key=name, what=name, ours=[figures["value"] for figures in rounds])
            for name, rounds in measured.items()
        ]

    every_round = Group(
        name="g", sides={"a": side("a", 0), "b": side("b", 100), "c": side("c", 200)}, rows=rows
    )
    costly = Group(name="h", sides={"x": side("x", 1000)}, rows=rows, every=2, warm_up=False)
    logged: list[str] = []
    measured = await run_rounds([every_round, costly], 3, warm_up=True, log=logged.append)
    # Round 0 (the warm-up) leaves the costly group out; it runs in rounds 1 and 3 only.
    assert calls == ["a", "b", "c", "b", "c", "a", "x", "c", "a", "b", "a", "b", "c", "x"]
    assert logged[0] == "round warm-up/3: g" and logged[-1] == "round 3/3: h"
    # The warm-up round's calls (the first three) are left out.
    assert [(row.key, row.ours) for row in measured] == [
        ("a", [6.0, 9.0, 11.0]),
        ("b", [104.0, 110.0, 112.0]),
        ("c", [205.0, 208.0, 213.0]),
        ("x", [1007.0, 1014.0]),
    ]


async def test_the_session_search_climbs_then_starts_from_the_median() -> None:
    sizes = dataclasses.replace(QUICK, session_steps=(10, 20, 30, 40, 50))
    limit = 30
    tried: list[int] = []

    class Fake(_Staircase):
        async def passes(self, count: int) -> bool:
            tried.append(count)
            return count <= limit

    stair = Fake(session=None, sizes=sizes)  # type: ignore[arg-type]
    assert await stair.measure() == {"sessions": 30.0}
    assert tried == [10, 20, 30, 40]  # from the bottom up to the first failure
    tried.clear()
    limit = 50
    assert await stair.measure() == {"sessions": 50.0}
    assert tried == [30, 40, 50]  # from the earlier figure; the top passed, nothing above
    tried.clear()
    limit = 15
    assert await stair.measure() == {"sessions": 10.0}
    assert tried == [40, 30, 20, 10]  # median of 30 and 50 is 40: down to the first pass
    tried.clear()
    limit = 5
    assert await stair.measure() == {"sessions": 0.0}
    assert tried == [30, 20, 10]  # the median of 30, 50, 10 is 30; nothing below 10 is tried


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
    old = Row(key="k", what="w", ours=[1.0, 2.0, 3.0], peer=[1.0, 1.0, 1.0], ceiling=[2, 4, 6])
    gone = Row(key="gone", what="old only", ours=[1.0])
    moved = Row(key="m", what="moved", ours=[1.0, 2.0, 3.0], peer=[1.0, 1.0, 1.0])
    text = json.dumps({"rows": [old.__dict__, gone.__dict__, moved.__dict__]})
    new = Row(key="k", what="w", ours=[1.5, 2.5, 3.5], peer=[1.0, 1.0, 1.0], ceiling=[9, 9, 9])
    moved_now = Row(key="m", what="moved", ours=[3.5, 4.0, 5.0], peer=[1.0, 1.0, 1.0])
    rows = [new, Row(key="new", what="new only", ours=[1.0]), moved_now]
    lines = compare(text, rows).splitlines()
    assert len(lines) == 6
    assert [cell.strip() for cell in lines[1].split("|")[1:-1]] == [
        "w",
        "2.00 [1.00-3.00]",
        "2.50 [1.50-3.50]",
        "yes",
        "2.00 [1.00-3.00]x",
        "2.50 [1.50-3.50]x",
        "yes",
        "0.50 [0.50-0.50]x",
        "0.28 [0.17-0.39]x",
        "NO",
    ]
    # The new median, 4.0, lies outside the old range, 1.0-3.0; no ceiling: nothing to judge.
    assert [cell.strip() for cell in lines[2].split("|")[1:-1]][3::3] == ["NO", "NO", "-"]
    assert lines[4] == "ours and the ratios: 2 of 5 figures agree"
    # The peers' own figures agree; the ceiling moved from 2-6 to 9.
    assert lines[5] == (
        "the openai SDK's and the ceilings' own figures: 2 of 3 agree; "
        "not: k (ceiling: 4.00 [2.00-6.00] -> 9.00 [9.00-9.00])"
    )
