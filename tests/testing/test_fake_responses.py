"""Responses over the wire: event order, content, tools, cancellation, out-of-band responses.

Every frame is decoded by the WireClient, which fails on anything but a known server event,
so these tests are also the conformance check of what the server sends.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from fake_wire import (
    WireClient,
    connect,
    deltas_of,
    first_part,
    output_of,
    response_done,
    types_of,
)

from openai_realtime.protocol.audio import decode_base64
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types import (
    ConversationItemAddedEvent,
    ConversationItemDoneEvent,
    ConversationItemRetrievedEvent,
    ConversationItemTruncatedEvent,
    ErrorEvent,
    RateLimitsUpdatedEvent,
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemMessageAssistant,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseOutputAudioDeltaEvent,
    ResponseOutputAudioTranscriptDeltaEvent,
    ServerEvent,
)

NO_VAD = {"audio": {"input": {"turn_detection": None}}}
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}

ITEM_START = r"response\.output_item\.added conversation\.item\.added "
ITEM_END = r"response\.output_item\.done conversation\.item\.done "
TEXT_MESSAGE = (
    ITEM_START + r"response\.content_part\.added (response\.output_text\.delta )+"
    r"response\.output_text\.done response\.content_part\.done " + ITEM_END
)
AUDIO_MESSAGE = (
    ITEM_START + r"response\.content_part\.added "
    r"((response\.output_audio_transcript\.delta )*response\.output_audio\.delta )+"
    r"response\.output_audio\.done response\.output_audio_transcript\.done "
    r"response\.content_part\.done " + ITEM_END
)
FUNCTION_CALL = (
    ITEM_START + r"(response\.function_call_arguments\.delta )+"
    r"response\.function_call_arguments\.done " + ITEM_END
)


def follows(events: list[ServerEvent], *parts: str) -> bool:
    """Whether the event types are exactly ``response.created``, the parts, the done events."""
    pattern = r"response\.created rate_limits\.updated " + "".join(parts) + r"response\.done"
    return re.fullmatch(pattern, " ".join(types_of(events))) is not None


@pytest.fixture
async def server() -> AsyncIterator[FakeRealtimeServer]:
    async with FakeRealtimeServer(session=NO_VAD) as fake:
        yield fake


@pytest.fixture
async def paced() -> AsyncIterator[FakeRealtimeServer]:
    """Audio in real time, so a response is certainly still running when the client acts."""
    async with FakeRealtimeServer(session=NO_VAD, pace=1.0) as fake:
        yield fake


async def say(client: WireClient, text: str) -> None:
    await client.send(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text}],
            },
        }
    )
    await client.expect(ConversationItemAddedEvent)
    await client.expect(ConversationItemDoneEvent)


async def test_text_response_sequence_and_content(server: FakeRealtimeServer) -> None:
    async with connect(server) as client:
        await say(client, "What is 2 + 2?")
        await client.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
        events = await client.response()

    assert follows(events, TEXT_MESSAGE)
    deltas = deltas_of(events, "response.output_text.delta")
    assert deltas == "2 + 2 is 4."
    done = response_done(events)
    assert done.response.status == "completed"
    assert done.response.output_modalities == ["text"]
    (item,) = done.response.output or []
    assert isinstance(item, RealtimeConversationItemMessageAssistant)
    assert item.status == "completed"
    assert item.content[0].type == "output_text"
    assert item.content[0].text == "2 + 2 is 4."
    usage = done.response.usage
    assert usage is not None
    assert usage.output_tokens == 3
    assert usage.input_tokens is not None
    assert usage.input_tokens > 0
    limits = events[1]  # at the start of the response, as the service documents
    assert isinstance(limits, RateLimitsUpdatedEvent)
    assert [limit.name for limit in limits.rate_limits] == ["requests", "tokens"]


async def test_audio_response_streams_real_pcm_with_an_interleaved_transcript(
    server: FakeRealtimeServer,
) -> None:
    async with connect(server) as client:
        await say(client, "Tell me something")
        await client.send({"type": "response.create"})
        events = await client.response()

    assert follows(events, AUDIO_MESSAGE)
    audio_deltas = [e for e in events if isinstance(e, ResponseOutputAudioDeltaEvent)]
    transcript = "".join(
        e.delta for e in events if isinstance(e, ResponseOutputAudioTranscriptDeltaEvent)
    )
    samples = np.concatenate([decode_base64(delta.delta) for delta in audio_deltas])
    assert transcript == "You said: Tell me something"
    assert len(samples) == len(transcript) * 1560  # 65 ms per character at 24 kHz
    assert all(len(decode_base64(d.delta)) == 2400 for d in audio_deltas[:-1])  # 100 ms each
    assert np.abs(samples).max() > 1000
    item = (response_done(events).response.output or [])[0]
    assert isinstance(item, RealtimeConversationItemMessageAssistant)
    assert item.content[0].type == "output_audio"
    assert item.content[0].transcript == transcript
    usage = response_done(events).response.usage
    assert usage is not None
    assert usage.output_token_details is not None
    assert usage.output_token_details.audio_tokens == 36  # 1.755 s at 20 tokens per second


async def test_tool_call_turn_then_function_output_continues(server: FakeRealtimeServer) -> None:
    async with connect(server) as client:
        await client.send(
            {"type": "session.update", "session": {"type": "realtime", "tools": [WEATHER_TOOL]}}
        )
        await client.receive_until("session.updated")
        await say(client, "Please get_weather for Lisbon")
        await client.send({"type": "response.create"})
        events = await client.response()
        assert follows(events, FUNCTION_CALL)
        call = (response_done(events).response.output or [])[0]
        assert isinstance(call, RealtimeConversationItemFunctionCall)
        assert (call.name, json.loads(call.arguments), call.status) == (
            "get_weather",
            {"city": "Lisbon"},
            "completed",
        )
        arguments = deltas_of(events, "response.function_call_arguments.delta")
        assert arguments == call.arguments

        await client.send(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "function_call_output",
                    "call_id": call.call_id,
                    "output": "sunny",
                },
            }
        )
        await client.receive_until("conversation.item.done")
        await client.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
        answer = await client.response()

    assert follows(answer, TEXT_MESSAGE)
    item = (response_done(answer).response.output or [])[0]
    assert isinstance(item, RealtimeConversationItemMessageAssistant)
    assert item.content[0].text == "The get_weather tool returned: sunny."


async def test_parallel_tool_calls_use_consecutive_output_indexes(
    server: FakeRealtimeServer,
) -> None:
    time_tool = {"type": "function", "name": "get_time"}
    async with connect(server) as client:
        await say(client, "get_weather and get_time")
        await client.send(
            {"type": "response.create", "response": {"tools": [WEATHER_TOOL, time_tool]}}
        )
        events = await client.response()

    assert follows(events, FUNCTION_CALL, FUNCTION_CALL)
    calls = response_done(events).response.output or []
    assert [
        call.name for call in calls if isinstance(call, RealtimeConversationItemFunctionCall)
    ] == [
        "get_weather",
        "get_time",
    ]
    indexes = {
        e.output_index for e in events if isinstance(e, ResponseFunctionCallArgumentsDeltaEvent)
    }
    assert indexes == {0, 1}


async def test_cancel_stops_the_stream_and_marks_everything_incomplete(
    paced: FakeRealtimeServer,
) -> None:
    async with connect(paced) as client:
        await say(client, "x" * 400)  # about 26 seconds of speech
        await client.send({"type": "response.create"})
        await client.receive_until("response.output_audio.delta")
        await client.send({"type": "response.cancel"})
        events = await client.response()
        audio_seen = [e for e in client.received if isinstance(e, ResponseOutputAudioDeltaEvent)]

        done = response_done(events)
        assert done.response.status == "cancelled"
        assert done.response.status_details is not None
        assert done.response.status_details.reason == "client_cancelled"
        (item,) = done.response.output or []
        assert isinstance(item, RealtimeConversationItemMessageAssistant)
        assert item.status == "incomplete"
        assert 1 <= len(audio_seen) < 263  # the whole answer would be 263 chunks
        # The conversation keeps what was sent, and truncation cuts it.
        await client.send({"type": "conversation.item.retrieve", "item_id": item.id or ""})
        retrieved = await client.expect(ConversationItemRetrievedEvent)
        stored_audio = first_part(retrieved.item).audio or ""
        assert len(base64.b64decode(stored_audio)) == 2 * 2400 * len(audio_seen)
        await client.send(
            {
                "type": "conversation.item.truncate",
                "item_id": item.id,
                "content_index": 0,
                "audio_end_ms": 50,
            }
        )
        truncated = await client.expect(ConversationItemTruncatedEvent)
        assert truncated.audio_end_ms == 50
        await client.send({"type": "conversation.item.retrieve", "item_id": item.id or ""})
        retrieved = await client.expect(ConversationItemRetrievedEvent)
        assert len(base64.b64decode(first_part(retrieved.item).audio or "")) == 2 * 1200


async def test_cancel_without_a_response_and_a_second_response_are_errors(
    paced: FakeRealtimeServer,
) -> None:
    async with connect(paced) as client:
        await client.send({"type": "response.cancel", "event_id": "evt_cancel"})
        error = await client.expect(ErrorEvent)
        assert (error.error.code, error.error.event_id) == (
            "response_cancel_not_active",
            "evt_cancel",
        )

        await say(client, "long answer")
        await client.send({"type": "response.create"})
        await client.send({"type": "response.create", "event_id": "evt_second"})
        await client.send({"type": "response.cancel", "response_id": "resp_other"})
        errors: list[ErrorEvent] = []
        while len(errors) < 2:
            event = await client.receive()
            if isinstance(event, ErrorEvent):
                errors.append(event)
        assert [e.error.code for e in errors] == [
            "conversation_already_has_active_response",
            "response_cancel_not_active",
        ]
        assert errors[0].error.event_id == "evt_second"
        await client.send({"type": "response.cancel"})
        await client.receive_until("response.done")
        # Once response.done arrived, a new response is accepted at once.
        await client.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
        assert response_done(await client.response()).response.status == "completed"


async def test_out_of_band_responses_leave_the_conversation_alone(
    server: FakeRealtimeServer,
) -> None:
    async with connect(server) as client:
        await say(client, "remember me")
        await client.send(
            {
                "type": "response.create",
                "response": {
                    "conversation": "none",
                    "output_modalities": ["text"],
                    "metadata": {"topic": "summary"},
                    "instructions": 'Say "Summary ready."',
                },
            }
        )
        events = await client.response()

    assert follows(
        events,
        r"response\.output_item\.added response\.content_part\.added "
        r"(response\.output_text\.delta )+response\.output_text\.done "
        r"response\.content_part\.done response\.output_item\.done ",
    )
    done = response_done(events)
    assert done.response.metadata == {"topic": "summary"}
    assert done.response.conversation_id is None
    assert first_part(output_of(events)[0]).text == "Summary ready."


async def test_out_of_band_input_replaces_the_context(server: FakeRealtimeServer) -> None:
    custom_input = [
        {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "only this"}],
        }
    ]
    async with connect(server) as client:
        await say(client, "not this")
        await client.send(
            {
                "type": "response.create",
                "response": {
                    "conversation": "none",
                    "input": custom_input,
                    "output_modalities": ["text"],
                },
            }
        )
        events = await client.response()

    assert first_part(output_of(events)[0]).text == "You said: only this"


async def test_max_output_tokens_cuts_the_answer(server: FakeRealtimeServer) -> None:
    async with connect(server) as client:
        await say(client, "a rather long sentence that will not fit")
        await client.send(
            {
                "type": "response.create",
                "response": {"max_output_tokens": 2, "output_modalities": ["text"]},
            }
        )
        events = await client.response()

    done = response_done(events)
    assert done.response.status == "incomplete"
    assert done.response.status_details is not None
    assert done.response.status_details.reason == "max_output_tokens"
    assert first_part(output_of(events)[0]).text == "You said"


async def test_response_audio_follows_the_output_format_and_voice(
    server: FakeRealtimeServer,
) -> None:
    update: dict[str, Any] = {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"output": {"format": {"type": "audio/pcmu"}}}},
    }
    async with connect(server) as client:
        await client.send(update)
        await client.receive_until("session.updated")
        await say(client, "hi")
        await client.send(
            {"type": "response.create", "response": {"audio": {"output": {"voice": "marin"}}}}
        )
        events = await client.response()

    audio = response_done(events).response.audio
    assert audio is not None
    assert audio.output is not None
    assert audio.output.voice == "marin"
    first_delta = next(e for e in events if isinstance(e, ResponseOutputAudioDeltaEvent))
    assert len(base64.b64decode(first_delta.delta)) == 800  # 100 ms of 8 kHz G.711
