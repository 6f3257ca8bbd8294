"""Tests for openai_realtime.protocol.conversation: scripted server frames in, items out."""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pytest
from conversation_support import (
    assistant,
    chunks,
    delta_fields,
    feed,
    frame,
    response,
    sine,
    start_answer,
    user_audio,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from openai_realtime.errors import ConfigurationError, ConversationError, ProtocolError
from openai_realtime.protocol.audio import SAMPLE_RATE, encode_base64, ms_to_samples
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import Delta
from openai_realtime.types import (
    ConversationItemAddedEvent,
    RealtimeConversationItemMessageUser,
    UserMessageContent,
)


def audio_answer(
    response_id: str, item_id: str, audio_chunks: list[NDArray[np.int16]], words: list[str]
) -> list[str]:
    fields = delta_fields(response_id, item_id)
    frames = start_answer(response_id, assistant(item_id))
    for samples, word in zip(audio_chunks, itertools.cycle(words), strict=False):
        frames.append(frame("response.output_audio.delta", delta=encode_base64(samples), **fields))
        frames.append(frame("response.output_audio_transcript.delta", delta=word, **fields))
    return frames


def snapshot(conversation: RealtimeConversation) -> list[tuple[Any, ...]]:
    """Everything observable about the items, for before/after comparisons."""
    return [
        (
            item.id,
            item.status,
            item.response_id,
            item.formatted.text,
            item.formatted.transcript,
            item.formatted.audio.tobytes(),
            None if item.formatted.tool is None else item.formatted.tool.arguments,
            item.formatted.output,
        )
        for item in conversation.get_items()
    ]


def test_text_answer_is_assembled_and_the_response_tracked() -> None:
    conversation = RealtimeConversation()
    fields = delta_fields("resp_1", "item_a")
    part = {"type": "text", "text": ""}
    results = feed(
        conversation,
        [
            *start_answer("resp_1", assistant("item_a")),
            frame("response.content_part.added", part=part, **fields),
            *(
                frame("response.output_text.delta", delta=piece, **fields)
                for piece in ["Hel", "lo, ", "wörld 🌍"]
            ),
        ],
    )
    assert [delta.text for _, delta in results[-3:] if delta is not None] == [
        "Hel",
        "lo, ",
        "wörld 🌍",
    ]
    item = conversation.get_item("item_a")
    assert item is not None
    assert (item.type, item.role, item.response_id) == ("message", "assistant", "resp_1")
    assert item.formatted.text == "Hello, wörld 🌍"

    final = assistant("item_a", "completed", [{"type": "output_text", "text": "Hello, world 🌍"}])
    usage = {"total_tokens": 30, "input_tokens": 10, "output_tokens": 20}
    feed(
        conversation,
        [
            frame("response.output_text.done", text="Hello, world 🌍", **fields),
            frame(
                "response.content_part.done",
                part={"type": "text", "text": "Hello, world 🌍"},
                **fields,
            ),
            frame("response.output_item.done", response_id="resp_1", output_index=0, item=final),
            frame("conversation.item.done", item=final),
            frame(
                "response.done",
                response=response("resp_1", "completed", output=[final], usage=usage),
            ),
        ],
    )
    assert item.formatted.text == "Hello, world 🌍"
    assert item.status == "completed"
    assert conversation.get_items() == [item]
    record = conversation.get_response("resp_1")
    assert record is not None
    assert record.status == "completed"
    assert record.output_item_ids == ["item_a"]
    assert record.usage is not None and record.usage.total_tokens == 30


def test_audio_answer_assembles_samples_and_transcript() -> None:
    conversation = RealtimeConversation()
    audio = sine(1.25)
    pieces = chunks(audio, 2400)
    words = ["Sure", ", ", "here ", "it ", "is."]
    results = feed(conversation, audio_answer("resp_1", "item_a", pieces, words))

    item = conversation.get_item("item_a")
    assert item is not None
    assert np.array_equal(item.formatted.audio, audio)
    assert item.formatted.audio.dtype == np.int16
    assert item.formatted.transcript == "".join(
        itertools.islice(itertools.cycle(words), len(pieces))
    )
    audio_deltas = [
        delta.audio for _, delta in results if delta is not None and delta.audio is not None
    ]
    assert len(audio_deltas) == len(pieces)
    assert all(np.array_equal(got, sent) for got, sent in zip(audio_deltas, pieces, strict=True))

    fields = delta_fields("resp_1", "item_a")
    feed(
        conversation,
        [
            frame("response.output_audio.done", **fields),
            frame(
                "response.output_audio_transcript.done", transcript="Sure, here it is.", **fields
            ),
        ],
    )
    assert item.formatted.transcript == "Sure, here it is."
    assert np.array_equal(item.formatted.audio, audio)


def test_function_call_arguments_are_assembled_and_output_attached() -> None:
    conversation = RealtimeConversation()
    call = {
        "id": "item_call",
        "type": "function_call",
        "status": "in_progress",
        "name": "get_weather",
        "call_id": "call_42",
        "arguments": "",
    }
    arguments = '{"city": "Paris", "unit": "celsius"}'
    fields = {
        "response_id": "resp_1",
        "item_id": "item_call",
        "output_index": 0,
        "call_id": "call_42",
    }
    results = feed(
        conversation,
        [
            *start_answer("resp_1", call),
            *(
                frame(
                    "response.function_call_arguments.delta", delta=arguments[i : i + 7], **fields
                )
                for i in range(0, len(arguments), 7)
            ),
        ],
    )
    assert "".join(d.arguments for _, d in results if d is not None and d.arguments) == arguments
    item = conversation.get_item("item_call")
    assert item is not None and item.formatted.tool is not None
    tool = item.formatted.tool
    assert (tool.type, tool.name, tool.call_id) == ("function_call", "get_weather", "call_42")
    assert json.loads(tool.arguments) == {"city": "Paris", "unit": "celsius"}

    done = {**call, "status": "completed", "arguments": arguments}
    feed(
        conversation,
        [
            frame(
                "response.function_call_arguments.done",
                name="get_weather",
                arguments=arguments,
                **fields,
            ),
            frame("conversation.item.done", item=done),
            frame(
                "conversation.item.added",
                previous_item_id="item_call",
                item={
                    "id": "item_out",
                    "type": "function_call_output",
                    "call_id": "call_42",
                    "output": '{"temp": 21}',
                },
            ),
        ],
    )
    assert tool.arguments == arguments
    assert item.status == "completed"
    output = conversation.get_item("item_out")
    assert output is not None and output.formatted.output == '{"temp": 21}'
    assert [i.id for i in conversation.get_items()] == ["item_call", "item_out"]


def test_mcp_call_and_tool_listing_statuses() -> None:
    conversation = RealtimeConversation()
    call = {
        "id": "item_mcp",
        "type": "mcp_call",
        "server_label": "docs",
        "name": "search",
        "arguments": "",
    }
    fields = {"response_id": "resp_1", "item_id": "item_mcp", "output_index": 0}
    feed(
        conversation,
        [
            *start_answer("resp_1", call),
            frame("response.mcp_call_arguments.delta", delta='{"q": ', **fields),
            frame("response.mcp_call_arguments.delta", delta='"realtime"}', **fields),
            frame("response.mcp_call.in_progress", item_id="item_mcp", output_index=0),
        ],
    )
    item = conversation.get_item("item_mcp")
    assert item is not None and item.formatted.tool is not None
    assert item.formatted.tool.type == "mcp_call"
    assert item.formatted.tool.name == "search"
    assert item.formatted.tool.arguments == '{"q": "realtime"}'
    assert item.status == "in_progress"

    final = {**call, "arguments": '{"q": "realtime"}', "output": "3 results"}
    feed(
        conversation,
        [
            frame("response.mcp_call_arguments.done", arguments='{"q": "realtime"}', **fields),
            frame("response.mcp_call.completed", item_id="item_mcp", output_index=0),
            frame("response.output_item.done", response_id="resp_1", output_index=0, item=final),
        ],
    )
    assert item.status == "completed"
    assert item.formatted.output == "3 results"

    listing = {"id": "item_list", "type": "mcp_list_tools", "server_label": "docs", "tools": []}
    feed(conversation, [frame("conversation.item.added", item=listing)])
    for status in ("in_progress", "failed"):
        feed(conversation, [frame(f"mcp_list_tools.{status}", item_id="item_list")])
        listed = conversation.get_item("item_list")
        assert listed is not None and listed.status == status


def speak(
    conversation: RealtimeConversation, audio: NDArray[np.int16], chunk_size: int = 480
) -> None:
    """Append input audio the way a client streams a microphone: 20 ms at a time."""
    for piece in chunks(audio, chunk_size):
        conversation.append_input_audio(piece)


def vad_turn(item_id: str, start_ms: int, end_ms: int, previous: str | None = None) -> list[str]:
    return [
        frame("input_audio_buffer.speech_started", audio_start_ms=start_ms, item_id=item_id),
        frame("input_audio_buffer.speech_stopped", audio_end_ms=end_ms, item_id=item_id),
        frame("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id),
        frame("conversation.item.added", previous_item_id=previous, item=user_audio(item_id)),
    ]


def test_user_turn_with_server_vad_gets_exactly_its_slice_of_input_audio() -> None:
    conversation = RealtimeConversation()
    rng = np.random.default_rng(7)
    microphone = rng.integers(-32768, 32768, size=3 * SAMPLE_RATE, dtype=np.int16)
    speak(conversation, microphone)

    feed(conversation, vad_turn("item_user", 500, 1730))

    item = conversation.get_item("item_user")
    assert item is not None and item.role == "user"
    expected = microphone[ms_to_samples(500) : ms_to_samples(1730)]
    assert np.array_equal(item.formatted.audio, expected)
    assert (item.audio_start_ms, item.audio_end_ms) == (500, 1730)

    results = feed(
        conversation,
        [
            frame(
                "conversation.item.input_audio_transcription.delta",
                item_id="item_user",
                content_index=0,
                delta="What's the ",
            ),
            frame(
                "conversation.item.input_audio_transcription.completed",
                item_id="item_user",
                content_index=0,
                transcript="What's the weather?",
                usage={"type": "duration", "seconds": 1.2},
            ),
        ],
    )
    assert results[0] == (item, Delta(transcript="What's the "))
    assert item.formatted.transcript == "What's the weather?"


def test_second_vad_turn_is_placed_after_the_first_and_gets_its_own_audio() -> None:
    conversation = RealtimeConversation()
    microphone = sine(4.0, frequency=220.0)
    speak(conversation, microphone[: 2 * SAMPLE_RATE])
    feed(conversation, vad_turn("item_1", 100, 900))
    speak(conversation, microphone[2 * SAMPLE_RATE :])
    feed(conversation, vad_turn("item_2", 2250, 3990, previous="item_1"))

    second = conversation.get_item("item_2")
    assert second is not None
    assert np.array_equal(
        second.formatted.audio, microphone[ms_to_samples(2250) : ms_to_samples(3990)]
    )
    assert [item.id for item in conversation.get_items()] == ["item_1", "item_2"]


@settings(max_examples=40, deadline=None)
@given(
    chunk_sizes=st.lists(st.integers(1, 9000), min_size=1, max_size=40),
    turns=st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 3000)), max_size=4),
)
def test_vad_slices_are_exact_whatever_the_chunking(
    chunk_sizes: list[int], turns: list[tuple[int, int]]
) -> None:
    """A simulated VAD announces each turn's start and end as soon as the chunk holding it is sent.

    Turns are (gap, length) in ms after the previous turn. Retention is just above the largest
    chunk, so the store forgets everything it can between turns.
    """
    conversation = RealtimeConversation(input_audio_retention_seconds=0.4)
    microphone = np.random.default_rng(len(chunk_sizes)).integers(
        -32768, 32768, size=sum(chunk_sizes), dtype=np.int16
    )
    spans: list[tuple[int, int]] = []
    position_ms = 0
    for gap, length in turns:
        spans.append((position_ms + gap, position_ms + gap + length))
        position_ms += gap + length
    # (samples that must have been sent, frame), in the order the VAD sends them
    vad: list[tuple[int, str]] = []
    for index, (start_ms, end_ms) in enumerate(spans):
        started, *rest = vad_turn(f"item_{index}", start_ms, end_ms)
        vad.append((ms_to_samples(start_ms) + 1, started))
        vad.extend((ms_to_samples(end_ms), text) for text in rest)
    sent = 0
    for size in chunk_sizes:
        conversation.append_input_audio(microphone[sent : sent + size])
        sent += size
        while vad and vad[0][0] <= sent:
            feed(conversation, [vad.pop(0)[1]])
    for index, (start_ms, end_ms) in enumerate(spans):
        item = conversation.get_item(f"item_{index}")
        if item is None:  # its end lies beyond the audio sent
            continue
        expected = microphone[ms_to_samples(start_ms) : ms_to_samples(end_ms)]
        assert np.array_equal(item.formatted.audio, expected)


