"""End to end, write -> handler latency and event-loop stalls: three receivers, one server.

The sides, each on its own connection to the one server process (``bench_server``):

* ours: ``RealtimeClient`` with its conversation store keeping the audio (base64 decoded and
  appended per delta) and a ``conversation.updated`` handler counting the samples, as a player
  would;
* openai: ``AsyncOpenAI(...).realtime.connect(...)``, iterating its events (it keeps nothing);
* bare aiohttp: ``ws_connect`` and ``receive()`` per frame, nothing decoded: the ceiling.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    asynccontextmanager,
    contextmanager,
    nullcontext,
)
from dataclasses import dataclass
from typing import Any

import aiohttp
import numpy as np
from bench_frames import answer_shape
from bench_report import Figures, Group, Row
from bench_server import LATENCY_CHUNK_MS, STAMP, ServerProcess
from bench_sizes import Sizes

from openai_realtime import RealtimeClient
from openai_realtime.local_events import ConversationUpdatedEvent
from openai_realtime.types import ResponseOutputAudioDeltaEvent

__all__ = ["latency_group", "openai_connection", "stall_group", "stream_group"]

WAIT = 120.0
MODEL = "gpt-realtime"
_PROBE_SECONDS = 0.002
_AUDIO_DELTA = "response.output_audio.delta"
_PERCENTILES = ("p50", "p99")

Hook = Callable[[Any], None]


@asynccontextmanager
async def openai_connection(websocket_base_url: str) -> AsyncIterator[Any]:
    """An ``openai`` SDK realtime connection to the bench server, past ``session.created``."""
    openai = importlib.import_module("openai")
    sdk = openai.AsyncOpenAI(
        api_key="sk-bench",
        base_url="http://127.0.0.1:9/v1",  # never used: realtime goes to websocket_base_url
        websocket_base_url=websocket_base_url,
    )
    try:
        async with sdk.realtime.connect(model=MODEL) as connection:
            first = await connection.recv()
            assert first.type == "session.created", first.type
            yield connection
    finally:
        await sdk.close()


@dataclass
class Span:
    """How long a block took.

    Attributes:
        wall: Elapsed seconds.
        cpu: CPU seconds of this process (all its threads; the server is another process).
    """

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed() -> Iterator[Span]:
    """Measures the block's :class:`Span`."""
    span = Span()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield span
    finally:
        span.wall = time.perf_counter() - wall
        span.cpu = time.process_time() - cpu


async def ours_answer(
    url: str, seconds: float, chunk_ms: int, on_delta: Hook | None, lags: list[float] | None
) -> Span:
    """Time from ``response.create`` to ``response.done`` for ``RealtimeClient``.

    ``on_delta`` is called with every audio delta; ``lags`` (when given) collects the loop lag
    from ``response.create`` to ``response.done``.
    """
    _, _, samples = answer_shape(seconds, chunk_ms=chunk_ms)
    heard = 0

    def play(event: ConversationUpdatedEvent) -> None:
        nonlocal heard
        if event.delta is not None and event.delta.audio is not None:
            heard += len(event.delta.audio)

    client = RealtimeClient(url=url)
    client.on("conversation.updated", play)
    if on_delta is not None:
        client.on(ResponseOutputAudioDeltaEvent, on_delta)
    async with client:
        await client.wait_for_session_created(timeout=WAIT)
        done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=WAIT))
        async with _probing(lags):
            with timed() as span:
                await client.create_response()
                await done
    held = sum(len(item.formatted.audio) for item in client.conversation.get_items())
    assert heard == held == samples, (heard, held, samples)
    return span


async def openai_answer(
    base_url: str, seconds: float, chunk_ms: int, on_delta: Hook | None, lags: list[float] | None
) -> Span:
    """Time from ``response.create`` to ``response.done`` for the ``openai`` SDK."""
    events, _, _ = answer_shape(seconds, chunk_ms=chunk_ms)
    received = 0
    async with openai_connection(base_url) as connection, _probing(lags):
        with timed() as span:
            await connection.response.create()
            async for event in connection:
                received += 1
                if on_delta is not None and event.type == _AUDIO_DELTA:
                    on_delta(event)
                if event.type == "response.done":
                    break
    assert received == events, (received, events)
    return span


async def bare_answer(
    url: str,
    seconds: float,
    chunk_ms: int,
    keep: list[tuple[str, int]] | None,
    lags: list[float] | None,
) -> Span:
    """Time from ``response.create`` to the last frame for a reader that decodes nothing."""
    events, _, _ = answer_shape(seconds, chunk_ms=chunk_ms)
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{url}?model={MODEL}", max_msg_size=0) as websocket,
    ):
        await websocket.receive()  # session.created
        async with _probing(lags):
            with timed() as span:
                await websocket.send_str('{"type": "response.create"}')
                for _ in range(events):
                    message = await websocket.receive()
                    if keep is not None:
                        keep.append((message.data, time.monotonic_ns()))
    assert message.type is aiohttp.WSMsgType.TEXT and "response.done" in message.data
    return span


