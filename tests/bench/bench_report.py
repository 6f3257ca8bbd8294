"""The shared runner of the benchmark suite: timing helpers, the results table, machine facts.

Every ``test_row*`` benchmark measures its subject and its reference side by side in the same
run, then calls :func:`record` with one :class:`Row` per comparison. ``conftest.py`` prints all
recorded rows as one table at the end of the session, so ``make bench`` shows everything in one
place, and ``-k row3`` shows just that row.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import numpy as np

__all__ = [
    "Row",
    "best_seconds",
    "format_table",
    "machine_facts",
    "optional_module",
    "percentile",
    "record",
    "recorded_rows",
]


@dataclass(frozen=True)
class Row:
    """One line of the results table.

    Attributes:
        row: The number of the target in issue 7 (1 to 7; 8 for the store's linearity).
        what: What was measured.
        ours: Our figure, with its unit.
        against: What it was compared with ("" for absolute targets).
        theirs: The reference figure, measured in the same run ("" if none).
        ratio: The comparison, e.g. "1.7x" ("" for absolute targets).
        target: The target from the issue.
        met: Whether the target was met; ``None`` when the row is for information only.
    """

    row: int
    what: str
    ours: str
    against: str
    theirs: str
    ratio: str
    target: str
    met: bool | None


_ROWS: list[Row] = []


def record(*rows: Row) -> None:
    """Add rows to the table printed at the end of the session."""
    _ROWS.extend(rows)


def recorded_rows() -> list[Row]:
    """Every row recorded so far, ordered by target number (stable within one number)."""
    return sorted(_ROWS, key=lambda row: row.row)


def format_table(rows: list[Row]) -> str:
    """The rows as a Markdown table (readable in a terminal and pasteable into the docs)."""
    header = ("#", "what", "ours", "against", "theirs", "ratio", "target", "met")
    cells = [header] + [
        (
            str(row.row),
            row.what,
            row.ours,
            row.against,
            row.theirs,
            row.ratio,
            row.target,
            {True: "yes", False: "NO", None: "-"}[row.met],
        )
        for row in rows
    ]
    widths = [max(len(line[column]) for line in cells) for column in range(len(header))]

    def line(values: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(cells[0]), separator, *(line(values) for values in cells[1:])])


def machine_facts() -> str:
    """One line naming the machine, so figures can be read next to where they came from."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for text in cpuinfo:
                if text.startswith("model name"):
                    cpu = text.partition(":")[2].strip()
                    break
    except OSError:
        pass  # not Linux: platform.processor() is the best there is
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    codec = "pybase64" if importlib.util.find_spec("pybase64") else "standard library"
    openai = optional_module("openai")
    peer = f"openai {openai.__version__}" if openai is not None else "openai not installed"
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"base64: {codec}, {peer}, load average {load}"
    )


def optional_module(name: str) -> ModuleType | None:
    """The module, or ``None`` when it is not installed (the ``openai`` peer is optional)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def best_seconds(run: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` timed calls of ``run``: the least disturbed by other work."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, by linear interpolation."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))
