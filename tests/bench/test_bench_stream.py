"""Row 3: end to end on loopback, a 10-minute spoken answer streamed as fast as possible.

A FakeRealtimeServer in another process (``bench_server``, pace ``None``, no frames recorded)
answers every ``response.create`` with 10 minutes of audio: 6000 audio deltas of 100 ms plus
the transcript deltas and the events around them. Three receivers take turns on it:

* ``RealtimeClient``, with its conversation store assembling the audio and a
  ``conversation.updated`` handler, which is how applications use it;
* the ``openai`` SDK's ``AsyncRealtimeConnection``, iterating the events (it keeps no
  conversation);
* a bare aiohttp receive loop that decodes nothing: the ceiling the server and loopback allow.

Each rate is events from ``response.create`` to ``response.done`` over the elapsed time, best of
five. Target: at least 2x the openai SDK's rate.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import numpy as np
import pytest
from bench_report import Row, optional_module, record
from bench_server import ServerProcess, answer_samples

from openai_realtime import RealtimeClient
from openai_realtime.local_events import ConversationUpdatedEvent
from openai_realtime.types import ServerEvent, UnknownServerEvent

WAIT = 60.0
MODEL = "gpt-realtime"
_DONE_MARKER = '"type":"response.done"'


async def realtime_client_rate(url: str, runs: int) -> tuple[float, int]:
    """Best events/s of RealtimeClient over ``runs`` answers, and the audio samples it kept."""
    client = RealtimeClient(url=url)
    received = 0
    updates = 0

    def count(event: ServerEvent | UnknownServerEvent) -> None:
        nonlocal received
        received += 1

    def on_update(event: ConversationUpdatedEvent) -> None:
        nonlocal updates
        updates += 1

    client.realtime.on("server.*", count)
    client.on("conversation.updated", on_update)
    best = 0.0
    async with client:
        await client.wait_for_session_created(timeout=WAIT)
        for _ in range(runs):
            done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=WAIT))
            received = 0
            start = time.perf_counter()
            await client.create_response()
            await done
            best = max(best, received / (time.perf_counter() - start))
    assert updates > 0
    kept = max(len(item.formatted.audio) for item in client.conversation.get_items())
    return best, kept


async def openai_rate(http_url: str, runs: int) -> tuple[float, int] | None:
    """Best events/s of the openai SDK over ``runs`` answers and events per answer, if installed."""
    openai = optional_module("openai")
    if openai is None:
        return None
    sdk = openai.AsyncOpenAI(api_key="sk-fake", base_url=http_url)
    best, received = 0.0, 0
    try:
        async with sdk.realtime.connect(model=MODEL) as connection:
            await connection.recv()  # session.created
            for _ in range(runs):
                received = 0
                start = time.perf_counter()
                await connection.response.create()
                async for event in connection:
                    received += 1
                    if event.type == "response.done":
                        break
                best = max(best, received / (time.perf_counter() - start))
    finally:
        await sdk.close()
    return best, received


async def raw_rate(url: str, runs: int) -> float:
    """Best events/s of a receive loop that decodes nothing (what the server can deliver)."""
    best = 0.0
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{url}?model={MODEL}", max_msg_size=0) as websocket,
    ):
        await websocket.receive()  # session.created
        for _ in range(runs):
            received = 0
            start = time.perf_counter()
            await websocket.send_str('{"type":"response.create"}')
            while True:
                message = await websocket.receive()
                received += 1
                if message.type is not aiohttp.WSMsgType.TEXT or _DONE_MARKER in message.data:
                    break
            best = max(best, received / (time.perf_counter() - start))
    return best


async def measure(answer_seconds: float, runs: int) -> dict[str, float]:
    """Events/s of the three receivers on one server, taking turns; checks what they got."""
    rates: dict[str, float] = {}
    async with ServerProcess(answer_seconds=answer_seconds) as server:
        await raw_rate(server.url, 1)  # the server synthesises the answer once, untimed
        for _ in range(runs):
            ours, kept = await realtime_client_rate(server.url, 1)
            assert kept == answer_samples(answer_seconds)
            rates["RealtimeClient"] = max(rates.get("RealtimeClient", 0.0), ours)
            theirs = await openai_rate(server.http_url, 1)
            if theirs is not None:
                rates["openai"] = max(rates.get("openai", 0.0), theirs[0])
            rates["raw aiohttp"] = max(rates.get("raw aiohttp", 0.0), await raw_rate(server.url, 1))
    return rates


async def test_smoke_row3_stream() -> None:
    rates = await measure(answer_seconds=2, runs=1)
    assert all(rate > 0 for rate in rates.values())
    assert np.isfinite(list(rates.values())).all()


@pytest.mark.bench
@pytest.mark.timeout(300)
async def test_row3_stream() -> None:
    rates = await measure(answer_seconds=600, runs=5)
    ours = rates["RealtimeClient"]
    what = "10-min audio answer over loopback, RealtimeClient + store + handler"
    theirs = rates.get("openai")
    if theirs is None:
        comparison = Row(3, what, f"{ours:,.0f} events/s", "openai", "not installed", "", "", None)
    else:
        ratio = ours / theirs
        comparison = Row(
            3,
            what,
            f"{ours:,.0f} events/s",
            "openai AsyncRealtimeConnection",
            f"{theirs:,.0f} events/s",
            f"{ratio:.2f}x",
            ">= 2x",
            ratio >= 2.0,
        )
    ceiling = rates["raw aiohttp"]
    record(
        comparison,
        Row(
            3,
            "  same stream, bare aiohttp loop that decodes nothing (ceiling)",
            f"{ours:,.0f} events/s",
            "raw aiohttp",
            f"{ceiling:,.0f} events/s",
            f"{ours / ceiling:.2f}x",
            "(info)",
            None,
        ),
    )
