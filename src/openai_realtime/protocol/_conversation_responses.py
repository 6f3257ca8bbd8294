"""The conversation store's model output: responses, their items and the deltas that fill them.

``response.created`` starts tracking a :class:`ResponseRecord`; output items are linked to it;
text, audio, transcript and tool-call argument deltas grow the item they name, and the matching
``.done`` events replace the assembled value with the final one. ``response.done`` settles the
record and makes it share the items' server items instead of holding a second copy of each.
"""

from __future__ import annotations

from openai_realtime._models import RealtimeModel
from openai_realtime.protocol._conversation_items import upsert
from openai_realtime.protocol._conversation_store import (
    NOTHING,
    ConversationStore,
    ResponseRecord,
    Result,
    decode_audio,
    is_text,
    protocol_error,
)
from openai_realtime.protocol.items import ConversationItem, Delta, FormattedTool
from openai_realtime.types import (
    McpListToolsCompletedEvent,
    McpListToolsFailedEvent,
    McpListToolsInProgressEvent,
    RealtimeResponse,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseCreatedEvent,
    ResponseDoneEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseMcpCallArgumentsDeltaEvent,
    ResponseMcpCallArgumentsDoneEvent,
    ResponseMcpCallCompletedEvent,
    ResponseMcpCallFailedEvent,
    ResponseMcpCallInProgressEvent,
    ResponseOutputAudioDeltaEvent,
    ResponseOutputAudioDoneEvent,
    ResponseOutputAudioTranscriptDeltaEvent,
    ResponseOutputAudioTranscriptDoneEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputTextDeltaEvent,
    ResponseOutputTextDoneEvent,
)

__all__ = [
    "on_arguments_delta",
    "on_arguments_done",
    "on_audio_delta",
    "on_audio_done",
    "on_content_part",
    "on_output_item",
    "on_response_created",
    "on_response_done",
    "on_status_event",
    "on_text_delta",
    "on_text_done",
    "on_transcript_delta",
    "on_transcript_done",
]


def _output_ids(response: RealtimeResponse) -> list[str]:
    """The ids of the response's output items; raw entries (of unknown kinds) are skipped."""
    return [
        item.id
        for item in response.output or ()
        if isinstance(item, RealtimeModel) and is_text(item.id)
    ]


# -- responses ------------------------------------------------------------------------------


def on_response_created(store: ConversationStore, event: ResponseCreatedEvent) -> Result:
    """``response.created``: the response is tracked."""
    response = event.response
    if not response.id:
        raise protocol_error(event, "response.created carries a response without an id")
    store.responses[response.id] = ResponseRecord(
        id=response.id,
        status=response.status,
        usage=response.usage,
        output_item_ids=_output_ids(response),
        response=response,
    )
    return NOTHING


def on_response_done(store: ConversationStore, event: ResponseDoneEvent) -> Result:
    """``response.done``: status, usage and output order settle."""
    record = store.require_response(event.type, event.response.id)
    response = _sharing_items(store, event.response)
    record.response = response
    record.status = response.status or record.status
    record.usage = response.usage or record.usage
    if response.output is not None:
        record.output_item_ids = _output_ids(response)
    return NOTHING


def _sharing_items(store: ConversationStore, response: RealtimeResponse) -> RealtimeResponse:
    """The response, its output entries replaced by the items' equal server items.

    ``response.done`` repeats every output item as the item's own ``.done`` event sent it.
    Kept as sent, a session would hold each one twice (with its transcript or arguments);
    the record keeps a shallow copy of the response that shares the item's instead.
    """
    output = response.output or []
    shared = [_held_equal(store, entry) for entry in output]
    if all(new is old for new, old in zip(shared, output, strict=True)):
        return response
    return response.model_copy(update={"output": shared})


def _held_equal(store: ConversationStore, entry: object) -> object:
    """The server item the store holds for this output entry if equal, else the entry."""
    # Entries of an unknown kind, and ids that did not validate, are kept raw: left alone.
    item_id = getattr(entry, "id", None)
    if isinstance(entry, RealtimeModel) and is_text(item_id):
        item = store.items.get(item_id)
        if item is not None and item.item == entry:
            return item.item
    return entry


def on_output_item(
    store: ConversationStore, event: ResponseOutputItemAddedEvent | ResponseOutputItemDoneEvent
) -> Result:
    """``response.output_item.added`` / ``.done``: the item upserted, linked to its response."""
    record = store.require_response(event.type, event.response_id)
    item = upsert(store, event, None)
    item.response_id = record.id
    if item.id not in record.output_item_ids:
        record.output_item_ids.append(item.id)
    return item, None


