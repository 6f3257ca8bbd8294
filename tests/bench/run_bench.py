"""``make bench``: every row, interleaved rounds, one server process; the table and the raw JSON.

Usage::

    python tests/bench/run_bench.py                      # the full run (about 15 minutes, 2 CPUs)
    python tests/bench/run_bench.py --quick              # tiny sizes, one round: correctness only
    python tests/bench/run_bench.py --compare OLD.json   # also before/after per row, and whether
                                                         # the medians agree within the ranges
    python tests/bench/run_bench.py --show NEW.json --compare OLD.json   # two stored runs

The raw figures of every round go to ``bench-results.json`` (``--output``), with the machine,
Python, load average and versions, so a later run can be compared with ``--compare``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_decode import decode_group
from bench_process import import_group, memory_group, start_group
from bench_report import (
    Row,
    compare,
    describe_machine,
    format_table,
    machine_facts,
    results_json,
    rows_from_json,
    run_rounds,
)
from bench_server import ServerProcess
from bench_sessions import session_group
from bench_sizes import FULL, QUICK, Sizes
from bench_stream import latency_group, stall_group, stream_group

__all__ = ["main", "run"]


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def run(
    sizes: Sizes, log: Callable[[str], None] = _progress
) -> tuple[list[Row], dict[str, Any]]:
    """Measure every row with ``sizes``; returns the rows and the session steps taken."""
    if importlib.util.find_spec("openai") is None:
        raise SystemExit(
            "the openai SDK (the peer of every row) is missing: install the bench extra, "
            "pip install -e '.[dev,bench]' (make bench does)"
        )
    async with ServerProcess(sizes) as server:
        sessions, steps = session_group(server, sizes)
        groups = [
            decode_group(sizes),
            stream_group(server, sizes),
            latency_group(server, sizes),
            stall_group(server, sizes),
            import_group(),
            start_group(server),
            memory_group(server, sizes),
            sessions,
        ]
        rows = await run_rounds(groups, sizes.rounds, warm_up=sizes.warm_up, log=log)
    return rows, steps


def report(facts: dict[str, Any], sizes: Sizes, rows: list[Row]) -> str:
    """The machine, how the rounds ran, the table and the session steps."""
    warm_up = "after one warm-up round" if sizes.warm_up else "without a warm-up round"
    sessions = len(range(1, sizes.rounds + 1, sizes.session_every))
    lines = [
        f"machine: {describe_machine(facts)}",
        f"rounds: {sizes.rounds} measured {warm_up} ({sessions} for sessions), each round "
        "measuring every row, sides interleaved; median [min-max]",
        "",
        format_table(rows),
        "",
    ]
    for side, taken in facts["session_steps"].items():
        text = ", ".join(
            f"round {r:.0f} {n:.0f}: p99 {lag:.1f} ms, audio {share:.0%}"
            for r, n, lag, share in taken
        )
        lines.append(f"session steps, {side}: {text}")
    return "\n".join(lines)


def main(arguments: list[str] | None = None) -> int:
    """Run the benchmarks (or read a stored run), print the table, write the raw results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--output", default="bench-results.json", help="raw results (JSON)")
    parser.add_argument("--compare", metavar="OLD.json", help="print before/after per row")
    parser.add_argument(
        "--show", metavar="RESULTS.json", help="print a stored run instead of measuring"
    )
    options = parser.parse_args(arguments)
    if options.show:
        text = Path(options.show).read_text()
        stored = json.loads(text)
        facts, sizes, rows = (
            stored["machine"],
            Sizes.from_dict(stored["sizes"]),
            rows_from_json(text),
        )
    else:
        sizes = QUICK if options.quick else FULL
        facts = machine_facts()
        rows, steps = asyncio.run(run(sizes))
        facts["load_average_end"] = [round(value, 2) for value in os.getloadavg()]
        facts["session_steps"] = steps
        Path(options.output).write_text(results_json(facts, dataclasses.asdict(sizes), rows))
    print(report(facts, sizes, rows))
    if options.compare:
        print()
        print(compare(Path(options.compare).read_text(), rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
