"""Session, conversation items and the input audio buffer over the wire."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from fake_wire import WireClient, connect, deltas_of, first_part, output_of, types_of

from openai_realtime.protocol.audio import decode_base64
from openai_realtime.testing import FakeRealtimeServer, ScriptedResponder
from openai_realtime.types import (
    ConversationItemAddedEvent,
    ConversationItemDeletedEvent,
    ConversationItemDoneEvent,
    ConversationItemInputAudioTranscriptionCompletedEvent,
    ConversationItemRetrievedEvent,
    ErrorEvent,
    InputAudioBufferClearedEvent,
    InputAudioBufferCommittedEvent,
    RealtimeConversationItemMessageUser,
    SessionCreatedEvent,
    SessionUpdatedEvent,
)

NO_VAD = {"audio": {"input": {"turn_detection": None}}}


@pytest.fixture
async def server() -> AsyncIterator[FakeRealtimeServer]:
    async with FakeRealtimeServer(session=NO_VAD) as fake:
        yield fake


def text_item(text: str, item_id: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": text}],
    }
    if item_id is not None:
        item["id"] = item_id
    return item


async def create(
    client: WireClient, item: dict[str, Any], **extra: Any
) -> ConversationItemDoneEvent:
    await client.send({"type": "conversation.item.create", "item": item, **extra})
    added = await client.expect(ConversationItemAddedEvent)
    done = await client.expect(ConversationItemDoneEvent)
    assert added.item == done.item
    assert added.previous_item_id == done.previous_item_id
    return done


async def test_session_created_is_complete() -> None:
    async with (
        FakeRealtimeServer() as fake,
        connect(fake, model="gpt-realtime-mini", greet=False) as client,
    ):
        created = await client.expect(SessionCreatedEvent)

    session = created.session.model_dump(mode="json")
    assert session["id"].startswith("sess_")
    assert (session["type"], session["object"], session["model"]) == (
        "realtime",
        "realtime.session",
        "gpt-realtime-mini",
    )
    assert session["output_modalities"] == ["audio"]
    assert session["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert session["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    assert session["audio"]["output"]["voice"] == "alloy"
    assert (session["tools"], session["tool_choice"]) == ([], "auto")
    assert session["instructions"]


async def test_session_update_merges_partially_and_null_clears(
    server: FakeRealtimeServer,
) -> None:
    async with connect(server) as client:
        await client.send(
            {
                "type": "session.update",
                "session": {
                    "type": "realtime",
                    "audio": {
                        "input": {"turn_detection": {"type": "server_vad", "threshold": 0.8}}
                    },
                },
            }
        )
        enabled = await client.expect(SessionUpdatedEvent)
        await client.send(
            {
                "type": "session.update",
                "session": {"type": "realtime", "instructions": "Short answers."},
            }
        )
        renamed = await client.expect(SessionUpdatedEvent)
        await client.send(
            {
                "type": "session.update",
                "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
            }
        )
        disabled = await client.expect(SessionUpdatedEvent)

    vad = enabled.session.model_dump(mode="json")["audio"]["input"]["turn_detection"]
    assert (vad["type"], vad["threshold"]) == ("server_vad", 0.8)
    after_rename = renamed.session.model_dump(mode="json")
    assert after_rename["instructions"] == "Short answers."
    assert after_rename["audio"]["input"]["turn_detection"]["threshold"] == 0.8
    assert after_rename["audio"]["output"]["voice"] == "alloy"
    assert disabled.session.model_dump(mode="json")["audio"]["input"]["turn_detection"] is None


async def test_invalid_events_get_an_error_and_the_connection_stays_open(
    server: FakeRealtimeServer,
) -> None:
    async with connect(server) as client:
        await client.send_raw('{"type": "conversation.item.create", "event_id": "evt_bad"}')
        missing_item = await client.expect(ErrorEvent)
        beta_session = {"type": "realtime", "modalities": ["text"]}
        await client.send_raw(
            json.dumps({"type": "session.update", "event_id": "evt_beta", "session": beta_session})
        )
        beta_field = await client.expect(ErrorEvent)
        await client.send_raw("definitely not json")
        not_json = await client.expect(ErrorEvent)
        await client.websocket.send_bytes(b"\x00\x01")
        binary = await client.expect(ErrorEvent)
        await client.send({"type": "output_audio_buffer.clear", "event_id": "evt_webrtc"})
        webrtc_only = await client.expect(ErrorEvent)
        # Still open and working.
        await create(client, text_item("still here"))
        record = server.connections[-1]
        assert not record.closed

    assert (missing_item.error.type, missing_item.error.event_id) == (
        "invalid_request_error",
        "evt_bad",
    )
    assert (missing_item.error.code, missing_item.error.param) == (
        "missing_required_parameter",
        "item",
    )
    assert (beta_field.error.code, beta_field.error.param) == (
        "unknown_parameter",
        "session.modalities",
    )
    assert beta_field.error.event_id == "evt_beta"
    assert not_json.error.event_id is None
    assert "JSON" in not_json.error.message
    assert "Binary frames" in binary.error.message
    assert (webrtc_only.error.code, webrtc_only.error.event_id) == (
        "unsupported_event",
        "evt_webrtc",
    )
    assert record.received_types["<invalid>"] == 3
    assert record.received_types["<binary>"] == 1


async def test_items_are_created_retrieved_and_deleted_in_order(
    server: FakeRealtimeServer,
) -> None:
    async with connect(server) as client:
        first = await create(client, text_item("one"))
        second = await create(client, text_item("two", "item_mine"))
        at_root = await create(client, text_item("zero"), previous_item_id="root")
        middle = await create(client, text_item("one and a half"), previous_item_id="item_mine")

        assert first.previous_item_id is None
        assert first.item.id is not None
        assert first.item.id.startswith("item_")
        assert (second.item.id, second.previous_item_id) == ("item_mine", first.item.id)
        assert at_root.previous_item_id is None
        assert middle.previous_item_id == "item_mine"
        assert isinstance(first.item, RealtimeConversationItemMessageUser)
        assert first.item.status == "completed"

        await client.send({"type": "conversation.item.retrieve", "item_id": "item_mine"})
        retrieved = await client.expect(ConversationItemRetrievedEvent)
        assert retrieved.item == second.item

        await client.send({"type": "conversation.item.delete", "item_id": "item_mine"})
        deleted = await client.expect(ConversationItemDeletedEvent)
        assert deleted.item_id == "item_mine"

        for request in (
            {"type": "conversation.item.retrieve", "item_id": "item_mine", "event_id": "e1"},
            {"type": "conversation.item.delete", "item_id": "item_nope", "event_id": "e2"},
            {
                "type": "conversation.item.truncate",
                "item_id": "item_nope",
                "content_index": 0,
                "audio_end_ms": 0,
                "event_id": "e3",
            },
            {
                "type": "conversation.item.create",
                "item": text_item("x"),
                "previous_item_id": "item_nope",
                "event_id": "e4",
            },
            {
                "type": "conversation.item.create",
                "item": text_item("dup", first.item.id),
                "event_id": "e5",
            },
        ):
            await client.send(request)
            error = await client.expect(ErrorEvent)
            assert error.error.event_id == request["event_id"]
            assert error.error.code in {"item_not_found", "item_already_exists"}
            if "previous_item_id" in request:
                assert error.error.param == "previous_item_id"


async def test_truncating_text_or_beyond_the_audio_is_an_error(server: FakeRealtimeServer) -> None:
    async with connect(server) as client:
        done = await create(client, text_item("no audio here"))
        await client.send(
            {
                "type": "conversation.item.truncate",
                "item_id": done.item.id,
                "content_index": 0,
                "audio_end_ms": 10,
            }
        )
        no_audio = await client.expect(ErrorEvent)
        await client.send({"type": "response.create"})
        response = await client.response()
        answer_id = next(e for e in response if isinstance(e, ConversationItemDoneEvent)).item.id
        await client.send(
            {
                "type": "conversation.item.truncate",
                "item_id": answer_id,
                "content_index": 0,
                "audio_end_ms": 999_999,
            }
        )
        too_far = await client.expect(ErrorEvent)

    assert no_audio.error.message == "Only model output audio messages can be truncated"
    assert (too_far.error.code, too_far.error.param) == ("invalid_value", "audio_end_ms")
    assert re.fullmatch(
        r"Audio content of \d+ms is already shorter than 999999ms", too_far.error.message
    )


async def test_the_voice_is_fixed_once_the_assistant_has_spoken(
    server: FakeRealtimeServer,
) -> None:
    def voice(name: str) -> dict[str, Any]:
        session = {"type": "realtime", "audio": {"output": {"voice": name}}}
        return {"type": "session.update", "session": session}

    async with connect(server) as client:
        await client.send(voice("marin"))
        before_audio = await client.expect(SessionUpdatedEvent)
        await create(client, text_item("hello"))
        await client.send({"type": "response.create"})
        await client.response()
        await client.send(voice("marin"))  # unchanged: fine
        same = await client.expect(SessionUpdatedEvent)
        await client.send({**voice("cedar"), "event_id": "evt_voice"})
        refused = await client.expect(ErrorEvent)

    assert before_audio.session.model_dump(mode="json")["audio"]["output"]["voice"] == "marin"
    assert same.session.model_dump(mode="json")["audio"]["output"]["voice"] == "marin"
    assert (refused.error.code, refused.error.param, refused.error.event_id) == (
        "cannot_update_voice",
        None,
        "evt_voice",
    )
    assert refused.error.message == (
        "Cannot update a conversation's voice if assistant audio is present."
    )


async def test_commit_turns_the_buffer_into_a_user_audio_item(server: FakeRealtimeServer) -> None:
    tone = (np.sin(np.arange(7200) / 3) * 8000).astype(np.int16)  # 300 ms
    async with connect(server) as client:
        await create(client, text_item("before"))
        await client.append_audio(tone[:1000])
        await client.append_audio(tone[1000:])
        await client.send({"type": "input_audio_buffer.commit"})
        committed = await client.expect(InputAudioBufferCommittedEvent)
        added = await client.expect(ConversationItemAddedEvent)
        await client.expect(ConversationItemDoneEvent)
        await client.send({"type": "conversation.item.retrieve", "item_id": committed.item_id})
        retrieved = await client.expect(ConversationItemRetrievedEvent)

    assert committed.previous_item_id == added.previous_item_id
    assert committed.previous_item_id is not None
    assert added.item.id == committed.item_id
    item = added.item
    assert isinstance(item, RealtimeConversationItemMessageUser)
    assert [part.type for part in item.content] == ["input_audio"]
    assert item.content[0].audio is None  # events carry no audio data
    retrieved_item = retrieved.item
    assert isinstance(retrieved_item, RealtimeConversationItemMessageUser)
    np.testing.assert_array_equal(decode_base64(retrieved_item.content[0].audio or ""), tone)


async def test_commit_needs_100_ms_and_clear_empties_the_buffer(server: FakeRealtimeServer) -> None:
    async with connect(server) as client:
        await client.send({"type": "input_audio_buffer.commit", "event_id": "evt_empty"})
        empty = await client.expect(ErrorEvent)
        await client.append_audio(np.ones(2000, dtype=np.int16))  # 83 ms
        await client.send({"type": "input_audio_buffer.commit"})
        short = await client.expect(ErrorEvent)
        await client.append_audio(np.ones(2400, dtype=np.int16))
        await client.send({"type": "input_audio_buffer.clear"})
        await client.expect(InputAudioBufferClearedEvent)
        await client.send({"type": "input_audio_buffer.commit"})
        cleared = await client.expect(ErrorEvent)
        await client.send({"type": "input_audio_buffer.append", "audio": "!!"})
        bad_audio = await client.expect(ErrorEvent)

    assert (empty.error.code, empty.error.event_id) == (
        "input_audio_buffer_commit_empty",
        "evt_empty",
    )
    assert "0.00ms" in empty.error.message
    assert "83.00ms" in short.error.message
    assert cleared.error.code == "input_audio_buffer_commit_empty"
    assert bad_audio.error.param == "audio"


async def test_input_transcription_comes_from_the_responder() -> None:
    responder = ScriptedResponder([], transcripts=["turn the lights on"])
    session = {
        "audio": {"input": {"turn_detection": None, "transcription": {"model": "whisper-1"}}}
    }
    async with (
        FakeRealtimeServer(session=session, responder=responder) as fake,
        connect(fake) as client,
    ):
        await client.append_audio(np.ones(4800, dtype=np.int16))
        await client.send({"type": "input_audio_buffer.commit"})
        events = await client.receive_until("conversation.item.input_audio_transcription.completed")
        completed = events[-1]
        assert isinstance(completed, ConversationItemInputAudioTranscriptionCompletedEvent)
        await client.send({"type": "conversation.item.retrieve", "item_id": completed.item_id})
        retrieved = await client.expect(ConversationItemRetrievedEvent)

    assert types_of(events) == [
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
        *["conversation.item.input_audio_transcription.delta"] * 4,
        "conversation.item.input_audio_transcription.completed",
    ]
    deltas = deltas_of(events, "conversation.item.input_audio_transcription.delta")
    assert deltas == completed.transcript == "turn the lights on"
    assert completed.usage.type == "tokens"
    assert first_part(retrieved.item).transcript == "turn the lights on"


async def test_g711_input_is_decoded() -> None:
    session = {"audio": {"input": {"turn_detection": None, "format": {"type": "audio/pcmu"}}}}
    async with FakeRealtimeServer(session=session) as fake, connect(fake) as client:
        mulaw_silence = base64.b64encode(b"\xff" * 1600).decode()  # 200 ms at 8 kHz
        await client.send({"type": "input_audio_buffer.append", "audio": mulaw_silence})
        await client.send({"type": "input_audio_buffer.commit"})
        committed = await client.expect(InputAudioBufferCommittedEvent)
        await client.receive_until("conversation.item.done")
        await client.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
        response = await client.response()

    assert committed.item_id
    assert first_part(output_of(response)[0]).text == "I heard 0.2 seconds of audio."
