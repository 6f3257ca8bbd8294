"""The conversation store's item lifecycle: items carried by events, placed, truncated, deleted.

Every event that carries a whole server item (``conversation.item.*``, and through
:func:`upsert` also ``response.output_item.*``) inserts it after its ``previous_item_id`` or
brings the held item up to date; what its content parts say (text, transcript, audio, tool
call, output) is folded into the item's formatted view without erasing what deltas assembled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypeAlias

import numpy as np
from numpy.typing import NDArray

from openai_realtime._models import RealtimeModel
from openai_realtime.protocol._conversation_store import (
    ConversationStore,
    Result,
    decode_audio,
    is_text,
    protocol_error,
    sample_at,
)
from openai_realtime.protocol.items import ConversationItem, FormattedItem, FormattedTool
from openai_realtime.types import (
    ConversationItemAddedEvent,
    ConversationItemCreatedEvent,
    ConversationItemDeletedEvent,
    ConversationItemDoneEvent,
    ConversationItemRetrievedEvent,
    ConversationItemTruncatedEvent,
    RealtimeConversationItem,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
)

__all__ = ["CarriesItem", "on_item", "on_item_deleted", "on_item_truncated", "upsert"]

# Stands for "no item precedes this one" (the wire's explicit null, the client's "root").
_FIRST: Final = "root"

# An item in one of these states gets no more audio: its buffer is trimmed to its length.
_FINAL_STATUSES: Final = frozenset({"completed", "incomplete", "failed"})

CarriesItem: TypeAlias = (
    ConversationItemAddedEvent
    | ConversationItemCreatedEvent
    | ConversationItemDoneEvent
    | ConversationItemRetrievedEvent
    | ResponseOutputItemAddedEvent
    | ResponseOutputItemDoneEvent
)
"""The events that carry a whole server item."""


@dataclass(frozen=True, slots=True)
class _ItemContent:
    """What a server item says about its formatted content; ``None`` where it says nothing."""

    text: str | None = None
    transcript: str | None = None
    audio: NDArray[np.int16] | None = None
    tool: FormattedTool | None = None
    output: str | None = None


def _joined(parts: list[str]) -> str | None:
    return "".join(parts) if parts else None


def _read_content(event: CarriesItem) -> _ItemContent:
    """Collect what the carried item says about text, transcript, audio, tool and output.

    Raises:
        ProtocolError: A content part carries audio that is not valid base64 PCM16.
    """
    item = event.item
    if item.type == "message":
        texts: list[str] = []
        transcripts: list[str] = []
        audio_parts: list[NDArray[np.int16]] = []
        for part in item.content:
            if not isinstance(part, RealtimeModel):
                continue  # a part of a kind the schema does not know, kept raw by the codec
            if part.type in ("input_text", "output_text") and is_text(part.text):
                texts.append(part.text)
            elif part.type in ("input_audio", "output_audio"):
                transcript: object = getattr(part, "transcript", None)
                audio: object = getattr(part, "audio", None)
                if isinstance(transcript, str) and transcript:
                    transcripts.append(transcript)
                if isinstance(audio, str) and audio:
                    audio_parts.append(decode_audio(event, audio))
        return _ItemContent(
            text=_joined(texts),
            transcript=_joined(transcripts),
            audio=np.concatenate(audio_parts) if audio_parts else None,
        )
    if item.type == "function_call":
        tool = FormattedTool("function_call", item.name, item.call_id or "", item.arguments)
        return _ItemContent(tool=tool)
    if item.type == "mcp_call":
        return _ItemContent(
            tool=FormattedTool("mcp_call", item.name, "", item.arguments), output=item.output
        )
    if item.type == "function_call_output":
        return _ItemContent(output=item.output)
    return _ItemContent()


def _merge_tool(current: FormattedTool | None, update: FormattedTool) -> FormattedTool:
    if current is None:
        return update
    # In-progress items carry `arguments: ""`; only a non-empty value is news.
    current.name = update.name or current.name
    current.call_id = update.call_id or current.call_id
    current.arguments = update.arguments or current.arguments
    return current


def _apply_content(formatted: FormattedItem, content: _ItemContent) -> None:
    # Empty values never erase what deltas assembled: items that are still in progress carry
    # empty (or no) content, and the final value arrives with the `.done` events anyway.
    if content.text:
        formatted.text_builder.set(content.text)
    if content.transcript:
        formatted.transcript_builder.set(content.transcript)
    if content.audio is not None and len(formatted.audio_buffer) == 0:
        formatted.audio_buffer.append(content.audio)
    if content.tool is not None:
        formatted.tool = _merge_tool(formatted.tool, content.tool)
    if content.output is not None:
        formatted.output = content.output


def _place(
    store: ConversationStore, item_id: str, previous_item_id: str | None, *, is_new: bool
) -> None:
    """Put the item right after ``previous_item_id`` if known (first for ``_FIRST``); new
    items otherwise go last."""
    order = store.order
    if previous_item_id == _FIRST:
        if not is_new:
            order.remove(item_id)
        order.insert(0, item_id)
        return
    if (
        previous_item_id is None
        or previous_item_id == item_id
        or (previous_item_id not in store.items)
    ):
        if is_new:
            order.append(item_id)
        return
    if not is_new:
        order.remove(item_id)
    order.insert(order.index(previous_item_id) + 1, item_id)


def upsert(
    store: ConversationStore, event: CarriesItem, previous_item_id: str | None
) -> ConversationItem:
    """Insert the carried item, or bring the held one up to date with it.

    Args:
        store: The conversation's state.
        event: The event carrying the item.
        previous_item_id: The item it follows: an id, ``"root"`` for none, ``None`` if unsaid.

    Returns:
        The item as the store now holds it.

    Raises:
        ProtocolError: The item has no id, or a content part carries audio that is not
            valid base64 PCM16.
    """
    server_item: RealtimeConversationItem = event.item
    if not server_item.id:
        raise protocol_error(event, f"{event.type} carries an item without an id")
    content = _read_content(event)
    item = store.items.get(server_item.id)
    if item is None:
        item = ConversationItem(
            id=server_item.id,
            type=server_item.type,
            role=getattr(server_item, "role", None),
            status=None,
            item=server_item,
            formatted=FormattedItem(keep_audio=store.keep_audio),
        )
        _place(store, item.id, previous_item_id, is_new=True)
        store.items[item.id] = item
        queued = store.queued_transcripts.pop(item.id, None)
        if queued is not None:
            item.formatted.transcript_builder.set(str(queued))
    else:
        _place(store, item.id, previous_item_id, is_new=False)
        item.item = server_item
    item.status = getattr(server_item, "status", None) or item.status
    _apply_content(item.formatted, content)
    store.attach_speech(item.id)
    if item.status in _FINAL_STATUSES:
        item.formatted.audio_buffer.trim()
    return item


def on_item(
    store: ConversationStore,
    event: ConversationItemAddedEvent
    | ConversationItemCreatedEvent
    | ConversationItemDoneEvent
    | ConversationItemRetrievedEvent,
) -> Result:
    """``conversation.item.added`` / ``.created`` / ``.done`` / ``.retrieved``."""
    previous = getattr(event, "previous_item_id", None)
    if previous is None and "previous_item_id" in event.model_fields_set:
        previous = _FIRST  # an explicit null: nothing precedes the item
    return upsert(store, event, previous), None


def on_item_truncated(store: ConversationStore, event: ConversationItemTruncatedEvent) -> Result:
    """``conversation.item.truncated``: the audio cut, the transcript cleared."""
    item = store.require_item(event.type, event.item_id)
    audio = item.formatted.audio_buffer
    audio.truncate(sample_at(event, event.audio_end_ms))
    audio.trim()  # the audio cut off is never played: give its memory back
    item.formatted.transcript_builder.set("")
    return item, None


def on_item_deleted(store: ConversationStore, event: ConversationItemDeletedEvent) -> Result:
    """``conversation.item.deleted``: the item, its pending speech and queued transcript go."""
    item = store.require_item(event.type, event.item_id)
    del store.items[item.id]
    store.order.remove(item.id)
    store.speech.pop(item.id, None)
    store.queued_transcripts.pop(item.id, None)
    store.forget_unneeded_input()
    return item, None
