"""Streaming one response: the exact event sequence the service sends, paced and cancellable.

For each response::

    response.created
    rate_limits.updated
    per output item, in order:
      response.output_item.added, conversation.item.added (unless out of band)
      message:  response.content_part.added
                text:  response.output_text.delta ..., response.output_text.done
                audio: (response.output_audio_transcript.delta, response.output_audio.delta) ...,
                       response.output_audio.done, response.output_audio_transcript.done
                response.content_part.done
      function call: response.function_call_arguments.delta ..., .done
      response.output_item.done, conversation.item.done (unless out of band)
    response.done

``rate_limits.updated`` comes at the start of a response, as the service documents it, and
input transcripts held back by the connection go out right after it. A cancelled response
(``response.cancel``, or speech when ``interrupt_response`` is on) sends no further deltas: the
item in progress is closed with status ``incomplete``, later items are never started, and
``response.done`` has status ``cancelled``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypedDict

import numpy as np
from numpy.typing import NDArray

from openai_realtime.protocol.audio import SAMPLE_RATE, resample
from openai_realtime.testing.clock import FakeClock
from openai_realtime.testing.conversation import Conversation, StoredAudio, StoredItem
from openai_realtime.testing.ids import IdFactory
from openai_realtime.testing.mcp_tools import McpCallFailed, McpServers, approved_request
from openai_realtime.testing.outbox import Outbox
from openai_realtime.testing.pacing import Pacer, text_deltas, timed_deltas
from openai_realtime.testing.replies import Reply, ToolCall
from openai_realtime.testing.settings import ResponseSettings
from openai_realtime.testing.synth import DEFAULT_MS_PER_CHAR, SpokenAudio, encode_chunks, speak
from openai_realtime.testing.usage import (
    CHARS_PER_TOKEN,
    RateLimitBudget,
    TokenCount,
    response_usage,
)
from openai_realtime.types import (
    AssistantMessageContent,
    ConversationItemAddedEvent,
    ConversationItemDoneEvent,
    ErrorEvent,
    RateLimitsUpdatedEvent,
    RealtimeConversationItem,
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemMessageAssistant,
    RealtimeErrorDetails,
    RealtimeMCPApprovalRequest,
    RealtimeMCPToolCall,
    RealtimeResponse,
    RealtimeResponseAudio,
    RealtimeResponseAudioOutput,
    RealtimeResponseStatusDetails,
    RealtimeResponseStatusDetailsError,
    ResponseContentPart,
    ResponseContentPartAddedEvent,
    ResponseContentPartDone,
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
    ResponseOutputAudioDoneEvent,
    ResponseOutputAudioTranscriptDeltaEvent,
    ResponseOutputAudioTranscriptDoneEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputTextDeltaEvent,
    ResponseOutputTextDoneEvent,
)

__all__ = ["ActiveResponse", "ResponseStreamer", "StreamOptions"]

CancelReason = Literal["client_cancelled", "turn_detected"]
Status = Literal["completed", "cancelled", "failed", "incomplete"]

_ARGUMENT_DELTA_CHARS = 8
# Audio deltas are the hot path (thousands per answer): their JSON is assembled directly,
# which is far faster than building and dumping a model. Every spliced value is an id we made
# ([a-z0-9_]), an integer or base64 text, none of which needs JSON escaping.
_AUDIO_DELTA_JSON = (
    '{{"type":"response.output_audio.delta","event_id":"{event_id}",'
    '"response_id":"{response_id}","item_id":"{item_id}","output_index":{output_index},'
    '"content_index":{content_index},"delta":"{delta}"}}'
)


@dataclass(frozen=True)
class StreamOptions:
    """How responses are streamed (server options).

    Attributes:
        pace: ``None`` (or 0) streams as fast as possible, yielding to the event loop between
            events; 1.0 sends audio at the speed of speech on the server's clock (each delta
            when the previous one would have finished playing); 2.0 twice as fast, and so on.
        audio_chunk_ms: Audio per ``response.output_audio.delta``.
        ms_per_char: Speaking rate of synthesised answers.
    """

    pace: float | None = None
    audio_chunk_ms: int = 100
    ms_per_char: float = DEFAULT_MS_PER_CHAR


class ActiveResponse:
    """The response in progress on a connection.

    Args:
        response_id: Its ``resp_…`` id.
    """

    def __init__(self, response_id: str) -> None:
        self.response_id = response_id
        self.cancel_reason: CancelReason | None = None

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self.cancel_reason is not None

    def cancel(self, reason: CancelReason) -> None:
        """Ask the response to stop before its next delta (the first reason wins)."""
        if self.cancel_reason is None:
            self.cancel_reason = reason


class _PartRef(TypedDict):
    """The fields that place an event in one content part of a response."""

    response_id: str
    item_id: str
    output_index: int
    content_index: int


class _CallRef(TypedDict):
    """The fields that place an event in one function call of a response."""

    response_id: str
    item_id: str
    output_index: int
    call_id: str


class _ItemRef(TypedDict):
    """The fields that place an event in one output item (MCP call events)."""

    item_id: str
    output_index: int


class _ResponseItemRef(_ItemRef):
    """:class:`_ItemRef` with the response (MCP call argument events)."""

    response_id: str


@dataclass
class _Written:
    """What a response has produced so far, for ``response.done``."""

    items: list[RealtimeConversationItem]
    text_chars: int = 0
    audio_seconds: float = 0.0


class ResponseStreamer:
    """Streams one reply as a response.

    Args:
        outbox: Where events go.
        ids: Makes item, event and call ids.
        active: The response's cancellation state.
        settings: Effective response settings.
        conversation: The conversation, or ``None`` for an out-of-band response.
        conversation_id: The conversation's id, reported in the response.
        options: Pace, chunk size and speaking rate.
        read: Input tokens, for ``usage``.
        budget: The connection's rate limit budget.
        clock: The server's clock, which paces the audio.
        finishing: Called just before ``response.done`` is sent, with the seconds of audio
            the response produced (for the idle timeout, which counts from their playback end).
        created: Awaited right after ``response.created`` and ``rate_limits.updated``.
        mcp: The connection's MCP servers, which run MCP tool calls.
        follow_up: Asks the responder again once MCP calls have returned (the model goes on
            with their output in the same response).
    """

    def __init__(
        self,
        *,
        outbox: Outbox,
        ids: IdFactory,
        active: ActiveResponse,
        settings: ResponseSettings,
        conversation: Conversation | None,
        conversation_id: str,
        options: StreamOptions,
        read: TokenCount,
        budget: RateLimitBudget,
        clock: FakeClock,
        finishing: Callable[[float], None],
        created: Callable[[], Awaitable[None]],
        mcp: McpServers,
        follow_up: Callable[[], Awaitable[Reply]],
    ) -> None:
        self._outbox = outbox
        self._ids = ids
        self._active = active
        self._settings = settings
        self._conversation = conversation
        self._conversation_id = None if conversation is None else conversation_id
        self._options = options
        self._read = read
        self._budget = budget
        self._finishing = finishing
        self._clock = clock
        self._created = created
        self._mcp = mcp
        self._follow_up = follow_up
        self._response_id = active.response_id
        self._written = _Written(items=[])
        self._token_limited = False

    async def run(self, reply: Reply) -> None:
        """Stream ``reply`` from ``response.created`` to ``response.done``.

        Raises:
            ConnectionGone: The connection closed on the way (the stream just ends).
        """
        await self._outbox.schedule(reply.faults)
        await self._start()
        if reply.error is not None:
            await self._fail(reply.error)
            return
        await self._stream_outputs(reply)
        if self._active.cancelled:
            await self._finish("cancelled", self._active.cancel_reason)
        elif self._token_limited:
            await self._finish("incomplete", "max_output_tokens")
        else:
            await self._finish("completed", None)

    async def fail(self, message: str) -> None:
        """Report that no reply could be made: ``response.created``, ``error``, a failed
        ``response.done``.

        Raises:
            ConnectionGone: The connection closed on the way.
        """
        await self._start()
        await self._fail(message)

    async def _start(self) -> None:
        await self._outbox.send(
            ResponseCreatedEvent(
                event_id=self._event_id(), response=self._response("in_progress", None)
            )
        )
        limits = self._budget.spend(self._read.total)
        await self._outbox.send(
            RateLimitsUpdatedEvent(event_id=self._event_id(), rate_limits=limits)
        )
        await self._created()

    async def _stream_outputs(self, reply: Reply) -> None:
        output_index = 0
        transcript = reply.audio_text if reply.audio_text is not None else reply.text
        if transcript is not None or reply.audio is not None:
            await self._stream_message(output_index, transcript or "", reply)
            output_index += 1
        called_mcp = False
        for call in reply.tool_calls:
            if self._active.cancelled:
                return
            if call.server_label is None:
                await self._stream_function_call(output_index, call)
            else:
                called_mcp |= await self._stream_mcp_call(output_index, call, call.server_label)
            output_index += 1
        if called_mcp and not self._active.cancelled:
            follow_up = await self._follow_up()
            text = follow_up.audio_text if follow_up.audio_text is not None else follow_up.text
            if text is not None:
                await self._stream_message(output_index, text, follow_up)

    async def _stream_mcp_call(self, output_index: int, call: ToolCall, server_label: str) -> bool:
        """Stream an MCP tool call and run it, or ask for approval first.

        Returns:
            True when the tool was called (so the model goes on with its output).
        """
        arguments = call.arguments_json
        approval = None
        if self._mcp.needs_approval(server_label, call.name):
            if self._conversation is not None:
                approval = approved_request(self._conversation, server_label, call.name)
            if approval is None:
                request = RealtimeMCPApprovalRequest(
                    type="mcp_approval_request",
                    id=self._ids.make("item"),
                    server_label=server_label,
                    name=call.name,
                    arguments=arguments,
                )
                stored = await self._open_item(output_index, request)
                await self._close_item(output_index, request, stored)
                return False
        item = RealtimeMCPToolCall(
            type="mcp_call",
            id=self._ids.make("item"),
            server_label=server_label,
            name=call.name,
            arguments="",
            approval_request_id=approval.id if approval is not None else None,
        )
        stored = await self._open_item(output_index, item)
        place = _ItemRef(item_id=item.id, output_index=output_index)
        where = _ResponseItemRef(response_id=self._response_id, **place)
        for start in range(0, len(arguments), _ARGUMENT_DELTA_CHARS):
            delta = arguments[start : start + _ARGUMENT_DELTA_CHARS]
            await self._outbox.send(
                ResponseMcpCallArgumentsDeltaEvent(event_id=self._event_id(), delta=delta, **where)
            )
        await self._outbox.send(
            ResponseMcpCallArgumentsDoneEvent(
                event_id=self._event_id(), arguments=arguments, **where
            )
        )
        await self._outbox.send(ResponseMcpCallInProgressEvent(event_id=self._event_id(), **place))
        try:
            output = await self._mcp.call(server_label, call.name, arguments)
        except McpCallFailed as failed:
            final = item.model_copy(update={"arguments": arguments, "error": failed.error})
            await self._outbox.send(ResponseMcpCallFailedEvent(event_id=self._event_id(), **place))
        else:
            final = item.model_copy(update={"arguments": arguments, "output": output})
            self._written.text_chars += len(output)
            await self._outbox.send(
                ResponseMcpCallCompletedEvent(event_id=self._event_id(), **place)
            )
        self._written.text_chars += len(arguments)
        await self._close_item(output_index, final, stored)
        return True

    async def _stream_message(self, output_index: int, text: str, reply: Reply) -> None:
        if self._active.cancelled:
            return
        spoken = reply.audio is not None or reply.audio_text is not None or self._settings.spoken
        if reply.audio is None:
            text = self._within_token_limit(text)
        item_id = self._ids.make("item")
        stored = await self._open_item(output_index, _assistant_message(item_id, "in_progress", []))
        part = _PartRef(
            response_id=self._response_id,
            item_id=item_id,
            output_index=output_index,
            content_index=0,
        )
        await self._outbox.send(
            ResponseContentPartAddedEvent(
                event_id=self._event_id(),
                part=ResponseContentPart(type="audio", transcript="")
                if spoken
                else ResponseContentPart(type="text", text=""),
                **part,
            )
        )
        if spoken:
            said = await self._stream_audio(part, text, reply.audio, stored)
            content = AssistantMessageContent(type="output_audio", transcript=said)
        else:
            said = await self._stream_text(part, text)
            content = AssistantMessageContent(type="output_text", text=said)
        self._written.text_chars += len(said)
        await self._outbox.send(
            ResponseContentPartDoneEvent(
                event_id=self._event_id(),
                part=ResponseContentPartDone(type="audio", transcript=said)
                if spoken
                else ResponseContentPartDone(type="text", text=said),
                **part,
            )
        )
        final = _assistant_message(item_id, self._item_status(), [content])
        await self._close_item(output_index, final, stored)

    async def _stream_text(self, part: _PartRef, text: str) -> str:
        sent: list[str] = []
        for piece in text_deltas(text):
            if self._active.cancelled:
                break
            await self._outbox.send(
                ResponseOutputTextDeltaEvent(event_id=self._event_id(), delta=piece, **part)
            )
            sent.append(piece)
            await asyncio.sleep(0)
        said = "".join(sent)
        await self._outbox.send(
            ResponseOutputTextDoneEvent(event_id=self._event_id(), text=said, **part)
        )
        return said

    async def _stream_audio(
        self,
        part: _PartRef,
        transcript: str,
        samples: NDArray[np.int16] | None,
        stored: StoredItem | None,
    ) -> str:
        audio = self._audio_for(transcript, samples)
        stored_audio = StoredAudio(audio.samples[:0], self._settings.audio_format)
        if stored is not None:
            stored.audio[0] = stored_audio
        total = len(audio.samples)
        # Each transcript delta goes out just before the audio chunk in which it starts.
        pieces = list(timed_deltas(transcript, total))
        next_piece = 0
        pacer = Pacer(self._options.pace, self._settings.audio_format.rate, self._clock)
        for index, chunk in enumerate(audio.chunks):
            if self._active.cancelled:
                break
            chunk_end = min(total, (index + 1) * audio.chunk_samples)
            while next_piece < len(pieces) and pieces[next_piece][1] < chunk_end:
                await self._send_transcript_delta(part, pieces[next_piece][0])
                next_piece += 1
            await self._outbox.send_encoded(
                _AUDIO_DELTA_JSON.format(event_id=self._event_id(), delta=chunk, **part),
                "response.output_audio.delta",
            )
            stored_audio.samples = audio.samples[:chunk_end]
            await pacer.wait_until_played(chunk_end)
        if not self._active.cancelled:
            for piece, _ in pieces[next_piece:]:
                await self._send_transcript_delta(part, piece)
            next_piece = len(pieces)
        self._written.audio_seconds += len(stored_audio.samples) / stored_audio.audio_format.rate
        said = "".join(piece for piece, _ in pieces[:next_piece])
        await self._outbox.send(ResponseOutputAudioDoneEvent(event_id=self._event_id(), **part))
        await self._outbox.send(
            ResponseOutputAudioTranscriptDoneEvent(
                event_id=self._event_id(), transcript=said, **part
            )
        )
        return said

    async def _send_transcript_delta(self, part: _PartRef, piece: str) -> None:
        await self._outbox.send(
            ResponseOutputAudioTranscriptDeltaEvent(event_id=self._event_id(), delta=piece, **part)
        )

    def _audio_for(self, transcript: str, samples: NDArray[np.int16] | None) -> SpokenAudio:
        audio_format = self._settings.audio_format
        if samples is None:
            return speak(
                transcript, audio_format, self._options.ms_per_char, self._options.audio_chunk_ms
            )
        if audio_format.rate != SAMPLE_RATE:
            samples = resample(samples, SAMPLE_RATE, audio_format.rate)
        return encode_chunks(samples, audio_format, self._options.audio_chunk_ms)

    async def _stream_function_call(self, output_index: int, call: ToolCall) -> None:
        item_id = self._ids.make("item")
        call_id = call.call_id or self._ids.make("call")
        stored = await self._open_item(
            output_index,
            RealtimeConversationItemFunctionCall(
                id=item_id,
                object="realtime.item",
                status="in_progress",
                call_id=call_id,
                name=call.name,
                arguments="",
            ),
        )
        arguments = call.arguments_json
        sent = 0
        common = _CallRef(
            response_id=self._response_id,
            item_id=item_id,
            output_index=output_index,
            call_id=call_id,
        )
        while sent < len(arguments) and not self._active.cancelled:
            delta = arguments[sent : sent + _ARGUMENT_DELTA_CHARS]
            await self._outbox.send(
                ResponseFunctionCallArgumentsDeltaEvent(
                    event_id=self._event_id(), delta=delta, **common
                )
            )
            sent += len(delta)
            await asyncio.sleep(0)
        await self._outbox.send(
            ResponseFunctionCallArgumentsDoneEvent(
                event_id=self._event_id(), name=call.name, arguments=arguments[:sent], **common
            )
        )
        self._written.text_chars += sent
        final = RealtimeConversationItemFunctionCall(
            id=item_id,
            object="realtime.item",
            status=self._item_status(),
            call_id=call_id,
            name=call.name,
            arguments=arguments[:sent],
        )
        await self._close_item(output_index, final, stored)

    async def _open_item(
        self, output_index: int, item: RealtimeConversationItem
    ) -> StoredItem | None:
        await self._outbox.send(
            ResponseOutputItemAddedEvent(
                event_id=self._event_id(),
                response_id=self._response_id,
                output_index=output_index,
                item=item,
            )
        )
        if self._conversation is None:
            return None
        stored = StoredItem(item)
        previous = self._conversation.insert(stored)
        await self._outbox.send(
            ConversationItemAddedEvent(
                event_id=self._event_id(), previous_item_id=previous, item=item
            )
        )
        return stored

    async def _close_item(
        self, output_index: int, item: RealtimeConversationItem, stored: StoredItem | None
    ) -> None:
        self._written.items.append(item)
        await self._outbox.send(
            ResponseOutputItemDoneEvent(
                event_id=self._event_id(),
                response_id=self._response_id,
                output_index=output_index,
                item=item,
            )
        )
        # The client may have deleted the item while it streamed; then there is nothing to finish.
        if stored is None or self._conversation is None or stored.item_id not in self._conversation:
            return
        stored.item = item
        await self._outbox.send(
            ConversationItemDoneEvent(
                event_id=self._event_id(),
                previous_item_id=self._conversation.previous_id(stored.item_id),
                item=item,
            )
        )

    def _within_token_limit(self, text: str) -> str:
        limit = self._settings.max_output_tokens
        if limit == "inf" or len(text) <= limit * CHARS_PER_TOKEN:
            return text
        self._token_limited = True
        return text[: limit * CHARS_PER_TOKEN]

    def _item_status(self) -> Literal["completed", "incomplete"]:
        return "incomplete" if self._active.cancelled or self._token_limited else "completed"

    async def _fail(self, message: str) -> None:
        await self._outbox.send(
            ErrorEvent(
                event_id=self._event_id(),
                error=RealtimeErrorDetails(
                    type="server_error", code="server_error", message=message
                ),
            )
        )
        await self._finish("failed", None)

    async def _finish(
        self,
        status: Status,
        reason: Literal["turn_detected", "client_cancelled", "max_output_tokens"] | None,
    ) -> None:
        details = None
        if status != "completed":
            details = RealtimeResponseStatusDetails(type=status, reason=reason)
            if status == "failed":
                details.error = RealtimeResponseStatusDetailsError(
                    type="server_error", code="server_error"
                )
        written = TokenCount.of_output(self._written.text_chars, self._written.audio_seconds)
        response = self._response(status, details)
        response.output = list(self._written.items)
        response.usage = response_usage(self._read, written)
        self._budget.record_output(written.total)
        self._finishing(self._written.audio_seconds)
        await self._outbox.send(ResponseDoneEvent(event_id=self._event_id(), response=response))

    def _response(
        self,
        status: Literal["in_progress", "completed", "cancelled", "failed", "incomplete"],
        details: RealtimeResponseStatusDetails | None,
    ) -> RealtimeResponse:
        settings = self._settings
        return RealtimeResponse(
            id=self._response_id,
            object="realtime.response",
            status=status,
            status_details=details,
            output=[],
            conversation_id=self._conversation_id,
            output_modalities=list(settings.output_modalities),
            max_output_tokens=settings.max_output_tokens,
            audio=RealtimeResponseAudio(
                output=RealtimeResponseAudioOutput.model_validate(
                    {"format": settings.audio_format.to_wire(), "voice": settings.voice}
                )
            ),
            usage=None,
            metadata=settings.metadata,
        )

    def _event_id(self) -> str:
        return self._ids.make("event")


def _assistant_message(
    item_id: str,
    status: Literal["completed", "incomplete", "in_progress"],
    content: list[AssistantMessageContent],
) -> RealtimeConversationItemMessageAssistant:
    # `type` and `role` are set explicitly: the item union is discriminated on both, and only
    # fields that were set are serialised.
    return RealtimeConversationItemMessageAssistant(
        id=item_id,
        object="realtime.item",
        type="message",
        status=status,
        role="assistant",
        content=content,
    )