def test_manual_commit_attaches_everything_sent_since_the_previous_commit() -> None:
    conversation = RealtimeConversation()
    first, second = sine(0.8), sine(0.5, frequency=330.0)
    speak(conversation, first)
    feed(
        conversation,
        [
            frame("input_audio_buffer.committed", item_id="item_1"),
            frame("conversation.item.added", item=user_audio("item_1")),
        ],
    )
    speak(conversation, second)
    feed(
        conversation,
        [
            frame("input_audio_buffer.committed", previous_item_id="item_1", item_id="item_2"),
            frame("conversation.item.added", previous_item_id="item_1", item=user_audio("item_2")),
        ],
    )
    one, two = conversation.get_item("item_1"), conversation.get_item("item_2")
    assert one is not None and two is not None
    assert np.array_equal(one.formatted.audio, first)
    assert np.array_equal(two.formatted.audio, second)


def test_committed_input_audio_is_held_once_by_its_item_not_also_by_the_window() -> None:
    conversation = RealtimeConversation()  # 30 s of retention for audio not committed yet
    for turn in range(12):  # a minute of push-to-talk turns
        speech = sine(5.0, frequency=200.0 + 50 * turn)
        speak(conversation, speech, chunk_size=2400)
        assert conversation.retained_input_samples == len(speech)
        feed(
            conversation,
            [
                frame("input_audio_buffer.committed", item_id=f"item_{turn}"),
                frame("conversation.item.added", item=user_audio(f"item_{turn}")),
            ],
        )
        item = conversation.get_item(f"item_{turn}")
        assert item is not None and np.array_equal(item.formatted.audio, speech)
        assert conversation.retained_input_samples == 0
    assert conversation.input_audio_samples == 60 * SAMPLE_RATE


