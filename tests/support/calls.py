"""What the call tests share: webhook test vectors, a key, and an application's webhook URL."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from openai_realtime.types import WebhookRealtimeCallIncoming
from openai_realtime.webhooks import verify_webhook

__all__ = [
    "API_KEY",
    "BODY",
    "NOW",
    "OTHER_SECRET",
    "SECRET",
    "WebhookEndpoint",
    "serve_on_loopback",
    "webhook_endpoint",
]

API_KEY = "sk-test-calls-0123456789abcdef"
SECRET = "whsec_" + base64.b64encode(b"sixteen byte key, and a few more").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"the rotated-in secret key").decode()
NOW = 1_765_000_000
BODY = json.dumps(
    {
        "object": "event",
        "id": "evt_1",
        "type": "realtime.call.incoming",
        "created_at": NOW,
        "data": {
            "call_id": "rtc_1",
            "sip_headers": [{"name": "From", "value": "sip:+15550100@example.test"}],
        },
    }
).encode()


@asynccontextmanager
async def serve_on_loopback(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port); yields ``http://127.0.0.1:<port>``."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


class WebhookEndpoint:
    """An application's webhook URL: verifies each delivery and hands its call id to the test.

    Attributes:
        call_ids: The call id of every verified ``realtime.call.incoming``, in order.
        url: The webhook URL, once served.
    """

    def __init__(self) -> None:
        self.call_ids: asyncio.Queue[str] = asyncio.Queue()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        """Verify with :data:`SECRET` (a failure answers 500) and queue the call id."""
        event = verify_webhook(await request.read(), request.headers, SECRET)
        assert isinstance(event, WebhookRealtimeCallIncoming)
        self.call_ids.put_nowait(event.data.call_id)
        return web.Response(status=200)


@asynccontextmanager
async def webhook_endpoint() -> AsyncIterator[WebhookEndpoint]:
    """A :class:`WebhookEndpoint` served at ``/webhook`` on loopback."""
    endpoint = WebhookEndpoint()
    app = web.Application()
    app.router.add_post("/webhook", endpoint.handle)
    async with serve_on_loopback(app) as base_url:
        endpoint.url = f"{base_url}/webhook"
        yield endpoint
