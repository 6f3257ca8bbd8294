"""The WebSocket heartbeat: pings while the connection is quiet, a dead peer closes it.

The transport keeps the heartbeat itself (aiohttp's re-arms a timer through a loop callback
per received frame), so these tests pin what aiohttp's gave: pings while nothing arrives, code
1006 when a ping goes unanswered, and the peer's own pings answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import WSMsgType, web

from openai_realtime.api import RealtimeAPI
from openai_realtime.local_events import CloseEvent
from openai_realtime.types import InputAudioBufferClearedEvent
from tests.support import WAIT, until

HEARTBEAT = 0.1
ANSWERED_HEARTBEAT = 0.3  # room for a loaded machine to read each pong within half of it


@dataclass
class QuietPeer:
    """A WebSocket endpoint that sends nothing unless asked, and answers pings only if told."""

    answer_pings: bool
    url: str = ""
    pings: int = 0
    pongs: list[bytes] = field(default_factory=list)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        self.sockets.append(ws)
        async for message in ws:
            if message.type is WSMsgType.PING:
                self.pings += 1
                if self.answer_pings:
                    await ws.pong(message.data)
            elif message.type is WSMsgType.PONG:
                self.pongs.append(message.data)
        return ws


async def serve(peer: QuietPeer) -> AsyncIterator[QuietPeer]:
    app = web.Application()
    app.router.add_get("/v1/realtime", peer.handle)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    peer.url = f"ws://{host}:{port}/v1/realtime"
    try:
        yield peer
    finally:
        for ws in peer.sockets:
            await ws.close()
        await runner.cleanup()


@pytest.fixture
async def answering() -> AsyncIterator[QuietPeer]:
    async for peer in serve(QuietPeer(answer_pings=True)):
        yield peer


@pytest.fixture
async def silent() -> AsyncIterator[QuietPeer]:
    async for peer in serve(QuietPeer(answer_pings=False)):
        yield peer


async def test_a_quiet_peer_that_answers_pings_stays_connected(answering: QuietPeer) -> None:
    api = RealtimeAPI(answering.url, heartbeat=ANSWERED_HEARTBEAT)
    closes: list[CloseEvent] = []
    api.on("close", closes.append)
    await asyncio.wait_for(api.connect(), WAIT)
    # Each ping came after a quiet interval; the pong to the first kept the connection up.
    await until(lambda: answering.pings >= 3)
    assert api.is_connected and closes == []
    await asyncio.wait_for(api.disconnect(), WAIT)
    assert closes == [CloseEvent(1000, "", requested=True)]


async def test_an_unanswered_ping_closes_with_1006(silent: QuietPeer) -> None:
    api = RealtimeAPI(silent.url, heartbeat=HEARTBEAT)
    async with api.expect("close", timeout=WAIT) as closed:
        await asyncio.wait_for(api.connect(), WAIT)
    close = await closed
    assert silent.pings == 1
    assert close.code == 1006 and not close.requested
    assert f"no pong within {HEARTBEAT / 2} s" in close.reason
    assert not api.is_connected


async def test_the_peers_pings_are_answered(silent: QuietPeer) -> None:
    api = RealtimeAPI(silent.url, heartbeat=30.0)
    await asyncio.wait_for(api.connect(), WAIT)
    await until(lambda: len(silent.sockets) == 1)
    await silent.sockets[0].ping(b"are you there")
    await until(lambda: silent.pongs == [b"are you there"])
    assert api.is_connected
    await asyncio.wait_for(api.disconnect(), WAIT)


async def test_no_verdict_while_back_pressure_stops_the_reading(silent: QuietPeer) -> None:
    api = RealtimeAPI(silent.url, heartbeat=HEARTBEAT, max_pending_handlers=1)
    release = asyncio.Event()
    handled: list[InputAudioBufferClearedEvent] = []

    async def slow(event: InputAudioBufferClearedEvent) -> None:
        handled.append(event)
        await release.wait()

    api.on(InputAudioBufferClearedEvent, slow)
    await asyncio.wait_for(api.connect(), WAIT)
    await until(lambda: len(silent.sockets) == 1)
    await silent.sockets[0].send_str('{"type": "input_audio_buffer.cleared", "event_id": "e1"}')
    await until(lambda: handled != [])
    # Time passing is what is under test: frames unread behind a full handler bound say
    # nothing about the peer, so several intervals go by without a ping or a verdict.
    await asyncio.sleep(4 * HEARTBEAT)
    assert silent.pings == 0 and api.is_connected
    async with api.expect("close", timeout=WAIT) as closed:
        release.set()
    close = await closed
    assert silent.pings == 1 and close.code == 1006
