"""A phone agent: verify the webhook, accept the call, steer it over a sideband connection.

Run:  python docs/examples/phone_agent.py

Offline it starts a fake server, serves the agent on 127.0.0.1 and places one simulated call
that presses 5 and then 0 (transfer). Live, mount ``PhoneAgent(...).app()`` behind your webhook
URL with ``OPENAI_API_KEY`` and ``OPENAI_WEBHOOK_SECRET`` set.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from aiohttp import web

from openai_realtime import RealtimeClient
from openai_realtime.calls import DEFAULT_BASE_URL, RealtimeCalls
from openai_realtime.errors import WebhookVerificationError
from openai_realtime.webhooks import verify_webhook

ORDER_TOOL: Any = {"type": "function", "name": "lookup_order", "description": "An order's status",
                   "parameters": {"type": "object", "properties": {"order": {"type": "integer"}}}}
GREETING = 'say "Thanks for calling Acme. How can I help?"'


class PhoneAgent:
    def __init__(self, secret: str, *, api_base: str = DEFAULT_BASE_URL,
                 realtime_url: str | None = None, transfer_to: str = "tel:+15550123") -> None:
        self.secret, self.realtime_url, self.transfer_to = secret, realtime_url, transfer_to
        self.calls = RealtimeCalls(base_url=api_base)
        self.tool_runs: list[dict[str, Any]] = []
        self.digits: list[str] = []
        self._sidebands: set[asyncio.Task[None]] = set()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhook", self.webhook)
        return app

    async def webhook(self, request: web.Request) -> web.Response:
        try:
            event = verify_webhook(await request.read(), request.headers, self.secret)
        except WebhookVerificationError as error:
            return web.Response(status=400, text=str(error))
        if event.type == "realtime.call.incoming":
            call_id = event.data.call_id  # type: ignore[attr-defined]
            await self.calls.accept(call_id, instructions="You answer Acme's phone.",
                                    tools=[ORDER_TOOL])
            task = asyncio.create_task(self.sideband(call_id))
            self._sidebands.add(task)
            task.add_done_callback(self._sidebands.discard)
        return web.Response(status=200)

    async def sideband(self, call_id: str) -> None:
        async def lookup_order(arguments: dict[str, Any]) -> dict[str, Any]:
            self.tool_runs.append(arguments)
            return {"order": arguments.get("order"), "status": "shipped"}

        async def on_digit(event: Any) -> None:
            self.digits.append(event.event)
            if event.event == "0":
                await self.calls.refer(call_id, self.transfer_to)
            else:
                await client.create_response(instructions=f'say "You pressed {event.event}."')

        async with RealtimeClient(self.realtime_url, call_id=call_id) as client:
            await client.add_tool(ORDER_TOOL, lookup_order)
            client.on("server.input_audio_buffer.dtmf_event_received", on_digit)
            await client.create_response(instructions=GREETING)
            await client.wait_for_next("call.ended")


async def main() -> None:
    from openai_realtime.testing import FakeRealtimeServer  # offline only

    secret = "whsec_" + base64.b64encode(b"an example webhook secret").decode()
    async with FakeRealtimeServer(time_scale=0.05) as server:
        agent = PhoneAgent(secret, api_base=server.http_url, realtime_url=server.url)
        runner = web.AppRunner(agent.app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        call = await server.place_call(f"http://127.0.0.1:{port}/webhook", secret=secret,
                                       dtmf=[(2.0, "5"), (6.0, "0")])
        outcome = await call.ended(timeout=30)
        await runner.cleanup()
        await agent.calls.close()
    print(f"caller heard: {call.heard_transcripts}")
    print(f"call ended: {outcome.reason}")


if __name__ == "__main__":
    asyncio.run(main())
