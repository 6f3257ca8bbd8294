"""Rows measured in fresh interpreters: the usable import, start-up, and memory over a session.

* Usable import: the import statement a program needs before it can open a session, timed with
  ``time.perf_counter`` inside a fresh interpreter. Ours: ``from openai_realtime import
  RealtimeClient``. The SDK's: ``from openai import AsyncOpenAI`` plus the modules its
  ``realtime.connect`` imports on first use (``openai.resources.realtime.realtime`` and
  ``openai.lib._websocket``, which loads ``websockets``).
* Interpreter start -> ``session.created``: ``time.monotonic_ns()`` taken by this process just
  before starting the interpreter, and by the child when ``session.created`` arrives
  (``bench_child.py start``).
* Memory: ``bench_child.py memory`` in a fresh interpreter per side and round; RSS growth over the
  session, and for ours the growth beyond the audio its store holds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench_report import Figures, Row, interleaved
from bench_server import ServerProcess
from bench_sizes import Sizes

__all__ = ["memory_rows", "startup_rows"]

_CHILD = str(Path(__file__).with_name("bench_child.py"))
_TIMER = "import time; start = time.perf_counter(); {statement}; print(time.perf_counter() - start)"
OURS_IMPORT = "from openai_realtime import RealtimeClient"
OPENAI_IMPORT = (
    "from openai import AsyncOpenAI; import openai.resources.realtime.realtime, "
    "openai.lib._websocket"
)
MIB = 1024 * 1024

Measure = Callable[[], Awaitable[Figures]]


async def _run(*arguments: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, *arguments, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, f"{arguments} exited with {process.returncode}"
    return output.decode()


def _import_side(statement: str) -> Measure:
    async def measure() -> Figures:
        return {"ms": float(await _run("-c", _TIMER.format(statement=statement))) * 1000}

    return measure


def _start_side(side: str, url: str) -> Measure:
    async def measure() -> Figures:
        before = time.monotonic_ns()
        arrived = int(await _run(_CHILD, "start", side, url))
        return {"ms": (arrived - before) / 1e6}

    return measure


async def startup_rows(server: ServerProcess, sizes: Sizes) -> list[Row]:
    """The usable import and interpreter start -> ``session.created``, ours and the SDK's."""
    imports = await interleaved(
        {"ours": _import_side(OURS_IMPORT), "openai": _import_side(OPENAI_IMPORT)},
        sizes.rounds,
        warm_up=sizes.warm_up,
    )
    starts = await interleaved(
        {
            "ours": _start_side("ours", server.url("stream")),
            "openai": _start_side("openai", server.websocket_base_url("stream")),
        },
        sizes.rounds,
        warm_up=sizes.warm_up,
    )
    return [
        Row(
            key="import",
            what="usable import in a fresh interpreter, ms",
            ours=[f["ms"] for f in imports["ours"]],
            peer=[f["ms"] for f in imports["openai"]],
        ),
        Row(
            key="start",
            what="interpreter start -> session.created, ms",
            ours=[f["ms"] for f in starts["ours"]],
            peer=[f["ms"] for f in starts["openai"]],
        ),
    ]


async def memory_rows(server: ServerProcess, sizes: Sizes) -> list[Row]:
    """RSS growth over a long session with audio both ways, in a fresh interpreter per run."""

    def side(name: str, url: str) -> Measure:
        async def measure() -> Figures:
            output = await _run(
                _CHILD, "memory", name, url, str(sizes.turns), str(sizes.turn_seconds)
            )
            return {key: float(value) for key, value in json.loads(output).items()}

        return measure

    measured = await interleaved(
        {
            "ours": side("ours", server.url("turns")),
            "openai": side("openai", server.websocket_base_url("turns")),
        },
        sizes.rounds,
        warm_up=sizes.warm_up,
    )
    minutes = f"{sizes.turns * 2 * sizes.turn_seconds / 60:.3g}"
    growth = {
        name: [(f["after"] - f["before"]) / MIB for f in rounds]
        for name, rounds in measured.items()
    }
    held = [f["audio_held"] for f in measured["ours"]]
    beyond = [
        100 * ((f["after"] - f["before"]) - f["audio_held"]) / f["audio_held"]
        for f in measured["ours"]
    ]
    session = f"{minutes}-min, {sizes.turns}-turn session, audio both ways"
    return [
        Row(
            key="memory growth",
            what=f"RSS growth over a {session}, MiB",
            ours=growth["ours"],
            peer=growth["openai"],
            note=f"ours holds {held[0] / MIB:.1f} MiB of audio; openai holds none",
        ),
        Row(
            key="memory beyond audio",
            what=f"RSS growth beyond the audio held, {session}, % of the audio",
            ours=beyond,
        ),
    ]
