"""``RealtimeClient``: the facade most applications use.

It owns a :class:`~openai_realtime.api.RealtimeAPI` (``client.realtime``, the socket) and a
:class:`~openai_realtime.protocol.conversation.RealtimeConversation` (``client.conversation``,
the cache of items), keeps the session configuration, runs tools, and emits the utility events
``conversation.updated``, ``conversation.item.appended``, ``conversation.item.completed``,
``conversation.interrupted`` and ``realtime.event`` besides every ``server.*`` / ``client.*``
event and ``error``.

Example::

    async with RealtimeClient(url=server.url) as client:
        await client.update_session(instructions="Be brief.", turn_detection=None)
        await client.send_user_message_content([{"type": "input_text", "text": "Hello"}])
        item = await client.wait_for_next_completed_item(timeout=30)
        print(item.formatted.transcript or item.formatted.text)

Every method that can write to the socket is a coroutine, also before ``connect()``: then it only
records what ``connect()`` will send. Handlers, ``on()`` and ``off()`` are plain calls.

The life of a connection, as the connection events tell it:

* the connection closes (any reason): a response still in progress is marked failed (its
  ``ResponseRecord.status`` becomes ``failed``, its unfinished items ``incomplete``) and, unless
  ``disconnect()`` asked for the close, an ``error`` (``LocalErrorEvent``) says so; tool runs
  are cancelled; ``close`` fires; every pending wait fails with ``ConnectionClosedError``
  (except waits for ``reconnecting``, ``reconnected`` and ``disconnected``);
* with a :class:`~openai_realtime.reconnect.ReconnectPolicy` and a close code it retries:
  ``reconnecting`` fires before each attempt, then the backoff delay passes, then the client
  connects again, sends the whole session configuration (tools included) in one
  ``session.update``, replays the conversation if the policy says so
  (:func:`~openai_realtime.reconnect.replay_events` lists exactly what), and ``reconnected``
  fires. While reconnecting, sends raise ``ConnectionClosedError``; ``update_session`` and
  ``add_tool`` still record their changes for the next connection;
* otherwise (``disconnect()``, no policy, a code not retried, attempts used up)
  ``disconnected`` fires, once per ``connect()``, and every further send raises
  ``ConnectionClosedError`` until ``connect()`` is called again.

After a reconnect the server's conversation is new (empty, or what was replayed); the client's
``conversation`` keeps the items it had, and the replay reuses their ids so they are updated in
place rather than duplicated.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from openai_realtime.api import DEFAULT_MODEL, RealtimeAPI
from openai_realtime.audio import (
    AudioInput,
    encode_base64,
    samples_to_ms,
    split_for_append,
    to_pcm16,
)
from openai_realtime.errors import (
    ConfigurationError,
    ConnectionClosedError,
    ConversationError,
    ProtocolError,
    RealtimeConnectionError,
    RealtimeError,
)
from openai_realtime.events import EventEmitter, client_event_name, server_event_name
from openai_realtime.local_events import (
    CloseEvent,
    ConversationInterruptedEvent,
    ConversationItemAppendedEvent,
    ConversationItemCompletedEvent,
    ConversationUpdatedEvent,
    DisconnectedEvent,
    LocalErrorEvent,
    RealtimeEventRecord,
    ReconnectedEvent,
    ReconnectingEvent,
)
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import ConversationItem
from openai_realtime.protocol.session_options import (
    build_session_patch,
    merge_patch,
    validate_session,
)
from openai_realtime.reconnect import ReconnectPolicy, replay_events
from openai_realtime.recording import AudioMode, MetricsCollector, Recorder, SessionMetrics
from openai_realtime.tools import ToolHandler, ToolRegistry
from openai_realtime.types import (
    ClientEvent,
    ConversationItemCreateEvent,
    ConversationItemDeleteEvent,
    ConversationItemTruncateEvent,
    InputAudioBufferAppendEvent,
    InputAudioBufferClearedEvent,
    InputAudioBufferCommitEvent,
    InputAudioBufferCommittedEvent,
    InputAudioBufferSpeechStartedEvent,
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemFunctionCallOutput,
    RealtimeConversationItemMessageUser,
    RealtimeFunctionTool,
    RealtimeResponse,
    RealtimeResponseCreateParams,
    RealtimeSessionCreateRequest,
    RealtimeSessionCreateResponse,
    RealtimeTranscriptionSessionCreateResponse,
    ResponseCancelEvent,
    ResponseCreatedEvent,
    ResponseCreateEvent,
    ResponseDoneEvent,
    ServerEvent,
    SessionCreatedEvent,
    SessionUpdatedEvent,
    SessionUpdateEvent,
    UnknownServerEvent,
)
from openai_realtime.types.emitter import ClientEventsMixin

__all__ = ["RealtimeClient"]

logger = logging.getLogger("openai_realtime")

# Server events after which an item is complete; either may come first, both may come.
_COMPLETING = frozenset({"conversation.item.done", "response.output_item.done"})
# Server events that may introduce an item the store has not seen.
_INTRODUCING = frozenset(
    {"conversation.item.added", "conversation.item.created", "response.output_item.added"}
)
# Waits for these survive a close: the events are still to come.
_CONNECTION_EVENTS = ("reconnecting", "reconnected", "disconnected")


class RealtimeClient(ClientEventsMixin, EventEmitter):
    """The Realtime facade: session config, tools, input helpers and utility events.

    Args:
        url: WebSocket URL; defaults to OpenAI's. A relay or the fake server needs no key.
        api_key: API key or ephemeral client secret; defaults to ``OPENAI_API_KEY`` for OpenAI.
        model: The model, sent in the URL query (``gpt-realtime`` when not given).
        keep_audio: Keep audio in the conversation store (``False`` for long-running agents
            that play audio and drop it; transcripts and text are still kept).
        tool_timeout: Seconds a tool handler may run before its call gets an error output.
        realtime: An already built ``RealtimeAPI`` to use instead of building one (e.g. from
            ``RealtimeAPI.azure(...)``); then the connection arguments are not allowed.
        reconnect: A :class:`~openai_realtime.reconnect.ReconnectPolicy`, ``True`` for the
            default policy, or ``False`` to end on the first abnormal close (see the module
            docstring for what happens on a close).
        record: Record every frame into this JSON Lines file from now until ``disconnect()``
            (see :meth:`start_recording`).
        **api_options: Passed to ``RealtimeAPI`` (``organization``, ``project``, ``headers``,
            ``session``, ``max_message_size``, ``heartbeat``, ``allow_insecure``,
            ``send_timeout``, ``max_pending_handlers``). The client's own async handlers count
            against the ``max_pending_handlers`` of its ``RealtimeAPI``.
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        *,
        model: str | None = None,
        keep_audio: bool = True,
        tool_timeout: float | None = 30.0,
        realtime: RealtimeAPI | None = None,
        reconnect: ReconnectPolicy | bool = False,
        record: str | os.PathLike[str] | None = None,
        **api_options: Any,
    ) -> None:
        connection_arguments = (url, api_key, model)
        if realtime is not None and (
            any(a is not None for a in connection_arguments) or api_options
        ):
            raise ConfigurationError("pass either realtime= or connection arguments, not both")
        self.realtime: RealtimeAPI = realtime or RealtimeAPI(
            url, api_key, model=DEFAULT_MODEL if model is None else model, **api_options
        )
        super().__init__(count_tasks_with=self.realtime)
        self.reconnect_policy: ReconnectPolicy | None = (
            ReconnectPolicy() if reconnect is True else reconnect or None
        )
        """How the client reconnects after an abnormal close; ``None`` never reconnects."""
        self.conversation = RealtimeConversation(keep_audio=keep_audio)
        self.tool_timeout = tool_timeout
        self.session: (
            RealtimeSessionCreateResponse | RealtimeTranscriptionSessionCreateResponse | None
        ) = None
        self._session_config: dict[str, Any] = {}
        self._tools = ToolRegistry()
        self._tool_runs: dict[str, list[asyncio.Task[None]]] = {}
        self._active_response: str | None = None
        self._completed_items: set[str] = set()
        self._pending_input_samples = 0
        self._session_created = asyncio.Event()
        self._reconnect_task: asyncio.Task[None] | None = None
        self._last_close: CloseEvent | None = None
        # True outside a connect() .. disconnected span, so `disconnected` fires once per span.
        self._ended = True
        self._backoff_random = random.Random()
        self.realtime.on("server.*", self._on_server_event)
        self.realtime.on("client.*", self._on_client_event)
        self.realtime.on("error", self._forward_error)
        self.realtime.on("close", self._on_close)
        self._metrics = MetricsCollector.attach(self.realtime)
        self._recorder: Recorder | None = None
        if record is not None:
            self.start_recording(record)

    def __repr__(self) -> str:
        items = len(self.conversation.get_items())
        return f"RealtimeClient(realtime={self.realtime!r}, items={items})"

    # -- connection -------------------------------------------------------------------------

    @property
    def is_connected(self) -> bool:
        """True while the WebSocket is open."""
        return self.realtime.is_connected

    async def connect(self) -> None:
        """Open the socket and send the whole accumulated session configuration once.

        Raises:
            RealtimeConnectionError: The connection could not be opened, or a reconnect is in
                progress (wait for ``reconnected`` or call ``disconnect()`` first).
            ConfigurationError: Missing key, insecure URL, or an invalid session configuration.
        """
        if self._reconnect_task is not None:
            raise RealtimeConnectionError("a reconnect is in progress")
        await self._open_session()
        self._ended = False
        last = self._last_close
        if not self.realtime.is_connected and last is not None:
            # It closed after the configuration was sent but before this call returned: the
            # close was held back until now so that a failed connect() only raises.
            self._after_close(last)

    async def _open_session(self) -> None:
        self._session_created.clear()
        self._pending_input_samples = 0
        await self.realtime.connect()
        self.conversation.restart_input_audio()
        # Read only now: update_session() calls made while connecting must not be lost.
        config = self._full_session()
        await self.realtime.send(SessionUpdateEvent(session=validate_session(config)))

    async def disconnect(self) -> None:
        """Close the socket, or stop reconnecting; the conversation and configuration are kept.

        ``disconnected`` fires once the connection is over (if it was not already).
        """
        task = self._reconnect_task
        if task is not None:
            task.cancel()
            # asyncio.wait, not `await task`: the task's own cancellation is not an error here,
            # while a cancellation of this call must still propagate.
            await asyncio.wait([task])
        await self.realtime.disconnect()
        self._cancel_tool_runs()
        self.stop_recording()
        last = self._last_close
        self._end(last.code if last else None, last.reason if last else "")

    # -- recording and metrics --------------------------------------------------------------

    @property
    def metrics(self) -> SessionMetrics:
        """Latency and token metrics of every response so far (``.format()`` prints a table)."""
        return self._metrics.session()

    def start_recording(
        self, path: str | os.PathLike[str], *, audio: AudioMode = "keep"
    ) -> Recorder:
        """Record every frame sent and received, from now until ``disconnect()``.

        The file is JSON Lines (see :mod:`openai_realtime.recording.format`); replay it with
        ``openai-realtime replay``. A recording already running is stopped first.

        Args:
            path: The file to write; it is created or truncated.
            audio: ``keep`` records audio; ``length`` replaces each payload by its size.

        Returns:
            The recorder (``close()`` stops it early).

        Raises:
            ConfigurationError: An unknown ``audio`` mode.
            OSError: The file cannot be created.
        """
        self.stop_recording()
        self._recorder = Recorder.attach(self.realtime, path, audio=audio)
        return self._recorder

    def stop_recording(self) -> None:
        """Stop the recording, if one is running, and flush it to its file."""
        if self._recorder is not None:
            self._recorder.close()
            self._recorder = None

    async def wait_for_session_created(self, timeout: float | None = None) -> None:
        """Wait until the server has sent ``session.created`` on this connection.

        Raises:
            RealtimeTimeoutError: Not within ``timeout`` seconds.
            ConnectionClosedError: The connection ended first.
        """
        if not self._session_created.is_set():
            await self.wait_for_next("server.session.created", timeout=timeout)

    async def reset(self) -> None:
        """Disconnect and forget the conversation; keep the session config, tools and handlers."""
        await self.disconnect()
        self.conversation.clear()
        self.session = None
        self._active_response = None
        self._completed_items.clear()
        self._pending_input_samples = 0

    async def __aenter__(self) -> RealtimeClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.disconnect()

    # -- session ----------------------------------------------------------------------------

    async def update_session(
        self, session: RealtimeSessionCreateRequest | None = None, **options: Any
    ) -> None:
        """Change the session configuration, before or after connecting.

        Args:
            session: A typed session; only the fields it set count.
            **options: Flat options mapped onto the GA shape: ``instructions``, ``voice``,
                ``turn_detection`` (``None`` disables VAD), ``input_audio_transcription``,
                ``input_audio_format`` / ``output_audio_format`` (``"pcm16"``, ``"g711_ulaw"``,
                ``"g711_alaw"`` or a format object), ``output_modalities``, ``tools``,
                ``tool_choice``, ``max_output_tokens``, and any other top-level session field.

        Each call merges into the accumulated configuration. Connected, it sends a partial
        ``session.update`` with only what this call changed (``None`` is sent as ``null``).

        Raises:
            ConfigurationError: An unknown option, or a configuration the schema rejects.
        """
        patch = build_session_patch(session, **options)
        merged = merge_patch(_deep_copy(self._session_config), patch)
        validate_session(self._with_tools(merged))
        self._session_config = merged
        if self.is_connected:
            if "tools" in patch:
                patch["tools"] = self._with_tools(merged)["tools"]
            await self.realtime.send(SessionUpdateEvent(session=validate_session(patch)))

    def get_turn_detection_type(self) -> str | None:
        """``server_vad`` / ``semantic_vad`` as configured (server's view first), or ``None``."""
        if self.session is not None and self.session.audio and self.session.audio.input:
            detection = self.session.audio.input.turn_detection
            return detection.type if detection is not None else None
        detection_config = self._session_config.get("audio", {}).get("input", {})
        if "turn_detection" not in detection_config:
            return "server_vad"  # the service's default
        configured = detection_config["turn_detection"]
        return configured.get("type") if isinstance(configured, Mapping) else None

    def _with_tools(self, config: dict[str, Any]) -> dict[str, Any]:
        registered = self._tools.definitions()
        if not registered:
            return config
        return {**config, "tools": [*config.get("tools", []), *registered]}

    def _full_session(self) -> dict[str, Any]:
        return self._with_tools(self._session_config)

    async def _send_tools(self) -> None:
        if self.is_connected:
            tools = self._full_session().get("tools", [])
            await self.realtime.send(SessionUpdateEvent(session=validate_session({"tools": tools})))

    # -- tools ------------------------------------------------------------------------------

    async def add_tool(
        self,
        definition: RealtimeFunctionTool | Mapping[str, Any],
        handler: ToolHandler | None = None,
    ) -> dict[str, Any]:
        """Declare a function tool; with a handler, calls to it run by themselves.

        When a response that called the tool is done, the handler gets the parsed arguments
        (sync handlers run in a worker thread), its JSON result goes back as the call's output,
        and once every call of that response has its output, one ``response.create`` follows.

        Returns:
            The definition as sent to the server.

        Raises:
            ConfigurationError: A missing or duplicate name.
        """
        added = self._tools.add(definition, handler)
        await self._send_tools()
        return added

    async def remove_tool(self, name: str) -> None:
        """Remove a tool added with :meth:`add_tool`, also from the server's list.

        Raises:
            ConfigurationError: No tool has that name.
        """
        self._tools.remove(name)
        await self._send_tools()

    # -- input ------------------------------------------------------------------------------

    async def send_user_message_content(self, content: Sequence[Mapping[str, Any]]) -> None:
        """Add a user message and ask for a response.

        Args:
            content: Parts such as ``{"type": "input_text", "text": "Hi"}`` or
                ``{"type": "input_audio", "audio": samples}``, where audio may be PCM16 bytes,
                an int16 array or a float array (or already base64 text).
        """
        parts = []
        for part in content:
            wire = dict(part)
            if wire.get("type") == "input_audio" and not isinstance(wire.get("audio"), str):
                wire["audio"] = encode_base64(wire["audio"])
            parts.append(wire)
        if parts:
            message = RealtimeConversationItemMessageUser.model_validate({"content": parts})
            await self.realtime.send(ConversationItemCreateEvent(item=message))
        await self.create_response()

    async def append_input_audio(self, audio: AudioInput) -> None:
        """Stream user audio (PCM16 bytes, int16 or float array, 24 kHz mono).

        Empty input does nothing. Audio longer than one event's 15 MiB limit is split.
        """
        samples = to_pcm16(audio)
        if len(samples) == 0:
            return
        for piece in split_for_append(samples):
            await self.realtime.send(InputAudioBufferAppendEvent(audio=piece))
        self.conversation.append_input_audio(samples)
        self._pending_input_samples += len(samples)

    async def create_response(self, **response: Any) -> None:
        """Ask the model to respond.

        With turn detection off, audio appended since the last commit is committed first.

        Args:
            **response: Per-response overrides (``instructions``, ``output_modalities``,
                ``tool_choice``, ``conversation="none"``, ``metadata``, ...).
        """
        if self.get_turn_detection_type() is None and self._pending_input_samples:
            await self.realtime.send(InputAudioBufferCommitEvent())
            self._pending_input_samples = 0
        params = RealtimeResponseCreateParams.model_validate(response) if response else None
        event = ResponseCreateEvent(response=params) if params else ResponseCreateEvent()
        await self.realtime.send(event)

    async def cancel_response(
        self, item_id: str | None = None, sample_count: int = 0
    ) -> ConversationItem | None:
        """Stop the model, and cut its audio at what the listener actually heard.

        Args:
            item_id: The assistant item being played; without it, only the response stops.
            sample_count: Samples of that item's audio the listener heard; clamped to what
                was received, then sent as ``audio_end_ms`` in ``conversation.item.truncate``.

        Returns:
            The item that was cut, or ``None`` without ``item_id``.

        Raises:
            ConfigurationError: The item is unknown, not an assistant message, or has no audio.
        """
        if self._active_response is not None:
            await self.realtime.send(ResponseCancelEvent())
        if item_id is None:
            interrupted = ConversationInterruptedEvent("cancel_response")
            self.dispatch("conversation.interrupted", interrupted)
            return None
        item = self.conversation.get_item(item_id)
        if item is None:
            raise ConfigurationError(f"cannot cancel: no item {item_id!r}")
        if item.type != "message" or item.role != "assistant":
            raise ConfigurationError(f"cannot cancel: {item_id!r} is not an assistant message")
        content_index = _audio_content_index(item)
        if content_index is None:
            raise ConfigurationError(f"cannot cancel: {item_id!r} has no audio")
        heard = max(0, min(sample_count, len(item.formatted.audio_buffer)))
        audio_end_ms = samples_to_ms(heard)
        await self.realtime.send(
            ConversationItemTruncateEvent(
                item_id=item_id, content_index=content_index, audio_end_ms=audio_end_ms
            )
        )
        self.dispatch(
            "conversation.interrupted",
            ConversationInterruptedEvent("cancel_response", item_id, audio_end_ms),
        )
        return item

    async def delete_item(self, item_id: str) -> None:
        """Delete an item from the server's conversation (the store follows its answer)."""
        await self.realtime.send(ConversationItemDeleteEvent(item_id=item_id))

    async def send(self, event: ClientEvent) -> ClientEvent:
        """Send a raw client event through ``client.realtime``; returns what was sent."""
        return await self.realtime.send(event)

    # -- waiting ----------------------------------------------------------------------------

    async def wait_for_next_item(self, timeout: float | None = None) -> ConversationItem:
        """The next item that joins the conversation.

        Raises:
            RealtimeTimeoutError: Not within ``timeout`` seconds.
            ConnectionClosedError: The connection ended first.
        """
        event = await self.wait_for_next("conversation.item.appended", timeout=timeout)
        return event.item

    async def wait_for_next_completed_item(self, timeout: float | None = None) -> ConversationItem:
        """The next item that completes.

        Raises:
            RealtimeTimeoutError: Not within ``timeout`` seconds.
            ConnectionClosedError: The connection ended first.
        """
        event = await self.wait_for_next("conversation.item.completed", timeout=timeout)
        return event.item

    # -- event plumbing ---------------------------------------------------------------------

    def _on_client_event(self, event: ClientEvent) -> None:
        if self.has_listeners("realtime.event"):  # no record per event for nobody
            self.dispatch("realtime.event", RealtimeEventRecord(time.time(), "client", event))
        self.dispatch(client_event_name(event.type), event)

    def _on_server_event(self, event: ServerEvent | UnknownServerEvent) -> None:
        if self.has_listeners("realtime.event"):  # no record per event for nobody
            self.dispatch("realtime.event", RealtimeEventRecord(time.time(), "server", event))
        self._track(event)
        if event.type == "error":
            self.dispatch("error", event)
        # Only events that carry an item can introduce one; for the rest (every delta) the
        # lookup would cost a failing attribute access on the pydantic model.
        existing = self._known_item_id(event) if event.type in _INTRODUCING else None
        try:
            item, delta = self.conversation.process_event(event)
        except (ConversationError, ProtocolError) as error:
            # The store refused the event and is unchanged; the event is still dispatched.
            self.dispatch("error", LocalErrorEvent(str(error), error, event_name=event.type))
            item, delta = None, None
        if item is not None:
            if event.type in _INTRODUCING and existing is None:
                self.dispatch("conversation.item.appended", ConversationItemAppendedEvent(item))
            self.dispatch("conversation.updated", ConversationUpdatedEvent(item, delta))
            if event.type in _COMPLETING and item.id not in self._completed_items:
                self._completed_items.add(item.id)
                self.dispatch("conversation.item.completed", ConversationItemCompletedEvent(item))
        self.dispatch(server_event_name(event.type), event)

    def _known_item_id(self, event: ServerEvent | UnknownServerEvent) -> str | None:
        item = getattr(event, "item", None)
        item_id = getattr(item, "id", None)
        if item_id is None or self.conversation.get_item(item_id) is None:
            return None
        return str(item_id)

    def _track(self, event: ServerEvent | UnknownServerEvent) -> None:
        """Session and response bookkeeping that the conversation store does not do."""
        if isinstance(event, SessionCreatedEvent | SessionUpdatedEvent):
            self.session = event.session
            if isinstance(event, SessionCreatedEvent):
                self._session_created.set()
        elif isinstance(event, ResponseCreatedEvent):
            self._active_response = event.response.id
        elif isinstance(event, ResponseDoneEvent):
            self._active_response = None
            self._start_tool_calls(event.response)
        elif isinstance(event, InputAudioBufferSpeechStartedEvent):
            self._pending_input_samples = 0
            playing = self._playing_item()
            if playing is not None or self._active_response is not None:
                self.dispatch(
                    "conversation.interrupted",
                    ConversationInterruptedEvent("speech_started", playing),
                )
        elif isinstance(event, InputAudioBufferCommittedEvent | InputAudioBufferClearedEvent):
            self._pending_input_samples = 0

    def _playing_item(self) -> str | None:
        """The latest assistant item with audio: what the listener may still be hearing."""
        for item in reversed(self.conversation.get_items()):
            if item.role == "assistant":
                return item.id if len(item.formatted.audio_buffer) else None
        return None

    def _forward_error(self, event: LocalErrorEvent) -> None:
        self.dispatch("error", event)

    # -- connection life ----------------------------------------------------------------------

    def _on_close(self, event: CloseEvent) -> None:
        self._last_close = event
        self._fail_active_response(event)
        self._cancel_tool_runs()
        self.dispatch("close", event)
        closed = ConnectionClosedError(event.code, event.reason)
        self.release_waiters(closed, keep=_CONNECTION_EVENTS)
        if self._ended or self._reconnect_task is not None:
            # Either connect() has not returned yet (it decides) or a reconnect attempt made
            # this connection (the attempt loop decides).
            return
        self._after_close(event)

    def _after_close(self, event: CloseEvent) -> None:
        """Reconnect if the policy says so, else end the connection's life."""
        policy = self.reconnect_policy
        if event.requested or policy is None or not policy.should_retry(event.code):
            self._end(event.code, event.reason)
            return
        self._reconnect_task = asyncio.get_running_loop().create_task(
            self._reconnect(policy, event.code, event.reason)
        )

    def _fail_active_response(self, event: CloseEvent) -> None:
        """The response in progress will never finish: record that, and say so."""
        response_id, self._active_response = self._active_response, None
        if response_id is None:
            return
        record = self.conversation.get_response(response_id)
        if record is not None:
            record.status = "failed"
            for item_id in record.output_item_ids:
                item = self.conversation.get_item(item_id)
                if item is not None and item.status != "completed":
                    item.status = "incomplete"
        if not event.requested:
            error = ConnectionClosedError(event.code, event.reason)
            message = f"response {response_id} was cut off: {error}"
            self.dispatch("error", LocalErrorEvent(message, error))

    async def _reconnect(self, policy: ReconnectPolicy, code: int | None, reason: str) -> None:
        """Try to connect again as the policy says; ``disconnected`` if every attempt fails."""
        try:
            for attempt in range(1, policy.max_attempts + 1):
                delay = policy.delay(attempt, self._backoff_random)
                self.dispatch("reconnecting", ReconnectingEvent(attempt, delay, code))
                await asyncio.sleep(delay)
                try:
                    replayed = await self._restore(policy)
                except ConnectionClosedError as error:
                    code, reason = error.code, error.reason
                    if not policy.should_retry(code):
                        break
                    continue
                except RealtimeError as error:
                    logger.warning("reconnect attempt %d failed: %s", attempt, error)
                    continue
                self.dispatch("reconnected", ReconnectedEvent(attempt, replayed))
                return
            logger.warning("giving up reconnecting after code %s", code)
            self._end(code, reason)
        finally:
            self._reconnect_task = None

    async def _restore(self, policy: ReconnectPolicy) -> int:
        """Connect, send the configuration and (if asked) the history; count replayed items.

        Raises:
            ConnectionClosedError: The new connection closed before everything was sent.
            RealtimeError: The connection could not be opened.
        """
        history = replay_events(self.conversation.get_items()) if policy.replay_history else []
        await self._open_session()
        for event in history:
            await self.realtime.send(event)
        last = self._last_close
        if not self.realtime.is_connected and last is not None:
            # It closed while the last send was completing: a failed attempt like any other.
            raise ConnectionClosedError(last.code, last.reason)
        return len(history)

    def _end(self, code: int | None, reason: str) -> None:
        """The connection is over for good: ``disconnected``, once, then no wait can succeed."""
        if self._ended:
            return
        self._ended = True
        self.dispatch("disconnected", DisconnectedEvent(code, reason))
        self.release_waiters(ConnectionClosedError(code, reason))

    # -- tool execution ---------------------------------------------------------------------

    def _start_tool_calls(self, response: RealtimeResponse) -> None:
        """Run the handled calls of a completed response, then ask for one new response."""
        if response.status != "completed":
            return  # calls of a cancelled, failed or incomplete response are not executed
        calls = [
            item
            for item in response.output or []
            if isinstance(item, RealtimeConversationItemFunctionCall)
            and item.call_id  # an output must name the call it answers
            and self._tools.has_handler(item.name)
        ]
        if not calls:
            return
        response_id = response.id or ""
        tasks = [asyncio.ensure_future(self._run_call(call)) for call in calls]
        self._tool_runs[response_id] = tasks
        follow_up = asyncio.ensure_future(self._respond_after(response_id, tasks))
        follow_up.add_done_callback(lambda _: self._tool_runs.pop(response_id, None))

    async def _run_call(self, call: RealtimeConversationItemFunctionCall) -> None:
        result = await self._tools.run(call.name, call.arguments, timeout=self.tool_timeout)
        if result.error is not None:
            message = f"tool {call.name!r} failed: {result.error}"
            self.dispatch("error", LocalErrorEvent(message, result.error, event_name=call.name))
        output = RealtimeConversationItemFunctionCallOutput(
            call_id=call.call_id or "", output=result.output
        )
        await self.realtime.send(ConversationItemCreateEvent(item=output))

    async def _respond_after(self, response_id: str, tasks: list[asyncio.Task[None]]) -> None:
        results = await asyncio.gather(*tasks, return_exceptions=True)
        if any(isinstance(result, BaseException) for result in results):
            return  # an output could not be sent (connection gone): no follow-up response
        try:
            await self.realtime.send(ResponseCreateEvent())
        except RealtimeConnectionError:
            logger.info("connection ended before the response after %s's tools", response_id)
            return
        logger.debug("tool outputs of %s sent; new response requested", response_id)

    def _cancel_tool_runs(self) -> None:
        for tasks in self._tool_runs.values():
            for task in tasks:
                task.cancel()
        self._tool_runs.clear()


def _audio_content_index(item: ConversationItem) -> int | None:
    content = getattr(item.item, "content", None) or []
    for index, part in enumerate(content):
        if getattr(part, "type", None) in ("output_audio", "audio"):
            return index
    # Audio arrived by deltas before any content part was recorded: it is part 0.
    return 0 if len(item.formatted.audio_buffer) else None


def _deep_copy(config: dict[str, Any]) -> dict[str, Any]:
    return merge_patch({}, config)
