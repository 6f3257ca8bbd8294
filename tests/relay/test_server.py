"""The relay server: who gets in, its lifecycle, and that no secret ever leaks."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType
from relay_support import (
    RELAY_TOKEN,
    UPSTREAM_KEY,
    Connect,
    RelayFactory,
    ScriptedUpstream,
    receive,
)

from openai_realtime.errors import ConfigurationError, InsecureTransportError, NotConnectedError
from openai_realtime.relay import RealtimeRelay, serve_relay
from tests.support import WAIT, until


async def handshake_status(http: aiohttp.ClientSession, url: str, **options: Any) -> int:
    """The HTTP status a refused WebSocket handshake ended with."""
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await asyncio.wait_for(http.ws_connect(url, **options), WAIT)
    return refused.value.status


@pytest.mark.parametrize(
    "credentials",
    [
        {"headers": {"Authorization": f"Bearer {RELAY_TOKEN}"}},
        {"protocols": ["realtime", f"openai-insecure-api-key.{RELAY_TOKEN}"]},
    ],
)
async def test_relay_token_in_header_or_subprotocol(
    make_relay: RelayFactory, connect: Connect, credentials: dict[str, object]
) -> None:
    relay = await make_relay(relay_token=RELAY_TOKEN)
    client = await connect(relay.url, **credentials)
    assert (await receive(client)).type is WSMsgType.TEXT
    # The credential subprotocol is never echoed when the browser offered ``realtime``.
    assert client.protocol in (None, "realtime")


@pytest.mark.parametrize(
    "credentials",
    [
        {},
        {"headers": {"Authorization": "Bearer wrong-token"}},
        {"headers": {"Authorization": RELAY_TOKEN}},
        {"protocols": ["realtime", "openai-insecure-api-key.wrong-token"]},
        {"protocols": ["realtime"]},
    ],
)
async def test_missing_or_wrong_token_gets_401_before_upgrading(
    upstream: ScriptedUpstream,
    make_relay: RelayFactory,
    http: aiohttp.ClientSession,
    credentials: dict[str, object],
) -> None:
    relay = await make_relay(relay_token=RELAY_TOKEN)
    assert await handshake_status(http, relay.url, **credentials) == 401
    assert upstream.connections == []


async def test_origin_allow_list(
    make_relay: RelayFactory, connect: Connect, http: aiohttp.ClientSession
) -> None:
    relay = await make_relay(allowed_origins=["https://app.example"])
    status = await handshake_status(http, relay.url, headers={"Origin": "https://evil.example"})
    assert status == 403
    await connect(relay.url, headers={"Origin": "https://app.example"})
    await connect(relay.url)


async def test_connection_cap_per_client_ip(
    make_relay: RelayFactory, connect: Connect, http: aiohttp.ClientSession
) -> None:
    relay = await make_relay(max_connections_per_client=2)
    first = await connect(relay.url)
    await connect(relay.url)
    assert await handshake_status(http, relay.url) == 429
    await first.close()
    await until(lambda: relay.active_connections == 1)
    await connect(relay.url)


async def test_unreachable_upstream_gets_502(
    upstream: ScriptedUpstream, make_relay: RelayFactory, http: aiohttp.ClientSession
) -> None:
    relay = await make_relay(upstream_url=upstream.url.replace("/v1/realtime", "/missing"))
    assert await handshake_status(http, relay.url) == 502
    # The refused socket is closed, not kept alive: its slot is free again.
    await until(lambda: relay.active_connections == 0)


async def test_plain_http_request_gets_400(
    make_relay: RelayFactory, http: aiohttp.ClientSession
) -> None:
    relay = await make_relay()
    async with http.get(relay.url.replace("ws://", "http://")) as response:
        assert response.status == 400


async def test_stop_closes_clients_with_1001_and_their_upstreams(
    upstream: ScriptedUpstream, make_relay: RelayFactory, connect: Connect
) -> None:
    relay = await make_relay()
    client = await connect(relay.url)
    connection = await upstream.next_connection()
    await receive(client)
    await asyncio.wait_for(relay.stop(), WAIT)
    closing = await receive(client)
    assert (closing.type, closing.data) == (WSMsgType.CLOSE, aiohttp.WSCloseCode.GOING_AWAY)
    await connection.wait_ended()
    with pytest.raises(NotConnectedError):
        relay.url  # noqa: B018 (the property raises)


async def test_lifecycle_with_a_given_client_session(
    upstream: ScriptedUpstream, http: aiohttp.ClientSession, connect: Connect
) -> None:
    relay = RealtimeRelay(upstream.url, client_session=http)
    async with relay:
        assert relay.url.startswith("ws://127.0.0.1:")
        assert relay.url.endswith("/v1/realtime")
        with pytest.raises(RuntimeError, match="already running"):
            await relay.start()
        await connect(relay.url)
        await upstream.next_connection()
    await relay.stop()
    assert not http.closed


async def test_serve_relay_runs_until_cancelled(
    upstream: ScriptedUpstream, connect: Connect
) -> None:
    relay = RealtimeRelay(upstream.url)
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    serving = asyncio.create_task(serve_relay(relay, on_ready=ready.set_result))
    url = await asyncio.wait_for(ready, WAIT)
    await connect(url)
    await upstream.next_connection()
    serving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(serving, WAIT)
    with pytest.raises(NotConnectedError):
        relay.url  # noqa: B018 (the property raises)


def test_configuration_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        RealtimeRelay()
    with pytest.raises(InsecureTransportError):
        RealtimeRelay("ws://realtime.example/v1/realtime", api_key=UPSTREAM_KEY)
    with pytest.raises(ConfigurationError, match="relay_token"):
        RealtimeRelay("ws://127.0.0.1:9/v1/realtime", relay_token="")
    with pytest.raises(ConfigurationError, match="max_frame_size"):
        RealtimeRelay("ws://127.0.0.1:9/v1/realtime", max_frame_size=0)
    with pytest.raises(ConfigurationError, match="not client event types"):
        RealtimeRelay("ws://127.0.0.1:9/v1/realtime", allowed_client_events={"session.updat"})


async def test_secrets_never_reach_logs_or_repr(
    upstream: ScriptedUpstream,
    make_relay: RelayFactory,
    connect: Connect,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    relay = await make_relay(relay_token=RELAY_TOKEN)
    token_protocol = f"openai-insecure-api-key.{RELAY_TOKEN}"
    # A full session: admitted by subprotocol only, a rejected frame, a forwarded one, a close.
    client = await connect(relay.url, protocols=[token_protocol])
    connection = await upstream.next_connection()
    await receive(client)
    await client.send_str(f'{{"type": "nope", "secret": "{RELAY_TOKEN}"}}')
    await receive(client)
    await client.send_str('{"type": "input_audio_buffer.commit"}')
    await connection.next_frame()
    await client.close()
    await connection.wait_ended()
    await until(lambda: relay.active_connections == 0)
    # Refusals, and an upstream that will not take the connection.
    await handshake_status(http, relay.url, headers={"Authorization": "Bearer wrong"})
    unreachable = await make_relay(upstream_url=upstream.url.replace("realtime", "missing"))
    await handshake_status(http, unreachable.url)
    monkeypatch.setenv("OPENAI_API_KEY", UPSTREAM_KEY)
    openai_relay = RealtimeRelay(relay_token=RELAY_TOKEN)

    logged = caplog.text
    assert "relay session from 127.0.0.1 ended" in logged
    for secret in (UPSTREAM_KEY, RELAY_TOKEN):
        assert secret not in logged
        for shown in (relay, unreachable, openai_relay, relay.policy):
            assert secret not in repr(shown)