def test_transcript_that_arrives_before_its_item_is_attached_when_it_arrives() -> None:
    conversation = RealtimeConversation()
    early = feed(
        conversation,
        [
            frame(
                "conversation.item.input_audio_transcription.delta",
                item_id="item_late",
                delta="Good ",
            ),
            frame(
                "conversation.item.input_audio_transcription.delta",
                item_id="item_late",
                delta="morning",
            ),
        ],
    )
    assert early == [(None, None), (None, None)]
    assert conversation.get_items() == []

    feed(conversation, [frame("conversation.item.added", item=user_audio("item_late"))])
    item = conversation.get_item("item_late")
    assert item is not None and item.formatted.transcript == "Good morning"

    feed(
        conversation,
        [
            frame(
                "conversation.item.input_audio_transcription.completed",
                item_id="item_early",
                content_index=0,
                transcript="Final words.",
                usage={"type": "duration", "seconds": 0.9},
            ),
            frame("conversation.item.added", item=user_audio("item_early")),
        ],
    )
    other = conversation.get_item("item_early")
    assert other is not None and other.formatted.transcript == "Final words."


def test_truncation_cuts_audio_at_the_sample_and_clears_the_transcript() -> None:
    conversation = RealtimeConversation()
    audio = sine(2.0)
    feed(conversation, audio_answer("resp_1", "item_a", chunks(audio, 2400), ["la "]))

    result = feed(
        conversation,
        [
            frame(
                "conversation.item.truncated", item_id="item_a", content_index=0, audio_end_ms=1333
            )
        ],
    )
    item = conversation.get_item("item_a")
    assert result == [(item, None)]
    assert item is not None
    assert len(item.formatted.audio) == 1333 * SAMPLE_RATE // 1000 == 31992
    assert np.array_equal(item.formatted.audio, audio[:31992])
    assert item.formatted.transcript == ""


