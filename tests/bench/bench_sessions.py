"""Real-time sessions per process, audio both ways, for our client and for the ``openai`` SDK.

Every session receives a spoken answer paced in real time by the server process (10 audio deltas
of 100 ms per second, plus transcript deltas) and sends 100 ms of microphone audio every 100 ms
(ours through ``append_input_audio``; the SDK's user base64-encodes it and calls
``input_audio_buffer.append``). Sessions are spread evenly over the 100 ms period. After a
warm-up, a probe task sleeping 10 ms at a time records how late it wakes (the event-loop lag) and
the audio received is counted. A step of N sessions passes when the lag p99 is under 50 ms and
the audio kept at least 90% of real time, on the first try (no retries). Each side steps up
until a step fails; the steps of the two sides alternate, the order rotating.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import numpy as np
from bench_report import Row
from bench_server import ServerProcess
from bench_sizes import Sizes
from bench_stream import openai_connection

from openai_realtime import RealtimeClient
from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.local_events import ConversationUpdatedEvent

__all__ = ["MAX_LAG_P99_MS", "MIN_REALTIME_FACTOR", "session_rows"]

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


async def session_rows(server: ServerProcess, sizes: Sizes) -> tuple[list[Row], dict[str, Any]]:
    """The largest number of sessions that kept up on the first try, for each side."""
    sides = {
        "ours": ours_session(server.url("sessions")),
        "openai": openai_session(server.websocket_base_url("sessions")),
    }
    passed = dict.fromkeys(sides, 0)
    failed: dict[str, bool] = dict.fromkeys(sides, False)
    steps: dict[str, list[list[float]]] = {name: [] for name in sides}
    for index, count in enumerate(sizes.session_steps):
        order = list(sides) if index % 2 == 0 else list(reversed(sides))
        for name in order:
            if failed[name]:
                continue
            lag, factor = await run_step(sides[name], count, sizes)
            steps[name].append([count, lag, factor])
            if lag < MAX_LAG_P99_MS and factor >= MIN_REALTIME_FACTOR:
                passed[name] = count
            else:
                failed[name] = True
        if all(failed.values()):
            break
    failed_at = {
        name: next((f"{step[0]:g}" for step in taken if step[0] > passed[name]), "none")
        for name, taken in steps.items()
    }
    row = Row(
        key="sessions",
        what=(
            f"real-time sessions per process, audio both ways (lag p99 < {MAX_LAG_P99_MS:g} ms, "
            f"audio >= {MIN_REALTIME_FACTOR:.0%} of real time, first try)"
        ),
        ours=[float(passed["ours"])],
        peer=[float(passed["openai"])],
        note=f"first failed step: ours {failed_at['ours']}, openai {failed_at['openai']}",
    )
    return [row], steps
