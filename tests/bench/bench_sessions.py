"""Real-time sessions per process, audio both ways, for our client and for the ``openai`` SDK.

Every session receives a spoken answer paced in real time by the server process (10 audio deltas
of 100 ms per second, plus transcript deltas) and sends 100 ms of microphone audio every 100 ms
(ours through ``append_input_audio``; the SDK's user base64-encodes it and calls
``input_audio_buffer.append``). Sessions are spread evenly over the 100 ms period. After a
warm-up, a probe task sleeping 10 ms at a time records how late it wakes (the event-loop lag) and
the audio received is counted. A step of N sessions passes when the lag p99 is under 50 ms and
the audio kept at least 90% of real time, on the first try (no retries). In every round each
side searches for its largest passing step (:class:`_Staircase`), the sides taking turns, the
first rotating; the rounds are spread over the whole run.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from bench_report import Figures, Group, Row
from bench_server import ServerProcess
from bench_sizes import Sizes
from bench_stream import openai_connection

from openai_realtime import RealtimeClient
from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.local_events import ConversationUpdatedEvent

__all__ = ["MAX_LAG_P99_MS", "MIN_REALTIME_FACTOR", "session_group"]

WAIT = 120.0
CHUNK_SECONDS = 0.1
PROBE_SECONDS = 0.01
MAX_LAG_P99_MS = 50.0
MIN_REALTIME_FACTOR = 0.9
_CONNECTING_AT_ONCE = 50
_MICROPHONE = np.random.default_rng(5).integers(
    -3000, 3000, size=round(CHUNK_SECONDS * SAMPLE_RATE), dtype=np.int16
)

Session = Callable[[float, Callable[[int], None], asyncio.Event], Coroutine[Any, Any, None]]
"""Runs one session: (phase, count received samples, ready) until cancelled."""


async def _speak(send: Callable[[], Awaitable[None]], phase: float) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time() + phase
    await asyncio.sleep(phase)
    chunks = 0
    while True:
        await send()
        chunks += 1
        await asyncio.sleep(max(0.0, start + chunks * CHUNK_SECONDS - loop.time()))


def ours_session(url: str) -> Session:
    async def run(phase: float, count: Callable[[int], None], ready: asyncio.Event) -> None:
        def play(event: ConversationUpdatedEvent) -> None:
            if event.delta is not None and event.delta.audio is not None:
                count(len(event.delta.audio))

        client = RealtimeClient(url=url)
        client.on("conversation.updated", play)
        async with client:
            await client.wait_for_session_created(timeout=WAIT)
            ready.set()
            await client.create_response()
            await _speak(lambda: client.append_input_audio(_MICROPHONE), phase)

    return run


def openai_session(websocket_base_url: str) -> Session:
    async def run(phase: float, count: Callable[[int], None], ready: asyncio.Event) -> None:
        async def listen(connection: Any) -> None:
            async for event in connection:
                if event.type == "response.output_audio.delta":
                    count(len(base64.b64decode(event.delta)) // 2)

        async def send(connection: Any) -> None:
            audio = base64.b64encode(_MICROPHONE.tobytes()).decode("ascii")
            await connection.input_audio_buffer.append(audio=audio)

        async with openai_connection(websocket_base_url) as connection:
            ready.set()
            await connection.response.create()
            listening = asyncio.create_task(listen(connection))
            try:
                await _speak(lambda: send(connection), phase)
            finally:
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listening

    return run


async def _probe(seconds: float) -> list[float]:
    lags: list[float] = []
    end = time.perf_counter() + seconds
    while (before := time.perf_counter()) < end:
        await asyncio.sleep(PROBE_SECONDS)
        lags.append((time.perf_counter() - before - PROBE_SECONDS) * 1000)
    return lags


async def run_step(session: Session, count: int, sizes: Sizes) -> tuple[float, float]:
    """``count`` sessions at once: the loop lag p99 (ms) and the audio as a share of real time."""
    received = 0
    counting = False

    def heard(samples: int) -> None:
        nonlocal received
        if counting:
            received += samples

    gate = asyncio.Semaphore(_CONNECTING_AT_ONCE)
    readies = [asyncio.Event() for _ in range(count)]

    async def one(index: int) -> None:
        async with gate:
            connected = asyncio.create_task(
                session(index * CHUNK_SECONDS / count, heard, readies[index])
            )
            waiting = asyncio.create_task(readies[index].wait())
            await asyncio.wait([connected, waiting], return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
        await connected

    tasks = [asyncio.create_task(one(index)) for index in range(count)]
    try:
        ready_all = asyncio.gather(*(ready.wait() for ready in readies))
        await asyncio.wait_for(ready_all, timeout=WAIT)
        await asyncio.sleep(sizes.session_warm_up)
        counting = True
        lags = await _probe(sizes.session_measured)
        counting = False
    finally:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[0]
    factor = received / (count * sizes.session_measured * SAMPLE_RATE)
    return float(np.percentile(lags, 99)), factor


@dataclass
class _Staircase:
    """One side's search for the most sessions that keep up, round after round.

    Round 1 climbs from the smallest step; a later round starts at the step nearest below the
    median of the earlier rounds. From the start it climbs while steps pass, or descends while
    they fail; the round's figure is the highest step that passed before the first failure on
    the way up (or the first that passed on the way down; 0 if none did). Every step is a first
    try: a fresh set of sessions, no retries.
    """

    session: Session
    sizes: Sizes
    found: list[int] = field(default_factory=list)
    taken: list[list[float]] = field(default_factory=list)

    async def passes(self, count: int) -> bool:
        lag, factor = await run_step(self.session, count, self.sizes)
        self.taken.append([len(self.found) + 1, count, lag, factor])
        return lag < MAX_LAG_P99_MS and factor >= MIN_REALTIME_FACTOR

    def start(self) -> int:
        steps = self.sizes.session_steps
        if not self.found:
            return 0
        median = statistics.median(self.found)
        return max([0, *(index for index, count in enumerate(steps) if count <= median)])

    async def measure(self) -> Figures:
        steps = self.sizes.session_steps
        index = self.start()
        if await self.passes(steps[index]):
            while index + 1 < len(steps) and await self.passes(steps[index + 1]):
                index += 1
            capacity = steps[index]
        else:
            capacity = 0
            while index > 0:
                index -= 1
                if await self.passes(steps[index]):
                    capacity = steps[index]
                    break
        self.found.append(capacity)
        return {"sessions": float(capacity)}


Steps = dict[str, list[list[float]]]
"""Each side's steps as they are taken: ``[round, sessions, lag p99 in ms, audio share]``."""


def session_group(server: ServerProcess, sizes: Sizes) -> tuple[Group, Steps]:
    """The most sessions that kept up on the first try, each side's search in every round.

    Returns:
        The group, and each side's steps as they are taken.
    """
    stairs = {
        "ours": _Staircase(ours_session(server.url("sessions")), sizes),
        "openai": _Staircase(openai_session(server.websocket_base_url("sessions")), sizes),
    }

    def rows(measured: dict[str, list[Figures]]) -> list[Row]:
        top = sizes.session_steps[-1]
        return [
            Row(
                key="sessions",
                what=(
                    f"real-time sessions per process, audio both ways (lag p99 < "
                    f"{MAX_LAG_P99_MS:g} ms, audio >= {MIN_REALTIME_FACTOR:.0%} of real time, "
                    "first try)"
                ),
                ours=[figures["sessions"] for figures in measured["ours"]],
                peer=[figures["sessions"] for figures in measured["openai"]],
                note=f"{top} is the largest step tried",
            )
        ]

    group = Group(
        name="sessions",
        sides={name: stair.measure for name, stair in stairs.items()},
        rows=rows,
        every=sizes.session_every,
        warm_up=False,
    )
    return group, {name: stair.taken for name, stair in stairs.items()}
