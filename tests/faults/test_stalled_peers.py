"""Peers that stop cooperating: a server that stops reading, a frame too large to accept.

Nothing may hang: a send into a full socket is bounded by ``send_timeout`` and then aborts the
connection (code 1006), and a frame above ``max_message_size`` closes it with 1009.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from fault_support import FAST_RECONNECT, FrameLedger

from openai_realtime import ConnectionClosedError, RealtimeAPI, RealtimeClient
from openai_realtime.local_events import CloseEvent, DisconnectedEvent
from openai_realtime.testing import FakeRealtimeServer, SendUnknownEvent
from openai_realtime.types.params import InputAudioBufferAppendEventFields
from tests.support import WAIT, until

# One append of 2 s of audio: 96 000 bytes of PCM16, 128 000 characters of base64.
BIG_APPEND: InputAudioBufferAppendEventFields = {"audio": base64.b64encode(bytes(96_000)).decode()}
MAX_SENDS = 2_000  # ~256 MB: far more than loopback socket buffers hold


class StalledServer:
    """Accepts WebSockets, greets with ``session.created``, then never reads again."""

    def __init__(self) -> None:
        self.url = ""
        self.accepted = 0
        self._release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(max_msg_size=0)
        await websocket.prepare(request)
        self.accepted += 1
        greeting = {"type": "session.created", "event_id": "e1", "session": {"type": "realtime"}}
        await websocket.send_str(json.dumps(greeting))
        await self._release.wait()
        return websocket

    def release(self) -> None:
        self._release.set()


@pytest.fixture
async def stalled() -> AsyncIterator[StalledServer]:
    server = StalledServer()
    app = web.Application()
    app.router.add_get("/v1/realtime", server.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.url = f"ws://{host}:{port}/v1/realtime"
    try:
        yield server
    finally:
        server.release()
        await runner.cleanup()


async def fill_until_refused(api: RealtimeAPI) -> tuple[int, ConnectionClosedError]:
    """Send big appends until one fails; return how many went through and the failure."""
    async with asyncio.timeout(WAIT):
        for count in range(MAX_SENDS):
            try:
                await api.send("input_audio_buffer.append", BIG_APPEND)
            except ConnectionClosedError as error:
                return count, error
    raise AssertionError(f"{MAX_SENDS} sends went through a server that does not read")


async def test_a_server_that_stops_reading_makes_a_send_time_out_and_abort(
    stalled: StalledServer,
) -> None:
    api = RealtimeAPI(stalled.url, heartbeat=None, send_timeout=0.3)
    closes: list[CloseEvent] = []
    api.on("close", closes.append)
    await api.connect()
    closed = asyncio.ensure_future(api.wait_for_next("close", timeout=WAIT))
    sent, error = await fill_until_refused(api)
    await closed

    assert sent > 0  # sends went through until the buffers were full
    assert error.code == 1006 and "did not complete within 0.3 s" in error.reason
    assert [(event.code, event.requested) for event in closes] == [(1006, False)]
    assert "did not complete" in closes[0].reason
    assert not api.is_connected
    with pytest.raises(ConnectionClosedError):
        await api.send("input_audio_buffer.clear")
    await api.disconnect()


async def test_a_client_reconnects_after_a_send_timed_out(stalled: StalledServer) -> None:
    client = RealtimeClient(
        url=stalled.url, heartbeat=None, send_timeout=0.3, reconnect=FAST_RECONNECT
    )
    async with client:
        reconnected = asyncio.ensure_future(client.wait_for_next("reconnected", timeout=WAIT))
        await fill_until_refused(client.realtime)
        assert (await reconnected).attempt == 1
        assert client.is_connected
        # A graceful close waits for the server to answer (up to aiohttp's 10 s): let it.
        stalled.release()
    assert stalled.accepted == 2


async def test_concurrent_sends_into_a_stalled_server_all_end(stalled: StalledServer) -> None:
    api = RealtimeAPI(stalled.url, heartbeat=None, send_timeout=0.3)
    await api.connect()
    sends = [api.send("input_audio_buffer.append", BIG_APPEND) for _ in range(400)]
    async with asyncio.timeout(WAIT):
        results = await asyncio.gather(*sends, return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    assert failures and all(isinstance(failure, ConnectionClosedError) for failure in failures)
    await api.disconnect()


def huge_unknown_event(megabytes: int) -> SendUnknownEvent:
    return SendUnknownEvent(after_events=1, payload={"blob": "x" * (megabytes * 1024 * 1024)})


async def test_a_20_mb_frame_within_the_limit_is_dispatched() -> None:
    async with FakeRealtimeServer(faults=[huge_unknown_event(20)], record_frames=0) as server:
        client = RealtimeClient(url=server.url)
        ledger = FrameLedger(client)
        async with client:
            await until(lambda: "fake.future_event" in ledger.types())
            assert client.is_connected
    future = ledger.events[ledger.types().index("fake.future_event")]
    assert len(future.model_dump()["blob"]) == 20 * 1024 * 1024
    assert ledger.undecodable == 0


async def test_a_20_mb_frame_above_max_message_size_closes_with_1009_for_good() -> None:
    async with FakeRealtimeServer(faults=[huge_unknown_event(20)], record_frames=0) as server:
        client = RealtimeClient(
            url=server.url, max_message_size=16 * 1024 * 1024, reconnect=FAST_RECONNECT
        )
        disconnected = asyncio.ensure_future(client.wait_for_next("disconnected", timeout=WAIT))
        await client.connect()
        result = await disconnected
        await client.disconnect()
    # 1009 means "too big": the same frame would come again, so it is not retried.
    assert isinstance(result, DisconnectedEvent) and result.code == 1009
    assert len(server.connections) == 1
