"""The client-side cache of the conversation: server events in, assembled items out.

:class:`RealtimeConversation` is a pure reducer. Feed it every server event with
:meth:`~RealtimeConversation.process_event` and it keeps the conversation's items (text,
transcripts, audio, tool calls) and responses (status, usage, output) current. It never touches
the network, so a test can drive it with a list of frames::

    conversation = RealtimeConversation()
    for frame in frames:
        item, delta = conversation.process_event(decode_server_event(frame))

The user's own speech is not sent back by the server, so the client also hands over every chunk
of input audio it sends (:meth:`~RealtimeConversation.append_input_audio`); the store cuts the
span server VAD reports (``audio_start_ms`` .. ``audio_end_ms``) out of it and attaches it to the
user item created for that speech. Only audio a pending speech segment can still need is kept.

Events the codec's tolerant reader rebuilt (``event.validation_issues`` not empty) are applied
when what the store reads of them validated (``_READS``); otherwise they are refused with
``ProtocolError`` like any malformed event. Raw entries of the lists the store walks (an item's
content parts, a response's output) are skipped, so one part of a new kind costs nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeAlias, TypeGuard

import numpy as np
from numpy.typing import NDArray

from openai_realtime._models import RealtimeModel
from openai_realtime.errors import ConfigurationError, ConversationError, ProtocolError
from openai_realtime.protocol.audio import (
    SAMPLE_RATE,
    decode_base64,
    ms_to_samples,
    samples_to_ms,
    to_pcm16,
)
from openai_realtime.protocol.input_audio import InputAudioWindow, SpeechSegment
from openai_realtime.protocol.items import (
    ConversationItem,
    Delta,
    FormattedItem,
    FormattedTool,
    TextBuilder,
)
from openai_realtime.protocol.tolerant import issue_touching, rebuilt_to_json
from openai_realtime.protocol.transcripts import DiarizedSegment
from openai_realtime.types import (
    ConversationItemAddedEvent,
    ConversationItemCreatedEvent,
    ConversationItemDeletedEvent,
    ConversationItemDoneEvent,
    ConversationItemInputAudioTranscriptionCompletedEvent,
    ConversationItemInputAudioTranscriptionDeltaEvent,
    ConversationItemInputAudioTranscriptionFailedEvent,
    ConversationItemInputAudioTranscriptionSegmentEvent,
    ConversationItemRetrievedEvent,
    ConversationItemTruncatedEvent,
    InputAudioBufferClearedEvent,
    InputAudioBufferCommittedEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    InputAudioBufferTimeoutTriggeredEvent,
    McpListToolsCompletedEvent,
    McpListToolsFailedEvent,
    McpListToolsInProgressEvent,
    RealtimeConversationItem,
    RealtimeResponse,
    RealtimeResponseUsage,
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
    ServerEvent,
    UnknownServerEvent,
)

__all__ = [
    "DEFAULT_INPUT_AUDIO_RETENTION_SECONDS",
    "DEFAULT_MAX_PENDING_SPEECH_SECONDS",
    "RealtimeConversation",
    "ResponseRecord",
]

# Stands for "no item precedes this one" (the wire's explicit null, the client's "root").
_FIRST = "root"

DEFAULT_INPUT_AUDIO_RETENTION_SECONDS: Final = 30.0
"""How much uncommitted input audio is kept while no speech is pending, in seconds.

