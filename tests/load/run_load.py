"""Load test: N RealtimeClients in this process talk to a fake server in another process.

Run from the project root (``make load`` runs it with 200 clients for 60 s)::

    python -m tests.load.run_load --clients 200 --seconds 60

Each client streams audio in real time both ways: it appends 100 ms of audio every 100 ms (a
synthetic utterance, then silence, over and over), the server's voice activity detection ends
each turn, and the server answers with speech paced in real time (interrupting an answer when
the next utterance starts is part of the load). At the deadline every client sends a second
of silence, waits until its conversation is quiet (every response done, no turn open, nothing
received for a moment) and disconnects. Then the server process stops and reports what it
sent.

Printed: frames the server sent vs events the clients dispatched (they must be equal: nothing
lost), errors (must be 0), the client process's RSS at start and end, and the event loop's lag
(p50 / p99 / max, sampled every 20 ms). The exit status is 0 only when counts match and there
were no errors. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from openai_realtime import RealtimeClient
from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.local_events import ClientErrorPayload
from openai_realtime.testing import synthesize_speech
from openai_realtime.types import ServerEvent, UnknownServerEvent

__all__ = ["LoadResult", "main", "run"]

CHUNK_SECONDS = 0.1
CHUNK_SAMPLES = int(SAMPLE_RATE * CHUNK_SECONDS)
QUIET_SECONDS = 1.5
"""How long nothing may arrive before a client counts its conversation as finished."""
SETTLE_TIMEOUT = 60.0
"""Longest a client waits for its conversation to finish after the deadline."""
STARTUP_TIMEOUT = 30.0
LAG_INTERVAL = 0.02
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _utterance_cycle() -> NDArray[np.int16]:
    """One turn of the user: about 1.5 s of speech-like sound, then 2.5 s of silence."""
    speech = synthesize_speech("hello there how are you", SAMPLE_RATE)
    silence = np.zeros(int(2.5 * SAMPLE_RATE), dtype=np.int16)
    cycle = np.concatenate([speech, silence])
    whole_chunks = len(cycle) // CHUNK_SAMPLES * CHUNK_SAMPLES
    return cycle[:whole_chunks]


@dataclass
class ClientStats:
    """What one client saw."""

    dispatched: int = 0
    types: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    last_event: float = field(default_factory=time.monotonic)

    def on_event(self, event: ServerEvent | UnknownServerEvent) -> None:
        self.dispatched += 1
        self.types[event.type] += 1
        self.last_event = time.monotonic()

    def on_error(self, error: ClientErrorPayload) -> None:
        self.errors.append(str(getattr(error, "message", None) or error))

    def settled(self) -> bool:
        """Every response finished, no turn open, and nothing received for a while."""
        types = self.types
        return (
            types["response.created"] == types["response.done"] == types["rate_limits.updated"]
            and types["input_audio_buffer.speech_started"]
            == types["input_audio_buffer.speech_stopped"]
            and time.monotonic() - self.last_event >= QUIET_SECONDS
        )


@dataclass
class LoadResult:
    """The outcome of one run."""

    clients: int
    seconds: float
    server_sent: int
    server_received: int
    server_connections: int
    client_dispatched: int
    client_sent: int
    errors: list[str]
    responses: int
    rss_start_mib: float
    rss_end_mib: float
    lag_ms: list[float]

    @property
    def ok(self) -> bool:
        """Counts match both ways and nothing went wrong."""
        return (
            self.server_sent == self.client_dispatched
            and self.server_received == self.client_sent
            and not self.errors
        )

    def report(self) -> str:
        """The printed summary."""
        lag = sorted(self.lag_ms) or [0.0]
        p50, p99 = lag[len(lag) // 2], lag[min(len(lag) - 1, int(len(lag) * 0.99))]
        lines = [
            f"clients                 {self.clients} for {self.seconds:g} s "
            f"({self.server_connections} connections)",
            f"server -> clients       {self.server_sent} frames sent, "
            f"{self.client_dispatched} events dispatched",
            f"clients -> server       {self.client_sent} events sent, "
            f"{self.server_received} frames received",
            f"responses               {self.responses}",
            f"errors                  {len(self.errors)}",
            f"RSS (client process)    {self.rss_start_mib:.1f} MiB at start, "
            f"{self.rss_end_mib:.1f} MiB at end",
            f"event loop lag          p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {lag[-1]:.1f} ms "
            f"({len(self.lag_ms)} samples)",
            f"result                  {'OK' if self.ok else 'FAILED'}",
        ]
        lines += [f"  error: {error}" for error in self.errors[:10]]
        return "\n".join(lines)


def _rss_mib() -> float:
    """Resident set size of this process, in MiB (Linux: /proc; elsewhere the peak so far)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # macOS reports the peak in bytes, the BSDs in KiB.
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


