"""Fixtures for the relay tests: a scripted upstream, relays in front of it, client sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from relay_support import UPSTREAM_KEY, Connect, RelayFactory, ScriptedUpstream

from openai_realtime.relay import RealtimeRelay
from tests.support import WAIT


@pytest.fixture
async def upstream() -> AsyncIterator[ScriptedUpstream]:
    """A running scripted upstream on 127.0.0.1 (``upstream.url``)."""
    server = ScriptedUpstream()
    app = web.Application()
    app.router.add_get("/v1/realtime", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.url = f"ws://{host}:{port}/v1/realtime"
    yield server
    await runner.cleanup()


@pytest.fixture
async def make_relay(upstream: ScriptedUpstream) -> AsyncIterator[RelayFactory]:
    """Start relays in front of ``upstream`` (key ``UPSTREAM_KEY``); all stop at teardown."""
    relays: list[RealtimeRelay] = []

    async def start(**options: Any) -> RealtimeRelay:
        options.setdefault("api_key", UPSTREAM_KEY)
        relay = RealtimeRelay(options.pop("upstream_url", upstream.url), **options)
        await relay.start()
        relays.append(relay)
        return relay

    yield start
    for relay in relays:
        await relay.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp client session, closed at teardown."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def connect(http: aiohttp.ClientSession) -> AsyncIterator[Connect]:
    """Open client WebSockets (``ws_connect`` arguments); all are closed at teardown."""
    sockets: list[aiohttp.ClientWebSocketResponse] = []

    async def open_socket(url: str, **options: Any) -> aiohttp.ClientWebSocketResponse:
        ws: aiohttp.ClientWebSocketResponse = await asyncio.wait_for(
            http.ws_connect(url, **options), WAIT
        )
        sockets.append(ws)
        return ws

    yield open_socket
    for ws in sockets:
        await ws.close()
