"""What ``RealtimeConversation.process_event`` returns for each event, and what each one changes.

The reducer's table (in ``protocol/conversation.py``) promises an ``(item, delta)`` pair per event
type; these tests check that pair exactly, event by event, and the effects the other tests leave
out: content parts, the output order of a response, statuses that a later event leaves out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conversation_support import (
    Result,
    assistant,
    delta_fields,
    feed,
    frame,
    response,
    sine,
    start_answer,
    user_audio,
)
from numpy.typing import NDArray

from openai_realtime.errors import ConversationError
from openai_realtime.protocol.audio import encode_base64
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import ConversationItem, Delta

FIELDS = delta_fields("resp_1", "item_a")


def one(conversation: RealtimeConversation, event_type: str, **fields: Any) -> Result:
    return conversation.process_event(decode_server_event(frame(event_type, **fields)))


def assert_delta(
    delta: Delta | None,
    *,
    text: str | None = None,
    transcript: str | None = None,
    audio: NDArray[np.int16] | None = None,
    arguments: str | None = None,
) -> None:
    assert delta is not None
    assert (delta.text, delta.transcript, delta.arguments) == (text, transcript, arguments)
    if audio is None:
        assert delta.audio is None
    else:
        assert delta.audio is not None and np.array_equal(delta.audio, audio)


@pytest.fixture
def answering() -> tuple[RealtimeConversation, ConversationItem]:
    """A conversation with response ``resp_1`` under way and its message ``item_a`` added."""
    conversation = RealtimeConversation()
    results = feed(conversation, start_answer("resp_1", assistant("item_a")))
    item = conversation.get_item("item_a")
    assert item is not None
    assert results == [(None, None), (item, None), (item, None)]
    return conversation, item


def test_output_deltas_return_the_item_and_exactly_what_they_added(
    answering: tuple[RealtimeConversation, ConversationItem],
) -> None:
    conversation, item = answering
    samples = sine(0.1)

    text = one(conversation, "response.output_text.delta", delta="Hi", **FIELDS)
    audio = one(conversation, "response.output_audio.delta", delta=encode_base64(samples), **FIELDS)
    transcript = one(conversation, "response.output_audio_transcript.delta", delta="hey", **FIELDS)

    assert (text[0], audio[0], transcript[0]) == (item, item, item)
    assert_delta(text[1], text="Hi")
    assert_delta(audio[1], audio=samples)
    assert_delta(transcript[1], transcript="hey")


@pytest.mark.parametrize(
    ("event_type", "fields"),
    [
        ("response.output_text.done", {"text": "final text"}),
        ("response.output_audio.done", {}),
        ("response.output_audio_transcript.done", {"transcript": "final words"}),
        ("response.content_part.added", {"part": {"type": "text", "text": ""}}),
        ("response.content_part.done", {"part": {"type": "audio", "transcript": "t"}}),
        ("conversation.item.truncated", {"audio_end_ms": 0}),
    ],
)
def test_done_and_part_events_return_the_item_and_no_delta(
    answering: tuple[RealtimeConversation, ConversationItem],
    event_type: str,
    fields: dict[str, Any],
) -> None:
    conversation, item = answering
    ids = {"item_id": "item_a", "content_index": 0}
    if event_type.startswith("response."):
        ids |= {"response_id": "resp_1", "output_index": 0}
    assert one(conversation, event_type, **ids, **fields) == (item, None)


def test_done_events_replace_what_the_deltas_assembled(
    answering: tuple[RealtimeConversation, ConversationItem],
) -> None:
    conversation, item = answering
    for delta in ("Hel", "lo"):
        one(conversation, "response.output_text.delta", delta=delta, **FIELDS)
        one(conversation, "response.output_audio_transcript.delta", delta=delta, **FIELDS)
    assert (item.formatted.text, item.formatted.transcript) == ("Hello", "Hello")

    one(conversation, "response.output_text.done", text="Hello!", **FIELDS)
    one(conversation, "response.output_audio_transcript.done", transcript="Hello.", **FIELDS)

    assert (item.formatted.text, item.formatted.transcript) == ("Hello!", "Hello.")


def test_content_parts_set_text_or_transcript_and_empty_parts_erase_nothing(
    answering: tuple[RealtimeConversation, ConversationItem],
) -> None:
    conversation, item = answering

    def part(event_type: str, **content: Any) -> None:
        one(conversation, f"response.content_part.{event_type}", part=content, **FIELDS)

    part("added", type="text", text="from the part")
    assert (item.formatted.text, item.formatted.transcript) == ("from the part", "")
    part("added", type="audio", transcript="spoken")
    assert (item.formatted.text, item.formatted.transcript) == ("from the part", "spoken")

    # An audio part's text and a text part's transcript are not theirs to set.
    part("done", type="audio", text="not text", transcript="")
    part("done", type="text", text="", transcript="not a transcript")
    assert (item.formatted.text, item.formatted.transcript) == ("from the part", "spoken")

    part("done", type="text", text="final")
    part("done", type="audio", transcript="final words")
    assert (item.formatted.text, item.formatted.transcript) == ("final", "final words")


def test_output_item_ids_follow_output_order_without_duplicates() -> None:
    conversation = RealtimeConversation()
    first, second = assistant("item_a"), assistant("item_b")
    feed(
        conversation,
        [
            frame("response.created", response=response("resp_1")),
            frame("response.output_item.added", response_id="resp_1", output_index=0, item=first),
            frame("response.output_item.added", response_id="resp_1", output_index=1, item=second),
            frame("response.output_item.done", response_id="resp_1", output_index=0, item=first),
        ],
    )
    record = conversation.get_response("resp_1")
    assert record is not None
    assert record.output_item_ids == ["item_a", "item_b"]
    for item_id in ("item_a", "item_b"):
        item = conversation.get_item(item_id)
        assert item is not None and item.response_id == "resp_1"

    # response.done's output is the final order, and replaces the one assembled on the way.
    done = response("resp_1", "completed", output=[second, first])
    assert one(conversation, "response.done", response=done) == (None, None)
    assert record.output_item_ids == ["item_b", "item_a"]
    assert record.status == "completed"
    assert record.response.status == "completed"


def test_an_item_response_done_repeats_unchanged_is_held_once() -> None:
    """The record's output shares the item's server item where both say the same."""
    conversation = RealtimeConversation()
    done_a = assistant("item_a", "completed", [{"type": "output_text", "text": "Hi"}])
    done_b = assistant("item_b", "completed", [{"type": "output_text", "text": "Bye"}])
    feed(
        conversation,
        [
            *start_answer("resp_1", assistant("item_a")),
            frame("response.output_item.added", response_id="resp_1", output_index=1, item=done_b),
            frame("conversation.item.done", item=done_a),
        ],
    )
    changed_b = done_b | {"content": [{"type": "output_text", "text": "Bye!"}]}
    done = response("resp_1", "completed", output=[done_a, changed_b])
    one(conversation, "response.done", response=done)

    record = conversation.get_response("resp_1")
    item_a, item_b = conversation.get_item("item_a"), conversation.get_item("item_b")
    assert record is not None and item_a is not None and item_b is not None
    output = record.response.output
    assert output is not None
    assert output[0] is item_a.item
    assert item_a.item.model_dump(exclude_unset=True) == done_a
    assert output[0].content[0].text is item_a.formatted.text  # one copy of the text, too
    assert record.output_item_ids == ["item_a", "item_b"]
    # What response.done says differently is not taken as news about the item.
    assert item_b.item is not output[1]
    assert item_b.item.content[0].text == "Bye"


def test_response_created_takes_the_ids_of_output_it_already_has() -> None:
    conversation = RealtimeConversation()
    created = response("resp_1", output=[assistant("item_a"), assistant("item_b")])
    assert one(conversation, "response.created", response=created) == (None, None)
    record = conversation.get_response("resp_1")
    assert record is not None
    assert (record.id, record.status, record.usage) == ("resp_1", "in_progress", None)
    assert record.output_item_ids == ["item_a", "item_b"]


def test_response_done_keeps_what_it_does_not_repeat() -> None:
    conversation = RealtimeConversation()
    usage = {"total_tokens": 7, "input_tokens": 3, "output_tokens": 4}
    feed(
        conversation,
        [
            frame("response.created", response=response("resp_1", usage=usage)),
            frame(
                "response.output_item.added",
                response_id="resp_1",
                output_index=0,
                item=assistant("item_a"),
            ),
        ],
    )
    record = conversation.get_response("resp_1")
    assert record is not None

    feed(conversation, [frame("response.done", response={"id": "resp_1"})])

    assert record.status == "in_progress"
    assert record.usage is not None and record.usage.total_tokens == 7
    assert record.output_item_ids == ["item_a"]


def test_arguments_events_return_the_call_and_its_delta() -> None:
    conversation = RealtimeConversation()
    call = {"id": "item_c", "type": "function_call", "name": "f", "call_id": "c1", "arguments": ""}
    feed(conversation, start_answer("resp_1", call))
    item = conversation.get_item("item_c")
    fields = {"response_id": "resp_1", "item_id": "item_c", "output_index": 0, "call_id": "c1"}

    result = one(conversation, "response.function_call_arguments.delta", delta="{}", **fields)
    assert result[0] is item
    assert_delta(result[1], arguments="{}")
    done = one(
        conversation, "response.function_call_arguments.done", arguments="{}", name="", **fields
    )
    assert done == (item, None)
    assert item is not None and item.formatted.tool is not None
    assert (item.formatted.tool.name, item.formatted.tool.arguments) == ("f", "{}")


def test_arguments_for_an_item_that_did_not_say_it_was_a_call_make_the_call() -> None:
    conversation = RealtimeConversation()
    feed(conversation, start_answer("resp_1", assistant("item_f")))
    feed(conversation, [frame("conversation.item.added", item=assistant("item_m"))])
    function_fields = {"response_id": "resp_1", "item_id": "item_f", "output_index": 0}
    feed(
        conversation,
        [
            frame(
                "response.function_call_arguments.delta", delta="{", call_id="c9", **function_fields
            ),
            frame(
                "response.function_call_arguments.done",
                arguments="{}",
                name="lookup",
                call_id="c9",
                **function_fields,
            ),
            frame(
                "response.mcp_call_arguments.delta",
                delta="[",
                item_id="item_m",
                **{
                    "response_id": "resp_1",
                    "output_index": 1,
                },
            ),
        ],
    )
    function = conversation.get_item("item_f")
    mcp = conversation.get_item("item_m")
    assert function is not None and function.formatted.tool is not None
    assert mcp is not None and mcp.formatted.tool is not None
    tool = function.formatted.tool
    assert (tool.type, tool.name, tool.call_id, tool.arguments) == (
        "function_call",
        "lookup",
        "c9",
        "{}",
    )
    assert (mcp.formatted.tool.type, mcp.formatted.tool.arguments) == ("mcp_call", "[")
    assert mcp.formatted.tool.call_id == ""


def test_input_audio_events_return_the_user_item_once_it_exists() -> None:
    conversation = RealtimeConversation()
    audio = sine(1.0)
    conversation.append_input_audio(audio)

    started = one(
        conversation, "input_audio_buffer.speech_started", audio_start_ms=100, item_id="item_u"
    )
    stopped = one(
        conversation, "input_audio_buffer.speech_stopped", audio_end_ms=600, item_id="item_u"
    )
    committed = one(conversation, "input_audio_buffer.committed", item_id="item_u")
    assert (started, stopped, committed) == ((None, None), (None, None), (None, None))

    added = one(conversation, "conversation.item.added", item=user_audio("item_u"))
    item = conversation.get_item("item_u")
    assert added == (item, None)
    assert item is not None
    assert (item.audio_start_ms, item.audio_end_ms) == (100, 600)
    assert np.array_equal(item.formatted.audio, audio[2400:14400])
    # A commit for an item that already has its speech returns it and changes nothing.
    assert one(conversation, "input_audio_buffer.committed", item_id="item_u") == (item, None)
    assert one(conversation, "input_audio_buffer.cleared") == (None, None)

    fields = {"item_id": "item_u", "content_index": 0}
    delta = one(
        conversation, "conversation.item.input_audio_transcription.delta", delta="hi", **fields
    )
    assert delta[0] is item
    assert_delta(delta[1], transcript="hi")
    segment = one(
        conversation,
        "conversation.item.input_audio_transcription.segment",
        text=" there",
        id="seg_1",
        speaker="A",
        start=0.0,
        end=0.5,
        **fields,
    )
    assert segment[0] is item
    assert_delta(segment[1], transcript=" there")
    assert item.formatted.transcript == "hi there"
    completed = one(
        conversation,
        "conversation.item.input_audio_transcription.completed",
        transcript="Hi there.",
        usage={"type": "duration", "seconds": 1.0},
        **fields,
    )
    assert completed == (item, None)
    assert item.formatted.transcript == "Hi there."
    failed = one(
        conversation,
        "conversation.item.input_audio_transcription.failed",
        error={"type": "server_error", "message": "no"},
        **fields,
    )
    assert failed == (item, None)
    assert item.formatted.transcript == "Hi there."


def test_transcription_for_an_item_not_yet_seen_returns_nothing_and_waits() -> None:
    conversation = RealtimeConversation()
    fields = {"item_id": "item_u", "content_index": 0}
    assert one(
        conversation, "conversation.item.input_audio_transcription.delta", delta="a", **fields
    ) == (None, None)
    assert one(
        conversation, "conversation.item.input_audio_transcription.failed", error={}, **fields
    ) == (None, None)
    feed(conversation, [frame("conversation.item.added", item=user_audio("item_u"))])
    item = conversation.get_item("item_u")
    assert item is not None and item.formatted.transcript == "a"


def test_timeout_triggered_closes_a_segment_for_the_idle_item() -> None:
    conversation = RealtimeConversation()
    audio = sine(1.0)
    conversation.append_input_audio(audio)
    feed(conversation, [frame("conversation.item.added", item=user_audio("item_t"))])
    item = conversation.get_item("item_t")

    result = one(
        conversation,
        "input_audio_buffer.timeout_triggered",
        audio_start_ms=200,
        audio_end_ms=500,
        item_id="item_t",
    )

    assert result == (item, None)
    assert item is not None
    assert (item.audio_start_ms, item.audio_end_ms) == (200, 500)
    assert np.array_equal(item.formatted.audio, audio[4800:12000])


def test_deleted_item_is_returned_and_forgotten() -> None:
    conversation = RealtimeConversation()
    feed(conversation, [frame("conversation.item.added", item=user_audio("item_1"))])
    item = conversation.get_item("item_1")
    assert one(conversation, "conversation.item.deleted", item_id="item_1") == (item, None)
    assert conversation.get_items() == []


def test_statuses_come_from_the_item_and_survive_an_item_without_one(
    answering: tuple[RealtimeConversation, ConversationItem],
) -> None:
    conversation, item = answering
    assert item.status == "in_progress"
    completed = assistant("item_a", "completed", [{"type": "output_text", "text": "ok"}])
    feed(conversation, [frame("conversation.item.done", item=completed)])
    assert (item.status, item.formatted.text) == ("completed", "ok")
    no_status = {k: v for k, v in assistant("item_a").items() if k != "status"}
    feed(conversation, [frame("conversation.item.retrieved", item=no_status)])
    assert (item.status, item.formatted.text) == ("completed", "ok")
    assert item.item.status is None


def test_a_done_item_completes_what_the_deltas_began() -> None:
    conversation = RealtimeConversation()
    call = {"id": "item_c", "type": "function_call", "call_id": "c1", "arguments": ""}
    feed(conversation, start_answer("resp_1", {**call, "name": "", "call_id": None}))
    fields = {"response_id": "resp_1", "item_id": "item_c", "output_index": 0, "call_id": "c1"}
    one(conversation, "response.function_call_arguments.delta", delta='{"a"', **fields)
    item = conversation.get_item("item_c")
    assert item is not None and item.formatted.tool is not None
    assert (item.formatted.tool.name, item.formatted.tool.arguments) == ("", '{"a"')
    assert item.formatted.tool.call_id == ""

    done = {**call, "name": "lookup", "arguments": '{"a": 1}', "status": "completed"}
    feed(conversation, [frame("conversation.item.done", item=done)])

    tool = item.formatted.tool
    assert (tool.name, tool.call_id, tool.arguments) == ("lookup", "c1", '{"a": 1}')
    assert item.formatted.output is None, "a call's output is a separate item"


def test_a_message_has_no_output(answering: tuple[RealtimeConversation, ConversationItem]) -> None:
    conversation, item = answering
    text = [{"type": "output_text", "text": "hi"}]
    feed(
        conversation, [frame("conversation.item.done", item=assistant("item_a", "completed", text))]
    )
    assert (item.formatted.text, item.formatted.output, item.formatted.tool) == ("hi", None, None)


def test_a_new_connection_counts_input_audio_from_zero_again() -> None:
    conversation = RealtimeConversation()
    conversation.append_input_audio(sine(0.5))
    feed(
        conversation,
        [
            frame("input_audio_buffer.committed", item_id="item_1"),
            frame("conversation.item.added", item=user_audio("item_1")),
        ],
    )
    conversation.restart_input_audio()
    assert conversation.input_audio_samples == 0
    second = sine(0.25, frequency=880.0)
    conversation.append_input_audio(second)
    feed(
        conversation,
        [
            frame("input_audio_buffer.committed", item_id="item_2"),
            frame("conversation.item.added", item=user_audio("item_2")),
        ],
    )
    item = conversation.get_item("item_2")
    assert item is not None
    assert np.array_equal(item.formatted.audio, second)
    assert (item.audio_start_ms, item.audio_end_ms) == (0, 250)


def test_clearing_the_buffer_keeps_speech_that_was_already_committed() -> None:
    conversation = RealtimeConversation()
    audio = sine(1.0)
    conversation.append_input_audio(audio)
    feed(
        conversation,
        [
            frame("input_audio_buffer.speech_started", audio_start_ms=100, item_id="item_u"),
            frame("input_audio_buffer.speech_stopped", audio_end_ms=400, item_id="item_u"),
            frame("input_audio_buffer.committed", item_id="item_u"),
            frame("input_audio_buffer.speech_started", audio_start_ms=600, item_id="item_v"),
            frame("input_audio_buffer.cleared"),
            frame("conversation.item.added", item=user_audio("item_u")),
            frame("conversation.item.added", item=user_audio("item_v")),
        ],
    )
    kept, dropped = conversation.get_item("item_u"), conversation.get_item("item_v")
    assert kept is not None and dropped is not None
    assert np.array_equal(kept.formatted.audio, audio[2400:9600])
    assert dropped.formatted.audio.size == 0 and dropped.audio_start_ms is None


def test_defaults_keep_thirty_seconds_of_input_and_allow_zero() -> None:
    conversation = RealtimeConversation()
    conversation.append_input_audio(sine(40.0))
    assert conversation.retained_input_samples == 30 * 24000
    nothing_kept = RealtimeConversation(input_audio_retention_seconds=0)
    nothing_kept.append_input_audio(sine(1.0))
    assert nothing_kept.retained_input_samples == 0


def test_speech_start_and_clear_trim_the_retained_input_at_once() -> None:
    conversation = RealtimeConversation()
    conversation.append_input_audio(sine(40.0))
    one(conversation, "input_audio_buffer.speech_started", audio_start_ms=35_000, item_id="u")
    assert conversation.retained_input_samples == 5 * 24000
    pinned = RealtimeConversation()
    one(pinned, "input_audio_buffer.speech_started", audio_start_ms=0, item_id="u")
    pinned.append_input_audio(sine(40.0))
    assert pinned.retained_input_samples == 40 * 24000
    one(pinned, "input_audio_buffer.cleared")
    assert pinned.retained_input_samples == 0  # cleared audio can never become an item
    pinned.append_input_audio(sine(40.0))
    assert pinned.retained_input_samples == 30 * 24000  # the retention applies to what follows


def test_a_manual_commit_after_a_clear_takes_only_the_audio_sent_since() -> None:
    conversation = RealtimeConversation()
    conversation.append_input_audio(sine(1.0))
    one(conversation, "input_audio_buffer.cleared")
    after = sine(0.5, frequency=660.0)
    conversation.append_input_audio(after)
    feed(
        conversation,
        [
            frame("input_audio_buffer.committed", item_id="item_m"),
            frame("conversation.item.added", item=user_audio("item_m")),
        ],
    )
    item = conversation.get_item("item_m")
    assert item is not None and np.array_equal(item.formatted.audio, after)


def test_an_item_added_before_its_speech_stops_gets_the_audio_when_it_does() -> None:
    conversation = RealtimeConversation()
    audio = sine(1.0)
    conversation.append_input_audio(audio)
    one(conversation, "input_audio_buffer.speech_started", audio_start_ms=100, item_id="item_e")
    assert one(conversation, "conversation.item.added", item=user_audio("item_e"))[0] is not None
    item = conversation.get_item("item_e")
    assert item is not None and item.formatted.audio.size == 0
    result = one(
        conversation, "input_audio_buffer.speech_stopped", audio_end_ms=300, item_id="item_e"
    )
    assert result == (item, None)
    assert np.array_equal(item.formatted.audio, audio[2400:7200])


def test_restart_and_clear_forget_what_belongs_to_the_old_session() -> None:
    conversation = RealtimeConversation()
    one(conversation, "input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_s")
    conversation.restart_input_audio()
    with pytest.raises(ConversationError):
        one(conversation, "input_audio_buffer.speech_stopped", audio_end_ms=10, item_id="item_s")

    feed(conversation, [frame("conversation.item.added", item=user_audio("item_1"))])
    fields = {"item_id": "item_q", "content_index": 0}
    one(conversation, "conversation.item.input_audio_transcription.delta", delta="old", **fields)
    conversation.clear()
    assert conversation.get_item("item_1") is None
    assert conversation.get_items() == []
    feed(conversation, [frame("conversation.item.added", item=user_audio("item_q"))])
    queued = conversation.get_item("item_q")
    assert queued is not None and queued.formatted.transcript == ""


def test_an_item_already_known_moves_first_on_an_explicit_null() -> None:
    conversation = RealtimeConversation()
    feed(
        conversation,
        [
            frame("conversation.item.added", item=user_audio("item_a")),
            frame("conversation.item.added", previous_item_id="item_a", item=user_audio("item_b")),
            frame("conversation.item.retrieved", previous_item_id=None, item=user_audio("item_b")),
        ],
    )
    assert [item.id for item in conversation.get_items()] == ["item_b", "item_a"]


def test_call_items_have_no_role_text_or_status_until_given() -> None:
    conversation = RealtimeConversation()
    output = {"id": "item_o", "type": "function_call_output", "call_id": "c", "output": "{}"}
    feed(conversation, [frame("conversation.item.added", item=output)])
    item = conversation.get_item("item_o")
    assert item is not None
    assert (item.role, item.status, item.formatted.text, item.formatted.transcript) == (
        None,
        None,
        "",
        "",
    )


def test_a_later_item_without_output_keeps_the_mcp_result() -> None:
    conversation = RealtimeConversation()
    call = {"id": "item_m", "type": "mcp_call", "server_label": "d", "name": "s", "arguments": ""}
    feed(conversation, start_answer("resp_1", {**call, "output": "3 results"}))
    item = conversation.get_item("item_m")
    assert item is not None and item.formatted.output == "3 results"
    feed(conversation, [frame("conversation.item.retrieved", item=call)])
    assert item.formatted.output == "3 results"
    status = one(conversation, "response.mcp_call.failed", item_id="item_m", output_index=0)
    assert status == (item, None)
    assert item.status == "failed"


def test_an_audio_part_carrying_text_adds_no_text() -> None:
    conversation = RealtimeConversation()
    user = {
        "id": "item_x",
        "type": "message",
        "role": "user",
        "content": [{"type": "input_audio", "transcript": "spoken", "text": "stray"}],
    }
    feed(conversation, [frame("conversation.item.added", item=user)])
    item = conversation.get_item("item_x")
    assert item is not None and (item.formatted.text, item.formatted.transcript) == ("", "spoken")