async def _measure_lag(samples: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        await asyncio.sleep(LAG_INTERVAL)
        samples.append((loop.time() - started - LAG_INTERVAL) * 1000)


class ServerProcess:
    """The fake server in a child process (``tests.load.server_process``)."""

    def __init__(self) -> None:
        self.port = 0
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.load.server_process",
            cwd=_PROJECT_ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        line = await self._read_line("LISTENING")
        self.port = int(line.split()[1])

    async def stop(self) -> dict[str, int]:
        """Tell the server to stop and return its totals."""
        process = self._require()
        assert process.stdin is not None
        process.stdin.write(b"stop\n")
        await process.stdin.drain()
        line = await self._read_line("TOTALS")
        await asyncio.wait_for(process.wait(), STARTUP_TIMEOUT)
        totals: dict[str, int] = json.loads(line.split(maxsplit=1)[1])
        return totals

    def kill(self) -> None:
        """End the child at once (used when something went wrong)."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()

    def _require(self) -> asyncio.subprocess.Process:
        if self._process is None:
            raise RuntimeError("the server process was not started")
        return self._process

    async def _read_line(self, prefix: str) -> str:
        process = self._require()
        assert process.stdout is not None
        async with asyncio.timeout(STARTUP_TIMEOUT):
            while True:
                raw = await process.stdout.readline()
                if not raw:
                    raise RuntimeError(f"the server process ended before printing {prefix}")
                line = raw.decode().strip()
                if line.startswith(prefix):
                    return line


async def _run_client(
    url: str, cycle: NDArray[np.int16], deadline: float, offset: float, stats: ClientStats
) -> int:
    """One client: stream until the deadline, settle, disconnect; return events sent."""
    loop = asyncio.get_running_loop()
    # keep_audio=False: a long-running voice agent plays audio and drops it (the counts are
    # what this test checks, not the samples).
    client = RealtimeClient(url=url, keep_audio=False)
    client.realtime.on("server.*", stats.on_event)
    client.on("error", stats.on_error)
    sent = 0

    def count_sent(_: object) -> None:
        nonlocal sent
        sent += 1

    client.realtime.on("client.*", count_sent)
    await asyncio.sleep(offset)
    async with client:
        position, next_chunk = 0, loop.time()
        while loop.time() < deadline:
            await client.append_input_audio(cycle[position : position + CHUNK_SAMPLES])
            position = (position + CHUNK_SAMPLES) % len(cycle)
            next_chunk += CHUNK_SECONDS
            await asyncio.sleep(max(0.0, next_chunk - loop.time()))
        silence = np.zeros(CHUNK_SAMPLES, dtype=np.int16)
        for _ in range(10):  # a second of silence ends any turn still open
            await client.append_input_audio(silence)
            await asyncio.sleep(CHUNK_SECONDS)
        try:
            async with asyncio.timeout(SETTLE_TIMEOUT):
                while not stats.settled():
                    await asyncio.sleep(0.05)
        except TimeoutError:
            stats.errors.append(f"conversation not quiet within {SETTLE_TIMEOUT} s: {stats.types}")
    return sent


async def run(clients: int, seconds: float) -> LoadResult:
    """Run the load test and return its figures.

    Args:
        clients: Concurrent clients.
        seconds: How long each client streams before settling.

    Returns:
        The counts, errors, RSS and event loop lag of the run.
    """
    rss_start = _rss_mib()
    server = ServerProcess()
    await server.start()
    stats = [ClientStats() for _ in range(clients)]
    lag: list[float] = []
    stop_lag = asyncio.Event()
    lag_task = asyncio.create_task(_measure_lag(lag, stop_lag))
    errors: list[str] = []
    try:
        cycle = _utterance_cycle()
        url = f"ws://127.0.0.1:{server.port}/v1/realtime"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        # Staggered starts, so that the clients' turns do not all line up.
        offsets = [random.uniform(0, min(1.0, seconds / 2)) for _ in range(clients)]
        outcomes = await asyncio.gather(
            *(
                _run_client(url, cycle, deadline, offset, stat)
                for offset, stat in zip(offsets, stats, strict=True)
            ),
            return_exceptions=True,
        )
        totals = await server.stop()
    except BaseException:
        server.kill()
        raise
    finally:
        stop_lag.set()
        await lag_task
    sent = 0
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            errors.append(f"client failed: {outcome!r}")
        else:
            sent += outcome
    errors += [error for stat in stats for error in stat.errors]
    return LoadResult(
        clients=clients,
        seconds=seconds,
        server_sent=totals["sent"],
        server_received=totals["received"],
        server_connections=totals["connections"],
        client_dispatched=sum(stat.dispatched for stat in stats),
        client_sent=sent,
        errors=errors,
        responses=sum(stat.types["response.done"] for stat in stats),
        rss_start_mib=rss_start,
        rss_end_mib=_rss_mib(),
        lag_ms=lag,
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run, print the report.

    Returns:
        0 when counts match and there were no errors, else 1.
    """
    parser = argparse.ArgumentParser(description="Load test: many clients, one fake server.")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    arguments = parser.parse_args(argv)
    result = asyncio.run(run(arguments.clients, arguments.seconds))
    print(result.report())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