def test_deletion_removes_the_item_from_list_and_index() -> None:
    conversation = RealtimeConversation()
    feed(
        conversation,
        [
            frame("conversation.item.added", item=user_audio("item_1", "one")),
            frame(
                "conversation.item.added",
                previous_item_id="item_1",
                item=user_audio("item_2", "two"),
            ),
        ],
    )
    feed(conversation, [frame("conversation.item.deleted", item_id="item_1")])
    assert conversation.get_item("item_1") is None
    assert [item.id for item in conversation.get_items()] == ["item_2"]
    with pytest.raises(ConversationError) as raised:
        feed(conversation, [frame("conversation.item.deleted", item_id="item_1")])
    assert raised.value.reference == "item_1"


UNKNOWN_REFERENCES = [
    ("response.output_text.delta", "item_x", delta_fields("resp_1", "item_x") | {"delta": "hi"}),
    ("response.output_audio.delta", "item_x", delta_fields("resp_1", "item_x") | {"delta": "AAAA"}),
    (
        "response.output_audio_transcript.done",
        "item_x",
        delta_fields("resp_1", "item_x") | {"transcript": "t"},
    ),
    (
        "response.function_call_arguments.delta",
        "item_x",
        {
            "response_id": "resp_1",
            "item_id": "item_x",
            "output_index": 0,
            "call_id": "c",
            "delta": "{",
        },
    ),
    ("response.mcp_call.completed", "item_x", {"item_id": "item_x", "output_index": 0}),
    (
        "conversation.item.truncated",
        "item_x",
        {"item_id": "item_x", "content_index": 0, "audio_end_ms": 5},
    ),
    ("conversation.item.deleted", "item_x", {"item_id": "item_x"}),
    ("input_audio_buffer.speech_stopped", "item_x", {"item_id": "item_x", "audio_end_ms": 10}),
    (
        "response.output_item.added",
        "resp_x",
        {"response_id": "resp_x", "output_index": 0, "item": assistant("item_new")},
    ),
    ("response.done", "resp_x", {"response": response("resp_x", "completed")}),
]


