"""``transport=`` by name: each name resolves to its connector, and bad choices are refused
before anything connects (the call itself is placed in ``in_namespace/test_call.py``)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from openai_realtime import RealtimeClient
from openai_realtime.api import RealtimeAPI
from openai_realtime.errors import ConfigurationError
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.transports import (
    MemoryConnector,
    WebRTCConnector,
    WebSocketConnector,
    resolve_transport,
)
from tests.support import WAIT

_DEFAULTS: dict[str, Any] = {"session": None, "max_message_size": 1024, "heartbeat": None}


@pytest.mark.parametrize(
    ("name", "connector_type"),
    [("websocket", WebSocketConnector), ("webrtc", WebRTCConnector), (None, WebSocketConnector)],
)
def test_each_name_resolves_to_its_connector(name: Any, connector_type: type) -> None:
    assert type(resolve_transport(name, **_DEFAULTS)) is connector_type


def test_a_connector_object_is_used_as_it_is() -> None:
    connector = MemoryConnector()
    assert resolve_transport(connector, **_DEFAULTS) is connector


async def test_transport_named_websocket_talks_to_the_fake_over_a_websocket() -> None:
    async with FakeRealtimeServer() as server:
        client = RealtimeClient(url=server.url, transport="websocket")
        await client.connect()
        try:
            reply = await client.send_user_message_content([{"type": "input_text", "text": "hi"}])
            await reply.done(timeout=WAIT)
        finally:
            await client.disconnect()
    record = server.connections[0]
    assert record.received_types["conversation.item.create"] == 1
    assert record.sent_types["response.done"] == 1


@pytest.mark.parametrize("build", [RealtimeClient, RealtimeAPI])
@pytest.mark.parametrize("transport", ["webrct", "WebRTC", "", 42])
def test_an_unknown_transport_is_refused_naming_the_choices(build: Any, transport: Any) -> None:
    with pytest.raises(ConfigurationError) as refused:
        build("ws://127.0.0.1:1/v1/realtime", transport=transport)
    message = str(refused.value)
    assert "'websocket' or 'webrtc'" in message and "Connector" in message
    assert repr(transport) in message


def test_webrtc_without_its_extra_is_refused_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "aiortc", None)  # what importing it finds when missing
    with pytest.raises(ConfigurationError, match=r"pip install 'openai-realtime\[webrtc\]'"):
        RealtimeClient("ws://127.0.0.1:1/v1/realtime", transport="webrtc")


def test_a_misspelled_name_is_refused_by_the_type_checker_too() -> None:
    # `make lint` runs mypy --strict here: were the names not a Literal, this ignore would be
    # unused, and that is an error.
    with pytest.raises(ConfigurationError, match="'webrct'"):
        RealtimeClient("ws://127.0.0.1:1/v1/realtime", transport="webrct")  # type: ignore[arg-type]
