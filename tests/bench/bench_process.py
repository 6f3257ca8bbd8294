"""Rows measured in fresh interpreters: the usable import, start-up, and memory over a session.

* Usable import: the import statement a program needs before it can open a session, timed with
  ``time.perf_counter`` inside a fresh interpreter. Ours: ``from openai_realtime import
  RealtimeClient``. The SDK's: ``from openai import AsyncOpenAI`` plus the modules its
  ``realtime.connect`` imports on first use (``openai.resources.realtime.realtime`` and
  ``openai.lib._websocket``, which loads ``websockets``).
  The floor: ``import aiohttp, pydantic, numpy``, the runtime dependencies alone.
* Interpreter start -> ``session.created``: ``time.monotonic_ns()`` taken by this process just
  before starting the interpreter, and by the child when ``session.created`` arrives
  (``bench_child.py start``). The floor: a bare aiohttp client that connects and reads the first
  frame.
* Memory: ``bench_child.py memory`` in a fresh interpreter per side and round; RSS growth over the
  session, and for ours the growth beyond the audio its store holds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from bench_report import Figures, Group, Measure, Row
from bench_server import ServerProcess
from bench_sizes import Sizes

__all__ = ["import_group", "memory_group", "run_child", "start_group"]

_CHILD = str(Path(__file__).with_name("bench_child.py"))
_TIMER = "import time; start = time.perf_counter(); {statement}; print(time.perf_counter() - start)"
OURS_IMPORT = "from openai_realtime import RealtimeClient"
OPENAI_IMPORT = (
    "from openai import AsyncOpenAI; import openai.resources.realtime.realtime, "
    "openai.lib._websocket"
)
# The runtime dependencies alone: what any client built on them pays before its own code.
DEPENDENCIES_IMPORT = "import aiohttp, pydantic, numpy"
MIB = 1024 * 1024


async def _run(*arguments: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, *arguments, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, f"{arguments} exited with {process.returncode}"
    return output.decode()


async def run_child(*arguments: str) -> str:
    """Runs ``bench_child.py`` with ``arguments`` in a fresh interpreter; returns its output."""
    return await _run(_CHILD, *arguments)


def _import_side(statement: str) -> Measure:
    async def measure() -> Figures:
        return {"ms": float(await _run("-c", _TIMER.format(statement=statement))) * 1000}

    return measure


def _start_side(side: str, url: str) -> Measure:
    async def measure() -> Figures:
        before = time.monotonic_ns()
        arrived = int(await run_child("start", side, url))
        return {"ms": (arrived - before) / 1e6}

    return measure


def _ms(rounds: list[Figures]) -> list[float]:
    return [figures["ms"] for figures in rounds]


def import_group() -> Group:
    """The usable import, ours and the SDK's; the runtime dependencies alone as the floor."""

    def rows(measured: dict[str, list[Figures]]) -> list[Row]:
        return [
            Row(
                key="import",
                what="usable import in a fresh interpreter, ms",
                ours=_ms(measured["ours"]),
                peer=_ms(measured["openai"]),
                ceiling=_ms(measured["deps"]),
                ceiling_name="aiohttp+pydantic+numpy",
            )
        ]

    sides = {
        "ours": _import_side(OURS_IMPORT),
        "openai": _import_side(OPENAI_IMPORT),
        "deps": _import_side(DEPENDENCIES_IMPORT),
    }
    return Group(name="usable import", sides=sides, rows=rows)


def start_group(server: ServerProcess) -> Group:
    """Interpreter start -> ``session.created``, ours and the SDK's; a bare aiohttp client that
    connects and reads the first frame as the floor."""

    def rows(measured: dict[str, list[Figures]]) -> list[Row]:
        return [
            Row(
                key="start",
                what="interpreter start -> session.created, ms",
                ours=_ms(measured["ours"]),
                peer=_ms(measured["openai"]),
                ceiling=_ms(measured["bare"]),
                ceiling_name="bare aiohttp",
            )
        ]

    sides = {
        "ours": _start_side("ours", server.url("stream")),
        "openai": _start_side("openai", server.websocket_base_url("stream")),
        "bare": _start_side("bare", server.url("stream")),
    }
    return Group(name="start-up", sides=sides, rows=rows)


def memory_group(server: ServerProcess, sizes: Sizes) -> Group:
    """RSS growth over a long session with audio both ways, in a fresh interpreter per run."""

    def side(name: str, url: str) -> Measure:
        async def measure() -> Figures:
            output = await run_child("memory", name, url, str(sizes.turns), str(sizes.turn_seconds))
            return {key: float(value) for key, value in json.loads(output).items()}

        return measure

    def rows(measured: dict[str, list[Figures]]) -> list[Row]:
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
                peer_ratio=False,
            ),
            Row(
                key="memory beyond audio",
                what=f"RSS growth beyond the audio held, {session}, % of the audio",
                ours=beyond,
            ),
        ]

    sides = {
        "ours": side("ours", server.url("turns")),
        "openai": side("openai", server.websocket_base_url("turns")),
    }
    return Group(name="memory", sides=sides, rows=rows)
