"""Rounds, spreads, the results table, the raw JSON and the before/after comparison.

Every row measures its sides (ours, the ``openai`` peer, a ceiling) round by round, the sides'
order rotating each round, after one warm-up round that is discarded. A figure is printed as
``median [min-max]`` over the measured rounds; a ratio is taken within each round (ours and the
other side measured moments apart) and then summarised the same way.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Row",
    "compare",
    "format_table",
    "interleaved",
    "machine_facts",
    "spread",
]

Figures = dict[str, float]
"""What one side measured in one round, by metric name."""


async def interleaved(
    sides: dict[str, Callable[[], Awaitable[Figures]]], rounds: int, *, warm_up: bool
) -> dict[str, list[Figures]]:
    """Measure every side once per round, the order rotated each round.

    Args:
        sides: How to measure each side once.
        rounds: Rounds measured.
        warm_up: Run one more round first and discard it (imports, caches, first connections).

    Returns:
        For each side, its figures in each measured round.
    """
    names = list(sides)
    measured: dict[str, list[Figures]] = {name: [] for name in names}
    first = 0 if warm_up else 1
    for round_number in range(first, rounds + 1):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            figures = await sides[name]()
            if round_number > 0:
                measured[name].append(figures)
    return measured


def spread(values: Sequence[float]) -> str:
    """``median [min-max]``, or the single value."""
    if not values:
        return "-"
    if len(values) == 1:
        return _number(values[0])
    median = statistics.median(values)
    return f"{_number(median)} [{_number(min(values))}-{_number(max(values))}]"


def _number(value: float) -> str:
    """Three significant figures or more, without exponents; thousands as ``k`` from 10,000."""
    magnitude = abs(value)
    if magnitude >= 9_999.5:
        return f"{value / 1000:.1f}k"
    if magnitude >= 99.95:
        return f"{value:.0f}"
    if magnitude >= 9.995:
        return f"{value:.1f}"
    return f"{value:.2f}"


@dataclass(frozen=True)
class Row:
    """One line of the table: what each side measured in each round.

    Attributes:
        key: Stable name, used to match rows of two runs.
        what: What was measured, with the unit.
        ours: Our figure in each round.
        peer: The ``openai`` SDK's figure in each round (empty when it has none).
        ceiling: The reference's figure in each round (empty when there is none).
        ceiling_name: What the reference is (``json.loads``, ``bare aiohttp``).
        note: Anything the figures alone do not say.
    """

    key: str
    what: str
    ours: list[float]
    peer: list[float] = dataclasses.field(default_factory=list)
    ceiling: list[float] = dataclasses.field(default_factory=list)
    ceiling_name: str = ""
    note: str = ""

    def ratio_to_peer(self) -> list[float]:
        """Ours divided by the peer's figure, round by round."""
        return _ratios(self.ours, self.peer)

    def ratio_to_ceiling(self) -> list[float]:
        """Ours divided by the ceiling's figure, round by round."""
        return _ratios(self.ours, self.ceiling)


def _ratios(ours: list[float], theirs: list[float]) -> list[float]:
    return [a / b for a, b in zip(ours, theirs, strict=False) if b]


def _ratio_text(values: list[float]) -> str:
    return spread(values) + "x" if values else "-"


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table: median [min-max] of each side, and of the ratios."""
    header = (
        "what",
        "ours",
        "openai",
        "ceiling",
        "ours / openai",
        "ours / ceiling",
    )
    cells = [header] + [
        (
            row.what + (f" ({row.note})" if row.note else ""),
            spread(row.ours),
            spread(row.peer),
            f"{spread(row.ceiling)} {row.ceiling_name}" if row.ceiling else "-",
            _ratio_text(row.ratio_to_peer()),
            _ratio_text(row.ratio_to_ceiling()),
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in cells) for column in range(len(header))]

    def line(values: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(cells[0]), separator, *(line(values) for values in cells[1:])])


_VERSIONS = ("openai-realtime", "openai", "websockets", "aiohttp", "pydantic", "numpy", "pybase64")


def machine_facts() -> dict[str, Any]:
    """Where and with what the figures were taken."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for text in cpuinfo:
                if text.startswith("model name"):
                    cpu = text.partition(":")[2].strip()
                    break
    except OSError:
        pass  # not Linux: platform.processor() is the best there is
    versions: dict[str, str] = {}
    for name in _VERSIONS:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    return {
        "time": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        # What `nproc` prints: the CPUs this process may run on.
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "system": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "versions": versions,
        "commit": commit,
    }


def describe_machine(facts: dict[str, Any]) -> str:
    """The facts as one line."""
    versions = ", ".join(f"{name} {version}" for name, version in facts["versions"].items())
    load = " / ".join(str(value) for value in facts["load_average"])
    end = facts.get("load_average_end")
    end_text = f" (at the end {' / '.join(str(v) for v in end)})" if end else ""
    return (
        f"{facts['time']}, {facts['cpus']} CPUs ({facts['cpu']}), {facts['system']}, "
        f"Python {facts['python']}, load average {load}{end_text}, commit {facts['commit']}; "
        f"{versions}"
    )


def results_json(facts: dict[str, Any], sizes: dict[str, Any], rows: Sequence[Row]) -> str:
    """Everything a later run needs to compare with this one."""
    return json.dumps(
        {"machine": facts, "sizes": sizes, "rows": [dataclasses.asdict(row) for row in rows]},
        indent=1,
    )


def compare(old_text: str, rows: Sequence[Row]) -> str:
    """Before and after, row by row: ours and the ratio to the peer, and whether they agree.

    Two figures agree when each median lies within the other run's range (min-max, as printed).
    """
    old_rows = {row["key"]: Row(**row) for row in json.loads(old_text)["rows"]}
    header = (
        "what",
        "ours before",
        "ours now",
        "agree",
        "ours / openai before",
        "ours / openai now",
        "agree",
    )
    cells = [header]
    for row in rows:
        old = old_rows.get(row.key)
        if old is None:
            continue
        old_ratio, new_ratio = old.ratio_to_peer(), row.ratio_to_peer()
        cells.append(
            (
                row.what,
                spread(old.ours),
                spread(row.ours),
                _agreement(old.ours, row.ours),
                _ratio_text(old_ratio),
                _ratio_text(new_ratio),
                _agreement(old_ratio, new_ratio),
            )
        )
    widths = [max(len(line[column]) for line in cells) for column in range(len(header))]
    return "\n".join(
        "| " + " | ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) + " |"
        for line in cells
    )


def _agreement(before: Sequence[float], now: Sequence[float]) -> str:
    if not before or not now:
        return "-"

    def within(values: Sequence[float], median: float) -> bool:
        # Within the range as printed (three significant figures): half a percent of slack.
        low, high = min(values), max(values)
        return low - 0.005 * abs(low) <= median <= high + 0.005 * abs(high)

    agree = within(now, statistics.median(before)) and within(before, statistics.median(now))
    return "yes" if agree else "NO"