@pytest.mark.parametrize(("event_type", "reference", "fields"), UNKNOWN_REFERENCES)
def test_unknown_reference_raises_and_leaves_the_store_unchanged(
    event_type: str, reference: str, fields: dict[str, Any]
) -> None:
    conversation = RealtimeConversation()
    audio = sine(0.3)
    feed(conversation, audio_answer("resp_1", "item_a", chunks(audio, 2400), ["hi"]))
    before = snapshot(conversation)

    with pytest.raises(ConversationError) as raised:
        feed(conversation, [frame(event_type, **fields)])

    assert (raised.value.event_type, raised.value.reference) == (event_type, reference)
    assert snapshot(conversation) == before
    assert conversation.get_item("item_new") is None


INVALID_CONTENT = [
    ("response.output_audio.delta", delta_fields("resp_1", "item_a") | {"delta": "not base64!"}),
    ("response.output_audio.delta", delta_fields("resp_1", "item_a") | {"delta": "AA=="}),
    ("conversation.item.truncated", {"item_id": "item_a", "content_index": 0, "audio_end_ms": -1}),
    ("input_audio_buffer.speech_started", {"item_id": "item_u", "audio_start_ms": -20}),
    ("conversation.item.added", {"item": {"type": "message", "role": "user", "content": []}}),
    ("response.created", {"response": {"status": "in_progress"}}),
]


