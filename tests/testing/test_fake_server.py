"""Tests for openai_realtime.testing.server: lifecycle, URLs, authentication, records."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from fake_wire import TIMEOUT, connect

import openai_realtime.testing
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.testing import FakeRealtimeServer, serve
from openai_realtime.types import SessionCreatedEvent
from tests.support import until

KEY = "sk-fake-test-key-0123456789"


def test_public_names_are_pinned() -> None:
    assert sorted(openai_realtime.testing.__all__) == [
        "CallOutcome",
        "ConnectionRecord",
        "DefaultResponder",
        "Delay",
        "DropConnection",
        "EnergyVAD",
        "FakeClock",
        "FakeRealtimeServer",
        "FakeServerThread",
        "Fault",
        "McpToolInfo",
        "PhoneCall",
        "Reply",
        "Responder",
        "ResponderFunction",
        "ResponseContext",
        "ScriptedResponder",
        "SendBinaryFrame",
        "SendMalformedFrame",
        "SendUnknownEvent",
        "SpeechStarted",
        "SpeechStopped",
        "ToolCall",
        "VADSettings",
        "describe_audio",
        "serve",
        "synthesize_speech",
    ]
    for name in openai_realtime.testing.__all__:  # every name resolves (they load lazily)
        assert getattr(openai_realtime.testing, name) is not None


async def test_urls_and_lifecycle() -> None:
    server = FakeRealtimeServer()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    assert "stopped" in repr(server)

    await server.start()
    try:
        assert server.port > 0
        assert server.url == f"ws://127.0.0.1:{server.port}/v1/realtime"
        assert server.http_url == f"http://127.0.0.1:{server.port}/v1"
        assert server.host == "127.0.0.1"
        assert server.url in repr(server)
        with pytest.raises(RuntimeError, match="already running"):
            await server.start()
    finally:
        await server.stop()
    await server.stop()  # idempotent


def test_bad_options_fail_at_construction() -> None:
    with pytest.raises(ValueError, match="session"):
        FakeRealtimeServer(session={"output_modalities": ["smell"]})
    with pytest.raises(ValueError, match="pace"):
        FakeRealtimeServer(pace=-1)
    with pytest.raises(ValueError, match="positive"):
        FakeRealtimeServer(audio_chunk_ms=0)


async def test_the_model_query_parameter_is_the_session_model() -> None:
    async with FakeRealtimeServer() as server:
        async with connect(server, model="gpt-realtime-mini", greet=False) as client:
            created = await client.receive()
        async with connect(server, greet=False) as client:
            await client.receive()

    assert isinstance(created, SessionCreatedEvent)
    assert created.session.model_dump()["model"] == "gpt-realtime-mini"
    assert [record.model for record in server.connections] == ["gpt-realtime-mini", "gpt-realtime"]


async def test_a_configured_key_is_required() -> None:
    async with FakeRealtimeServer(api_key=KEY) as server:
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(server.url, headers=headers)
                assert refused.value.status == 401
            async with http.get(server.url.replace("ws://", "http://")) as response:
                body = await response.json()
        async with connect(server, headers={"Authorization": f"Bearer {KEY}"}) as client:
            assert client.received[0].type == "session.created"

    assert response.status == 401
    assert body["error"]["code"] == "invalid_api_key"
    assert KEY not in repr(server)
    assert len(server.connections) == 1  # refused handshakes never became connections


async def test_records_count_every_frame_both_ways() -> None:
    async with (
        FakeRealtimeServer(session={"audio": {"input": {"turn_detection": None}}}) as server,
        connect(server) as client,
    ):
        await client.send(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "count me"}],
                },
            }
        )
        await client.receive_until("conversation.item.done")
        await client.send({"type": "response.create"})
        await client.response()
        record = server.connections[-1]
        assert record.sent_count == len(client.received)
        assert [decode_server_event(frame).type for frame in record.sent] == [
            event.type for event in client.received
        ]
        assert record.received_count == 2
        assert record.received_types["response.create"] == 1
        assert record.sent_types["response.done"] == 1
        assert sum(record.sent_types.values()) == record.sent_count

    assert record.closed


async def test_record_frames_limits_what_is_kept_but_not_the_counts() -> None:
    async with FakeRealtimeServer(record_frames=0) as server, connect(server) as client:
        await client.send({"type": "response.create"})
        events = await client.response()
        record = server.connections[-1]

    assert record.sent_count == len(events) + 2  # and session.created, conversation.created
    assert len(record.sent) == 0


async def test_stop_closes_open_connections() -> None:
    server = FakeRealtimeServer()
    await server.start()
    async with connect(server) as client:
        await server.stop()
        message = await client.receive_frame()

    assert message.type is aiohttp.WSMsgType.CLOSE
    assert message.data == aiohttp.WSCloseCode.GOING_AWAY


async def test_serve_runs_until_cancelled(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="openai_realtime.testing")
    task = asyncio.create_task(serve("127.0.0.1", 0))
    try:
        await until(lambda: "listening on" in caplog.text, TIMEOUT)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    assert "fake Realtime server stopped" in caplog.text
