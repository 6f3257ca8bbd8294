"""The session core's side of long sessions, with no I/O: tool runs, usefulness, expiry."""

from __future__ import annotations

import json
from typing import Any

from memory_server import frame, response

from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.session_state import RunTools, SessionState, is_session_expiry


def call(call_id: str) -> dict[str, Any]:
    return {
        "id": f"item_{call_id}",
        "type": "function_call",
        "status": "completed",
        "name": "lookup",
        "call_id": call_id,
        "arguments": "{}",
    }


def done(response_id: str, *call_ids: str, status: str = "completed") -> str:
    output = [call(call_id) for call_id in call_ids]
    return frame("response.done", response=response(response_id, status, output))


def state_with_tools() -> SessionState:
    return SessionState(RealtimeConversation(), runs_tool=lambda name: name == "lookup")


def runs(state: SessionState, text: str) -> list[RunTools]:
    return [a for a in state.receive(decode_server_event(text)) if isinstance(a, RunTools)]


def test_a_call_id_is_handed_out_once_however_often_its_response_done_arrives() -> None:
    state = state_with_tools()
    first = runs(state, done("resp_1", "call_1", "call_2"))
    assert [[c.call_id for c in run.calls] for run in first] == [["call_1", "call_2"]]
    assert runs(state, done("resp_1", "call_1", "call_2")) == []
    # A later response repeating one call id runs only the new call.
    again = runs(state, done("resp_2", "call_2", "call_3"))
    assert [[c.call_id for c in run.calls] for run in again] == [["call_3"]]


def test_a_run_not_finished_is_interrupted_with_only_its_unanswered_calls() -> None:
    state = state_with_tools()
    runs(state, done("resp_1", "call_1", "call_2"))
    runs(state, done("resp_2", "call_3"))
    state.tool_run_finished("resp_2")
    output = {"id": "item_out", "type": "function_call_output", "call_id": "call_1", "output": "1"}
    state.receive(decode_server_event(frame("conversation.item.added", item=output)))
    state.connection_closed()
    interrupted = state.interrupted_tool_runs()
    assert [(r.response_id, [c.call_id for c in r.calls]) for r in interrupted] == [
        ("resp_1", ["call_2"])
    ]
    state.tool_run_finished("resp_1")
    assert state.interrupted_tool_runs() == []


def test_a_fresh_connect_forgets_pending_runs_and_reset_forgets_call_ids() -> None:
    state = state_with_tools()
    runs(state, done("resp_1", "call_1"))
    state.forget_tool_runs()
    assert state.interrupted_tool_runs() == []
    state.reset()
    assert [len(run.calls) for run in runs(state, done("resp_1", "call_1"))] == [1]


def test_a_completed_response_marks_the_connection_useful_until_the_next_one() -> None:
    state = state_with_tools()
    state.receive(decode_server_event(done("resp_0", status="failed")))
    assert not state.response_completed
    state.receive(decode_server_event(done("resp_1")))
    assert state.response_completed
    state.connection_opened()
    assert not state.response_completed


def test_session_expiry_is_read_from_the_error_and_from_the_close() -> None:
    state = state_with_tools()
    error = {"type": "invalid_request_error", "code": "session_expired", "message": "expired"}
    state.receive(
        decode_server_event(json.dumps({"type": "error", "event_id": "e", "error": error}))
    )
    assert state.session_expired
    state.connection_opened()
    assert not state.session_expired
    reason = "Your session hit the maximum duration of 60 minutes."
    assert is_session_expiry(1001, reason)
    assert not is_session_expiry(1001, "going away")
    assert not is_session_expiry(1011, reason)
