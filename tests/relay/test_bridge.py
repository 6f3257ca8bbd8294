"""Frames through a running relay: forwarding both ways, rejections, and how sessions end."""

from __future__ import annotations

import json

import aiohttp
import pytest
from aiohttp import WSMsgType
from relay_support import (
    SESSION_CREATED,
    UPSTREAM_KEY,
    Connect,
    RelayFactory,
    ScriptedUpstream,
    receive,
    receive_event,
)

from openai_realtime.protocol.codec import encode_client_event
from openai_realtime.relay._bridge import client_close_code

APPEND = json.dumps({"type": "input_audio_buffer.append", "event_id": "evt_a", "audio": "AAAA"})
COMMIT = '{"type":"input_audio_buffer.commit",  "event_id":"evt_c"}'
# What the relay sends upstream for COMMIT: the validated event, encoded again.
COMMIT_UPSTREAM = encode_client_event(json.loads(COMMIT))


async def test_client_frames_pass_as_judged_and_upstream_frames_unchanged(
    upstream: ScriptedUpstream, make_relay: RelayFactory, connect: Connect
) -> None:
    answer = '{"type": "input_audio_buffer.committed", "event_id": "e2", "item_id": "i1"}'
    upstream.answers["input_audio_buffer.commit"] = [answer]
    relay = await make_relay()
    client = await connect(relay.url)
    connection = await upstream.next_connection()

    assert (await receive(client)).data == SESSION_CREATED
    await client.send_str(APPEND)
    await client.send_str(COMMIT)
    # Upstream reads the validated events, encoded again: the same JSON, the relay's bytes.
    forwarded = [await connection.next_frame(), await connection.next_frame()]
    assert [json.loads(frame) for frame in forwarded] == [json.loads(APPEND), json.loads(COMMIT)]
    assert forwarded[1] != COMMIT  # not the client's own spacing
    assert (await receive(client)).data == answer

    await connection.ws.send_bytes(b"\x00\x01")
    binary = await receive(client)
    assert (binary.type, binary.data) == (WSMsgType.BINARY, b"\x00\x01")


async def test_upstream_gets_the_key_and_the_client_never_needs_it(
    upstream: ScriptedUpstream, make_relay: RelayFactory, connect: Connect
) -> None:
    relay = await make_relay(relay_token="client-token")
    await connect(relay.url, headers={"Authorization": "Bearer client-token"})
    connection = await upstream.next_connection()
    assert connection.headers["Authorization"] == f"Bearer {UPSTREAM_KEY}"
    assert UPSTREAM_KEY not in relay.url
    assert "client-token" not in json.dumps(connection.query)
    assert "Sec-WebSocket-Protocol" not in connection.headers


@pytest.mark.parametrize(
    ("override", "expected"), [(False, "gpt-realtime"), (True, "gpt-realtime-mini")]
)
async def test_model_precedence(
    upstream: ScriptedUpstream,
    make_relay: RelayFactory,
    connect: Connect,
    override: bool,
    expected: str,
) -> None:
    relay = await make_relay(allow_model_override=override)
    await connect(f"{relay.url}?model=gpt-realtime-mini")
    assert (await upstream.next_connection()).query["model"] == expected
    await connect(relay.url)
    assert (await upstream.next_connection()).query["model"] == "gpt-realtime"


@pytest.mark.parametrize(
    ("sent", "code", "event_id"),
    [
        ("{not json", "invalid_json", None),
        (
            json.dumps({"type": "response.create", "event_id": "evt_bad", "response": 3}),
            "invalid_type",
            "evt_bad",
        ),
        (
            json.dumps({"type": "conversation.item.delete", "event_id": "evt_del", "item_id": "i"}),
            "event_not_allowed",
            "evt_del",
        ),
        (
            json.dumps(
                {
                    "type": "session.update",
                    "event_id": "evt_su",
                    "session": {"type": "realtime", "instructions": "x"},
                }
            ),
            "session_field_denied",
            "evt_su",
        ),
    ],
)
async def test_rejected_frames_get_an_error_event_and_are_not_forwarded(
    upstream: ScriptedUpstream,
    make_relay: RelayFactory,
    connect: Connect,
    sent: str,
    code: str,
    event_id: str | None,
) -> None:
    relay = await make_relay(
        allowed_client_events={"input_audio_buffer.commit", "session.update", "response.create"},
        denied_session_fields={"instructions"},
    )
    client = await connect(relay.url)
    connection = await upstream.next_connection()
    await receive(client)

    await client.send_str(sent)
    error = await receive_event(client)
    assert error["type"] == "error"
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["code"] == code
    assert error["error"].get("event_id") == event_id
    # Frames keep their order, so the next frame upstream proves the rejected one never went.
    await client.send_str(COMMIT)
    assert await connection.next_frame() == COMMIT_UPSTREAM
    assert connection.frames == [COMMIT_UPSTREAM]


