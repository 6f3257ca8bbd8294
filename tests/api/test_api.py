"""Tests for openai_realtime.api against a real WebSocket server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Coroutine
from typing import Any, Final, TypeVar

import pytest
from aiohttp import WSCloseCode
from scripted_server import SENTINEL_KEY, ScriptedServer

from openai_realtime.api import DEFAULT_MODEL, USER_AGENT, RealtimeAPI
from openai_realtime.errors import (
    ConfigurationError,
    ConnectionClosedError,
    InsecureTransportError,
    NotConnectedError,
    ProtocolError,
    RealtimeConnectionError,
)
from openai_realtime.local_events import CloseEvent, LocalErrorEvent
from openai_realtime.types import (
    ClientEvent,
    InputAudioBufferAppendEvent,
    InputAudioBufferClearedEvent,
    ResponseCreateEvent,
    SessionCreatedEvent,
    SessionUpdateEvent,
    UnknownServerEvent,
)
from tests.support import WAIT

T = TypeVar("T")

CLEARED: Final = "server.input_audio_buffer.cleared"
SESSION_CREATED: Final = {
    "type": "session.created",
    "event_id": "event_1",
    "session": {"type": "realtime", "id": "sess_1", "object": "realtime.session"},
}


def cleared(event_id: str) -> dict[str, Any]:
    return {"type": "input_audio_buffer.cleared", "event_id": event_id}


async def registered(wait: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """Start ``wait`` as a task and let it run to its first pause (a wait is then registered)."""
    task = asyncio.ensure_future(wait)
    await asyncio.sleep(0)
    return task


async def close_of(api: RealtimeAPI) -> asyncio.Task[CloseEvent]:
    """A registered wait for the ``close`` event."""
    return await registered(api.wait_for_next("close", timeout=WAIT))


# Handshake and configuration


async def test_handshake_carries_credentials_org_project_model_and_user_agent(
    server: ScriptedServer,
) -> None:
    api = RealtimeAPI(
        server.url + "?relay=keep",
        api_key=SENTINEL_KEY,
        organization="org_1",
        project="proj_1",
        headers={"X-Trace": "abc", "user-agent": "custom/1"},
        heartbeat=None,
    )
    async with api:
        assert api.is_connected
    [handshake] = server.handshakes
    assert handshake.path == "/v1/realtime"
    assert handshake.query == {"relay": "keep", "model": DEFAULT_MODEL}
    assert handshake.headers["Authorization"] == f"Bearer {SENTINEL_KEY}"
    assert handshake.headers["OpenAI-Organization"] == "org_1"
    assert handshake.headers["OpenAI-Project"] == "proj_1"
    assert handshake.headers["X-Trace"] == "abc"
    assert handshake.headers.getall("User-Agent") == ["custom/1"]
    assert not api.is_connected


async def test_default_user_agent_names_the_sdk(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    assert server.handshakes[0].headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("openai-realtime/")


def test_model_replaces_the_url_model_unless_none() -> None:
    assert RealtimeAPI("ws://127.0.0.1:1/rt?model=old", model="new").url.endswith("?model=new")
    kept = RealtimeAPI("ws://127.0.0.1:1/rt?model=old&x=1", model=None)
    assert kept.model == "old"
    assert kept.url == "ws://127.0.0.1:1/rt?model=old&x=1"
    assert RealtimeAPI().url == f"wss://api.openai.com/v1/realtime?model={DEFAULT_MODEL}"


async def test_a_custom_url_gets_no_key_from_the_environment(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    async with RealtimeAPI(server.url, heartbeat=None):
        pass
    assert "Authorization" not in server.handshakes[0].headers


def test_openais_host_takes_the_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    # Proof that the environment key was picked up: it would now travel in clear text.
    with pytest.raises(InsecureTransportError):
        RealtimeAPI("ws://api.openai.com/v1/realtime")


async def test_openai_without_a_key_fails_at_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    api = RealtimeAPI()
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        await api.connect()
    assert not api.is_connected


@pytest.mark.parametrize(
    "headers",
    [{}, {"api-key": SENTINEL_KEY}, {"authorization": f"Bearer {SENTINEL_KEY}"}],
)
def test_credentials_over_plain_ws_to_a_remote_host_are_refused(headers: dict[str, str]) -> None:
    # example.invalid can never resolve: the refusal must come before any lookup or connection.
    api_key = SENTINEL_KEY if not headers else None
    with pytest.raises(InsecureTransportError) as caught:
        RealtimeAPI("ws://example.invalid/v1/realtime", api_key, headers=headers)
    assert SENTINEL_KEY not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["ws://localhost:1/rt", "ws://127.8.9.10:1/rt", "ws://[::1]:1/rt", "wss://example.invalid/rt"],
)
def test_loopback_and_tls_accept_credentials(url: str) -> None:
    RealtimeAPI(url, api_key=SENTINEL_KEY)


def test_allow_insecure_and_keyless_plain_ws_are_accepted() -> None:
    RealtimeAPI("ws://example.invalid/rt", api_key=SENTINEL_KEY, allow_insecure=True)
    RealtimeAPI("ws://example.invalid/rt")


@pytest.mark.parametrize("url", ["https://api.openai.com/v1/realtime", "not a url", "ws:///path"])
def test_a_non_websocket_url_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError, match="ws://"):
        RealtimeAPI(url)


def test_repr_shows_url_model_and_state_but_not_the_key() -> None:
    api = RealtimeAPI("wss://relay.example/rt?token=t0k", api_key=SENTINEL_KEY)
    text = repr(api)
    assert text == "<RealtimeAPI url='wss://relay.example/rt' model='gpt-realtime' connected=False>"
    assert SENTINEL_KEY not in text


async def test_azure_v1_uses_the_api_key_header(server: ScriptedServer) -> None:
    api = RealtimeAPI.azure(server.base + "/ignored/path", "my-deployment", api_key=SENTINEL_KEY)
    assert api.url == server.base.replace("http", "ws") + "/openai/v1/realtime?model=my-deployment"
    async with api:
        pass
    [handshake] = server.handshakes
    assert handshake.headers["api-key"] == SENTINEL_KEY
    assert "Authorization" not in handshake.headers


async def test_azure_dated_api_with_an_entra_token(server: ScriptedServer) -> None:
    api = RealtimeAPI.azure(server.base, "dep", token="entra-token", api_version="2025-08-28")
    async with api:
        pass
    [handshake] = server.handshakes
    assert handshake.path == "/openai/realtime"
    assert handshake.query == {"api-version": "2025-08-28", "deployment": "dep"}
    assert handshake.headers["Authorization"] == "Bearer entra-token"


def test_azure_credentials_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    endpoint = "https://res.openai.azure.com"
    with pytest.raises(ConfigurationError, match="AZURE_OPENAI_API_KEY"):
        RealtimeAPI.azure(endpoint, "dep")
    with pytest.raises(ConfigurationError, match="not both"):
        RealtimeAPI.azure(endpoint, "dep", api_key="k", token="t")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SENTINEL_KEY)
    assert RealtimeAPI.azure(endpoint, "dep").url.startswith("wss://res.openai.azure.com/")
    with pytest.raises(InsecureTransportError):
        RealtimeAPI.azure("http://res.openai.azure.com", "dep")


async def test_connecting_twice_is_an_error(api: RealtimeAPI) -> None:
    first = await registered(api.connect())
    with pytest.raises(RealtimeConnectionError, match="already connected or connecting"):
        await api.connect()
    await asyncio.wait_for(first, WAIT)
    with pytest.raises(RealtimeConnectionError, match="already connected or connecting"):
        await api.connect()


async def test_a_refused_handshake_reports_the_status_without_the_key(
    api: RealtimeAPI, server: ScriptedServer
) -> None:
    server.refuse_with = 401
    with pytest.raises(RealtimeConnectionError, match="401") as caught:
        await asyncio.wait_for(api.connect(), WAIT)
    assert SENTINEL_KEY not in str(caught.value)
    assert caught.value.__cause__ is None
    assert not api.is_connected


async def test_an_unreachable_server_is_a_connection_error(server: ScriptedServer) -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    api = RealtimeAPI("ws://127.0.0.1:1/v1/realtime", api_key=SENTINEL_KEY)
    with pytest.raises(RealtimeConnectionError, match="could not connect"):
        await asyncio.wait_for(api.connect(), WAIT)


# Receiving


async def test_server_events_dispatch_typed_then_to_the_wildcard(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    seen: list[tuple[str, object]] = []
    connected.on(SessionCreatedEvent, lambda event: seen.append(("specific", event)))
    connected.on("server.*", lambda event: seen.append(("wildcard", event)))
    waiting = await registered(connected.wait_for_next("server.session.created", timeout=WAIT))
    await server.send(SESSION_CREATED)
    event = await waiting
    assert isinstance(event, SessionCreatedEvent)
    assert event.session.id == "sess_1"
    assert seen == [("specific", event), ("wildcard", event)]


async def test_an_unknown_event_type_arrives_as_unknown_server_event(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    under_its_name: list[object] = []
    connected.on("server.*", under_its_name.append)
    waiting = await registered(connected.wait_for_next("server.*", timeout=WAIT))
    await server.send({"type": "brand.new_thing", "event_id": "e7", "extra": [1, 2]})
    event = await waiting
    assert isinstance(event, UnknownServerEvent)
    assert event.type == "brand.new_thing"
    assert event.model_extra == {"extra": [1, 2]}
    assert under_its_name == [event]


async def test_malformed_invalid_and_binary_frames_become_errors_and_the_loop_survives(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    errors: list[LocalErrorEvent] = []
    connected.on("error", errors.append)
    waiting = await registered(connected.wait_for_next(CLEARED, timeout=WAIT))
    await server.send("not json at all")
    await server.send({"type": None, "event_id": "e"})  # (a known type is read tolerantly)
    await server.send('{"no_type": true}')
    await server.send_bytes(b"\x00\x01binary")
    await server.send(cleared("after the garbage"))
    event = await waiting
    assert event.event_id == "after the garbage"
    assert [error.raw for error in errors] == [
        "not json at all",
        '{"type": null, "event_id": "e"}',
        '{"no_type": true}',
        b"\x00\x01binary",
    ]
    assert all(isinstance(error.exception, ProtocolError) for error in errors)
    assert "binary" in errors[3].message
    assert connected.is_connected


async def test_a_failing_handler_does_not_stop_the_receive_loop(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    errors: list[LocalErrorEvent] = []

    def failing(event: InputAudioBufferClearedEvent) -> None:
        raise RuntimeError(f"cannot handle {event.event_id}")

    async def failing_async(event: InputAudioBufferClearedEvent) -> None:
        raise ValueError("async failure")

    arrivals: asyncio.Queue[InputAudioBufferClearedEvent] = asyncio.Queue()
    connected.on("error", errors.append)
    connected.on(CLEARED, failing)
    connected.on(CLEARED, failing_async)
    connected.on(CLEARED, arrivals.put_nowait)
    await server.send(cleared("first"))
    await server.send(cleared("second"))
    for _ in range(2):
        await asyncio.wait_for(arrivals.get(), WAIT)
    await asyncio.wait_for(connected.drain(), WAIT)
    messages = sorted(str(error.exception) for error in errors)
    assert messages == [
        "async failure",
        "async failure",
        "cannot handle first",
        "cannot handle second",
    ]
    assert {error.event_name for error in errors} == {CLEARED}
    assert connected.is_connected


# Closing


async def test_a_server_close_dispatches_close_and_releases_waiters(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    states: list[bool] = []
    connected.on("close", lambda event: states.append(connected.is_connected))
    pending = await registered(connected.wait_for_next("server.response.done"))
    closing = await close_of(connected)
    await server.close(code=4000, reason="going away now")
    close = await closing
    assert close == CloseEvent(4000, "going away now", requested=False)
    with pytest.raises(ConnectionClosedError) as caught:
        await asyncio.wait_for(pending, WAIT)
    assert (caught.value.code, caught.value.reason) == (4000, "going away now")
    assert states == [False]
    assert not connected.is_connected


async def test_a_dropped_connection_is_an_abnormal_close(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    closing = await close_of(connected)
    server.drop()
    close = await closing
    assert close.code == WSCloseCode.ABNORMAL_CLOSURE
    assert not close.requested
    with pytest.raises(ConnectionClosedError) as caught:
        await connected.send(ResponseCreateEvent())
    assert caught.value.code == WSCloseCode.ABNORMAL_CLOSURE


async def test_a_frame_over_the_size_limit_closes_with_1009(server: ScriptedServer) -> None:
    api = RealtimeAPI(server.url, max_message_size=1024, heartbeat=None)
    try:
        await asyncio.wait_for(api.connect(), WAIT)
        await server.accepted()
        closing = await close_of(api)
        await server.send({"type": "brand.new", "padding": "x" * 4096})
        close = await closing
        assert close.code == WSCloseCode.MESSAGE_TOO_BIG
        assert not close.requested
    finally:
        await asyncio.wait_for(api.disconnect(), WAIT)


async def test_disconnect_is_a_requested_normal_close(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    closes: list[CloseEvent] = []
    finished: list[str] = []

    async def slow_close_handler(event: CloseEvent) -> None:
        await asyncio.sleep(0.01)
        finished.append("close handler")

    connected.on("close", closes.append)
    connected.on("close", slow_close_handler)
    await asyncio.wait_for(connected.disconnect(), WAIT)
    assert closes == [CloseEvent(1000, "", requested=True)]
    assert finished == ["close handler"]
    assert not connected.is_connected
    await connected.disconnect()
    assert len(closes) == 1


async def test_disconnect_from_a_handler_does_not_deadlock(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    async def hang_up(event: InputAudioBufferClearedEvent) -> None:
        await connected.disconnect()

    connected.on(CLEARED, hang_up)
    closing = await close_of(connected)
    await server.send(cleared("bye"))
    assert (await closing).requested


async def test_connect_again_after_a_close(connected: RealtimeAPI, server: ScriptedServer) -> None:
    await asyncio.wait_for(connected.disconnect(), WAIT)
    await asyncio.wait_for(connected.connect(), WAIT)
    await server.accepted()
    await connected.send(ResponseCreateEvent())
    assert (await server.next_frame())["type"] == "response.create"
    assert len(server.handshakes) == 2


# Sending


async def test_send_before_connect_is_not_connected(api: RealtimeAPI) -> None:
    with pytest.raises(NotConnectedError):
        await api.send("response.create")


async def test_send_type_and_data_builds_validates_and_dispatches(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    dispatched: list[tuple[str, ClientEvent]] = []
    connected.on("client.session.update", lambda event: dispatched.append(("specific", event)))
    connected.on("client.*", lambda event: dispatched.append(("wildcard", event)))
    sent = await connected.send(
        "session.update", {"session": {"type": "realtime", "instructions": "Hi"}}
    )
    frame = await server.next_frame()
    assert isinstance(sent, SessionUpdateEvent)
    assert sent.event_id is not None and sent.event_id.startswith("evt_")
    assert frame == {
        "type": "session.update",
        "event_id": sent.event_id,
        "session": {"type": "realtime", "instructions": "Hi"},
    }
    assert dispatched == [("specific", sent), ("wildcard", sent)]


async def test_send_typed_event_copies_it_to_add_an_event_id(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    original = ResponseCreateEvent()
    sent = await connected.send(original)
    assert original.event_id is None
    assert sent is not original and sent.event_id is not None
    assert await server.next_frame() == {"type": "response.create", "event_id": sent.event_id}

    mine = ResponseCreateEvent(event_id="evt_mine")
    assert await connected.send(mine) is mine
    assert (await server.next_frame())["event_id"] == "evt_mine"


async def test_event_ids_are_unique(connected: RealtimeAPI, server: ScriptedServer) -> None:
    sent = [await connected.send("input_audio_buffer.clear") for _ in range(20)]
    assert len({event.event_id for event in sent}) == 20


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("session.update", {"session": 5}),
        ("no.such.event", {}),
        ("response.create", {"type": "response.cancel"}),
    ],
)
async def test_an_invalid_client_event_is_a_protocol_error_and_nothing_is_sent(
    connected: RealtimeAPI, server: ScriptedServer, event_type: str, data: dict[str, Any]
) -> None:
    with pytest.raises(ProtocolError):
        await connected.send(event_type, data)  # type: ignore[arg-type]  # wrong on purpose
    await connected.send(ResponseCreateEvent(event_id="evt_marker"))
    assert (await server.next_frame())["event_id"] == "evt_marker"
    assert server.received == ['{"event_id":"evt_marker","type":"response.create"}']


async def test_send_rejects_non_client_events(connected: RealtimeAPI) -> None:
    server_event = InputAudioBufferClearedEvent(event_id="e")
    with pytest.raises(TypeError, match="not a client event"):
        await connected.send(server_event)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="data"):
        await connected.send(ResponseCreateEvent(), {"x": 1})  # type: ignore[call-overload]


# Logging and secrecy


async def test_debug_logs_name_each_event_but_never_the_key_or_audio(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    audio = base64.b64encode(bytes(range(256)) * 64).decode()
    caplog.set_level(logging.DEBUG)
    api = RealtimeAPI(server.url, api_key=SENTINEL_KEY, heartbeat=None)
    arrivals: asyncio.Queue[InputAudioBufferClearedEvent] = asyncio.Queue()
    errors: asyncio.Queue[LocalErrorEvent] = asyncio.Queue()
    api.on(CLEARED, lambda event: 1 / 0)
    api.on(CLEARED, arrivals.put_nowait)
    api.on("error", errors.put_nowait)
    try:
        await asyncio.wait_for(api.connect(), WAIT)
        await server.accepted()
        await api.send(InputAudioBufferAppendEvent(audio=audio))
        await server.next_frame()
        await server.send(cleared("e1"))
        await server.send("garbage")
        await asyncio.wait_for(arrivals.get(), WAIT)
        for _ in range(2):  # the failing handler, then the garbage frame
            await asyncio.wait_for(errors.get(), WAIT)
        closing = await close_of(api)
        await server.close(code=4001, reason="test")
        await closing
    finally:
        await asyncio.wait_for(api.disconnect(), WAIT)
    server.refuse_with = 403
    with pytest.raises(RealtimeConnectionError) as refused:
        await asyncio.wait_for(api.connect(), WAIT)

    assert server.handshakes[0].headers["Authorization"] == f"Bearer {SENTINEL_KEY}"
    messages = [record.getMessage() for record in caplog.records]
    assert "sent input_audio_buffer.append" in messages
    assert "received input_audio_buffer.cleared" in messages
    everything = caplog.text + "\n".join(messages) + repr(api) + str(refused.value)
    assert SENTINEL_KEY not in everything
    assert audio[:64] not in everything


async def test_frame_observers_see_exact_frames_both_ways(
    connected: RealtimeAPI, server: ScriptedServer
) -> None:
    seen: list[tuple[str, str | bytes]] = []
    remove = connected.observe_frames(lambda direction, frame: seen.append((direction, frame)))
    await connected.send("input_audio_buffer.clear", {"event_id": "evt_observed"})
    failed = await registered(connected.wait_for_next("error", timeout=WAIT))
    await server.send('{"type": "brand.new", "event_id": "x"}')
    await server.send_bytes(b"\x00binary")
    await failed
    remove()
    await connected.send("input_audio_buffer.clear")
    assert seen == [
        ("client", '{"event_id":"evt_observed","type":"input_audio_buffer.clear"}'),
        ("server", '{"type": "brand.new", "event_id": "x"}'),
        ("server", b"\x00binary"),
    ]