def on_content_part(
    store: ConversationStore, event: ResponseContentPartAddedEvent | ResponseContentPartDoneEvent
) -> Result:
    """``response.content_part.added`` / ``.done``: the part's text or transcript, if any."""
    item = store.require_item(event.type, event.item_id)
    part = event.part
    if part.type == "text" and part.text:
        item.formatted.text_builder.set(part.text)
    elif part.type == "audio" and part.transcript:
        item.formatted.transcript_builder.set(part.transcript)
    return item, None


# -- output deltas --------------------------------------------------------------------------


def on_text_delta(store: ConversationStore, event: ResponseOutputTextDeltaEvent) -> Result:
    """``response.output_text.delta``: text += delta."""
    item = store.require_item(event.type, event.item_id)
    item.formatted.text_builder.append(event.delta)
    return item, Delta(text=event.delta)


def on_text_done(store: ConversationStore, event: ResponseOutputTextDoneEvent) -> Result:
    """``response.output_text.done``: the final text replaces the assembled one."""
    item = store.require_item(event.type, event.item_id)
    item.formatted.text_builder.set(event.text)
    return item, None


def on_audio_delta(store: ConversationStore, event: ResponseOutputAudioDeltaEvent) -> Result:
    """``response.output_audio.delta``: audio += decoded samples."""
    item = store.require_item(event.type, event.item_id)
    samples = decode_audio(event, event.delta)
    item.formatted.audio_buffer.append(samples)
    return item, Delta(audio=samples)


def on_audio_done(store: ConversationStore, event: ResponseOutputAudioDoneEvent) -> Result:
    """``response.output_audio.done``: the audio's storage trimmed to its length."""
    item = store.require_item(event.type, event.item_id)
    item.formatted.audio_buffer.trim()
    return item, None


def on_transcript_delta(
    store: ConversationStore, event: ResponseOutputAudioTranscriptDeltaEvent
) -> Result:
    """``response.output_audio_transcript.delta``: transcript += delta."""
    item = store.require_item(event.type, event.item_id)
    item.formatted.transcript_builder.append(event.delta)
    return item, Delta(transcript=event.delta)


def on_transcript_done(
    store: ConversationStore, event: ResponseOutputAudioTranscriptDoneEvent
) -> Result:
    """``response.output_audio_transcript.done``: the final transcript replaces the assembled."""
    item = store.require_item(event.type, event.item_id)
    item.formatted.transcript_builder.set(event.transcript)
    return item, None


def _call_tool(
    store: ConversationStore,
    event: ResponseFunctionCallArgumentsDeltaEvent
    | ResponseFunctionCallArgumentsDoneEvent
    | ResponseMcpCallArgumentsDeltaEvent
    | ResponseMcpCallArgumentsDoneEvent,
) -> tuple[ConversationItem, FormattedTool]:
    """The item and its tool call; made here if the item did not say it was a call."""
    item = store.require_item(event.type, event.item_id)
    if item.formatted.tool is None:
        is_function = event.type.startswith("response.function_call")
        item.formatted.tool = FormattedTool(
            "function_call" if is_function else "mcp_call",
            name=getattr(event, "name", ""),
            call_id=getattr(event, "call_id", ""),
        )
    return item, item.formatted.tool


def on_arguments_delta(
    store: ConversationStore,
    event: ResponseFunctionCallArgumentsDeltaEvent | ResponseMcpCallArgumentsDeltaEvent,
) -> Result:
    """``response.{function,mcp}_call_arguments.delta``: tool.arguments += delta."""
    item, tool = _call_tool(store, event)
    tool.arguments += event.delta
    return item, Delta(arguments=event.delta)


def on_arguments_done(
    store: ConversationStore,
    event: ResponseFunctionCallArgumentsDoneEvent | ResponseMcpCallArgumentsDoneEvent,
) -> Result:
    """``response.{function,mcp}_call_arguments.done``: the final arguments (and name)."""
    item, tool = _call_tool(store, event)
    tool.arguments = event.arguments
    tool.name = getattr(event, "name", "") or tool.name
    return item, None


def on_status_event(
    store: ConversationStore,
    event: ResponseMcpCallInProgressEvent
    | ResponseMcpCallCompletedEvent
    | ResponseMcpCallFailedEvent
    | McpListToolsInProgressEvent
    | McpListToolsCompletedEvent
    | McpListToolsFailedEvent,
) -> Result:
    """``response.mcp_call.*`` / ``mcp_list_tools.*``: the item's status."""
    item = store.require_item(event.type, event.item_id)
    # The new status is the last word of the event type: in_progress, completed or failed.
    item.status = event.type.rpartition(".")[2]
    return item, None
