"""Rounds, spreads, the results table, the raw JSON and the before/after comparison.

A run is rounds of every row (a warm-up round first, discarded); in each round a row measures its
sides (ours, the ``openai`` peer, a ceiling) one after the other, the first side rotating from
round to round. A figure is printed as ``median [min-max]`` over the measured rounds; a ratio is
taken within each round (ours and the other side measured moments apart) and then summarised the
same way.
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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Group",
    "Measure",
    "Row",
    "compare",
    "format_table",
    "machine_facts",
    "rows_from_json",
    "run_rounds",
    "spread",
]

Figures = dict[str, float]
"""What one side measured in one round, by metric name."""


Measure = Callable[[], Awaitable[Figures]]
"""Measures one side once."""


@dataclass(frozen=True)
class Group:
    """Rows measured together: their sides, and how the rounds become rows.

    Attributes:
        name: What is measured, for the progress log.
        sides: How to measure each side once.
        rows: Turns each side's figures, one entry per measured round, into rows.
        every: Measured in round 1 and every ``every``-th round after it (a costly group takes
            part in fewer rounds, still spread over the whole run).
        warm_up: Whether the group takes part in the discarded warm-up round.
    """

    name: str
    sides: Mapping[str, Measure]
    rows: Callable[[dict[str, list[Figures]]], list[Row]]
    every: int = 1
    warm_up: bool = True

    def measured_in(self, round_number: int) -> bool:
        """Whether the group runs in round ``round_number`` (0 is the warm-up)."""
        if round_number == 0:
            return self.warm_up
        return (round_number - 1) % self.every == 0


async def run_rounds(
    groups: Sequence[Group],
    rounds: int,
    *,
    warm_up: bool,
    log: Callable[[str], None] = lambda _: None,
) -> list[Row]:
    """Measure every group once per round, rounds outermost, each group's sides rotated.

    Rounds are the outer loop so that every row's rounds are spread over the whole run: a
    machine that is slower for a minute moves one round of every row, and shows in the ranges,
    instead of moving every round of one row. Within a round each group measures all its sides
    one after the other, the first side rotating from round to round.

    Args:
        groups: What to measure.
        rounds: Rounds measured.
        warm_up: Run round 0 first and discard it (imports, caches, first connections).
        log: Told when each group of each round starts.

    Returns:
        Every group's rows, in the order of ``groups``.
    """
    measured: dict[str, dict[str, list[Figures]]] = {
        group.name: {side: [] for side in group.sides} for group in groups
    }
    for round_number in range(0 if warm_up else 1, rounds + 1):
        for group in groups:
            if not group.measured_in(round_number):
                continue
            log(f"round {round_number or 'warm-up'}/{rounds}: {group.name}")
            names = list(group.sides)
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                figures = await group.sides[name]()
                if round_number > 0:
                    measured[group.name][name].append(figures)
    return [row for group in groups for row in group.rows(measured[group.name])]


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
        peer_ratio: Whether ours / peer means anything; not when the peer's figure is close to
            nothing by design (the SDK keeps no audio, so its memory growth is about zero).
    """

    key: str
    what: str
    ours: list[float]
    peer: list[float] = dataclasses.field(default_factory=list)
    ceiling: list[float] = dataclasses.field(default_factory=list)
    ceiling_name: str = ""
    note: str = ""
    peer_ratio: bool = True

    def ratio_to_peer(self) -> list[float]:
        """Ours divided by the peer's figure, round by round (empty when it means nothing)."""
        return _ratios(self.ours, self.peer) if self.peer_ratio else []

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


def rows_from_json(text: str) -> list[Row]:
    """The rows of a results file written by :func:`results_json`."""
    return [
        Row(**{key: value for key, value in row.items() if key in _ROW_FIELDS})
        for row in json.loads(text)["rows"]
    ]


def compare(old_text: str, rows: Sequence[Row]) -> str:
    """Before and after, row by row: ours, and ours over the peer and over the ceiling, each
    with whether the two runs agree; then how many figures agree, the peer's and the ceiling's
    own figures counted apart, and which do not.

    Two figures agree when each median lies within the other run's range (min-max, as printed).
    """
    old_rows = {row.key: row for row in rows_from_json(old_text)}
    header: tuple[str, ...] = ("what", "ours before", "ours now", "agree")
    header += ("ours / openai before", "ours / openai now", "agree")
    header += ("ours / ceiling before", "ours / ceiling now", "agree")
    cells = [header]
    headline: list[str] = []
    others: list[str] = []
    differing: list[str] = []
    for row in rows:
        old = old_rows.get(row.key)
        if old is None:
            continue
        line = [row.what]
        for before, now, text in [
            (old.ours, row.ours, spread),
            (old.ratio_to_peer(), row.ratio_to_peer(), _ratio_text),
            (old.ratio_to_ceiling(), row.ratio_to_ceiling(), _ratio_text),
        ]:
            verdict = _agreement(before, now)
            headline.append(verdict)
            line += [text(before), text(now), verdict]
        cells.append(tuple(line))
        for side, before, now in [
            ("openai", old.peer, row.peer),
            (row.ceiling_name or "ceiling", old.ceiling, row.ceiling),
        ]:
            verdict = _agreement(before, now)
            others.append(verdict)
            if verdict == "NO":
                differing.append(f"{row.key} ({side}: {spread(before)} -> {spread(now)})")
    widths = [max(len(line[column]) for line in cells) for column in range(len(header))]
    table = [
        "| " + " | ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) + " |"
        for line in cells
    ]
    return "\n".join(
        [
            *table,
            "",
            f"ours and the ratios: {_count(headline)} figures agree",
            f"the openai SDK's and the ceilings' own figures: {_count(others)} agree"
            + (f"; not: {', '.join(differing)}" if differing else ""),
        ]
    )


def _count(verdicts: list[str]) -> str:
    judged = [verdict for verdict in verdicts if verdict != "-"]
    return f"{judged.count('yes')} of {len(judged)}"


_ROW_FIELDS = frozenset(field.name for field in dataclasses.fields(Row))


def _agreement(before: Sequence[float], now: Sequence[float]) -> str:
    if not before or not now:
        return "-"

    def within(values: Sequence[float], median: float) -> bool:
        # Within the range as printed (three significant figures): half a percent of slack.
        low, high = min(values), max(values)
        return low - 0.005 * abs(low) <= median <= high + 0.005 * abs(high)

    agree = within(now, statistics.median(before)) and within(before, statistics.median(now))
    return "yes" if agree else "NO"