def stream_group(server: ServerProcess, sizes: Sizes) -> Group:
    """Events per second end to end (the answer written as fast as the socket takes it), and
    the receiving process's CPU time per event (which other work on the machine barely moves)."""
    seconds = sizes.stream_seconds
    events, _, _ = answer_shape(seconds)
    url, base_url = server.url("stream"), server.websocket_base_url("stream")

    def figures(span: Span) -> Figures:
        return {"rate": events / span.wall, "cpu_us": span.cpu / events * 1e6}

    async def ours() -> Figures:
        return figures(await ours_answer(url, seconds, 100, None, None))

    async def openai() -> Figures:
        return figures(await openai_answer(base_url, seconds, 100, None, None))

    async def bare() -> Figures:
        return figures(await bare_answer(url, seconds, 100, None, None))

    def rows(measured: dict[str, list[Figures]]) -> list[Row]:
        return [
            _row(measured, key, name, what)
            for key, name, what in [
                ("end to end", "rate", f"end to end, {events:,}-event spoken answer, events/s"),
                ("end to end cpu", "cpu_us", "  same answer, receiver's CPU time per event, us"),
            ]
        ]

    sides = {"ours": ours, "openai": openai, "bare": bare}
    return Group(name="end to end", sides=sides, rows=rows)


def latency_group(server: ServerProcess, sizes: Sizes) -> Group:
    """Server write -> handler, p50 and p99, at 50 audio deltas per second."""
    seconds, chunk = sizes.latency_seconds, LATENCY_CHUNK_MS

    def stamped(latencies: list[float]) -> Hook:
        def hook(event: Any) -> None:
            latencies.append((time.monotonic_ns() - event.model_extra[STAMP]) / 1e6)

        return hook

    def figures(latencies: list[float]) -> Figures:
        _, deltas, _ = answer_shape(seconds, chunk_ms=chunk)
        assert len(latencies) == deltas, (len(latencies), deltas)
        return {"p50": _percentile(latencies, 50), "p99": _percentile(latencies, 99)}

    async def ours() -> Figures:
        latencies: list[float] = []
        await ours_answer(server.url("latency"), seconds, chunk, stamped(latencies), None)
        return figures(latencies)

    async def openai() -> Figures:
        latencies: list[float] = []
        await openai_answer(
            server.websocket_base_url("latency"), seconds, chunk, stamped(latencies), None
        )
        return figures(latencies)

    async def bare() -> Figures:
        kept: list[tuple[str, int]] = []
        await bare_answer(server.url("latency"), seconds, chunk, kept, None)
        # The stamp is the frame's last field; reading it after the run keeps the reader bare.
        return figures(
            [
                (received - int(text[text.rindex(":") + 1 : -1])) / 1e6
                for text, received in kept
                if _AUDIO_DELTA in text
            ]
        )

    _, deltas, _ = answer_shape(seconds, chunk_ms=chunk)

    def rows(measured: dict[str, list[Figures]]) -> list[Row]:
        what = "server write -> handler at 50 ev/s, {} of " + f"{deltas} audio deltas, ms"
        return [_row(measured, f"latency {name}", name, what.format(name)) for name in _PERCENTILES]

    sides = {"ours": ours, "openai": openai, "bare": bare}
    return Group(name="latency", sides=sides, rows=rows)


def _probing(lags: list[float] | None) -> AbstractAsyncContextManager[object]:
    return nullcontext() if lags is None else loop_probe(lags)


@asynccontextmanager
async def loop_probe(lags: list[float]) -> AsyncIterator[None]:
    """Adds to ``lags`` how late (ms) a task sleeping 2 ms at a time wakes up, while the block
    runs."""

    async def probe() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(_PROBE_SECONDS)
            lags.append((time.perf_counter() - before - _PROBE_SECONDS) * 1000)

    task = asyncio.create_task(probe())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def stall_group(server: ServerProcess, sizes: Sizes) -> Group:
    """The longest event-loop stall while a long answer arrives at a steady pace."""
    seconds = sizes.stall_seconds

    def probed(
        answer: Callable[[list[float]], Awaitable[Span]],
    ) -> Callable[[], Awaitable[Figures]]:
        async def measure() -> Figures:
            lags: list[float] = []
            await answer(lags)
            return {"max": max(lags), "p99": _percentile(lags, 99)}

        return measure

    url, base_url = server.url("stall"), server.websocket_base_url("stall")
    sides = {
        "ours": probed(lambda lags: ours_answer(url, seconds, 100, None, lags)),
        "openai": probed(lambda lags: openai_answer(base_url, seconds, 100, None, lags)),
        "bare": probed(lambda lags: bare_answer(url, seconds, 100, None, lags)),
    }
    events, _, _ = answer_shape(seconds)
    answer = (
        f"a {seconds / 60:.3g}-min answer ({events:,} events at "
        f"{sizes.stall_events_per_second:,}/s), ms"
    )

    def rows(measured: dict[str, list[Figures]]) -> list[Row]:
        return [
            _row(measured, f"stall {name}", name, f"event-loop lag, {name}, during {answer}")
            for name in ("max", "p99")
        ]

    return Group(name="event-loop stall", sides=sides, rows=rows)


def _row(measured: dict[str, list[Figures]], key: str, metric: str, what: str) -> Row:
    """A row of ours, the ``openai`` SDK and the bare aiohttp reader, for one metric."""

    def values(side: str) -> list[float]:
        return [figures[metric] for figures in measured[side]]

    return Row(
        key=key,
        what=what,
        ours=values("ours"),
        peer=values("openai"),
        ceiling=values("bare"),
        ceiling_name="bare aiohttp",
    )


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))
