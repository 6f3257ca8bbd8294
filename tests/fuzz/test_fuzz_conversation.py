"""The conversation store against generated event sequences.

Ids come from small pools, so events refer to items and responses that exist (or just were
deleted), and audio is mostly valid base64 PCM16; input audio is appended in between. The store
may refuse an event only with ConversationError or ProtocolError, and then must be unchanged;
after every step it must be consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from fuzz_budget import budget
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel
from wire_strategies import Overrides, audio_base64, valid_server_frames

from openai_realtime.errors import ConversationError, ProtocolError
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import ConversationItem, Delta
from openai_realtime.types import (
    AssistantMessageContent,
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemFunctionCallOutput,
    RealtimeConversationItemMessageAssistant,
    RealtimeConversationItemMessageSystem,
    RealtimeConversationItemMessageUser,
    RealtimeMCPApprovalRequest,
    RealtimeMCPApprovalResponse,
    RealtimeMCPListTools,
    RealtimeMCPToolCall,
    RealtimeResponse,
    ResponseOutputAudioDeltaEvent,
    UserMessageContent,
)

ITEM_IDS = st.sampled_from(["item_a", "item_b", "item_c", "item_d"])
RESPONSE_IDS = st.sampled_from(["resp_1", "resp_2"])
ITEM_MODELS: tuple[type[BaseModel], ...] = (
    RealtimeConversationItemMessageSystem,
    RealtimeConversationItemMessageUser,
    RealtimeConversationItemMessageAssistant,
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemFunctionCallOutput,
    RealtimeMCPApprovalRequest,
    RealtimeMCPApprovalResponse,
    RealtimeMCPListTools,
    RealtimeMCPToolCall,
)
AUDIO = audio_base64(max_samples=480) | st.text(max_size=6)
OVERRIDES: Overrides = {
    "item_id": ITEM_IDS,
    "previous_item_id": st.none() | ITEM_IDS,
    "response_id": RESPONSE_IDS,
    "call_id": st.sampled_from(["call_1", "call_2"]),
    "content_index": st.integers(0, 2),
    "audio_start_ms": st.integers(-5, 3000),
    "audio_end_ms": st.integers(-5, 3000),
    (RealtimeResponse, "id"): RESPONSE_IDS,
    (ResponseOutputAudioDeltaEvent, "delta"): AUDIO,
    (UserMessageContent, "audio"): st.none() | AUDIO,
    (AssistantMessageContent, "audio"): st.none() | AUDIO,
    **{(model, "id"): ITEM_IDS for model in ITEM_MODELS},
}

Action: TypeAlias = tuple[str, Any]
ACTIONS: st.SearchStrategy[Action] = st.one_of(
    valid_server_frames(OVERRIDES).map(lambda frame: ("event", frame)),
    st.integers(0, 12_000).map(lambda samples: ("append", samples)),
)


@dataclass(frozen=True)
class ItemView:
    """Everything observable about one item, for before/after comparisons."""

    id: str
    type: str
    role: str | None
    status: str | None
    text: str
    transcript: str
    audio_samples: int
    tool: tuple[str, str, str, str] | None
    output: str | None
    response_id: str | None
    audio_ms: tuple[int | None, int | None]


def view(item: ConversationItem) -> ItemView:
    formatted = item.formatted
    tool = formatted.tool
    return ItemView(
        item.id,
        item.type,
        item.role,
        item.status,
        formatted.text,
        formatted.transcript,
        len(formatted.audio_buffer),
        (tool.type, tool.name, tool.call_id, tool.arguments) if tool else None,
        formatted.output,
        item.response_id,
        (item.audio_start_ms, item.audio_end_ms),
    )


def snapshot(store: RealtimeConversation) -> tuple[object, ...]:
    responses = []
    for response_id in ("resp_1", "resp_2"):
        record = store.get_response(response_id)
        responses.append(None if record is None else (record.status, tuple(record.output_item_ids)))
    return (
        tuple(view(item) for item in store.get_items()),
        tuple(responses),
        store.input_audio_samples,
        store.retained_input_samples,
    )


def check_consistent(store: RealtimeConversation, keep_audio: bool) -> None:
    items = store.get_items()
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)), f"duplicate items: {ids}"
    for item in items:
        assert store.get_item(item.id) is item
        audio = item.formatted.audio
        assert audio.dtype == np.int16 and audio.ndim == 1
        assert len(audio) == (len(item.formatted.audio_buffer) if keep_audio else 0)
        if item.response_id is not None:
            assert store.get_response(item.response_id) is not None
    assert 0 <= store.retained_input_samples <= store.input_audio_samples


def check_delta(before: ItemView | None, item: ConversationItem, delta: Delta) -> None:
    """What the returned delta says was added is exactly what the item grew by."""
    if delta.audio is not None:
        grown = len(item.formatted.audio_buffer) - (before.audio_samples if before else 0)
        assert grown == len(delta.audio)
    if delta.text is not None and before is not None:
        assert item.formatted.text == before.text + delta.text
    if delta.transcript is not None and before is not None:
        assert item.formatted.transcript == before.transcript + delta.transcript


def apply(store: RealtimeConversation, action: Action, keep_audio: bool) -> None:
    kind, value = action
    if kind == "append":
        store.append_input_audio(np.zeros(value, dtype=np.int16))
        return
    event = decode_server_event(value)
    before = snapshot(store)
    item_id = getattr(event, "item_id", None)
    known = store.get_item(item_id) if isinstance(item_id, str) else None
    previous = view(known) if known is not None else None
    try:
        item, delta = store.process_event(event)
    except (ConversationError, ProtocolError):
        assert snapshot(store) == before, f"{event.type} failed but changed the store"
        return
    if event.type == "conversation.item.deleted":
        assert store.get_item(item_id or "") is None
    if item is not None:
        assert store.get_item(item.id) is item or event.type == "conversation.item.deleted"
        if delta is not None:
            check_delta(previous, item, delta)


@budget(quick=400, fuzz=20_000)
@given(st.lists(ACTIONS, max_size=40), st.booleans())
def test_any_event_sequence_keeps_the_store_consistent(
    actions: list[Action], keep_audio: bool
) -> None:
    store = RealtimeConversation(keep_audio=keep_audio, input_audio_retention_seconds=0.1)
    for action in actions:
        apply(store, action, keep_audio)
        check_consistent(store, keep_audio)
