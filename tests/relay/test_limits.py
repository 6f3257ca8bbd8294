"""The relay's time and size limits against clients that misbehave (all on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import base64
import gc
import logging
import os
import tracemalloc
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import WSMsgType
from relay_support import Connect, RelayFactory, ScriptedUpstream, receive
from yarl import URL

from openai_realtime.errors import ConfigurationError
from openai_realtime.relay import RealtimeRelay
from tests.support import WAIT, until


class RawSocket:
    """A TCP client that writes what it is told and reads only when asked."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def until_closed_by_peer(self) -> bytes:
        """Everything the server sends until it closes or drops the socket (bounded wait)."""
        received = b""
        try:
            while chunk := await asyncio.wait_for(self.reader.read(65536), WAIT):
                received += chunk
        except ConnectionResetError:
            pass
        return received

    def close(self) -> None:
        self.writer.close()


@pytest.fixture
async def raw_sockets() -> AsyncIterator[list[RawSocket]]:
    opened: list[RawSocket] = []
    yield opened
    for socket in opened:
        socket.close()


async def _open(relay: RealtimeRelay, opened: list[RawSocket], first_bytes: bytes) -> RawSocket:
    url = URL(relay.url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    socket = RawSocket(reader, writer)
    opened.append(socket)
    writer.write(first_bytes)
    await writer.drain()
    return socket


ACCESS_LOG = "openai_realtime.relay.access"
_PARTIAL_HANDSHAKE = b"GET /v1/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websock"


def _upgrade_request() -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        "GET /v1/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_a_handshake_that_never_completes_is_dropped(
    make_relay: RelayFactory, raw_sockets: list[RawSocket]
) -> None:
    relay = await make_relay(handshake_timeout=0.2)
    slow = await _open(relay, raw_sockets, _PARTIAL_HANDSHAKE)
    assert relay.active_connections == 1
    assert await slow.until_closed_by_peer() == b""
    await until(lambda: relay.active_connections == 0)


async def test_sockets_count_against_the_cap_before_their_handshake(
    make_relay: RelayFactory, raw_sockets: list[RawSocket], connect: Connect
) -> None:
    relay = await make_relay(max_connections_per_client=2, handshake_timeout=0.3)
    for _ in range(2):
        await _open(relay, raw_sockets, b"")
    refused = await _open(relay, raw_sockets, b"")
    answer = await refused.until_closed_by_peer()
    assert answer.startswith(b"HTTP/1.1 429 ")
    assert answer.endswith(b"too many connections from this client")
    # Once the silent sockets are dropped, a real client gets in.
    await until(lambda: relay.active_connections == 0)
    await connect(relay.url)


async def _slowloris_round(relay: RealtimeRelay, raw_sockets: list[RawSocket]) -> None:
    """60 sockets, half sending a partial handshake and half nothing, all dropped in time."""
    attackers = [
        await _open(relay, raw_sockets, _PARTIAL_HANDSHAKE if index % 2 else b"")
        for index in range(60)
    ]
    assert relay.active_connections == 60
    outcomes = await asyncio.gather(*(socket.until_closed_by_peer() for socket in attackers))
    assert outcomes == [b""] * 60
    await until(lambda: relay.active_connections == 0)
    for socket in attackers:
        socket.close()
    raw_sockets.clear()


async def test_a_slowloris_and_silent_run_leaves_descriptors_and_memory_flat(
    make_relay: RelayFactory, raw_sockets: list[RawSocket]
) -> None:
    relay = await make_relay(max_connections_per_client=100, handshake_timeout=0.3)
    before = _open_descriptors()
    await _slowloris_round(relay, raw_sockets)  # warm-up: first-use allocations happen here
    await until(lambda: _open_descriptors() <= before)
    tracemalloc.start()
    try:
        settled = tracemalloc.get_traced_memory()[0]
        for _ in range(3):
            await _slowloris_round(relay, raw_sockets)
        await until(lambda: _open_descriptors() <= before)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - settled
    finally:
        tracemalloc.stop()
    # 180 more dropped sockets leave nothing behind (a leak would keep ~KiB per socket).
    assert grown < 64 * 1024, f"{grown} bytes still held after 180 dropped sockets"


async def test_an_idle_session_is_closed_with_1001(
    make_relay: RelayFactory, connect: Connect, upstream: ScriptedUpstream
) -> None:
    relay = await make_relay(idle_timeout=0.3)
    client = await connect(relay.url)
    connection = await upstream.next_connection()
    assert (await receive(client)).type is WSMsgType.TEXT  # session.created
    closing = await receive(client)
    assert (closing.type, closing.data, closing.extra) == (WSMsgType.CLOSE, 1001, "idle timeout")
    await connection.wait_ended()


async def test_a_client_that_stops_reading_is_dropped_and_its_upstream_closed(
    make_relay: RelayFactory, upstream: ScriptedUpstream, raw_sockets: list[RawSocket]
) -> None:
    relay = await make_relay(send_timeout=0.3)
    silent = await _open(relay, raw_sockets, _upgrade_request())
    connection = await upstream.next_connection()
    big = "x" * (1 << 20)
    # Write until the relay gives up on the client (its buffers fill: it never reads).
    for _ in range(256):
        if connection.ended.is_set():
            break
        try:
            await connection.ws.send_str(big)
        except (ConnectionResetError, aiohttp.ClientConnectionResetError):
            break
    await connection.wait_ended()
    await until(lambda: relay.active_connections == 0)
    # The relay dropped the client's socket: what the client never read ends there.
    assert len(await silent.until_closed_by_peer()) < 256 * len(big)


async def test_clients_are_pinged(make_relay: RelayFactory, connect: Connect) -> None:
    relay = await make_relay(ping_interval=0.1)
    client = await connect(relay.url, autoping=False)
    kinds = {(await receive(client)).type for _ in range(2)}
    assert WSMsgType.PING in kinds


async def test_the_access_log_never_shows_a_query(
    make_relay: RelayFactory, connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    relay = await make_relay()
    with caplog.at_level(logging.INFO, logger=ACCESS_LOG):
        client = await connect(f"{relay.url}?token=query-secret-123")
        await client.close()
        # aiohttp writes the line once the upgraded connection's handler has returned.
        await until(lambda: any(record.name == ACCESS_LOG for record in caplog.records))
    lines = [record.getMessage() for record in caplog.records if record.name == ACCESS_LOG]
    assert any('"GET /v1/realtime"' in line for line in lines)
    assert not any("query-secret-123" in line for line in lines)


_UPSTREAM = "ws://127.0.0.1:1/v1/realtime"


@pytest.mark.parametrize(
    ("option", "make"),
    [
        ("handshake_timeout", lambda: RealtimeRelay(_UPSTREAM, handshake_timeout=0)),
        ("idle_timeout", lambda: RealtimeRelay(_UPSTREAM, idle_timeout=-1)),
        ("ping_interval", lambda: RealtimeRelay(_UPSTREAM, ping_interval=0)),
        ("send_timeout", lambda: RealtimeRelay(_UPSTREAM, send_timeout=0)),
    ],
)
def test_limits_must_be_positive(option: str, make: Callable[[], RealtimeRelay]) -> None:
    with pytest.raises(ConfigurationError, match=option):
        make()
