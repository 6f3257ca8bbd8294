"""The transport seam: RealtimeAPI over the in-memory pair, and the pair's own guarantees."""

from __future__ import annotations

import json

import pytest

from openai_realtime.api import RealtimeAPI
from openai_realtime.errors import ConnectionClosedError, RealtimeConnectionError
from openai_realtime.local_events import CloseEvent, LocalErrorEvent
from openai_realtime.transports import MemoryConnector, TransportClosed, memory_pair
from openai_realtime.types import ErrorEvent, ResponseCreateEvent, ServerEvent, UnknownServerEvent

ERROR_FRAME = json.dumps(
    {"type": "error", "event_id": "e1", "error": {"type": "invalid_request_error", "message": "x"}}
)


async def connected_api() -> tuple[RealtimeAPI, MemoryConnector]:
    connector = MemoryConnector()
    api = RealtimeAPI(transport=connector)
    await api.connect()
    return api, connector


async def test_the_pair_carries_text_both_ways_and_flush_waits_for_handling() -> None:
    client, server = memory_pair()
    await server.send_text("one")
    await server.send_text("two")
    assert await client.receive() == "one"
    assert await client.receive() == "two"
    await client.send_text("back")
    assert await server.receive() == "back"
    # The client came back for a third frame: the second one is handled, so flush returns.
    await server.send_text("three")
    assert await client.receive() == "three"
    await client.close()
    assert await client.receive() == TransportClosed(1000, "")
    assert await server.receive() == TransportClosed(1000, "")
    await server.flush()  # a closed pair never blocks a flush
    with pytest.raises(ConnectionClosedError):
        await server.send_text("late")


async def test_realtime_api_runs_over_the_memory_pair_without_a_key() -> None:
    api, connector = await connected_api()
    server = await connector.accept()
    received: list[ServerEvent] = []
    api.on("server.error", received.append)
    await server.send_text(ERROR_FRAME)
    await server.flush()
    # flush returned: the event was decoded and every sync handler has run.
    assert [type(event) for event in received] == [ErrorEvent]
    sent = await api.send(ResponseCreateEvent())
    assert json.loads(str(await server.receive())) == {
        "type": "response.create",
        "event_id": sent.event_id,
    }
    url, headers = connector.handshakes[0]
    assert url.query["model"] == "gpt-realtime" and "Authorization" not in headers
    await api.disconnect()


async def test_a_binary_frame_is_an_error_and_the_loop_goes_on() -> None:
    api, connector = await connected_api()
    server = await connector.accept()
    errors: list[LocalErrorEvent] = []
    events: list[ServerEvent | UnknownServerEvent] = []
    api.on("error", errors.append)
    api.on("server.*", events.append)
    await server.send_bytes(b"\x00\x01")
    await server.send_text(ERROR_FRAME)
    await server.flush()
    assert "binary" in errors[0].message and len(events) == 1
    await api.disconnect()


async def test_a_server_close_ends_the_connection_with_its_code_and_releases_waits() -> None:
    api, connector = await connected_api()
    server = await connector.accept()
    closes: list[CloseEvent] = []
    api.on("close", closes.append)
    waiting = api.expect("server.response.done")
    await server.close(4001, "go away")
    with pytest.raises(ConnectionClosedError):
        await waiting
    assert closes == [CloseEvent(4001, "go away", requested=False)]
    assert not api.is_connected
    with pytest.raises(ConnectionClosedError):
        await api.send(ResponseCreateEvent())


async def test_disconnect_is_requested_and_abort_is_abnormal() -> None:
    api, connector = await connected_api()
    await connector.accept()
    closes: list[CloseEvent] = []
    api.on("close", closes.append)
    await api.disconnect()
    await api.connect()
    server = await connector.accept()
    server.abort()
    await api.wait_for_next("close", timeout=5)
    assert closes == [
        CloseEvent(1000, "", requested=True),
        CloseEvent(1006, "connection aborted", False),
    ]


async def test_a_refusing_connector_fails_connect_and_a_later_connect_works() -> None:
    connector = MemoryConnector()
    connector.refuse_with = RealtimeConnectionError("refused")
    api = RealtimeAPI(transport=connector)
    with pytest.raises(RealtimeConnectionError, match="refused"):
        await api.connect()
    connector.refuse_with = None
    await api.connect()
    assert api.is_connected
    await api.disconnect()
