"""The API key never shows: not in logs at any level, reprs, exception messages or frames.

One test runs a whole session, through every path that logs or raises (a conversation with
audio and a tool, a server error, a malformed frame, a dropped connection and a reconnect, a
relay in front of the server, a handshake with a wrong key), with everything captured: every
log record of every logger at DEBUG, the reprs of every object a user holds, the text of every
exception raised (and of the exceptions chained to them), every frame both ways as
``observe_frames`` sees it, and the fake server's frame records. Then it searches all of it
for the key, the wrong key and the relay token.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from openai_realtime import RealtimeAPI, RealtimeClient, RealtimeConnectionError
from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.reconnect import ReconnectPolicy
from openai_realtime.relay import RealtimeRelay
from openai_realtime.testing import (
    DropConnection,
    FakeRealtimeServer,
    Reply,
    ScriptedResponder,
    SendMalformedFrame,
    ToolCall,
)
from tests.support import WAIT

API_KEY = "sk-proj-SENTINEL-4f1c2b9a7e6d5c3b1a0f"
WRONG_KEY = "sk-proj-WRONGKEY-0a1b2c3d4e5f6a7b8c9d"
RELAY_TOKEN = "relay-SENTINEL-token-9e8d7c6b5a4f"
SECRETS = (API_KEY, WRONG_KEY, RELAY_TOKEN)


class Evidence:
    """Everything a leak could hide in, as text."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, *values: object) -> None:
        self.texts.extend(value if isinstance(value, str) else repr(value) for value in values)

    def add_frame(self, direction: str, frame: str | bytes) -> None:
        self.texts.append(frame if isinstance(frame, str) else frame.decode("latin-1"))

    def add_exception(self, error: BaseException) -> None:
        for link in _chain(error):
            self.add(str(link), repr(link), "".join(traceback.format_exception(link)))

    def leaks(self) -> list[tuple[str, str]]:
        return [(secret, text[:120]) for text in self.texts for secret in SECRETS if secret in text]


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The exception and everything chained to it, suppressed context included."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def talk_items() -> ScriptedResponder:
    return ScriptedResponder(
        [
            Reply(audio_text="Hello there."),
            Reply(tool_calls=[ToolCall("lookup", {"q": "x"}, call_id="call_1")]),
            Reply(text="The lookup said 42."),
            Reply(text="About to drop.", faults=[DropConnection(3, close_code=1011)]),
            Reply(
                text="With a broken frame in the middle.",
                faults=[SendMalformedFrame(2)],
            ),
        ]
    )


async def whole_session(evidence: Evidence, server: FakeRealtimeServer, url: str) -> None:
    policy = ReconnectPolicy(initial_delay=0.01, jitter=0.0, replay_history=True)
    client = RealtimeClient(url=url, api_key=API_KEY, reconnect=policy)
    client.realtime.observe_frames(evidence.add_frame)
    client.on("error", evidence.add)
    client.on("close", evidence.add)
    client.on("reconnected", evidence.add)
    await client.add_tool({"name": "lookup", "parameters": {"type": "object"}}, lambda _: 42)
    await client.update_session(turn_detection=None)
    async with client:
        evidence.add(client, client.realtime, client.conversation, server)
        for text in ("hi", "look it up"):
            await client.send_user_message_content([{"type": "input_text", "text": text}])
            await client.wait_for_next("server.response.done", timeout=WAIT)
        await client.wait_for_next("server.response.done", timeout=WAIT)  # after the tool
        tone = (8000 * np.sin(np.arange(SAMPLE_RATE // 2) / 5.0)).astype(np.int16)
        await client.append_input_audio(tone)
        try:
            await client.realtime.send("response.cancel")  # nothing active: a server error
            await client.wait_for_next("server.error", timeout=WAIT)
            reconnected = asyncio.ensure_future(client.wait_for_next("reconnected", WAIT))
            await client.send_user_message_content([{"type": "input_text", "text": "drop"}])
            await reconnected
            await client.send_user_message_content([{"type": "input_text", "text": "again"}])
            await client.wait_for_next("server.response.done", timeout=WAIT)
        except Exception as error:
            evidence.add_exception(error)
            raise
        evidence.add(client, client.realtime, client.conversation, server)
        for item in client.conversation.get_items():
            evidence.add(item, item.item, item.formatted.text, item.formatted.transcript)


async def wrong_key(evidence: Evidence, url: str) -> None:
    api = RealtimeAPI(url, api_key=WRONG_KEY)
    evidence.add(api)
    with pytest.raises(RealtimeConnectionError) as refused:
        await api.connect()
    evidence.add_exception(refused.value)
    assert "401" in str(refused.value)


async def test_no_secret_anywhere_after_a_whole_session(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every logger, every level
    evidence = Evidence()
    server = FakeRealtimeServer(api_key=API_KEY, responder=talk_items())
    relay = RealtimeRelay("ws://127.0.0.1:1/v1/realtime", api_key=API_KEY, relay_token=RELAY_TOKEN)
    async with server:
        evidence.add(relay, server)
        await whole_session(evidence, server, server.url)
        await wrong_key(evidence, server.url)
        relayed = RealtimeRelay(server.url, api_key=API_KEY, relay_token=RELAY_TOKEN)
        async with relayed:
            evidence.add(relayed)
            async with RealtimeAPI(relayed.url, api_key=RELAY_TOKEN) as api:
                api.observe_frames(evidence.add_frame)
                await api.wait_for_next("server.session.created", timeout=WAIT)
                evidence.add(api)
            await wrong_key(evidence, relayed.url)
        # A relay holding a wrong key: the upstream refuses it, the relay refuses its client.
        misconfigured = RealtimeRelay(server.url, api_key=WRONG_KEY, relay_token=RELAY_TOKEN)
        async with misconfigured:
            evidence.add(misconfigured)
            api = RealtimeAPI(misconfigured.url, api_key=RELAY_TOKEN)
            with pytest.raises(RealtimeConnectionError) as refused:
                await api.connect()
            evidence.add_exception(refused.value)
    for connection in server.connections:
        evidence.add(connection, *connection.sent, *connection.received)
    for record in caplog.records:
        evidence.add(record.getMessage(), record.exc_text or "", str(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            evidence.add_exception(record.exc_info[1])
    evidence.add(caplog.text)

    assert len(evidence.texts) > 100  # the session really ran and was captured
    assert any(record.levelno == logging.DEBUG for record in caplog.records)
    assert evidence.leaks() == []


def test_repr_of_every_configured_object_hides_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", WRONG_KEY)
    objects: list[Any] = [
        RealtimeAPI(),
        RealtimeAPI.azure("https://example.openai.azure.com", "deployment"),
        RealtimeAPI.azure("https://example.openai.azure.com", "d", token=RELAY_TOKEN),
        RealtimeClient(),
        RealtimeClient(url="wss://relay.example/v1/realtime", api_key=API_KEY),
        RealtimeRelay(relay_token=RELAY_TOKEN),
        FakeRealtimeServer(api_key=API_KEY),
    ]
    texts = [text for thing in objects for text in (repr(thing), str(thing))]
    texts += [repr(vars(thing)) for thing in objects if isinstance(thing, RealtimeClient)]
    assert [text for text in texts for secret in SECRETS if secret in text] == []
