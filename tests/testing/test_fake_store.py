"""Tests for openai_realtime.testing.conversation: the server-side item store."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from openai_realtime.testing.audio_format import PCM_24K, AudioFormat
from openai_realtime.testing.client_frames import InvalidRequest
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
    assert caught.value.code == "item_not_found"
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


@pytest.mark.parametrize(
    ("content_index", "audio_end_ms", "message"),
    [(0, 2001, "lasts 2000 ms"), (0, -1, "outside"), (1, 10, "no audio")],
)
def test_truncate_rejects_impossible_cuts(
    content_index: int, audio_end_ms: int, message: str
) -> None:
    conversation = Conversation()
    conversation.insert(assistant_audio("a", 2.0))

    with pytest.raises(InvalidRequest, match=message):
        conversation.truncate("a", content_index, audio_end_ms)
    assert len(conversation.get("a").audio[0].samples) == 48000


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
