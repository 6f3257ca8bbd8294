"""Row 7: how long ``import openai_realtime`` takes, against ``import openai``.

Each import statement runs in a fresh interpreter, timed inside it with ``time.perf_counter``
around the statement (interpreter start-up is the same for both and left out); the best of
seven runs counts. Target: at most half of ``import openai``.

``import openai_realtime`` loads the exception classes and defers the rest until first use, so a
second row times ``from openai_realtime import RealtimeClient``, which loads everything a client
needs (aiohttp, numpy, the generated models), for information.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from bench_report import Row, optional_module, record

_TIMER = "import time; start = time.perf_counter(); {statement}; print(time.perf_counter() - start)"


def import_seconds(statement: str, repeats: int) -> float:
    """The fastest wall time of ``statement`` over ``repeats`` fresh interpreters."""
    best = float("inf")
    for _ in range(repeats):
        output = subprocess.run(
            [sys.executable, "-c", _TIMER.format(statement=statement)],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        best = min(best, float(output))
    return best


def test_smoke_row7_import() -> None:
    assert import_seconds("import openai_realtime", repeats=1) > 0


@pytest.mark.bench
def test_row7_import() -> None:
    ours = import_seconds("import openai_realtime", repeats=7)
    full = import_seconds("from openai_realtime import RealtimeClient", repeats=7)
    if optional_module("openai") is None:
        record(Row(7, "import openai_realtime", f"{ours * 1000:.0f} ms", "", "", "", "", None))
        return
    theirs = import_seconds("import openai", repeats=7)
    record(
        Row(
            7,
            "import openai_realtime (fresh interpreter, best of 7)",
            f"{ours * 1000:.0f} ms",
            "import openai",
            f"{theirs * 1000:.0f} ms",
            f"{ours / theirs:.2f}x its time",
            "<= 0.5x",
            ours / theirs <= 0.5,
        ),
        Row(
            7,
            "  from openai_realtime import RealtimeClient",
            f"{full * 1000:.0f} ms",
            "import openai",
            f"{theirs * 1000:.0f} ms",
            f"{full / theirs:.2f}x its time",
            "(info)",
            None,
        ),
    )
