"""A phone agent: verify the webhook, accept, run the call over a sideband (0 transfers, # ends).

Run:  python docs/examples/phone_agent.py   (a fake server calls it and presses 5, then 0)
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from example_support import serve_webhook

from openai_realtime import RealtimeClient
from openai_realtime.calls import DEFAULT_BASE_URL, RealtimeCalls
from openai_realtime.errors import WebhookVerificationError
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types import WebhookRealtimeCallIncoming
from openai_realtime.webhooks import verify_webhook

ORDER_TOOL: Any = {"type": "function", "name": "lookup_order", "parameters": {"type": "object"}}


class PhoneAgent:
    def __init__(self, secret: str, api_base: str = DEFAULT_BASE_URL, url: str | None = None):
        self.secret, self.url, self.calls = secret, url, RealtimeCalls(base_url=api_base)
        self.sidebands: set[asyncio.Task[None]] = set()

    async def webhook(self, request: web.Request) -> web.Response:
        try:
            event = verify_webhook(await request.read(), request.headers, self.secret)
        except WebhookVerificationError as error:
            return web.Response(status=400, text=str(error))
        if isinstance(event, WebhookRealtimeCallIncoming):
            call_id = event.data.call_id
            await self.calls.accept(call_id, instructions="Answer for Acme.", tools=[ORDER_TOOL])
            self.sidebands.add(asyncio.create_task(self.sideband(call_id)))
        return web.Response(status=200)

    async def sideband(self, call_id: str) -> None:
        async def lookup_order(arguments: dict[str, Any]) -> dict[str, Any]:
            return {"status": "shipped", **arguments}

        async def on_digit(event: Any) -> None:
            if event.event == "0":
                await self.calls.refer(call_id, "tel:+15550123")
            elif event.event == "#":
                await self.calls.hangup(call_id)
            else:
                await client.create_response(instructions=f'say "You pressed {event.event}."')

        async with RealtimeClient(self.url, call_id=call_id) as client:
            client.on("server.input_audio_buffer.dtmf_event_received", on_digit)
            await client.add_tool(ORDER_TOOL, lookup_order)
            await client.create_response(instructions='say "Acme, how can I help?"')
            await client.wait_for_next("call.ended")


async def main() -> None:
    secret = "whsec_ZXhhbXBsZSB3ZWJob29rIHNlY3JldA=="  # base64 of a made-up key
    async with FakeRealtimeServer(time_scale=0.1) as server:
        agent = PhoneAgent(secret, server.http_url, server.url)
        async with serve_webhook(agent.webhook) as url, agent.calls:
            call = await server.place_call(url, secret=secret, dtmf=[(2.0, "5"), (6.0, "0")])
            outcome = await call.ended(timeout=30)
    print(f"caller heard: {call.heard_transcripts}; {outcome.reason}")


if __name__ == "__main__":
    asyncio.run(main())