It has to cover the delay between sending audio and hearing back ``speech_started`` for it
(network round trip plus the VAD's prefix padding), with a wide margin.
"""
# A speech segment whose end never comes (a lost speech_stopped, endless noise) must not hold
# input audio for ever; five minutes is longer than any single spoken turn.
DEFAULT_MAX_PENDING_SPEECH_SECONDS: Final = 300.0

# An item in one of these states gets no more audio: its buffer is trimmed to its length.
_FINAL_STATUSES: Final = frozenset({"completed", "incomplete", "failed"})

_Result: TypeAlias = tuple[ConversationItem | None, Delta | None]
_NOTHING: Final[_Result] = (None, None)

_CarriesItem: TypeAlias = (
    ConversationItemAddedEvent
    | ConversationItemCreatedEvent
    | ConversationItemDoneEvent
    | ConversationItemRetrievedEvent
    | ResponseOutputItemAddedEvent
    | ResponseOutputItemDoneEvent
)


@dataclass(eq=False)
class ResponseRecord:
    """One model response as the store tracks it.

    Attributes:
        id: The response id.
        status: ``in_progress``, then ``completed``, ``cancelled``, ``failed`` or ``incomplete``.
        usage: Token usage, once ``response.done`` reported it.
        output_item_ids: The ids of the items the response produced, in output order.
        response: The latest typed response the server sent; once done, its output entries
            are the items' own server items wherever the two are equal (held once).
    """

    id: str
    status: str | None
    usage: RealtimeResponseUsage | None
    output_item_ids: list[str]
    response: RealtimeResponse


@dataclass(frozen=True, slots=True)
class _ItemContent:
    """What a server item says about its formatted content; ``None`` where it says nothing."""

    text: str | None = None
    transcript: str | None = None
    audio: NDArray[np.int16] | None = None
    tool: FormattedTool | None = None
    output: str | None = None


# What the store reads of an event, as wire locations. A value kept raw at or above one of these
# makes the event unusable for the store; inside an entry of the lists it walks, a raw value
# only costs that entry (see _read_content and _output_ids).
_READS: Final = (
    *(
        (name,)
        for name in (
            "item_id",
            "previous_item_id",
            "response_id",
            "delta",
            "text",
            "transcript",
            "arguments",
            "name",
            "call_id",
            "audio_start_ms",
            "audio_end_ms",
        )
    ),
    *(
        ("item", name)
        for name in ("id", "type", "role", "status", "name", "call_id", "arguments", "output")
    ),
    ("item", "content"),
    ("response", "id"),
    ("response", "status"),
    ("response", "usage"),
    ("response", "output"),
    ("part", "type"),
    ("part", "text"),
    ("part", "transcript"),
)
_WALKED_LISTS: Final = (("item", "content"), ("response", "output"))


def _is_text(value: object) -> TypeGuard[str]:
    """A non-empty string (a raw value the codec could not validate is not one)."""
    return isinstance(value, str) and bool(value)


def _protocol_error(event: RealtimeModel, message: str) -> ProtocolError:
    # A rebuilt event holds raw values where its model expects others: written as they came.
    raw = rebuilt_to_json(event) if event.validation_issues else event.model_dump_json()
    return ProtocolError(message, raw=raw)


def _decode_audio(event: RealtimeModel, text: str) -> NDArray[np.int16]:
    try:
        # The store copies the samples into the item's buffer: no need for a second copy here.
        return decode_base64(text, copy=False)
    except ValueError as error:
        message = f"{getattr(event, 'type', 'event')}: bad audio ({error})"
        raise _protocol_error(event, message) from None


def _duration_in_samples(name: str, seconds: float) -> int:
    """A non-negative, finite duration option in samples.

    Raises:
        ConfigurationError: The duration is negative or not finite.
    """
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ConfigurationError(f"{name} must be a finite number >= 0, got {seconds!r}")
    return math.ceil(seconds * SAMPLE_RATE)


def _sample_at(event: RealtimeModel, ms: int) -> int:
    """The sample offset of a millisecond position the event gives."""
    if ms < 0:
        raise _protocol_error(event, f"{getattr(event, 'type', 'event')}: negative time {ms} ms")
    return ms_to_samples(ms)


def _joined(parts: list[str]) -> str | None:
    return "".join(parts) if parts else None


def _read_content(event: _CarriesItem) -> _ItemContent:
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
            if part.type in ("input_text", "output_text") and _is_text(part.text):
                texts.append(part.text)
            elif part.type in ("input_audio", "output_audio"):
                transcript: object = getattr(part, "transcript", None)
                audio: object = getattr(part, "audio", None)
                if isinstance(transcript, str) and transcript:
                    transcripts.append(transcript)
                if isinstance(audio, str) and audio:
                    audio_parts.append(_decode_audio(event, audio))
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


def _output_ids(response: RealtimeResponse) -> list[str]:
    """The ids of the response's output items; raw entries (of unknown kinds) are skipped."""
    return [
        item.id
        for item in response.output or ()
        if isinstance(item, RealtimeModel) and _is_text(item.id)
    ]


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


class RealtimeConversation:
    """The client-side cache of one session's conversation.

    Args:
        keep_audio: Store audio samples on items. When false only their counts are kept (for
            agents that play audio as it streams and never read it back); deltas still carry
            the samples.
        input_audio_retention_seconds: How much uncommitted input audio to keep while no
            speech is pending. Audio older than the earliest pending speech start is always
            dropped, and so is audio the server has committed or cleared (no later event can
            claim it), so a session holds each spoken turn once: in its item.
        max_pending_speech_seconds: The most input audio kept for speech that has started but
            not ended. A longer segment keeps only its last part: its item's audio then starts
            later than ``audio_start_ms`` says. This bounds memory in every VAD state.

    Raises:
        ConfigurationError: A duration is negative or not finite.
    """

    def __init__(
        self,
        *,
        keep_audio: bool = True,
        input_audio_retention_seconds: float = DEFAULT_INPUT_AUDIO_RETENTION_SECONDS,
        max_pending_speech_seconds: float = DEFAULT_MAX_PENDING_SPEECH_SECONDS,
    ) -> None:
        self._keep_audio = keep_audio
        self._retention_samples = _duration_in_samples(
            "input_audio_retention_seconds", input_audio_retention_seconds
        )
        self._max_pending_samples = _duration_in_samples(
            "max_pending_speech_seconds", max_pending_speech_seconds
        )
        self._items: dict[str, ConversationItem] = {}
        self._order: list[str] = []
        self._responses: dict[str, ResponseRecord] = {}
        self._queued_transcripts: dict[str, TextBuilder] = {}
        self._speech: dict[str, SpeechSegment] = {}
        self._input = InputAudioWindow(keep=keep_audio)
        # Where the server's uncommitted input buffer begins, for commits without a VAD segment.
        self._buffer_start = 0

    # -- public API ------------------------------------------------------------------------

    def process_event(
        self, event: ServerEvent | UnknownServerEvent
    ) -> tuple[ConversationItem | None, Delta | None]:
        """Apply one server event.

        Args:
            event: Any decoded server event; those that do not touch the conversation (session,
                rate limits, errors, unknown types, ...) are ignored.

        Returns:
            ``(item, delta)``: the item the event changed (``None`` if none) and what it
            appended (``None`` when the event replaced or completed something instead).

        Raises:
            ConversationError: The event refers to an item, speech segment or response the store
                has never seen. The store is left exactly as it was.
            ProtocolError: The event carries audio that is not valid base64 PCM16, a negative
                time, or an item without an id, or a value the store reads did not validate
                (see ``validation_issues``). The store is left exactly as it was.
        """
        if isinstance(event, UnknownServerEvent):
            return _NOTHING
        handler = _HANDLERS.get(event.type)
        if handler is None:
            return _NOTHING
        if event.validation_issues:
            issue = issue_touching(event, _READS, within=_WALKED_LISTS)
            if issue is not None:
                message = f"{event.type}: {issue.path} did not validate ({issue.message})"
                raise _protocol_error(event, message)
        return handler(self, event)

    def append_input_audio(self, samples: NDArray[np.int16]) -> None:
        """Record a chunk of input audio the client is sending (``input_audio_buffer.append``).

        Call it for every chunk, in order, so sample offsets match the server's ``audio_*_ms``.

        Args:
            samples: 24 kHz mono int16 samples.

        Raises:
            TypeError: ``samples`` is not an int16 (or float) array.
            ValueError: ``samples`` is not one-dimensional.
        """
        self._input.append(to_pcm16(samples))
        self._forget_unneeded_input()

    @property
    def input_audio_samples(self) -> int:
        """How many input samples the client has appended this session."""
        return self._input.end

    @property
    def retained_input_samples(self) -> int:
        """How many input samples are held in memory (pending speech, or the retention window)."""
        return self._input.retained

    def get_items(self) -> list[ConversationItem]:
        """All items, in conversation order.

        Returns:
            A new list; items are placed after their ``previous_item_id`` when the server gave
            one the store knows, else appended.
        """
        return [self._items[item_id] for item_id in self._order]

    def get_item(self, item_id: str) -> ConversationItem | None:
        """The item with this id, or ``None``."""
        return self._items.get(item_id)

    def get_response(self, response_id: str) -> ResponseRecord | None:
        """The tracked response with this id, or ``None``."""
        return self._responses.get(response_id)

    def restart_input_audio(self) -> None:
        """The server's input audio buffer starts over (a new connection): count from 0 again.

        Items and responses are kept. Pending speech segments and the retained input audio are
        dropped: the new session's ``audio_start_ms`` / ``audio_end_ms`` count from its own
        start, so offsets from before cannot be matched with them.
        """
        self._speech.clear()
        self._input = InputAudioWindow(keep=self._keep_audio)
        self._buffer_start = 0

    def clear(self) -> None:
        """Forget everything, including the input audio clock: call it when a session starts."""
        self._items.clear()
        self._order.clear()
        self._responses.clear()
        self._queued_transcripts.clear()
        self.restart_input_audio()

    # -- lookups (raise before anything changes) --------------------------------------------

    def _require_item(self, event_type: str, item_id: str) -> ConversationItem:
        item = self._items.get(item_id)
        if item is None:
            raise ConversationError(event_type, item_id)
        return item

    def _require_response(self, event_type: str, response_id: str | None) -> ResponseRecord:
        record = self._responses.get(response_id or "")
        if record is None:
            raise ConversationError(event_type, response_id or "")
        return record

    def _transcript_target(self, item_id: str) -> TextBuilder:
        """Where an input transcript goes: the item's, or a queue until the item arrives."""
        item = self._items.get(item_id)
        if item is not None:
            return item.formatted.transcript_builder
        return self._queued_transcripts.setdefault(item_id, TextBuilder())

    # -- items --------------------------------------------------------------------------------

    def _upsert(self, event: _CarriesItem, previous_item_id: str | None) -> ConversationItem:
        """Insert the carried item, or bring the known one up to date with it."""
        server_item: RealtimeConversationItem = event.item
        if not server_item.id:
            raise _protocol_error(event, f"{event.type} carries an item without an id")
        content = _read_content(event)
        item = self._items.get(server_item.id)
        if item is None:
            item = ConversationItem(
                id=server_item.id,
                type=server_item.type,
                role=getattr(server_item, "role", None),
                status=None,
                item=server_item,
                formatted=FormattedItem(keep_audio=self._keep_audio),
            )
            self._place(item.id, previous_item_id, is_new=True)
            self._items[item.id] = item
            queued = self._queued_transcripts.pop(item.id, None)
            if queued is not None:
                item.formatted.transcript_builder.set(str(queued))
        else:
            self._place(item.id, previous_item_id, is_new=False)
            item.item = server_item
        item.status = getattr(server_item, "status", None) or item.status
        _apply_content(item.formatted, content)
        self._attach_speech(item.id)
        if item.status in _FINAL_STATUSES:
            item.formatted.audio_buffer.trim()
        return item

    def _place(self, item_id: str, previous_item_id: str | None, *, is_new: bool) -> None:
        """Put the item right after ``previous_item_id`` if known (first for ``_FIRST``); new
        items otherwise go last."""
        order = self._order
        if previous_item_id == _FIRST:
            if not is_new:
                order.remove(item_id)
            order.insert(0, item_id)
            return
        if (
            previous_item_id is None
            or previous_item_id == item_id
            or (previous_item_id not in self._items)
        ):
            if is_new:
                order.append(item_id)
            return
        if not is_new:
            order.remove(item_id)
        order.insert(order.index(previous_item_id) + 1, item_id)

    def _on_item(
        self,
        event: ConversationItemAddedEvent
        | ConversationItemCreatedEvent
        | ConversationItemDoneEvent
        | ConversationItemRetrievedEvent,
    ) -> _Result:
        previous = getattr(event, "previous_item_id", None)
        if previous is None and "previous_item_id" in event.model_fields_set:
            previous = _FIRST  # an explicit null: nothing precedes the item
        return self._upsert(event, previous), None

    def _on_item_truncated(self, event: ConversationItemTruncatedEvent) -> _Result:
        item = self._require_item(event.type, event.item_id)
        audio = item.formatted.audio_buffer
        audio.truncate(_sample_at(event, event.audio_end_ms))
        audio.trim()  # the audio cut off is never played: give its memory back
        item.formatted.transcript_builder.set("")
        return item, None

    def _on_item_deleted(self, event: ConversationItemDeletedEvent) -> _Result:
        item = self._require_item(event.type, event.item_id)
        del self._items[item.id]
        self._order.remove(item.id)
        self._speech.pop(item.id, None)
        self._queued_transcripts.pop(item.id, None)
        self._forget_unneeded_input()
        return item, None

    # -- responses ----------------------------------------------------------------------------

    def _on_response_created(self, event: ResponseCreatedEvent) -> _Result:
        response = event.response
        if not response.id:
            raise _protocol_error(event, "response.created carries a response without an id")
        self._responses[response.id] = ResponseRecord(
            id=response.id,
            status=response.status,
            usage=response.usage,
            output_item_ids=_output_ids(response),
            response=response,
        )
        return _NOTHING

    def _on_response_done(self, event: ResponseDoneEvent) -> _Result:
        record = self._require_response(event.type, event.response.id)
        response = self._sharing_items(event.response)
        record.response = response
        record.status = response.status or record.status
        record.usage = response.usage or record.usage
        if response.output is not None:
            record.output_item_ids = _output_ids(response)
        return _NOTHING

    def _sharing_items(self, response: RealtimeResponse) -> RealtimeResponse:
        """The response, its output entries replaced by the items' equal server items.

        ``response.done`` repeats every output item as the item's own ``.done`` event sent it.
        Kept as sent, a session would hold each one twice (with its transcript or arguments);
        the record keeps a shallow copy of the response that shares the item's instead.
        """
        output = response.output or []
        shared = [self._held_equal(entry) for entry in output]
        if all(new is old for new, old in zip(shared, output, strict=True)):
            return response
        return response.model_copy(update={"output": shared})

    def _held_equal(self, entry: object) -> object:
        """The server item the store holds for this output entry if equal, else the entry."""
        # Entries of an unknown kind, and ids that did not validate, are kept raw: left alone.
        item_id = getattr(entry, "id", None)
        if isinstance(entry, RealtimeModel) and _is_text(item_id):
            item = self._items.get(item_id)
            if item is not None and item.item == entry:
                return item.item
        return entry

    def _on_output_item(
        self, event: ResponseOutputItemAddedEvent | ResponseOutputItemDoneEvent
    ) -> _Result:
        record = self._require_response(event.type, event.response_id)
        item = self._upsert(event, None)
        item.response_id = record.id
        if item.id not in record.output_item_ids:
            record.output_item_ids.append(item.id)
        return item, None

    def _on_content_part(
        self, event: ResponseContentPartAddedEvent | ResponseContentPartDoneEvent
    ) -> _Result:
        item = self._require_item(event.type, event.item_id)
        part = event.part
        if part.type == "text" and part.text:
            item.formatted.text_builder.set(part.text)
        elif part.type == "audio" and part.transcript:
            item.formatted.transcript_builder.set(part.transcript)
        return item, None

    # -- output deltas --------------------------------------------------------------------------

    def _on_text_delta(self, event: ResponseOutputTextDeltaEvent) -> _Result:
        item = self._require_item(event.type, event.item_id)
        item.formatted.text_builder.append(event.delta)
        return item, Delta(text=event.delta)

    def _on_text_done(self, event: ResponseOutputTextDoneEvent) -> _Result:
        item = self._require_item(event.type, event.item_id)
        item.formatted.text_builder.set(event.text)
        return item, None

    def _on_audio_delta(self, event: ResponseOutputAudioDeltaEvent) -> _Result:
        item = self._require_item(event.type, event.item_id)
        samples = _decode_audio(event, event.delta)
        item.formatted.audio_buffer.append(samples)
        return item, Delta(audio=samples)

    def _on_audio_done(self, event: ResponseOutputAudioDoneEvent) -> _Result:
        item = self._require_item(event.type, event.item_id)
        item.formatted.audio_buffer.trim()
        return item, None

    def _on_transcript_delta(self, event: ResponseOutputAudioTranscriptDeltaEvent) -> _Result:
        item = self._require_item(event.type, event.item_id)
        item.formatted.transcript_builder.append(event.delta)
        return item, Delta(transcript=event.delta)

    def _on_transcript_done(self, event: ResponseOutputAudioTranscriptDoneEvent) -> _Result:
        item = self._require_item(event.type, event.item_id)
        item.formatted.transcript_builder.set(event.transcript)
        return item, None

    def _call_tool(
        self,
        event: ResponseFunctionCallArgumentsDeltaEvent
        | ResponseFunctionCallArgumentsDoneEvent
        | ResponseMcpCallArgumentsDeltaEvent
        | ResponseMcpCallArgumentsDoneEvent,
    ) -> tuple[ConversationItem, FormattedTool]:
        """The item and its tool call; made here if the item did not say it was a call."""
        item = self._require_item(event.type, event.item_id)
        if item.formatted.tool is None:
            is_function = event.type.startswith("response.function_call")
            item.formatted.tool = FormattedTool(
                "function_call" if is_function else "mcp_call",
                name=getattr(event, "name", ""),
                call_id=getattr(event, "call_id", ""),
            )
        return item, item.formatted.tool

    def _on_arguments_delta(
        self, event: ResponseFunctionCallArgumentsDeltaEvent | ResponseMcpCallArgumentsDeltaEvent
    ) -> _Result:
        item, tool = self._call_tool(event)
        tool.arguments += event.delta
        return item, Delta(arguments=event.delta)

    def _on_arguments_done(
        self, event: ResponseFunctionCallArgumentsDoneEvent | ResponseMcpCallArgumentsDoneEvent
    ) -> _Result:
        item, tool = self._call_tool(event)
        tool.arguments = event.arguments
        tool.name = getattr(event, "name", "") or tool.name
        return item, None

    def _on_status_event(
        self,
        event: ResponseMcpCallInProgressEvent
        | ResponseMcpCallCompletedEvent
        | ResponseMcpCallFailedEvent
        | McpListToolsInProgressEvent
        | McpListToolsCompletedEvent
        | McpListToolsFailedEvent,
    ) -> _Result:
        item = self._require_item(event.type, event.item_id)
        # The new status is the last word of the event type: in_progress, completed or failed.
        item.status = event.type.rpartition(".")[2]
        return item, None

    # -- input audio and its transcription ------------------------------------------------------

    def _on_speech_started(self, event: InputAudioBufferSpeechStartedEvent) -> _Result:
        self._speech[event.item_id] = SpeechSegment(_sample_at(event, event.audio_start_ms))
        self._forget_unneeded_input()
        return _NOTHING

    def _on_speech_stopped(self, event: InputAudioBufferSpeechStoppedEvent) -> _Result:
        segment = self._speech.get(event.item_id)
        if segment is None:
            raise ConversationError(event.type, event.item_id)
        segment.end = max(segment.start, _sample_at(event, event.audio_end_ms))
        return self._attach_speech(event.item_id), None

    def _on_timeout_triggered(self, event: InputAudioBufferTimeoutTriggeredEvent) -> _Result:
        start = _sample_at(event, event.audio_start_ms)
        end = max(start, _sample_at(event, event.audio_end_ms))
        self._speech[event.item_id] = SpeechSegment(start, end)
        return self._attach_speech(event.item_id), None

    def _on_committed(self, event: InputAudioBufferCommittedEvent) -> _Result:
        segment = self._speech.get(event.item_id)
        if segment is None:
            item = self._items.get(event.item_id)
            if item is not None:  # its speech was attached already
                return item, None
            # A manual commit (no VAD): the item holds everything sent since the last boundary.
            segment = self._speech[event.item_id] = SpeechSegment(self._buffer_start)
        if segment.end is None:
            segment.end = self._input.end
        segment.committed = True
        self._buffer_start = max(self._buffer_start, segment.end)
        return self._attach_speech(event.item_id), None

    def _on_buffer_cleared(self, event: InputAudioBufferClearedEvent) -> _Result:
        for item_id in [key for key, segment in self._speech.items() if not segment.committed]:
            del self._speech[item_id]
        self._buffer_start = self._input.end
        self._forget_unneeded_input()
        return _NOTHING

    def _attach_speech(self, item_id: str) -> ConversationItem | None:
        """Give the item its speech once both the item and the segment's end are known."""
        item = self._items.get(item_id)
        segment = self._speech.get(item_id)
        if item is None or segment is None or segment.end is None:
            return item
        del self._speech[item_id]
        if len(item.formatted.audio_buffer) == 0:
            item.formatted.audio_buffer.append(self._input.slice(segment.start, segment.end))
        item.audio_start_ms = samples_to_ms(segment.start)
        item.audio_end_ms = samples_to_ms(segment.end)
        self._forget_unneeded_input()
        return item

    def _forget_unneeded_input(self) -> None:
        # Pending speech pins its start. Without any, a manual commit may still claim the
        # uncommitted buffer, but only as far back as the retention window reaches; audio
        # before the buffer's start is committed (its item holds it) or cleared.
        if self._speech:
            keep_from = max(
                min(segment.start for segment in self._speech.values()),
                self._input.end - self._max_pending_samples,
            )
        else:
            keep_from = max(self._input.end - self._retention_samples, self._buffer_start)
        self._input.forget_before(keep_from)

    def _append_input_transcript(self, item_id: str, text: str) -> _Result:
        self._transcript_target(item_id).append(text)
        item = self._items.get(item_id)
        return (item, Delta(transcript=text)) if item is not None else _NOTHING

    def _on_transcription_delta(
        self, event: ConversationItemInputAudioTranscriptionDeltaEvent
    ) -> _Result:
        return self._append_input_transcript(event.item_id, event.delta or "")

    def _on_transcription_segment(
        self, event: ConversationItemInputAudioTranscriptionSegmentEvent
    ) -> _Result:
        # A diarised segment is the next stretch of the transcript (a phrase, so after a space);
        # `.completed` then replaces the whole with the final text.
        item = self._items.get(event.item_id)
        if item is None:
            return self._append_input_transcript(event.item_id, event.text)
        follows = bool(item.formatted.segments)
        item.formatted.add_segment(DiarizedSegment.from_event(event))
        return self._append_input_transcript(
            event.item_id, f" {event.text}" if follows else event.text
        )

    def _on_transcription_completed(
        self, event: ConversationItemInputAudioTranscriptionCompletedEvent
    ) -> _Result:
        self._transcript_target(event.item_id).set(event.transcript)
        return self._items.get(event.item_id), None

    def _on_transcription_failed(
        self, event: ConversationItemInputAudioTranscriptionFailedEvent
    ) -> _Result:
        return self._items.get(event.item_id), None


# The reducer's rules, one row per server event; the table below is the code form of this one.
# "item" is the item named by the event (its item_id, or the item it carries). Every handler
# looks up and validates first and changes state last, so a ConversationError or ProtocolError
# leaves the store untouched. Empty values never erase text assembled from deltas. An item
# event that leaves the item completed, incomplete or failed trims its audio's storage to size.
#
#   event                                      effect                                returns
#   -----------------------------------------  ------------------------------------  ------------
#   conversation.item.added / .created         insert item after previous_item_id    item, None
#   conversation.item.done / .retrieved        insert, or update with final item     item, None
#   conversation.item.truncated                audio cut at audio_end_ms (and its    item, None
#                                              storage trimmed), transcript cleared
#   conversation.item.deleted                  removed from list and index           item, None
#   response.created                           response tracked                      None, None
#   response.output_item.added / .done         item upserted, linked to response     item, None
#   response.content_part.added / .done        part's text/transcript, if any        item, None
#   response.done                              status, usage, output order; output   None, None
#                                              equal to an item's shares the item's
#   response.output_text.delta                 text += delta                         item, Delta
#   response.output_audio.delta                audio += decoded samples              item, Delta
#   response.output_audio_transcript.delta     transcript += delta                   item, Delta
#   response.{function,mcp}_call_arguments     tool.arguments += delta               item, Delta
#     .delta
#   response.*.done (text, audio, transcript,  final value replaces the assembled    item, None
#     arguments)                               one (audio: storage trimmed to size)
#   response.mcp_call.* / mcp_list_tools.*     status = in_progress|completed|failed item, None
#   input_audio_buffer.speech_started          speech segment opens                  None, None
#   input_audio_buffer.speech_stopped          segment closes; audio attached once   item?, None
#                                              the item exists
#   input_audio_buffer.timeout_triggered       closed segment for the idle item      item?, None
#   input_audio_buffer.committed               segment committed (manual commit:     item?, None
#                                              the whole uncommitted buffer)
#   input_audio_buffer.cleared                 uncommitted segments dropped          None, None
#   conversation.item.input_audio_transcription
#     .delta / .segment                        transcript += text                    item?, Delta
#     .completed                               transcript := final                   item?, None
#     .failed                                  nothing to change                     item?, None
#                                              (queued until the item arrives; item? is None
#                                              while it has not)
#   anything else                              ignored                               None, None
_Handler: TypeAlias = Callable[[RealtimeConversation, Any], _Result]
_HANDLERS: Final[dict[str, _Handler]] = {
    "conversation.item.added": RealtimeConversation._on_item,
    "conversation.item.created": RealtimeConversation._on_item,
    "conversation.item.done": RealtimeConversation._on_item,
    "conversation.item.retrieved": RealtimeConversation._on_item,
    "conversation.item.truncated": RealtimeConversation._on_item_truncated,
    "conversation.item.deleted": RealtimeConversation._on_item_deleted,
    "response.created": RealtimeConversation._on_response_created,
    "response.output_item.added": RealtimeConversation._on_output_item,
    "response.output_item.done": RealtimeConversation._on_output_item,
    "response.content_part.added": RealtimeConversation._on_content_part,
    "response.content_part.done": RealtimeConversation._on_content_part,
    "response.done": RealtimeConversation._on_response_done,
    "response.output_text.delta": RealtimeConversation._on_text_delta,
    "response.output_text.done": RealtimeConversation._on_text_done,
    "response.output_audio.delta": RealtimeConversation._on_audio_delta,
    "response.output_audio.done": RealtimeConversation._on_audio_done,
    "response.output_audio_transcript.delta": RealtimeConversation._on_transcript_delta,
    "response.output_audio_transcript.done": RealtimeConversation._on_transcript_done,
    "response.function_call_arguments.delta": RealtimeConversation._on_arguments_delta,
    "response.function_call_arguments.done": RealtimeConversation._on_arguments_done,
    "response.mcp_call_arguments.delta": RealtimeConversation._on_arguments_delta,
    "response.mcp_call_arguments.done": RealtimeConversation._on_arguments_done,
    "response.mcp_call.in_progress": RealtimeConversation._on_status_event,
    "response.mcp_call.completed": RealtimeConversation._on_status_event,
    "response.mcp_call.failed": RealtimeConversation._on_status_event,
    "mcp_list_tools.in_progress": RealtimeConversation._on_status_event,
    "mcp_list_tools.completed": RealtimeConversation._on_status_event,
    "mcp_list_tools.failed": RealtimeConversation._on_status_event,
    "input_audio_buffer.speech_started": RealtimeConversation._on_speech_started,
    "input_audio_buffer.speech_stopped": RealtimeConversation._on_speech_stopped,
    "input_audio_buffer.timeout_triggered": RealtimeConversation._on_timeout_triggered,
    "input_audio_buffer.committed": RealtimeConversation._on_committed,
    "input_audio_buffer.cleared": RealtimeConversation._on_buffer_cleared,
    "conversation.item.input_audio_transcription.delta": (
        RealtimeConversation._on_transcription_delta
    ),
    "conversation.item.input_audio_transcription.segment": (
        RealtimeConversation._on_transcription_segment
    ),
    "conversation.item.input_audio_transcription.completed": (
        RealtimeConversation._on_transcription_completed
    ),
    "conversation.item.input_audio_transcription.failed": (
        RealtimeConversation._on_transcription_failed
    ),
}
