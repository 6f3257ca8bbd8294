"""The official ``openai`` realtime client against the fake server, every frame judged by the
official SDK's models: text, audio, tools, MCP, truncation, cancellation and errors."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from mcp_server import running_mcp_server
from official_sdk import assert_official, clear_proxies, server_frames

from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder, ToolCall

try:
    from openai import AsyncOpenAI
    from openai.resources.realtime.realtime import AsyncRealtimeConnection
    from openai.types.realtime import (
        ConversationItemParam,
        RealtimeFunctionToolParam,
        RealtimeSessionCreateRequestParam,
    )
except ImportError as error:  # pragma: no cover - the dev extra pins openai
    raise AssertionError("these tests need openai==3.57.0: pip install -e '.[dev]'") from error

NO_VAD = {"audio": {"input": {"turn_detection": None}}}
TIMEOUT = 10.0


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_proxies(monkeypatch)


def official_client(server: FakeRealtimeServer) -> AsyncOpenAI:
    return AsyncOpenAI(api_key="sk-fake", base_url=server.http_url, max_retries=0)


async def events_until(connection: AsyncRealtimeConnection, last: str) -> list[Any]:
    """Events the official client parsed, through the first of type ``last``."""
    events = []
    while True:
        event = await connection.recv()
        events.append(event)
        if event.type == last:
            return events


def user_text(text: str) -> ConversationItemParam:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeRealtimeServer]:
    async with FakeRealtimeServer(session=NO_VAD) as server:
        yield server


async def test_a_text_turn(fake: FakeRealtimeServer) -> None:
    async with official_client(fake).realtime.connect(model="gpt-realtime") as connection:
        text_only: RealtimeSessionCreateRequestParam = {
            "type": "realtime",
            "output_modalities": ["text"],
        }
        await connection.session.update(session=text_only)
        await connection.conversation.item.create(item=user_text("What is 2 + 3?"))
        await connection.response.create()
        events = await events_until(connection, "response.done")

    kinds = assert_official(server_frames(fake))
    assert kinds[:3] == ["session.created", "conversation.created", "session.updated"]
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == "2 + 3 is 5."
    assert events[-1].response.status == "completed"


async def test_an_audio_turn_with_input_transcription(fake: FakeRealtimeServer) -> None:
    tone = (3000 * np.sin(np.arange(12000) / 8)).astype(np.int16)
    session: RealtimeSessionCreateRequestParam = {
        "type": "realtime",
        "audio": {
            "input": {
                "transcription": {"model": "gpt-4o-mini-transcribe"},
                "noise_reduction": {"type": "near_field", "strength": 0.4},
            },
            "output": {"voice": "marin"},
        },
    }
    async with official_client(fake).realtime.connect(model="gpt-realtime") as connection:
        await connection.session.update(session=session)
        await connection.input_audio_buffer.append(audio=base64.b64encode(tone.tobytes()).decode())
        await connection.input_audio_buffer.commit()
        await events_until(connection, "conversation.item.input_audio_transcription.completed")
        await connection.response.create()
        events = await events_until(connection, "response.done")

    kinds = assert_official(server_frames(fake))
    assert "input_audio_buffer.committed" in kinds
    audio = b"".join(
        base64.b64decode(e.delta) for e in events if e.type == "response.output_audio.delta"
    )
    assert len(audio) > 24000  # more than half a second of speech
    transcript = "".join(
        e.delta for e in events if e.type == "response.output_audio_transcript.delta"
    )
    assert transcript == "You said: (0.5 seconds of audio)"


async def test_a_function_call_round_trip(fake: FakeRealtimeServer) -> None:
    tool: RealtimeFunctionToolParam = {
        "type": "function",
        "name": "add",
        "description": "Add two numbers.",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    }
    session: RealtimeSessionCreateRequestParam = {
        "type": "realtime",
        "output_modalities": ["text"],
        "tools": [tool],
    }
    async with official_client(fake).realtime.connect(model="gpt-realtime") as connection:
        await connection.session.update(session=session)
        await connection.conversation.item.create(item=user_text("add 2 and 40"))
        await connection.response.create()
        called = await events_until(connection, "response.done")
        call = called[-1].response.output[0]
        output: ConversationItemParam = {
            "type": "function_call_output",
            "call_id": call.call_id,
            "output": "42",
        }
        await connection.conversation.item.create(item=output)
        await connection.response.create()
        answered = await events_until(connection, "response.done")

    assert_official(server_frames(fake))
    assert (call.name, json.loads(call.arguments)) == ("add", {"a": 2, "b": 40})
    text = "".join(e.delta for e in answered if e.type == "response.output_text.delta")
    assert text == "The add tool returned: 42."


async def test_mcp_listing_approval_and_call(fake: FakeRealtimeServer) -> None:
    async with (
        running_mcp_server() as url,
        official_client(fake).realtime.connect(model="gpt-realtime") as connection,
    ):
        mcp: RealtimeSessionCreateRequestParam = {
            "type": "realtime",
            "output_modalities": ["text"],
            "tools": [{"type": "mcp", "server_label": "calc", "server_url": url}],
        }
        await connection.session.update(session=mcp)
        await events_until(connection, "mcp_list_tools.completed")
        await connection.conversation.item.create(item=user_text("add 2 and 40"))
        await connection.response.create()
        asked = await events_until(connection, "response.done")
        request = asked[-1].response.output[0]
        approval: ConversationItemParam = {
            "type": "mcp_approval_response",
            "id": "item_approval",
            "approval_request_id": request.id,
            "approve": True,
        }
        await connection.conversation.item.create(item=approval)
        await connection.response.create()
        answered = await events_until(connection, "response.done")

    kinds = assert_official(server_frames(fake))
    assert request.type == "mcp_approval_request"
    for kind in ("mcp_list_tools.in_progress", "response.mcp_call.completed"):
        assert kind in kinds
    call = answered[-1].response.output[0]
    assert (call.type, call.output, call.approval_request_id) == ("mcp_call", "42", request.id)


async def test_cancel_and_truncate_a_spoken_answer() -> None:
    responder = ScriptedResponder([Reply(audio_text="a long answer " * 30)])
    async with FakeRealtimeServer(session=NO_VAD, pace=1.0, responder=responder) as paced:
        async with official_client(paced).realtime.connect(model="gpt-realtime") as connection:
            await connection.response.create()
            first = (await events_until(connection, "response.output_audio.delta"))[-1]
            await connection.response.cancel()
            done = (await events_until(connection, "response.done"))[-1]
            await connection.conversation.item.truncate(
                item_id=first.item_id, content_index=0, audio_end_ms=40
            )
            truncated = (await events_until(connection, "conversation.item.truncated"))[-1]

        assert_official(server_frames(paced))
    assert done.response.status == "cancelled"
    assert (truncated.item_id, truncated.audio_end_ms) == (first.item_id, 40)


async def test_errors_are_official_error_events(fake: FakeRealtimeServer) -> None:
    responder_free_items = [
        {"type": "conversation.item.truncate", "item_id": "item_x", "content_index": 0},
        {"type": "session.make_coffee"},
        {"type": "conversation.item.create", "item": user_text("hi") | {"content": [{}]}},
    ]
    async with official_client(fake).realtime.connect(model="gpt-realtime") as connection:
        errors = []
        for event in responder_free_items:
            await connection.send(event)  # type: ignore[arg-type]
            errors.append((await events_until(connection, "error"))[-1].error)

    assert_official(server_frames(fake))
    assert [(e.code, e.param) for e in errors] == [
        ("missing_required_parameter", "audio_end_ms"),
        ("invalid_value", "type"),
        ("missing_required_parameter", "item.content[0].type"),
    ]


async def test_client_secrets_from_the_official_client(fake: FakeRealtimeServer) -> None:
    async with official_client(fake) as client:
        secret = await client.realtime.client_secrets.create(
            expires_after={"anchor": "created_at", "seconds": 60},
            session={"type": "realtime", "instructions": "Be brief."},
        )
    keyed = AsyncOpenAI(api_key=secret.value, base_url=fake.http_url, max_retries=0)
    async with keyed.realtime.connect(model="gpt-realtime") as connection:
        created = await connection.recv()

    assert secret.value.startswith("ek_")
    assert created.type == "session.created"
    assert created.session.model_dump()["instructions"] == "Be brief."
    assert_official(server_frames(fake))


def test_a_misnamed_field_is_caught() -> None:
    frame = {
        "type": "conversation.item.deleted",
        "event_id": "event_1",
        "item_id": "item_1",
        "item_idx": "item_1",
    }

    with pytest.raises(AssertionError, match="item_idx"):
        assert_official([json.dumps(frame)])


async def test_scripted_tool_calls_conform_too(fake: FakeRealtimeServer) -> None:
    responder = ScriptedResponder([Reply(text="Checking.", tool_calls=[ToolCall("f", {"x": 1})])])
    async with FakeRealtimeServer(session=NO_VAD, responder=responder) as server:
        async with official_client(server).realtime.connect(model="gpt-realtime") as connection:
            await connection.response.create()
            events = await events_until(connection, "response.done")

        assert_official(server_frames(server))
    assert [item.type for item in events[-1].response.output] == ["message", "function_call"]
