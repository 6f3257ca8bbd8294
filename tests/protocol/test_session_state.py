"""The session core, driven by plain lists of frames: no event loop, no socket.

Every test here is a plain (sync) function; ``test_no_event_loop_is_running`` proves the core
needs none.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pytest

from openai_realtime.errors import ConfigurationError, ConversationError
from openai_realtime.protocol.audio import SAMPLE_RATE, encode_base64
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.session_state import (
    Action,
    Interrupted,
    ItemAppended,
    ItemCompleted,
    ItemUpdated,
    RequestRefused,
    ResponseFinished,
    ResponseStarted,
    RunTools,
    SessionState,
    StoreRefused,
    TruncatePoint,
)
from openai_realtime.types import (
    InputAudioBufferCommitEvent,
    RealtimeResponseCreateParams,
    ResponseCreateEvent,
)

_event_ids = itertools.count()


def frame(event_type: str, **fields: Any) -> str:
    return json.dumps({"type": event_type, "event_id": f"event_{next(_event_ids)}", **fields})


def feed(state: SessionState, frames: Iterable[str]) -> list[Action]:
    actions: list[Action] = []
    for text in frames:
        actions.extend(state.receive(decode_server_event(text)))
    return actions


def kinds(actions: Sequence[Action]) -> list[str]:
    return [type(action).__name__ for action in actions]


def assistant(item_id: str, status: str = "in_progress") -> dict[str, Any]:
    return {"id": item_id, "type": "message", "role": "assistant", "status": status, "content": []}


def function_call(item_id: str, name: str, call_id: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "function_call",
        "status": "completed",
        "name": name,
        "call_id": call_id,
        "arguments": "{}",
    }


def response(response_id: str, status: str = "in_progress", output: Any = ()) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "realtime.response",
        "status": status,
        "output": list(output),
    }


def audio_answer(response_id: str, item_id: str, samples: int) -> list[str]:
    where = {"response_id": response_id, "item_id": item_id, "output_index": 0}
    audio = encode_base64(np.full(samples, 100, dtype=np.int16))
    return [
        frame("response.created", response=response(response_id)),
        frame(
            "response.output_item.added",
            response_id=response_id,
            output_index=0,
            item=assistant(item_id),
        ),
        frame("response.output_audio.delta", content_index=0, delta=audio, **where),
    ]


def finish(response_id: str, item_id: str) -> list[str]:
    item = assistant(item_id, "completed")
    return [
        frame("response.output_item.done", response_id=response_id, output_index=0, item=item),
        frame("response.done", response=response(response_id, "completed", [item])),
    ]


def new_state(*tools: str) -> SessionState:
    return SessionState(RealtimeConversation(), runs_tool=lambda name: name in tools)


def test_no_event_loop_is_running() -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    state = new_state()
    feed(state, [*audio_answer("resp_1", "item_a", 2400), *finish("resp_1", "item_a")])
    assert state.conversation.get_item("item_a") is not None


def test_an_answer_appends_updates_and_completes_its_item_once() -> None:
    state = new_state()
    actions = feed(state, audio_answer("resp_1", "item_a", 2400))
    assert kinds(actions) == ["ResponseStarted", "ItemAppended", "ItemUpdated", "ItemUpdated"]
    assert actions[0] == ResponseStarted("resp_1", None)
    delta = actions[-1]
    assert isinstance(delta, ItemUpdated) and delta.delta is not None
    assert delta.delta.audio is not None and len(delta.delta.audio) == 2400
    assert state.streaming_item_ids == {"item_a"} and state.response_in_progress
    item_done = frame(
        "conversation.item.done", previous_item_id=None, item=assistant("item_a", "completed")
    )
    actions = feed(state, [*finish("resp_1", "item_a"), item_done])
    assert kinds(actions) == ["ItemUpdated", "ItemCompleted", "ResponseFinished", "ItemUpdated"]
    assert isinstance(actions[1], ItemCompleted) and actions[1].item.id == "item_a"
    assert not state.streaming_item_ids and not state.response_in_progress


def test_a_sent_response_create_is_in_progress_until_created_and_done() -> None:
    state = new_state()
    state.sent(ResponseCreateEvent(event_id="evt_mine"))
    assert state.response_in_progress and not state.active_response_ids
    actions = feed(state, audio_answer("resp_1", "item_a", 10))
    assert actions[0] == ResponseStarted("resp_1", "evt_mine")
    assert state.active_response_ids == ("resp_1",)
    feed(state, finish("resp_1", "item_a"))
    assert not state.response_in_progress


def test_an_out_of_band_response_does_not_block_another() -> None:
    state = new_state()
    params = RealtimeResponseCreateParams(conversation="none")
    state.sent(ResponseCreateEvent(event_id="evt_side", response=params))
    assert not state.response_in_progress
    feed(state, [frame("response.created", response=response("resp_side"))])
    assert state.active_response_ids == ("resp_side",) and not state.response_in_progress


def test_a_refused_request_is_reported_and_no_longer_in_progress() -> None:
    state = new_state()
    state.sent(ResponseCreateEvent(event_id="evt_2"))
    error = {
        "type": "invalid_request_error",
        "code": "conversation_already_has_active_response",
        "message": "Conversation already has an active response",
        "event_id": "evt_2",
    }
    actions = feed(state, [frame("error", error=error)])
    assert kinds(actions) == ["RequestRefused"]
    refused = actions[0]
    assert isinstance(refused, RequestRefused) and refused.request_id == "evt_2"
    assert not state.response_in_progress
    # An error about something else leaves requests alone.
    state.sent(ResponseCreateEvent(event_id="evt_3"))
    assert feed(state, [frame("error", error={**error, "event_id": "evt_other"})]) == []
    assert state.response_in_progress


def test_completed_calls_of_handled_tools_are_to_run_others_are_not() -> None:
    state = new_state("get_weather")
    calls = [
        function_call("item_1", "get_weather", "call_1"),
        function_call("item_2", "left_to_the_app", "call_2"),
    ]
    created = frame("response.created", response=response("resp_1"))
    done = frame("response.done", response=response("resp_1", "completed", calls))
    actions = feed(state, [created, done])
    run = [action for action in actions if isinstance(action, RunTools)]
    assert len(run) == 1 and run[0].response_id == "resp_1"
    assert [call.call_id for call in run[0].calls] == ["call_1"]
    cancelled = frame("response.done", response=response("resp_2", "cancelled", calls))
    actions = feed(state, [frame("response.created", response=response("resp_2")), cancelled])
    assert not any(isinstance(action, RunTools) for action in actions)
    assert isinstance(actions[-1], ResponseFinished)


def test_speech_during_an_answer_is_an_interruption_of_the_playing_item() -> None:
    state = new_state()
    feed(state, audio_answer("resp_1", "item_a", 4800))
    started = frame("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_user")
    assert feed(state, [started]) == [Interrupted("item_a")]
    feed(state, finish("resp_1", "item_a"))
    # The answer is over, but its audio may still be playing: still an interruption.
    assert feed(state, [started]) == [Interrupted("item_a")]


def test_speech_with_nothing_playing_is_no_interruption() -> None:
    state = new_state()
    started = frame("input_audio_buffer.speech_started", audio_start_ms=0, item_id="item_user")
    assert feed(state, [started]) == []


def test_truncate_point_clamps_what_was_heard_to_what_was_received() -> None:
    state = new_state()
    feed(state, audio_answer("resp_1", "item_a", SAMPLE_RATE))
    assert state.truncate_point("item_a", 12_345) == TruncatePoint("item_a", 0, 514)
    assert state.truncate_point("item_a", 10 * SAMPLE_RATE).audio_end_ms == 1000
    assert state.truncate_point("item_a", -5).audio_end_ms == 0
    with pytest.raises(ConfigurationError, match="no item"):
        state.truncate_point("item_missing", 1)


def test_uncommitted_input_is_counted_until_a_commit_by_either_side() -> None:
    state = new_state()
    state.append_input_audio(np.zeros(480, dtype=np.int16))
    state.append_input_audio(np.zeros(240, dtype=np.int16))
    assert state.uncommitted_input_samples == 720
    state.sent(InputAudioBufferCommitEvent())
    assert state.uncommitted_input_samples == 0
    state.append_input_audio(np.zeros(240, dtype=np.int16))
    feed(state, [frame("input_audio_buffer.cleared")])
    assert state.uncommitted_input_samples == 0


def test_a_close_cuts_off_running_responses_and_forgets_requests() -> None:
    state = new_state()
    feed(state, audio_answer("resp_1", "item_a", 10))
    state.sent(ResponseCreateEvent(event_id="evt_next"))
    assert state.connection_closed() == ("resp_1",)
    record = state.conversation.get_response("resp_1")
    item = state.conversation.get_item("item_a")
    assert record is not None and record.status == "failed"
    assert item is not None and item.status == "incomplete"
    assert not state.response_in_progress and not state.streaming_item_ids


def test_session_events_are_kept_and_created_is_per_connection() -> None:
    state = new_state()
    session = {"type": "realtime", "object": "realtime.session", "id": "sess_1"}
    feed(state, [frame("session.created", session=session)])
    assert state.session_created and state.session is not None
    state.connection_opened()
    assert not state.session_created and state.session is not None


def test_replay_lists_the_conversation_as_item_creates() -> None:
    state = new_state()
    user = {
        "id": "item_u",
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_text", "text": "Hi"}],
    }
    feed(state, [frame("conversation.item.added", previous_item_id=None, item=user)])
    replayed = state.replay()
    assert [event.item.id for event in replayed] == ["item_u"]


def test_a_store_refusal_is_an_action_and_changes_nothing() -> None:
    state = new_state()
    orphan = frame(
        "response.output_audio.delta",
        response_id="resp_x",
        item_id="item_x",
        output_index=0,
        content_index=0,
        delta=encode_base64(np.zeros(10, dtype=np.int16)),
    )
    actions = feed(state, [orphan])
    assert kinds(actions) == ["StoreRefused"]
    assert isinstance(actions[0], StoreRefused)
    assert isinstance(actions[0].error, ConversationError)
    assert state.conversation.get_items() == []


def test_reset_forgets_everything() -> None:
    state = new_state()
    feed(state, audio_answer("resp_1", "item_a", 10))
    state.reset()
    assert state.conversation.get_items() == [] and not state.response_in_progress
    assert isinstance(feed(state, audio_answer("resp_2", "item_a", 10))[1], ItemAppended)
