"""One client connection: reads client events and answers them as the service would.

Client events are handled one at a time, in order, by the handler the table at the end of this
module names for their ``type``. A response streams in its own task, so the client can cancel it,
append audio or edit the conversation meanwhile. A rejected event gets an ``error`` event and
the connection stays open, as with the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias

import numpy as np
from aiohttp import WSMsgType, web
from numpy.typing import NDArray

from openai_realtime.protocol.client_frames import InvalidRequest, parse_client_frame
from openai_realtime.testing.clock import FakeClock
from openai_realtime.testing.conversation import (
    Conversation,
    StoredAudio,
    StoredItem,
    text_length,
)
from openai_realtime.testing.faults import Fault
from openai_realtime.testing.idle import IdleTimer
from openai_realtime.testing.ids import IdFactory
from openai_realtime.testing.input_audio import InputAudio
from openai_realtime.testing.lifetime import DEFAULT_MAX_SESSION_SECONDS, SessionLifetime
from openai_realtime.testing.mcp_tools import McpServers
from openai_realtime.testing.outbox import ConnectionGone, Outbox
from openai_realtime.testing.pacing import text_deltas
from openai_realtime.testing.record import ConnectionRecord
from openai_realtime.testing.replies import Reply
from openai_realtime.testing.responder import Responder, ResponseContext, resolve_reply
from openai_realtime.testing.session import SessionState
from openai_realtime.testing.settings import ResponseSettings
from openai_realtime.testing.streaming import ActiveResponse, ResponseStreamer, StreamOptions
from openai_realtime.testing.usage import RateLimitBudget, TokenCount, transcription_usage
from openai_realtime.testing.vad import SpeechStarted, SpeechStopped, VADSettings
from openai_realtime.types import (
    ConversationCreatedEvent,
    ConversationItemAddedEvent,
    ConversationItemCreateEvent,
    ConversationItemDeletedEvent,
    ConversationItemDeleteEvent,
    ConversationItemDoneEvent,
    ConversationItemInputAudioTranscriptionCompletedEvent,
    ConversationItemInputAudioTranscriptionDeltaEvent,
    ConversationItemInputAudioTranscriptionFailedEvent,
    ConversationItemRetrievedEvent,
    ConversationItemRetrieveEvent,
    ConversationItemTruncatedEvent,
    ConversationItemTruncateEvent,
    InputAudioBufferAppendEvent,
    InputAudioBufferClearedEvent,
    InputAudioBufferClearEvent,
    InputAudioBufferCommitEvent,
    InputAudioBufferCommittedEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    InputAudioBufferTimeoutTriggeredEvent,
    MCPTool,
    OutputAudioBufferClearEvent,
    RealtimeConversationInfo,
    RealtimeConversationItem,
    RealtimeConversationItemMessageUser,
    RealtimeResponseCreateParams,
    ResponseCancelEvent,
    ResponseCreateEvent,
    ServerEvent,
    SessionCreatedEvent,
    SessionUpdatedEvent,
    SessionUpdateEvent,
    TranscriptionErrorDetails,
    UserMessageContent,
)

__all__ = ["Connection", "ConnectionOptions", "TranscriptionOrder"]

logger = logging.getLogger("openai_realtime.testing")

TranscriptionOrder: TypeAlias = Literal["before_response", "after_response"]
"""When an input transcript finishes relative to the ``response.created`` its turn starts."""

MIN_COMMIT_MS = 100
"""The service refuses to commit less input audio than this."""


@dataclass(frozen=True)
class ConnectionOptions:
    """Server options every connection uses.

    Attributes:
        stream: How responses are streamed.
        session_overrides: Changes to the default session, merged like ``session.update``.
        faults: Faults counted from the start of each connection.
        record_limit: Frames kept per direction in each :class:`ConnectionRecord`.
        clock: The server's clock: every timer of the connection runs on it.
        transcription_order: Whether input transcripts finish before or after the
            ``response.created`` of the response their turn starts; ``None`` lets the
            connection's seeded random choose for each turn, as live either happens.
        max_session_seconds: The session's maximum duration on the clock (``None``: none);
            see :mod:`~openai_realtime.testing.lifetime`.
    """

    stream: StreamOptions = field(default_factory=StreamOptions)
    session_overrides: Mapping[str, Any] | None = None
    faults: tuple[Fault, ...] = ()
    record_limit: int = 1000
    clock: FakeClock = field(default_factory=FakeClock)
    transcription_order: TranscriptionOrder | None = None
    max_session_seconds: float | None = DEFAULT_MAX_SESSION_SECONDS


class Connection:
    """Serves one WebSocket until it closes.

    Args:
        websocket: The prepared server-side WebSocket.
        request: The upgraded HTTP request.
        record: Where frames are recorded.
        responder: Decides answers and transcripts.
        options: Server options.
        rng: This connection's seeded random choices (see ``FakeRealtimeServer(seed=)``).

    Raises:
        ValueError: The session overrides in ``options`` are invalid.
    """

    def __init__(
        self,
        websocket: web.WebSocketResponse,
        request: web.Request,
        record: ConnectionRecord,
        responder: Responder,
        options: ConnectionOptions,
        rng: random.Random,
    ) -> None:
        self._websocket = websocket
        self._rng = rng
        self._record = record
        self._responder = responder
        self._options = options
        self._ids = IdFactory()
        self._outbox = Outbox(websocket, request, record, self._ids, options.clock)
        self._lifetime = SessionLifetime(options.clock, options.max_session_seconds)
        self._session = self._new_session(
            self._ids.make("sess"), record.model, options.session_overrides
        )
        self._conversation = Conversation()
        self._conversation_id = self._ids.make("conv")
        self._input = InputAudio(self._session.input_format, self._vad_settings())
        self._idle = IdleTimer(options.clock, self._idle_alarm)
        self._idle.configure(self._idle_timeout_ms())
        self._mcp = McpServers(self._outbox, self._ids, self._conversation)
        self._speech_item_id: str | None = None
        self._active: ActiveResponse | None = None
        self._auto_response_pending = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._budget = RateLimitBudget()
        # Transcription events held back until the next response.created (see _commit).
        self._deferred_transcripts: list[ServerEvent] = []

    def _new_session(
        self, session_id: str, model: str, overrides: Mapping[str, Any] | None
    ) -> SessionState:
        """The connection's session (a session kind may keep another configuration)."""
        return SessionState(session_id, model, overrides, expires_at=self._lifetime.expires_at)

    async def run(self) -> None:
        """Greet the client with ``session.created`` and serve it until the connection ends."""
        try:
            await self._outbox.schedule(self._options.faults)
            await self._greet()
            self._start_lifetime()
            async for message in self._websocket:
                if message.type is WSMsgType.TEXT:
                    await self._handle_text(message.data)
                elif message.type is WSMsgType.BINARY:
                    self._record.record_received(message.data, "<binary>")
                    await self._reject(
                        InvalidRequest(
                            "Binary frames are not supported: send each event as a JSON text "
                            "frame.",
                            code="invalid_event",
                        )
                    )
                else:
                    break
        except ConnectionGone:
            pass
        finally:
            self._idle.disarm()
            self._mcp.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._record.closed = True

    async def _greet(self) -> None:
        """The first events of the connection (a session kind may send others)."""
        await self._outbox.send(
            SessionCreatedEvent(event_id=self._event_id(), session=self._session.snapshot())
        )
        await self._outbox.send(
            ConversationCreatedEvent(
                event_id=self._event_id(),
                conversation=RealtimeConversationInfo(
                    id=self._conversation_id, object="realtime.conversation"
                ),
            )
        )
        await self._mcp.configure(self._session.current.tools or ())

    def _start_lifetime(self) -> None:
        """End the session at its maximum duration, on the server's clock, as live does."""
        if self._options.max_session_seconds is None:
            return
        task = asyncio.create_task(
            self._lifetime.end_at_limit(self._outbox, self._websocket, self._event_id)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _handler(self, event_type: str) -> _Handler:
        """What handles a client event of ``event_type`` (a session kind may refuse some)."""
        return _HANDLERS[event_type]

    async def _handle_text(self, frame: str) -> None:
        try:
            event = parse_client_frame(frame)
        except InvalidRequest as rejection:
            self._record.record_received(frame, "<invalid>")
            await self._reject(rejection)
            return
        self._record.record_received(frame, event.type)
        try:
            await self._handler(event.type)(self, event)
            if self._active is None and not self._auto_response_pending:
                # No response will carry the held-back transcripts: send them now.
                await self._send_deferred_transcripts()
        except InvalidRequest as rejection:
            rejection.event_id = rejection.event_id or event.event_id
            await self._reject(rejection)
        except ConnectionGone:
            raise
        except Exception as error:
            # A bug here must not end a connection that tests and demos depend on.
            logger.exception("the fake server failed to handle %s", event.type)
            await self._reject(
                InvalidRequest(
                    f"The server failed to handle {event.type}: {error!r}",
                    code="server_error",
                    event_id=event.event_id,
                    error_type="server_error",
                )
            )

    async def _reject(self, rejection: InvalidRequest) -> None:
        logger.debug("rejected a client event: %s", rejection.message)
        await self._outbox.send(rejection.to_event(self._event_id()))

    # --- session -------------------------------------------------------------------------

    async def _on_session_update(self, event: SessionUpdateEvent) -> None:
        if self._changes_voice(event) and self._conversation.has_assistant_audio():
            raise InvalidRequest(
                "Cannot update a conversation's voice if assistant audio is present.",
                code="cannot_update_voice",
            )
        self._session.update(event.session)
        self._input.reconfigure(self._session.input_format, self._vad_settings())
        self._idle.configure(self._idle_timeout_ms())
        if not self._input.in_speech:
            self._speech_item_id = None
        await self._outbox.send(
            SessionUpdatedEvent(event_id=self._event_id(), session=self._session.snapshot())
        )
        await self._mcp.configure(self._session.current.tools or ())

    def _changes_voice(self, event: SessionUpdateEvent) -> bool:
        audio = getattr(event.session, "audio", None)
        output = audio.output if audio is not None else None
        if output is None or "voice" not in output.model_fields_set:
            return False
        return _voice_name(output.voice) != self._session.voice

    def _vad_settings(self) -> VADSettings | None:
        turn_detection = self._session.turn_detection
        return VADSettings.from_turn_detection(turn_detection) if turn_detection else None

    def _turn_option(self, name: str) -> bool:
        """``create_response`` / ``interrupt_response`` of turn detection (both default on)."""
        value = (self._session.turn_detection or {}).get(name)
        return True if value is None else bool(value)

    # --- input audio ---------------------------------------------------------------------

    async def _on_append(self, event: InputAudioBufferAppendEvent) -> None:
        try:
            samples = self._input.audio_format.decode(event.audio)
        except ValueError as error:
            raise InvalidRequest(
                f"Invalid input audio: {error}", code="invalid_value", param="audio"
            ) from None
        await self.receive_audio(samples)

    async def receive_audio(self, samples: NDArray[np.int16]) -> None:
        """Take input audio in the session's input format, from an append or a media track.

        A WebRTC call's microphone arrives as media, not as ``input_audio_buffer.append``
        events; it goes through the same buffer, VAD and turns.

        Raises:
            ConnectionGone: The connection is closed.
        """
        for transition in self._input.append(samples):
            if isinstance(transition, SpeechStarted):
                await self._speech_started(transition)
            else:
                await self._speech_stopped(transition)
        await self._check_idle_timeout()
        self._input.forget_idle_audio()

    def _idle_timeout_ms(self) -> int | None:
        turn_detection = self._session.turn_detection or {}
        timeout_ms = turn_detection.get("idle_timeout_ms")
        # The service supports the idle timeout with server_vad only.
        if turn_detection.get("type") != "server_vad" or not timeout_ms:
            return None
        return int(timeout_ms)

    def _idle_alarm(self) -> None:
        """The idle countdown ran out on the clock: a client that sends nothing times out too."""
        task = asyncio.create_task(self._idle_alarm_check())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _idle_alarm_check(self) -> None:
        with contextlib.suppress(ConnectionGone):
            await self._check_idle_timeout()

    async def _check_idle_timeout(self) -> None:
        if self._active is not None or self._input.in_speech:
            return
        audio_format = self._input.audio_format
        start = self._idle.due(audio_format, self._input.end)
        if start is None:
            return
        self._idle.disarm()
        item_id = self._ids.make("item")
        await self._outbox.send(
            InputAudioBufferTimeoutTriggeredEvent(
                event_id=self._event_id(),
                audio_start_ms=audio_format.ms_for_samples(start),
                audio_end_ms=audio_format.ms_for_samples(self._input.end),
                item_id=item_id,
            )
        )
        # The service commits even an empty buffer here (the manual commit's minimum does not
        # apply): the silent stretch becomes the user's turn.
        await self._commit(self._input.take_all(), item_id)
        self._start_response(RealtimeResponseCreateParams())

    async def _speech_started(self, transition: SpeechStarted) -> None:
        self._idle.disarm()
        start = max(transition.audio_start_sample, self._input.buffer_start)
        self._input.start_turn(start)
        self._speech_item_id = self._ids.make("item")
        await self._outbox.send(
            InputAudioBufferSpeechStartedEvent(
                event_id=self._event_id(),
                audio_start_ms=self._input.audio_format.ms_for_samples(start),
                item_id=self._speech_item_id,
            )
        )
        if self._active is not None and self._turn_option("interrupt_response"):
            self._active.cancel("turn_detected")

    async def _speech_stopped(self, transition: SpeechStopped) -> None:
        item_id = self._take_speech_item_id()
        await self._outbox.send(
            InputAudioBufferSpeechStoppedEvent(
                event_id=self._event_id(),
                audio_end_ms=self._input.audio_format.ms_for_samples(transition.audio_end_sample),
                item_id=item_id,
            )
        )
        await self._commit(self._input.take_until(transition.audio_end_sample), item_id)
        if not self._turn_option("create_response"):
            return
        if self._active is None:
            self._start_response(RealtimeResponseCreateParams())
        else:
            # The response being interrupted is still closing; answer once it has.
            self._auto_response_pending = True

    async def _on_commit(self, event: InputAudioBufferCommitEvent) -> None:
        buffered_ms = self._input.buffered_ms
        if buffered_ms < MIN_COMMIT_MS:
            raise InvalidRequest(
                "Error committing input audio buffer: buffer too small. Expected at least "
                f"{MIN_COMMIT_MS}ms of audio, but buffer only has {buffered_ms:.2f}ms of audio.",
                code="input_audio_buffer_commit_empty",
            )
        item_id = self._take_speech_item_id()
        await self._commit(self._input.take_all(), item_id)

    async def _on_clear(self, event: InputAudioBufferClearEvent) -> None:
        self._input.clear()
        self._speech_item_id = None
        await self._outbox.send(InputAudioBufferClearedEvent(event_id=self._event_id()))

    def _take_speech_item_id(self) -> str:
        item_id, self._speech_item_id = self._speech_item_id, None
        return item_id or self._ids.make("item")

    async def _commit(self, samples: NDArray[np.int16], item_id: str) -> None:
        await self._outbox.send(
            InputAudioBufferCommittedEvent(
                event_id=self._event_id(),
                previous_item_id=self._conversation.last_id,
                item_id=item_id,
            )
        )
        item = RealtimeConversationItemMessageUser(
            id=item_id,
            object="realtime.item",
            type="message",
            status="completed",
            role="user",
            content=[UserMessageContent(type="input_audio", transcript=None)],
        )
        stored = StoredItem(item, {0: StoredAudio(samples, self._input.audio_format)})
        await self._add_item(stored, None)
        if not self._session.transcription_model:
            return
        events = self._transcription_events(stored, samples)
        order = self._options.transcription_order
        if order is None:
            order = self._rng.choice(("before_response", "after_response"))
        if order == "after_response":
            self._deferred_transcripts.extend(events)
        else:
            await self._send_deferred_transcripts()
            for transcription_event in events:
                await self._outbox.send(transcription_event)

    async def _send_deferred_transcripts(self) -> None:
        events, self._deferred_transcripts = self._deferred_transcripts, []
        for event in events:
            await self._outbox.send(event)

    def _transcription_events(
        self, stored: StoredItem, samples: NDArray[np.int16]
    ) -> list[ServerEvent]:
        """The transcription of a committed turn, decided now and sent now or later.

        The stored item gets its transcript at once, so what the responder reads does not
        depend on when the events go out.
        """
        rate = self._input.audio_format.rate
        try:
            transcript = self._responder.transcribe(samples, rate)
            if not isinstance(transcript, str):
                raise TypeError(f"transcribe() must return a str, got {type(transcript).__name__}")
        except Exception as error:
            logger.exception("the responder failed to transcribe input audio")
            return [
                ConversationItemInputAudioTranscriptionFailedEvent(
                    event_id=self._event_id(),
                    item_id=stored.item_id,
                    content_index=0,
                    error=TranscriptionErrorDetails(
                        type="transcription_error", code="responder_error", message=repr(error)
                    ),
                )
            ]
        events: list[ServerEvent] = [
            ConversationItemInputAudioTranscriptionDeltaEvent(
                event_id=self._event_id(), item_id=stored.item_id, content_index=0, delta=piece
            )
            for piece in text_deltas(transcript)
        ]
        events.append(
            ConversationItemInputAudioTranscriptionCompletedEvent(
                event_id=self._event_id(),
                item_id=stored.item_id,
                content_index=0,
                transcript=transcript,
                usage=transcription_usage(len(samples) / rate, transcript),
            )
        )
        content = getattr(stored.item, "content", None)
        if content:
            content[0] = content[0].model_copy(update={"transcript": transcript})
        return events

    # --- conversation items --------------------------------------------------------------

    async def _on_item_create(self, event: ConversationItemCreateEvent) -> None:
        stored = StoredItem.from_client(
            event.item,
            event.item.id or self._ids.make("item"),
            input_format=self._session.input_format,
            output_format=self._session.output_format,
        )
        await self._add_item(stored, event.previous_item_id)

    async def _add_item(self, stored: StoredItem, previous_item_id: str | None) -> None:
        previous = self._conversation.insert(stored, previous_item_id)
        for event_type in (ConversationItemAddedEvent, ConversationItemDoneEvent):
            await self._outbox.send(
                event_type(event_id=self._event_id(), previous_item_id=previous, item=stored.item)
            )

    async def _on_item_retrieve(self, event: ConversationItemRetrieveEvent) -> None:
        stored = self._conversation.get(event.item_id)
        await self._outbox.send(
            ConversationItemRetrievedEvent(event_id=self._event_id(), item=stored.with_audio())
        )

    async def _on_item_truncate(self, event: ConversationItemTruncateEvent) -> None:
        self._conversation.truncate(event.item_id, event.content_index, event.audio_end_ms)
        await self._outbox.send(
            ConversationItemTruncatedEvent(
                event_id=self._event_id(),
                item_id=event.item_id,
                content_index=event.content_index,
                audio_end_ms=event.audio_end_ms,
            )
        )

    async def truncate_played(self, item_id: str, content_index: int, audio_end_ms: int) -> None:
        """Truncate an assistant item at what a call's media track played (WebRTC barge-in).

        The service does this itself on a call, as a client does over a WebSocket.

        Raises:
            ConnectionGone: The connection is closed.
        """
        event = ConversationItemTruncateEvent(
            item_id=item_id, content_index=content_index, audio_end_ms=audio_end_ms
        )
        try:
            await self._on_item_truncate(event)
        except InvalidRequest as rejection:
            # The item was deleted meanwhile: nothing is left to truncate.
            logger.debug("no truncation after an interruption: %s", rejection.message)

    async def _on_item_delete(self, event: ConversationItemDeleteEvent) -> None:
        self._conversation.delete(event.item_id)
        await self._outbox.send(
            ConversationItemDeletedEvent(event_id=self._event_id(), item_id=event.item_id)
        )

    # --- responses -----------------------------------------------------------------------

    async def _on_response_create(self, event: ResponseCreateEvent) -> None:
        if self._active is not None:
            raise InvalidRequest(
                "Conversation already has an active response in progress: "
                f"{self._active.response_id}. Wait until the response is finished before "
                "creating a new one.",
                code="conversation_already_has_active_response",
            )
        self._start_response(event.response or RealtimeResponseCreateParams())

    async def _on_response_cancel(self, event: ResponseCancelEvent) -> None:
        active = self._active
        if active is None:
            raise InvalidRequest(
                "Cancellation failed: no active response found.",
                code="response_cancel_not_active",
            )
        if event.response_id is not None and event.response_id != active.response_id:
            raise InvalidRequest(
                f"Cancellation failed: response '{event.response_id}' is not the active "
                f"response ({active.response_id}).",
                code="response_cancel_not_active",
                param="response_id",
            )
        active.cancel("client_cancelled")

    async def _on_output_audio_clear(self, event: OutputAudioBufferClearEvent) -> None:
        # Upstream, the output audio buffer exists only on WebRTC and SIP connections.
        raise InvalidRequest(
            "output_audio_buffer.clear is only supported on WebRTC and SIP connections. Over "
            "a WebSocket, stop playback locally, send response.cancel and "
            "conversation.item.truncate.",
            code="unsupported_event",
            param="type",
        )

    def _start_response(self, params: RealtimeResponseCreateParams) -> None:
        self._idle.disarm()
        settings = ResponseSettings.resolve(self._session.current, params)
        active = ActiveResponse(self._ids.make("resp"))
        self._active = active
        context = self._context(settings, params)
        streamer = ResponseStreamer(
            outbox=self._outbox,
            ids=self._ids,
            active=active,
            settings=settings,
            conversation=None if settings.out_of_band else self._conversation,
            conversation_id=self._conversation_id,
            options=self._options.stream,
            read=_read_tokens(context),
            budget=self._budget,
            clock=self._options.clock,
            finishing=lambda audio_seconds: self._finish(active, audio_seconds),
            created=self._send_deferred_transcripts,
            mcp=self._mcp,
            follow_up=lambda: self._follow_up(settings, params),
        )
        task = asyncio.create_task(
            self._run_response(streamer, context, active, settings.mcp_servers)
        )
        self._tasks.add(task)
        task.add_done_callback(self._response_task_done)

    def _response_task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("a response failed inside the fake server", exc_info=task.exception())

    def _finish(self, active: ActiveResponse, audio_seconds: float) -> None:
        self._release(active)
        # A user speaking as the response ends is not idle (speech stops the countdown too).
        if self._active is None and not self._input.in_speech:
            self._idle.arm(self._input.end, audio_seconds)

    def _release(self, active: ActiveResponse) -> None:
        # Called just before response.done goes out, so a client that answers response.done
        # with response.create at once is never told a response is still active.
        if self._active is active:
            self._active = None

    async def _run_response(
        self,
        streamer: ResponseStreamer,
        context: ResponseContext,
        active: ActiveResponse,
        mcp_servers: tuple[MCPTool, ...],
    ) -> None:
        try:
            try:
                # MCP servers given only in response.create are listed as the session's are,
                # before the response starts (the session's were listed on session.update).
                await self._mcp.configure(mcp_servers)
                await self._mcp.settled()
                context = replace(context, mcp_tools=self._mcp.available(mcp_servers))
                reply = await resolve_reply(self._responder, context)
            except Exception as error:
                logger.exception("the responder failed")
                await streamer.fail(f"The responder failed: {error!r}")
            else:
                await streamer.run(reply)
        except ConnectionGone:
            return
        finally:
            # Normally released just before response.done; this covers a response that crashed.
            self._release(active)
        if self._auto_response_pending and self._active is None:
            self._auto_response_pending = False
            self._start_response(RealtimeResponseCreateParams())
        elif self._active is None:
            # Turns committed while this response ran wait for no later response.
            with contextlib.suppress(ConnectionGone):
                await self._send_deferred_transcripts()

    async def _follow_up(
        self, settings: ResponseSettings, params: RealtimeResponseCreateParams
    ) -> Reply:
        """The model going on after MCP calls returned: the responder reads their output."""
        context = replace(
            self._context(settings, params), mcp_tools=self._mcp.available(settings.mcp_servers)
        )
        return await resolve_reply(self._responder, context)

    def _context(
        self, settings: ResponseSettings, params: RealtimeResponseCreateParams
    ) -> ResponseContext:
        if settings.input_items is not None:
            items: tuple[RealtimeConversationItem, ...] = tuple(
                item.model_copy(deep=True) for item in settings.input_items
            )
        else:
            items = tuple(stored.item.model_copy(deep=True) for stored in self._conversation)
        return ResponseContext(
            items=items,
            audio=self._user_audio(),
            sample_rate=self._input.audio_format.rate,
            session=self._session.snapshot(),
            params=params.model_copy(deep=True),
            instructions=settings.instructions,
            output_modalities=settings.output_modalities,
            tools=settings.tools,
            tool_choice=settings.tool_choice,
            parallel_tool_calls=settings.parallel_tool_calls,
            out_of_band=settings.out_of_band,
        )

    def _user_audio(self) -> dict[str, NDArray[np.int16]]:
        audio: dict[str, NDArray[np.int16]] = {}
        for stored in self._conversation:
            if isinstance(stored.item, RealtimeConversationItemMessageUser) and stored.audio:
                view = stored.audio[min(stored.audio)].samples.view()
                view.flags.writeable = False
                audio[stored.item_id] = view
        return audio

    def _event_id(self) -> str:
        return self._ids.make("event")


def _voice_name(voice: object) -> str | None:
    """A built-in voice's name or a custom voice's id."""
    return voice if isinstance(voice, str) or voice is None else getattr(voice, "id", None)


def _read_tokens(context: ResponseContext) -> TokenCount:
    text_chars = len(context.instructions) + sum(text_length(item) for item in context.items)
    audio_seconds = sum(len(samples) for samples in context.audio.values()) / context.sample_rate
    return TokenCount.of_input(text_chars, audio_seconds)


_Handler = Callable[[Connection, Any], Awaitable[None]]

# The protocol as a table: client event type -> what the server does with it.
_HANDLERS: dict[str, _Handler] = {
    "session.update": Connection._on_session_update,
    "input_audio_buffer.append": Connection._on_append,
    "input_audio_buffer.commit": Connection._on_commit,
    "input_audio_buffer.clear": Connection._on_clear,
    "conversation.item.create": Connection._on_item_create,
    "conversation.item.retrieve": Connection._on_item_retrieve,
    "conversation.item.truncate": Connection._on_item_truncate,
    "conversation.item.delete": Connection._on_item_delete,
    "response.create": Connection._on_response_create,
    "response.cancel": Connection._on_response_cancel,
    "output_audio_buffer.clear": Connection._on_output_audio_clear,
}
