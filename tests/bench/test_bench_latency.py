"""Row 4: dispatch latency, from the server writing a frame to the application's handler running.

A scripted aiohttp server in this process sends a 20 ms-chunk spoken answer at real-time pace
(50 audio deltas a second, plus transcript deltas). Just before writing each frame it adds the
current ``time.perf_counter_ns()`` as an extra field, which the client keeps (unknown fields are
allowed) and a ``server.*`` handler on ``RealtimeClient`` subtracts from its own clock. That
handler runs last, after the conversation store and a ``conversation.updated`` handler, so the
latency covers the whole receive path. Target: p99 under 2 ms on loopback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from bench_frames import answer_frames
from bench_report import Row, percentile, record

from openai_realtime import RealtimeClient
from openai_realtime.local_events import ConversationUpdatedEvent
from openai_realtime.types import ServerEvent, UnknownServerEvent

WAIT = 30.0
CHUNK_MS = 20
STAMP = "bench_sent_ns"


@asynccontextmanager
async def paced_server(frames: list[str], interval: float) -> AsyncIterator[str]:
    """A WebSocket server that sends ``frames`` one per ``interval`` seconds, time-stamped.

    Yields:
        Its ``ws://`` URL.
    """

    async def handle(request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for index, frame in enumerate(frames):
            await asyncio.sleep(max(0.0, start + index * interval - loop.time()))
            await websocket.send_str(f'{frame[:-1]},"{STAMP}":{time.perf_counter_ns()}}}')
        await websocket.receive()  # until the client closes
        await websocket.close()
        return websocket

    app = web.Application()
    app.router.add_get("/v1/realtime", handle)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        yield f"ws://127.0.0.1:{port}/v1/realtime"
    finally:
        await runner.cleanup()


async def latencies_ms(seconds: float) -> list[float]:
    """Server write to handler call, in milliseconds, for every frame of a paced answer."""
    frames = answer_frames(seconds, chunk_ms=CHUNK_MS)
    measured: list[float] = []
    played = 0

    def on_update(event: ConversationUpdatedEvent) -> None:
        nonlocal played
        if event.delta is not None and event.delta.audio is not None:
            played += len(event.delta.audio)

    def on_event(event: ServerEvent | UnknownServerEvent) -> None:
        sent = (event.model_extra or {}).get(STAMP)
        if sent is not None:
            measured.append((time.perf_counter_ns() - sent) / 1e6)

    async with paced_server(frames, CHUNK_MS / 1000) as url:
        client = RealtimeClient(url=url)
        client.on("conversation.updated", on_update)
        client.on("server.*", on_event)
        done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=WAIT))
        async with client:
            await done
    assert len(measured) == len(frames)
    assert played == round(seconds * 1000 / CHUNK_MS) * CHUNK_MS * 24
    return measured


async def test_smoke_row4_latency() -> None:
    measured = await latencies_ms(0.5)
    assert all(value > 0 for value in measured)


@pytest.mark.bench
async def test_row4_latency() -> None:
    measured = await latencies_ms(10)
    p50, p99 = percentile(measured, 50), percentile(measured, 99)
    record(
        Row(
            4,
            f"server write -> handler, {len(measured)} events at 50 audio deltas/s",
            f"p99 {p99:.2f} ms (p50 {p50:.2f}, max {max(measured):.2f})",
            "",
            "",
            "",
            "p99 < 2 ms",
            p99 < 2.0,
        )
    )
