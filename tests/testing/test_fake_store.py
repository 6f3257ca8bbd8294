"""Tests for openai_realtime.testing.conversation: the server-side item store."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.testing.audio_format import PCM_24K, AudioFormat
from openai_realtime.testing.conversation import (
    ROOT,
    Conversation,
    StoredAudio,
    StoredItem,
    text_length,
)
from openai_realtime.types import RealtimeConversationItem

ITEM = TypeAdapter[RealtimeConversationItem](RealtimeConversationItem)


def user_text(item_id: str, text: str = "hi") -> StoredItem:
    return StoredItem(
        ITEM.validate_python(
            {
                "id": item_id,
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text}],
            }
        )
    )


def ids(conversation: Conversation) -> list[str]:
    return [stored.item_id for stored in conversation]


def test_insert_appends_goes_to_root_or_after_an_item() -> None:
    conversation = Conversation()

    assert conversation.insert(user_text("a")) is None
    assert conversation.insert(user_text("c")) == "a"
    assert conversation.insert(user_text("b"), "a") == "a"
    assert conversation.insert(user_text("first"), ROOT) is None

    assert ids(conversation) == ["first", "a", "b", "c"]
    assert conversation.last_id == "c"
    assert conversation.previous_id("c") == "b"
    assert "b" in conversation
    assert len(conversation) == 4


def test_unknown_and_duplicate_ids_are_rejected() -> None:
    conversation = Conversation()
    conversation.insert(user_text("a"))

    with pytest.raises(InvalidRequest, match="does not exist") as caught:
        conversation.insert(user_text("b"), "missing")
    # previous_item_id is a field of conversation.item.create itself, not of its item.
    assert (caught.value.code, caught.value.param) == ("item_not_found", "previous_item_id")
    with pytest.raises(InvalidRequest, match="already exists"):
        conversation.insert(user_text("a"))
    with pytest.raises(InvalidRequest, match="does not exist"):
        conversation.delete("missing")
    with pytest.raises(InvalidRequest, match="does not exist"):
        conversation.get("missing")
    assert ids(conversation) == ["a"]


def test_delete_removes_the_item() -> None:
    conversation = Conversation()
    for item_id in "abc":
        conversation.insert(user_text(item_id))

    conversation.delete("b")

    assert ids(conversation) == ["a", "c"]
    assert conversation.previous_id("c") == "a"


def assistant_audio(item_id: str, seconds: float) -> StoredItem:
    item = ITEM.validate_python(
        {
            "id": item_id,
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_audio", "transcript": "Hello there"}],
        }
    )
    samples = np.ones(int(24000 * seconds), dtype=np.int16)
    return StoredItem(item, {0: StoredAudio(samples, PCM_24K)})


def test_truncate_cuts_audio_and_drops_the_transcript() -> None:
    conversation = Conversation()
    conversation.insert(assistant_audio("a", 2.0))

    conversation.truncate("a", 0, 500)

    stored = conversation.get("a")
    assert len(stored.audio[0].samples) == 12000
    assert stored.audio[0].duration_ms == 500
    assert stored.item.model_dump(mode="json")["content"][0]["transcript"] is None


def test_truncating_beyond_the_audio_is_refused_as_live() -> None:
    conversation = Conversation()
    conversation.insert(assistant_audio("a", 0.5))

    with pytest.raises(InvalidRequest) as caught:
        conversation.truncate("a", 0, 999_999)

    refused = caught.value
    assert refused.message == "Audio content of 500ms is already shorter than 999999ms"
    assert (refused.code, refused.param) == ("invalid_value", "audio_end_ms")
    assert len(conversation.get("a").audio[0].samples) == 12000


def user_audio(item_id: str) -> StoredItem:
    item = ITEM.validate_python(
        {"id": item_id, "type": "message", "role": "user", "content": [{"type": "input_audio"}]}
    )
    return StoredItem(item, {0: StoredAudio(np.ones(24000, dtype=np.int16), PCM_24K)})


@pytest.mark.parametrize(
    ("stored", "content_index"),
    [(user_audio("a"), 0), (user_text("a"), 0), (assistant_audio("a", 2.0), 1)],
    ids=["user audio", "text", "no such part"],
)
def test_only_model_output_audio_can_be_truncated(stored: StoredItem, content_index: int) -> None:
    conversation = Conversation()
    conversation.insert(stored)

    with pytest.raises(InvalidRequest) as caught:
        conversation.truncate("a", content_index, 10)

    assert caught.value.message == "Only model output audio messages can be truncated"
    assert caught.value.code == "unsupported_content_type"


def test_a_negative_cut_is_below_the_minimum() -> None:
    conversation = Conversation()
    conversation.insert(assistant_audio("a", 2.0))

    with pytest.raises(InvalidRequest, match="below minimum") as caught:
        conversation.truncate("a", 0, -1)
    assert caught.value.param == "audio_end_ms"
    assert len(conversation.get("a").audio[0].samples) == 48000


def test_assistant_audio_is_known_once_present() -> None:
    conversation = Conversation()
    conversation.insert(user_audio("u"))
    assert not conversation.has_assistant_audio()
    conversation.insert(assistant_audio("a", 0.1))
    assert conversation.has_assistant_audio()


def test_items_from_clients_keep_their_audio_apart() -> None:
    samples = np.arange(-2400, 2400, 2, dtype=np.int16)
    item = ITEM.validate_python(
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "listen"},
                {"type": "input_audio", "audio": PCM_24K.encode(samples)},
            ],
        }
    )

    stored = StoredItem.from_client(item, "item_1", input_format=PCM_24K, output_format=PCM_24K)

    shown = stored.item.model_dump(mode="json", exclude_unset=True)
    assert shown["id"] == "item_1"
    assert shown["status"] == "completed"
    assert shown["object"] == "realtime.item"
    assert shown["content"] == [{"type": "input_text", "text": "listen"}, {"type": "input_audio"}]
    np.testing.assert_array_equal(stored.audio[1].samples, samples)
    retrieved = stored.with_audio().model_dump(mode="json", exclude_unset=True)
    assert PCM_24K.decode(retrieved["content"][1]["audio"]).tolist() == samples.tolist()


def test_items_from_clients_with_bad_audio_are_rejected() -> None:
    item = ITEM.validate_python(
        {"type": "message", "role": "user", "content": [{"type": "input_audio", "audio": "@@"}]}
    )

    with pytest.raises(InvalidRequest, match="Invalid audio") as caught:
        StoredItem.from_client(
            item, "item_1", input_format=AudioFormat("audio/pcmu", 8000), output_format=PCM_24K
        )
    assert caught.value.param == "item.content[0].audio"


def test_text_length_counts_texts_transcripts_arguments_and_outputs() -> None:
    call = ITEM.validate_python({"type": "function_call", "name": "f", "arguments": "{}"})
    output = ITEM.validate_python({"type": "function_call_output", "call_id": "c", "output": "ok"})

    assert text_length(user_text("a", "hello").item) == 5
    assert text_length(assistant_audio("b", 0.1).item) == len("Hello there")
    assert text_length(call) == 2
    assert text_length(output) == 2


def test_audio_still_streaming_can_be_truncated() -> None:
    item = ITEM.validate_python(
        {"id": "a", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    )
    conversation = Conversation()
    conversation.insert(StoredItem(item, {0: StoredAudio(np.ones(24000, dtype=np.int16), PCM_24K)}))

    conversation.truncate("a", 0, 250)

    assert conversation.get("a").audio[0].duration_ms == 250