@pytest.mark.parametrize(("event_type", "fields"), INVALID_CONTENT)
def test_invalid_content_raises_protocol_error_and_changes_nothing(
    event_type: str, fields: dict[str, Any]
) -> None:
    """Bad base64 (alphabet, odd byte count), negative times, and objects without an id."""
    conversation = RealtimeConversation()
    feed(conversation, audio_answer("resp_1", "item_a", chunks(sine(0.2), 2400), ["hi"]))
    before = snapshot(conversation)
    with pytest.raises(ProtocolError):
        feed(conversation, [frame(event_type, **fields)])
    assert snapshot(conversation) == before


def test_empty_audio_delta_is_accepted() -> None:
    conversation = RealtimeConversation()
    fields = delta_fields("resp_1", "item_a")
    [*_, (item, delta)] = feed(
        conversation,
        [
            *start_answer("resp_1", assistant("item_a")),
            frame("response.output_audio.delta", delta="", **fields),
        ],
    )
    assert item is not None and item.formatted.audio.size == 0
    assert delta is not None and delta.audio is not None and delta.audio.size == 0


def test_keep_audio_false_stores_counts_and_text_but_no_samples() -> None:
    conversation = RealtimeConversation(keep_audio=False)
    audio = sine(0.5)
    results = feed(conversation, audio_answer("resp_1", "item_a", chunks(audio, 2400), ["a", "b"]))
    item = conversation.get_item("item_a")
    assert item is not None
    assert item.formatted.audio.size == 0
    assert len(item.formatted.audio_buffer) == len(audio)
    assert item.formatted.transcript == "ababa"
    sent = [delta.audio for _, delta in results if delta is not None and delta.audio is not None]
    assert np.array_equal(np.concatenate(sent), audio)

    speak(conversation, sine(2.0))
    assert conversation.retained_input_samples == 0
    assert conversation.input_audio_samples == 2 * SAMPLE_RATE
    feed(conversation, vad_turn("item_user", 100, 1500))
    user = conversation.get_item("item_user")
    assert user is not None and user.formatted.audio.size == 0


def test_input_retention_stays_bounded_over_ten_minutes_without_speech() -> None:
    conversation = RealtimeConversation(input_audio_retention_seconds=5.0)
    chunk = sine(0.1)
    most_retained = 0
    for _ in range(10 * 60 * 10):
        conversation.append_input_audio(chunk)
        most_retained = max(most_retained, conversation.retained_input_samples)
    assert conversation.input_audio_samples == 10 * 60 * SAMPLE_RATE
    assert most_retained <= 5 * SAMPLE_RATE + len(chunk)


def test_pending_speech_pins_its_audio_until_the_item_takes_it() -> None:
    conversation = RealtimeConversation(input_audio_retention_seconds=1.0)
    microphone = np.random.default_rng(3).integers(
        -32768, 32768, size=20 * SAMPLE_RATE, dtype=np.int16
    )
    speak(conversation, microphone[: 2 * SAMPLE_RATE])
    feed(
        conversation,
        [frame("input_audio_buffer.speech_started", audio_start_ms=1500, item_id="item_long")],
    )
    speak(conversation, microphone[2 * SAMPLE_RATE :])
    # Far beyond the one-second retention: the pending start keeps 18.5 s alive.
    assert conversation.retained_input_samples == 20 * SAMPLE_RATE - ms_to_samples(1500)

    feed(
        conversation,
        [
            frame("input_audio_buffer.speech_stopped", audio_end_ms=19000, item_id="item_long"),
            frame("input_audio_buffer.committed", item_id="item_long"),
            frame("conversation.item.added", item=user_audio("item_long")),
        ],
    )
    item = conversation.get_item("item_long")
    assert item is not None
    assert np.array_equal(
        item.formatted.audio, microphone[ms_to_samples(1500) : ms_to_samples(19000)]
    )
    assert conversation.retained_input_samples == SAMPLE_RATE


def test_cleared_buffer_drops_uncommitted_speech() -> None:
    conversation = RealtimeConversation(input_audio_retention_seconds=1.0)
    speak(conversation, sine(2.0))
    feed(
        conversation,
        [
            frame("input_audio_buffer.speech_started", audio_start_ms=200, item_id="item_gone"),
            frame("input_audio_buffer.cleared"),
        ],
    )
    # Cleared audio can never become an item: none of it is kept, not even the retention window.
    assert conversation.retained_input_samples == 0
    with pytest.raises(ConversationError):
        feed(
            conversation,
            [frame("input_audio_buffer.speech_stopped", audio_end_ms=900, item_id="item_gone")],
        )


