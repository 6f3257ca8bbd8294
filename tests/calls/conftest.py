"""Shared parts of the call tests: a webhook endpoint on loopback and the fake server."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from openai_realtime.calls import RealtimeCalls
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types import WebhookRealtimeCallIncoming
from openai_realtime.webhooks import verify_webhook

SECRET = "whsec_" + base64.b64encode(b"the calls tests' webhook secret").decode()
API_KEY = "sk-test-calls-0123456789abcdef"


class WebhookEndpoint:
    """An application's webhook URL: verifies each delivery and hands its call id to the test."""

    def __init__(self) -> None:
        self.call_ids: asyncio.Queue[str] = asyncio.Queue()
        self.url = ""
        self.on_call: Callable[[str], Awaitable[None]] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        event = verify_webhook(await request.read(), request.headers, SECRET)
        assert isinstance(event, WebhookRealtimeCallIncoming)
        call_id = event.data.call_id
        if self.on_call is not None:
            await self.on_call(call_id)
        self.call_ids.put_nowait(call_id)
        return web.Response(status=200)


@pytest.fixture
async def webhook() -> AsyncIterator[WebhookEndpoint]:
    endpoint = WebhookEndpoint()
    app = web.Application()
    app.router.add_post("/webhook", endpoint.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    endpoint.url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"
    try:
        yield endpoint
    finally:
        await runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[FakeRealtimeServer]:
    async with FakeRealtimeServer(api_key=API_KEY, time_scale=0.02) as fake:
        yield fake


@pytest.fixture
async def calls(server: FakeRealtimeServer) -> AsyncIterator[RealtimeCalls]:
    async with RealtimeCalls(API_KEY, base_url=server.http_url) as client:
        yield client