async def test_binary_client_frame_is_rejected(
    upstream: ScriptedUpstream, make_relay: RelayFactory, connect: Connect
) -> None:
    relay = await make_relay()
    client = await connect(relay.url)
    connection = await upstream.next_connection()
    await receive(client)
    await client.send_bytes(b'{"type": "input_audio_buffer.commit"}')
    assert (await receive_event(client))["error"]["code"] == "binary_frame"
    await client.send_str(COMMIT)
    assert await connection.next_frame() == COMMIT_UPSTREAM


async def test_oversize_client_frame_closes_the_client_with_1009(
    upstream: ScriptedUpstream, make_relay: RelayFactory, connect: Connect
) -> None:
    relay = await make_relay(max_frame_size=1024)
    client = await connect(relay.url)
    connection = await upstream.next_connection()
    await receive(client)
    fits = json.dumps({"type": "input_audio_buffer.append", "audio": "A" * 960})
    await client.send_str(fits)
    assert json.loads(await connection.next_frame()) == json.loads(fits)
    too_big = json.dumps({"type": "input_audio_buffer.append", "audio": "A" * 2048})
    await client.send_str(too_big)
    closing = await receive(client)
    assert closing.type is WSMsgType.CLOSE
    assert client.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
    await connection.wait_ended()
    assert [json.loads(frame) for frame in connection.frames] == [json.loads(fits)]


async def test_client_close_closes_the_upstream(
    upstream: ScriptedUpstream, make_relay: RelayFactory, connect: Connect
) -> None:
    relay = await make_relay()
    client = await connect(relay.url)
    connection = await upstream.next_connection()
    await client.close(code=4000)
    await connection.wait_ended()
    assert connection.close_code == aiohttp.WSCloseCode.OK


@pytest.mark.parametrize(
    ("upstream_code", "reason", "client_code", "client_reason"),
    [(4001, b"done", 4001, "done"), (1000, b"", 1000, ""), (1010, b"odd", 1011, "")],
)
async def test_upstream_close_is_passed_on_when_forwardable(
    upstream: ScriptedUpstream,
    make_relay: RelayFactory,
    connect: Connect,
    upstream_code: int,
    reason: bytes,
    client_code: int,
    client_reason: str,
) -> None:
    relay = await make_relay()
    client = await connect(relay.url)
    connection = await upstream.next_connection()
    await receive(client)
    await connection.ws.close(code=upstream_code, message=reason)
    closing = await receive(client)
    assert closing.type is WSMsgType.CLOSE
    assert (closing.data, closing.extra) == (client_code, client_reason)


async def test_upstream_drop_closes_the_client_with_1011(
    upstream: ScriptedUpstream, make_relay: RelayFactory, connect: Connect
) -> None:
    relay = await make_relay()
    client = await connect(relay.url)
    connection = await upstream.next_connection()
    await receive(client)
    connection.drop()
    closing = await receive(client)
    assert closing.type is WSMsgType.CLOSE
    assert closing.data == aiohttp.WSCloseCode.INTERNAL_ERROR


@pytest.mark.parametrize(
    ("upstream_code", "client_code"),
    [
        (None, 1011),
        (1000, 1000),
        (1005, 1011),
        (1006, 1011),
        (1008, 1008),
        (1010, 1011),
        (1014, 1014),
        (1015, 1011),
        (2999, 1011),
        (3000, 3000),
        (4999, 4999),
        (5000, 1011),
    ],
)
def test_client_close_code(upstream_code: int | None, client_code: int) -> None:
    assert client_close_code(upstream_code) == client_code