def test_items_follow_previous_item_id_and_move_when_the_server_places_them() -> None:
    conversation = RealtimeConversation()
    feed(
        conversation,
        [
            frame("conversation.item.added", item=user_audio("item_a", "a")),
            frame(
                "conversation.item.added", previous_item_id="item_a", item=user_audio("item_c", "c")
            ),
            frame(
                "conversation.item.created",
                previous_item_id="item_a",
                item=user_audio("item_b", "b"),
            ),
            frame("response.created", response=response("resp_1")),
            frame(
                "response.output_item.added",
                response_id="resp_1",
                output_index=0,
                item=assistant("item_d"),
            ),
        ],
    )
    assert [item.id for item in conversation.get_items()] == [
        "item_a",
        "item_b",
        "item_c",
        "item_d",
    ]
    feed(
        conversation,
        [frame("conversation.item.added", previous_item_id="item_a", item=assistant("item_d"))],
    )
    assert [item.id for item in conversation.get_items()] == [
        "item_a",
        "item_d",
        "item_b",
        "item_c",
    ]


def test_retrieved_item_brings_its_text_and_audio() -> None:
    conversation = RealtimeConversation()
    audio = sine(0.25)
    item = {
        "id": "item_r",
        "type": "message",
        "role": "user",
        "content": [
            {"type": "input_text", "text": "Look: "},
            {"type": "input_audio", "audio": encode_base64(audio), "transcript": "a tone"},
        ],
    }
    [(got, delta)] = feed(conversation, [frame("conversation.item.retrieved", item=item)])
    assert got is not None and delta is None
    assert got.formatted.text == "Look: "
    assert got.formatted.transcript == "a tone"
    assert np.array_equal(got.formatted.audio, audio)


def test_events_that_do_not_touch_the_conversation_are_ignored() -> None:
    conversation = RealtimeConversation()
    results = feed(
        conversation,
        [
            frame("rate_limits.updated", rate_limits=[]),
            frame("error", error={"type": "invalid_request_error", "message": "nope"}),
            frame("output_audio_buffer.started", response_id="resp_1"),
            frame("some.future_event", payload={"x": 1}),
        ],
    )
    assert results == [(None, None)] * 4
    assert conversation.get_items() == []


def test_clear_forgets_items_responses_and_the_input_clock() -> None:
    conversation = RealtimeConversation()
    feed(conversation, audio_answer("resp_1", "item_a", chunks(sine(0.2), 2400), ["x"]))
    speak(conversation, sine(1.0))
    conversation.clear()
    assert conversation.get_items() == []
    assert conversation.get_response("resp_1") is None
    assert conversation.input_audio_samples == 0
    assert conversation.retained_input_samples == 0


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf")])
def test_bad_retention_is_a_configuration_error(seconds: float) -> None:
    with pytest.raises(ConfigurationError):
        RealtimeConversation(input_audio_retention_seconds=seconds)


def test_an_explicit_null_previous_item_puts_the_item_first() -> None:
    conversation = RealtimeConversation()
    for event_id, item_id, previous in (("e1", "a", None), ("e2", "b", "a"), ("e3", "c", None)):
        event = ConversationItemAddedEvent(
            event_id=event_id,
            previous_item_id=previous,
            item=RealtimeConversationItemMessageUser(
                id=item_id, content=[UserMessageContent(type="input_text", text=item_id)]
            ),
        )
        conversation.process_event(event)
    # Without the field at all, an item goes last.
    conversation.process_event(
        ConversationItemAddedEvent(
            event_id="e4",
            item=RealtimeConversationItemMessageUser(
                id="d", content=[UserMessageContent(type="input_text", text="d")]
            ),
        )
    )
    assert [item.id for item in conversation.get_items()] == ["c", "a", "b", "d"]
