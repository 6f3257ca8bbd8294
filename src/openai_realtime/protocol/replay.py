"""What a reconnect replays: the conversation the client holds, as ``conversation.item.create``.

Pure: items in, events out. :class:`~openai_realtime.protocol.session_state.SessionState` asks
it on a reconnect; ``openai_realtime.reconnect`` re-exports :func:`replay_events`.
"""

from __future__ import annotations

from collections.abc import Iterable

from openai_realtime.protocol.items import ConversationItem
from openai_realtime.types import (
    AssistantMessageContent,
    ConversationItemCreateEvent,
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemFunctionCallOutput,
    RealtimeConversationItemMessageAssistant,
    RealtimeConversationItemMessageSystem,
    RealtimeConversationItemMessageUser,
    SystemMessageContent,
    UserMessageContent,
)

__all__ = ["replay_events"]


def replay_events(items: Iterable[ConversationItem]) -> list[ConversationItemCreateEvent]:
    """The ``conversation.item.create`` events that rebuild a conversation on a new session.

    What is replayed, in conversation order, each with its original item id (so the server's
    echo updates the client's item in place instead of adding a copy):

    * a message (user, system or assistant) becomes a message of the same role whose text is
      the item's text followed by its transcript: audio is replayed as its transcript only
      (``input_text`` for user and system, ``output_text`` for assistant); a message with
      neither (audio never transcribed, an assistant reply truncated before any transcript,
      an image) is skipped;
    * a completed function call becomes a ``function_call`` with its name, call id and
      arguments; one cut off before it completed is skipped, as its arguments may be partial;
    * a function call output becomes a ``function_call_output`` with its call id and output;
    * anything else (MCP items) is skipped.

    Args:
        items: The conversation, e.g. ``client.conversation.get_items()``.

    Returns:
        The events to send, in order.
    """
    events: list[ConversationItemCreateEvent] = []
    for item in items:
        replayed = _replayed_item(item)
        if replayed is not None:
            events.append(ConversationItemCreateEvent(item=replayed))
    return events


def _replayed_item(
    item: ConversationItem,
) -> (
    RealtimeConversationItemMessageUser
    | RealtimeConversationItemMessageSystem
    | RealtimeConversationItemMessageAssistant
    | RealtimeConversationItemFunctionCall
    | RealtimeConversationItemFunctionCallOutput
    | None
):
    formatted = item.formatted
    if item.type == "message":
        texts = [text for text in (formatted.text, formatted.transcript) if text]
        if not texts:
            return None
        if item.role == "user":
            user_parts = [UserMessageContent(type="input_text", text=text) for text in texts]
            return RealtimeConversationItemMessageUser(id=item.id, content=user_parts)
        if item.role == "system":
            system_parts = [SystemMessageContent(type="input_text", text=text) for text in texts]
            return RealtimeConversationItemMessageSystem(id=item.id, content=system_parts)
        if item.role == "assistant":
            parts = [AssistantMessageContent(type="output_text", text=text) for text in texts]
            return RealtimeConversationItemMessageAssistant(id=item.id, content=parts)
        return None
    tool = formatted.tool
    if item.type == "function_call" and tool is not None and item.status == "completed":
        return RealtimeConversationItemFunctionCall(
            id=item.id, call_id=tool.call_id or None, name=tool.name, arguments=tool.arguments
        )
    call_id = getattr(item.item, "call_id", None)
    if item.type == "function_call_output" and call_id and formatted.output is not None:
        return RealtimeConversationItemFunctionCallOutput(
            id=item.id, call_id=call_id, output=formatted.output
        )
    return None
