"""Scripted and custom responders over the wire, and real-time pacing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
from fake_wire import WireClient, connect, first_part, response_done, types_of
from numpy.typing import NDArray

from openai_realtime.protocol.audio import decode_base64
from openai_realtime.testing import (
    FakeRealtimeServer,
    Reply,
    ResponseContext,
    ScriptedResponder,
    ToolCall,
)
from openai_realtime.types import (
    ConversationItemInputAudioTranscriptionFailedEvent,
    ErrorEvent,
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemMessageAssistant,
    ResponseOutputAudioDeltaEvent,
    ServerEvent,
)

NO_VAD: dict[str, Any] = {"audio": {"input": {"turn_detection": None}}}


def audio_of(events: list[ServerEvent]) -> NDArray[np.int16]:
    deltas = [e.delta for e in events if isinstance(e, ResponseOutputAudioDeltaEvent)]
    return np.concatenate([decode_base64(delta) for delta in deltas])


async def respond(client: WireClient, response: dict[str, Any] | None = None) -> list[ServerEvent]:
    await client.send({"type": "response.create", **({"response": response} if response else {})})
    return await client.response()


async def test_scripted_replies_come_out_exactly() -> None:
    exact_audio = (np.sin(np.arange(5000) / 7) * 5000).astype(np.int16)
    responder = ScriptedResponder(
        [
            Reply(text="Exactly this text."),
            Reply(audio_text="Spoken, whatever the modality."),
            Reply(audio_text="Given samples", audio=exact_audio),
            Reply(
                text="Two calls.",
                tool_calls=[
                    ToolCall("lookup", {"q": "cats"}, call_id="call_fixed"),
                    ToolCall("notify", '{"loud": true}'),
                ],
            ),
        ]
    )
    session = {**NO_VAD, "output_modalities": ["text"]}
    async with (
        FakeRealtimeServer(responder=responder, session=session) as fake,
        connect(fake) as client,
    ):
        written = await respond(client)
        spoken = await respond(client)
        given = await respond(client)
        calls = await respond(client)

    text_item = (response_done(written).response.output or [])[0]
    assert isinstance(text_item, RealtimeConversationItemMessageAssistant)
    assert text_item.content[0].text == "Exactly this text."
    spoken_item = (response_done(spoken).response.output or [])[0]
    assert isinstance(spoken_item, RealtimeConversationItemMessageAssistant)
    assert spoken_item.content[0].transcript == "Spoken, whatever the modality."
    assert len(audio_of(spoken)) == len("Spoken, whatever the modality.") * 1560
    np.testing.assert_array_equal(audio_of(given), exact_audio)
    message, lookup, notify = response_done(calls).response.output or []
    assert isinstance(message, RealtimeConversationItemMessageAssistant)
    assert isinstance(lookup, RealtimeConversationItemFunctionCall)
    assert isinstance(notify, RealtimeConversationItemFunctionCall)
    assert (lookup.name, json.loads(lookup.arguments), lookup.call_id) == (
        "lookup",
        {"q": "cats"},
        "call_fixed",
    )
    assert (notify.name, notify.arguments) == ("notify", '{"loud": true}')
    assert notify.call_id is not None
    assert notify.call_id.startswith("call_")
    assert responder.remaining == 0


async def test_an_error_reply_fails_the_response() -> None:
    responder = ScriptedResponder([Reply(error="model overloaded")])
    async with (
        FakeRealtimeServer(responder=responder, session=NO_VAD) as fake,
        connect(fake) as client,
    ):
        events = await respond(client)
        exhausted = await respond(client)

    assert types_of(events) == ["response.created", "rate_limits.updated", "error", "response.done"]
    error = events[2]
    assert isinstance(error, ErrorEvent)
    assert (error.error.type, error.error.message) == ("server_error", "model overloaded")
    done = response_done(events).response
    assert done.status == "failed"
    assert done.status_details is not None
    assert done.status_details.error is not None
    assert done.status_details.error.type == "server_error"
    assert isinstance(exhausted[2], ErrorEvent)
    assert "no replies left" in exhausted[2].error.message


async def test_async_responders_see_the_conversation_and_settings() -> None:
    seen: list[ResponseContext] = []

    async def responder(context: ResponseContext) -> Reply:
        seen.append(context)
        await asyncio.sleep(0)
        return Reply(text=f"{len(context.items)} items, {context.instructions}")

    async with (
        FakeRealtimeServer(responder=responder, session=NO_VAD) as fake,
        connect(fake) as client,
    ):
        events = await respond(client, {"instructions": "be kind", "output_modalities": ["text"]})

    (context,) = seen
    assert (context.instructions, context.output_modalities, context.out_of_band) == (
        "be kind",
        ("text",),
        False,
    )
    item = (response_done(events).response.output or [])[0]
    assert first_part(item).text == "0 items, be kind"


async def test_a_failing_responder_fails_only_that_response() -> None:
    def responder(context: ResponseContext) -> Reply:
        raise RuntimeError("bug in the test's responder")

    async with (
        FakeRealtimeServer(responder=responder, session=NO_VAD) as fake,
        connect(fake) as client,
    ):
        events = await respond(client)
        again = await respond(client)

    assert response_done(events).response.status == "failed"
    assert isinstance(events[2], ErrorEvent)
    assert "bug in the test's responder" in events[2].error.message
    assert response_done(again).response.status == "failed"


async def test_real_time_pace_holds_deltas_back() -> None:
    ten_seconds = "word " * 31
    responder = ScriptedResponder([Reply(audio_text=ten_seconds), Reply(audio_text=ten_seconds)])
    async with (
        FakeRealtimeServer(responder=responder, session=NO_VAD, pace=1.0) as paced,
        connect(paced) as client,
    ):
        await client.send({"type": "response.create"})
        await client.receive_until("response.output_audio.delta")
        await client.send({"type": "response.cancel"})
        paced_events = await client.response()
    async with (
        FakeRealtimeServer(responder=responder, session=NO_VAD) as instant,
        connect(instant) as client,
    ):
        instant_events = await respond(client)

    paced_chunks = 1 + types_of(paced_events).count("response.output_audio.delta")
    instant_chunks = types_of(instant_events).count("response.output_audio.delta")
    assert instant_chunks == 101  # 155 characters at 65 ms, in 100 ms chunks
    # In real time only the first few of the 101 chunks are due before the cancel arrives.
    assert paced_chunks < 20
    assert response_done(paced_events).response.status == "cancelled"


class BrokenResponder:
    """Returns unencodable tool arguments and cannot transcribe."""

    def respond(self, context: ResponseContext) -> Reply:
        return Reply(tool_calls=[ToolCall("save", {"when": object()})])

    def transcribe(self, audio: NDArray[np.int16], sample_rate: int) -> str:
        raise ValueError("no ears")


async def test_broken_replies_and_transcripts_fail_cleanly() -> None:
    session = {
        "audio": {"input": {"turn_detection": None, "transcription": {"model": "whisper-1"}}}
    }
    async with (
        FakeRealtimeServer(responder=BrokenResponder(), session=session) as fake,
        connect(fake) as client,
    ):
        await client.append_audio(np.zeros(4800, dtype=np.int16))
        await client.send({"type": "input_audio_buffer.commit"})
        turn = await client.receive_until("conversation.item.input_audio_transcription.failed")
        events = await respond(client)

    failed = turn[-1]
    assert isinstance(failed, ConversationItemInputAudioTranscriptionFailedEvent)
    assert failed.error.message is not None
    assert "no ears" in failed.error.message
    assert response_done(events).response.status == "failed"
    assert isinstance(events[2], ErrorEvent)
    assert "JSON serializable" in events[2].error.message
