"""Fixtures of the RealtimeAPI tests: a scripted server and clients aimed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from scripted_server import SENTINEL_KEY, ScriptedServer

from openai_realtime.api import RealtimeAPI
from tests.support import WAIT


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    """A running ScriptedServer on an ephemeral loopback port."""
    scripted = ScriptedServer()
    app = web.Application()
    # Azure's two URL shapes reach the same endpoint.
    for path in ("/v1/realtime", "/openai/v1/realtime", "/openai/realtime"):
        app.router.add_get(path, scripted.handle)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    scripted.base = f"http://{host}:{port}"
    scripted.url = f"ws://{host}:{port}/v1/realtime"
    try:
        yield scripted
    finally:
        await scripted.shutdown()
        await runner.cleanup()


@pytest.fixture
async def api(server: ScriptedServer) -> AsyncIterator[RealtimeAPI]:
    """A RealtimeAPI aimed at the scripted server (not connected), disconnected afterwards."""
    client = RealtimeAPI(server.url, api_key=SENTINEL_KEY, heartbeat=None)
    try:
        yield client
    finally:
        await asyncio.wait_for(client.disconnect(), WAIT)


@pytest.fixture
async def connected(api: RealtimeAPI, server: ScriptedServer) -> RealtimeAPI:
    """The ``api`` fixture, connected, with the server side accepted."""
    await asyncio.wait_for(api.connect(), WAIT)
    await server.accepted()
    return api
