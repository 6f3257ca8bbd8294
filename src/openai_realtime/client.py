"""``RealtimeClient``: the facade most applications use.

It owns a :class:`~openai_realtime.api.RealtimeAPI` (``client.realtime``, the connection), a
:class:`~openai_realtime.protocol.conversation.RealtimeConversation` (``client.conversation``,
the cache of items) and the session core
(:class:`~openai_realtime.protocol.session_state.SessionState`) that keeps both current. It
keeps the session configuration, runs tools, and emits the utility events
``conversation.updated``, ``conversation.item.appended``, ``conversation.item.completed``,
``conversation.interrupted`` and ``realtime.event`` besides every ``server.*`` / ``client.*``
event and ``error``.

Example::

    async with RealtimeClient(url=server.url) as client:
        await client.update_session(instructions="Be brief.", turn_detection=None)
        response = await client.send_user_message_content(
            [{"type": "input_text", "text": "Hello"}]
        )
        await response.done(timeout=30)
        print(response.transcript or response.text)

One event path: each server frame is decoded once, applied to the store and the session core,
then dispatched once. Handlers of wire events (``server.*``, ``client.*``) live on
``client.realtime`` whether they were registered there or on the client, and every handler sees
the state after the event. Utility events are derived from the session core's actions; they are
dispatched before the wire event that caused them.

Waiting without a race: :meth:`RealtimeClient.expect` registers a wait before the action that
causes the event; :meth:`RealtimeClient.create_response` returns a
:class:`~openai_realtime.responses.ResponseHandle` that records everything its response does;
:meth:`RealtimeClient.wait_for_next_item` reads items with a cursor, so an item that arrived
before the call is not missed. ``wait_for_next`` only sees events dispatched after it starts.

The client never sends a ``response.create`` it knows the service would refuse: while a
response runs (or one it asked for has not started), ``create_response`` waits for it to finish
(up to ``active_response_timeout`` seconds), or raises ``ResponseInProgressError`` when called
with ``if_active="raise"``. Out-of-band responses (``conversation="none"``) are not held back.

Every method that can write to the socket is a coroutine, also before ``connect()``: then it only
records what ``connect()`` will send. Handlers, ``on()`` and ``off()`` are plain calls.

The life of a connection, as the connection events tell it:

* the connection closes (any reason): a response still in progress is marked failed (its
  ``ResponseRecord.status`` becomes ``failed``, its unfinished items ``incomplete``) and, unless
  ``disconnect()`` asked for the close, an ``error`` (``LocalErrorEvent``) says so; tool runs
  are cancelled (never run again: after a reconnect each gets an error output and an ``error``
  with ``ToolInterruptedError``, then one ``response.create``); ``close`` fires; every pending
  wait fails with ``ConnectionClosedError`` (except waits for ``reconnecting``, ``reconnected``,
  ``session.renewed`` and ``disconnected``), and so do response handles not done;
* the server ended the session at its maximum duration (1001, "...maximum duration...", or a
  ``session_expired`` error first): with ``session_renewal`` (the default) the client opens a
  new session at once, sends the configuration and the conversation as text (as a replay
  does), and fires ``session.renewed`` (a ``SessionRenewedEvent``) then ``reconnected``; with
  ``SessionRenewal(ahead=...)`` it does the same before the limit, at a quiet moment, after
  closing the old connection itself (``planned=True``; neither a failure nor ``disconnected``);
* with a :class:`~openai_realtime.reconnect.ReconnectPolicy` and a close code it retries:
  ``reconnecting`` fires before each attempt, then the backoff delay passes, then the client
  connects again, sends the whole session configuration (tools included) in one
  ``session.update``, replays the conversation if the policy says so
  (:func:`~openai_realtime.reconnect.replay_events` lists exactly what), and ``reconnected``
  fires. While reconnecting, sends raise ``ConnectionClosedError``; ``update_session`` and
  ``add_tool`` still record their changes for the next connection;
* otherwise (``disconnect()``, no policy, a code not retried, ``max_attempts`` consecutive
  failures, where a connection that closed before it was useful counts as one)
  ``disconnected`` fires, once per ``connect()``, and every further send raises
  ``ConnectionClosedError`` until ``connect()`` is called again.

After a reconnect the server's conversation is new (empty, or what was replayed); the client's
``conversation`` keeps the items it had, and the replay reuses their ids so they are updated in
place rather than duplicated.

Recording and metrics cost nothing until asked for: ``record=`` / :meth:`start_recording`, and
``metrics=True`` or the first read of :attr:`RealtimeClient.metrics`.
"""

from __future__ import annotations

import asyncio
import copy
import os
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Unpack

from pydantic import ValidationError

from openai_realtime._async_with import ConnectsOnEnter
from openai_realtime._client.input import (
    InputAudioPart,
    UserContentPart,
    audio_appends,
    user_message,
)
from openai_realtime._client.item_feed import ItemFeed, item_filter
from openai_realtime._client.lifecycle import Lifecycle
from openai_realtime._client.observability import Observability
from openai_realtime._client.playback import PlaybackLink
from openai_realtime._client.response_gate import ResponseGate
from openai_realtime._client.session_config import SessionConfig
from openai_realtime._client.sideband import watch_call_end
from openai_realtime._client.tool_runner import DEFAULT_MAX_CONCURRENT_TOOLS, ToolRunner
from openai_realtime.api import DEFAULT_MODEL, ConnectionOptions, RealtimeAPI
from openai_realtime.audio import AudioInput
from openai_realtime.errors import (
    ConfigurationError,
    ConnectionClosedError,
)
from openai_realtime.events import EventEmitter
from openai_realtime.local_events import (
    ConversationInterruptedEvent,
    ConversationItemAppendedEvent,
    ConversationItemCompletedEvent,
    ConversationUpdatedEvent,
    LocalErrorEvent,
    RealtimeEventRecord,
)
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import ConversationItem
from openai_realtime.protocol.playback import AudioPlayer
from openai_realtime.protocol.session_options import SessionOptions
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
)
from openai_realtime.reconnect import ReconnectPolicy, SessionRenewal
from openai_realtime.responses import ResponseHandle, ResponseTracker
from openai_realtime.tools import DEFAULT_TOOL_WORKERS, ToolHandler, ToolRegistry
from openai_realtime.types import (
    ClientEvent,
    ConversationItemDeleteEvent,
    ConversationItemTruncateEvent,
    InputAudioBufferCommitEvent,
    RealtimeFunctionTool,
    RealtimeResponseCreateParams,
    RealtimeSessionCreateRequest,
    RealtimeSessionCreateResponse,
    RealtimeTranscriptionSessionCreateResponse,
    ResponseCancelEvent,
    ResponseCreateEvent,
    ServerEvent,
    UnknownServerEvent,
)
from openai_realtime.types.emitter import ClientEventsMixin
from openai_realtime.types.params import (
    RealtimeFunctionToolParam,
    RealtimeResponseCreateParamsParam,
)

if TYPE_CHECKING:
    from openai_realtime.recording import AudioMode, Recorder, SessionMetrics

__all__ = ["DEFAULT_ACTIVE_RESPONSE_TIMEOUT", "InputAudioPart", "RealtimeClient", "UserContentPart"]

DEFAULT_ACTIVE_RESPONSE_TIMEOUT = 60.0
"""Seconds ``create_response`` waits for a running response to finish before giving up."""

_WIRE_PREFIXES = ("server.", "client.")


@dataclass(frozen=True, slots=True)
class _StateHooks:
    """What ``RealtimeAPI`` calls before each dispatch: the client's side of the event path."""

    received: Callable[[ServerEvent | UnknownServerEvent], None]
    sending: Callable[[ClientEvent], None]


class RealtimeClient(ConnectsOnEnter, ClientEventsMixin, EventEmitter):
    """The Realtime facade: session config, tools, input helpers, waits and utility events.

    Args:
        url: WebSocket URL; defaults to OpenAI's. A relay or the fake server needs no key.
        api_key: API key or ephemeral client secret; defaults to ``OPENAI_API_KEY`` for OpenAI.
        model: The model, sent in the URL query (``gpt-realtime`` when not given).
        keep_audio: Keep audio in the conversation store (``False`` for long-running agents
            that play audio and drop it; transcripts and text are still kept).
        tool_timeout: Seconds a tool handler may run before its call gets an error output.
        tool_workers: Worker threads this client keeps for sync tool handlers (never the event
            loop's default executor). When all are stuck on calls that timed out, a new sync
            call fails at once with ``ToolCapacityError`` and an error output.
        max_concurrent_tools: Tool handlers that run at once; each call also counts against
            ``max_pending_handlers`` until it ends.
        realtime: An already built ``RealtimeAPI`` to use instead of building one (e.g. from
            ``RealtimeAPI.azure(...)``); then the connection arguments are not allowed.
        reconnect: A :class:`~openai_realtime.reconnect.ReconnectPolicy`, ``True`` for the
            default policy, or ``False`` to end on the first abnormal close (see the module
            docstring for what happens on a close).
        session_renewal: What to do when the server ends the session at its maximum duration
            (60 minutes live): a :class:`~openai_realtime.reconnect.SessionRenewal` (the
            default) opens a new session carrying the conversation as text and fires
            ``session.renewed`` (with ``ahead=``, before the limit at a quiet moment);
            ``None`` treats that close like any other.
        record: Record every frame into this JSON Lines file from now until ``disconnect()``
            (see :meth:`start_recording`).
        metrics: Collect :attr:`metrics` from the start (otherwise from their first read).
        active_response_timeout: Seconds ``create_response`` waits for a running response.
        player: An :class:`~openai_realtime.player.AudioPlayer` to feed the assistant's audio
            to (see :meth:`attach_player`).
        truncate_on_interrupt: With a player: truncate at what was heard when server VAD
            interrupts (``None``: yes, except in sideband sessions, where the service does).
        **api_options: Passed to ``RealtimeAPI`` (``organization``, ``project``, ``headers``,
            ``session``, ``max_message_size``, ``heartbeat``, ``allow_insecure``,
            ``send_timeout``, ``max_pending_handlers``, ``strict``; ``transport``:
            ``"websocket"`` (the default), ``"webrtc"`` (a WebRTC call, with the ``webrtc``
            extra) or a :class:`~openai_realtime.transports.Connector` such as a configured
            ``WebRTCConnector(...)``; ``call_id``: a sideband of a SIP or WebRTC call, which
            dispatches ``call.ended`` when the call is over; see the calls guide). The
            client's own async handlers count against the ``max_pending_handlers`` of its
            ``RealtimeAPI``.

    Raises:
        ConfigurationError: ``realtime=`` together with connection arguments, or bad options
            (an unknown ``transport`` name, or ``"webrtc"`` without the ``webrtc`` extra).
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        *,
        model: str | None = None,
        keep_audio: bool = True,
        tool_timeout: float | None = 30.0,
        tool_workers: int = DEFAULT_TOOL_WORKERS,
        max_concurrent_tools: int = DEFAULT_MAX_CONCURRENT_TOOLS,
        realtime: RealtimeAPI | None = None,
        reconnect: ReconnectPolicy | bool = False,
        session_renewal: SessionRenewal | None = SessionRenewal(),  # noqa: B008 (frozen)
        record: str | os.PathLike[str] | None = None,
        metrics: bool = False,
        active_response_timeout: float = DEFAULT_ACTIVE_RESPONSE_TIMEOUT,
        player: AudioPlayer | None = None,
        truncate_on_interrupt: bool | None = None,
        **api_options: Unpack[ConnectionOptions],
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
        self.session_renewal = session_renewal
        """How a session ended at its maximum duration is replaced; ``None``: it is not."""
        self.conversation = RealtimeConversation(keep_audio=keep_audio)
        self.tool_timeout = tool_timeout
        self.active_response_timeout = active_response_timeout
        """Seconds ``create_response`` waits for a running response before giving up."""
        self._tools = ToolRegistry(max_workers=tool_workers)
        self._config = SessionConfig(self._tools)
        self._state = SessionState(self.conversation, runs_tool=self._tools.has_handler)
        self._responses = ResponseTracker()
        self._items = ItemFeed("conversation.item.appended")
        self._completed_items = ItemFeed("conversation.item.completed")
        self._gate = ResponseGate(
            lambda: self._state.response_in_progress, lambda: self.active_response_timeout
        )
        self._tool_runner = ToolRunner(
            self._tools,
            send=self.realtime.send,
            respond=self.create_response,
            report=self._report,
            timeout=lambda: self.tool_timeout,
            finished=self._state.tool_run_finished,
            track=self._count_task,
            max_concurrent=max_concurrent_tools,
        )
        watch_call_end(self.realtime, self)
        self._lifecycle = Lifecycle(
            self.realtime,
            self._state,
            self,
            session_update=self._config.full_update,
            policy=lambda: self.reconnect_policy,
            connection_lost=self._connection_lost,
            renewal=lambda: self.session_renewal,
            restored=self._restored,
        )
        self._perform: dict[type, Callable[[Any, ServerEvent | UnknownServerEvent], None]] = {
            ItemAppended: self._item_appended,
            ItemUpdated: self._item_updated,
            ItemCompleted: self._item_completed,
            Interrupted: self._interrupted,
            ResponseStarted: self._response_started,
            ResponseFinished: self._response_finished,
            RequestRefused: self._request_refused,
            RunTools: self._run_tools,
            StoreRefused: self._store_refused,
        }
        self.realtime.attach_state(_StateHooks(self._received, self._sending))
        self.realtime._listen("error", self._report)
        self._observability = Observability(self.realtime)
        if metrics:
            self._observability.collect_metrics()
        if record is not None:
            self.start_recording(record)
        self._playback: PlaybackLink | None = None
        if player is not None:
            self.attach_player(player, truncate_on_interrupt=truncate_on_interrupt)

    def __repr__(self) -> str:
        items = len(self.conversation.get_items())
        return f"RealtimeClient(realtime={self.realtime!r}, items={items})"

    def _route(self, key: str) -> EventEmitter:
        # Wire events are dispatched once, by the connection: their handlers live there.
        return self.realtime if key.startswith(_WIRE_PREFIXES) else self

    def _emitters(self) -> tuple[EventEmitter, ...]:
        return (self, self.realtime)

    # -- connection -------------------------------------------------------------------------

    @property
    def is_connected(self) -> bool:
        """True while the connection is open.

        A property, read as ``client.is_connected`` (the JavaScript client this SDK follows has
        a method, ``isConnected()``; here a call, ``client.is_connected()``, raises
        ``TypeError: 'bool' object is not callable``).
        """
        return self.realtime.is_connected

    @property
    def session(
        self,
    ) -> RealtimeSessionCreateResponse | RealtimeTranscriptionSessionCreateResponse | None:
        """The session as the server last reported it (``session.created`` / ``.updated``).

        ``None`` until the server has answered; :attr:`session_config` is the client's own
        view, current as soon as ``update_session`` or ``add_tool`` returns.
        """
        return self._state.session

    @property
    def session_config(self) -> dict[str, Any]:
        """The session configuration this client has set, as ``connect()`` would send it.

        A fresh copy in the GA wire shape (``audio.input.turn_detection``,
        ``audio.output.voice``, ...), the tools of :meth:`add_tool` included. It reflects every
        ``update_session`` / ``add_tool`` / ``remove_tool`` at once, also before connecting and
        before the server confirms; fields never set are absent (the server's defaults apply,
        which :attr:`session` shows once it answers).
        """
        return self._config.snapshot()

    @property
    def tools(self) -> Mapping[str, dict[str, Any]]:
        """The tools added with :meth:`add_tool`, by name: a read-only copy of their definitions
        as sent to the server (tools passed to ``update_session(tools=...)`` are in
        :attr:`session_config`)."""
        definitions = copy.deepcopy(self._tools.definitions())
        return MappingProxyType({tool["name"]: tool for tool in definitions})

    async def connect(self) -> None:
        """Open the connection and send the whole accumulated session configuration once.

        Raises:
            RealtimeConnectionError: The connection could not be opened, or a reconnect is in
                progress (wait for ``reconnected`` or call ``disconnect()`` first).
            ConfigurationError: Missing key, insecure URL, or an invalid session configuration.
        """
        await self._lifecycle.connect()

    async def disconnect(self) -> None:
        """Close the connection, or stop reconnecting; the conversation and config are kept.

        ``disconnected`` fires once the connection is over (if it was not already).
        """
        await self._lifecycle.disconnect()
        self._tool_runner.cancel_all()
        self.stop_recording()

    async def wait_for_session_created(self, timeout: float | None = None) -> None:
        """Wait until the server has sent ``session.created`` on this connection.

        Raises:
            RealtimeTimeoutError: Not within ``timeout`` seconds.
            ConnectionClosedError: The connection ended first.
        """
        if not self._state.session_created:
            await self.wait_for_next("server.session.created", timeout=timeout)

    async def reset(self) -> None:
        """Disconnect and forget the conversation; keep the session config, tools and handlers."""
        await self.disconnect()
        self._state.reset()
        self._items.clear()
        self._completed_items.clear()

    # -- recording and metrics --------------------------------------------------------------

    @property
    def metrics(self) -> SessionMetrics:
        """Latency and token metrics of every response (``.format()`` prints a table).

        Collected from construction with ``metrics=True``, else from the first read of this
        property (which then returns no turns yet).
        """
        return self._observability.metrics()

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
        return self._observability.start_recording(path, audio)

    def stop_recording(self) -> None:
        """Stop the recording, if one is running, and flush it to its file."""
        self._observability.stop_recording()

    # -- session ----------------------------------------------------------------------------

    async def update_session(
        self,
        session: RealtimeSessionCreateRequest | None = None,
        **options: Unpack[SessionOptions],
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
        update = self._config.update(session, options)
        if self.is_connected:
            await self.realtime.send(update)

    def get_turn_detection_type(self) -> str | None:
        """``server_vad`` / ``semantic_vad`` as configured (server's view first), or ``None``."""
        return self._config.turn_detection_type(self._state.session)

    # -- tools ------------------------------------------------------------------------------

    async def add_tool(
        self,
        definition: RealtimeFunctionTool | RealtimeFunctionToolParam,
        handler: ToolHandler | None = None,
    ) -> dict[str, Any]:
        """Declare a function tool; with a handler, calls to it run by themselves.

        When a response that called the tool is done, the handler gets the parsed arguments
        (sync handlers run in a worker thread), its JSON result goes back as the call's output,
        and once every call of that response has its output, one ``response.create`` follows
        (after any response then running has finished).

        Returns:
            The definition as sent to the server.

        Raises:
            ConfigurationError: A missing or duplicate name.
        """
        added = self._tools.add(definition, handler)
        if self.is_connected:
            await self.realtime.send(self._config.tools_update())
        return added

    async def remove_tool(self, name: str) -> None:
        """Remove a tool added with :meth:`add_tool`, also from the server's list.

        Raises:
            ConfigurationError: No tool has that name.
        """
        self._tools.remove(name)
        if self.is_connected:
            await self.realtime.send(self._config.tools_update())

    # -- input ------------------------------------------------------------------------------

    async def send_user_message_content(self, content: Sequence[UserContentPart]) -> ResponseHandle:
        """Add a user message and ask for a response.

        Args:
            content: Parts such as ``{"type": "input_text", "text": "Hi"}`` or
                ``{"type": "input_audio", "audio": samples}``, where audio may be PCM16 bytes,
                an int16 array or a float array (or already base64 text).

        Returns:
            The handle of the response asked for (see :meth:`create_response`).

        Raises:
            ConfigurationError: A content part the schema rejects (nothing is sent).
            ResponseInProgressError: A response still ran after ``active_response_timeout``.
        """
        message = user_message(content)
        if message is not None:
            await self.realtime.send(message)
        return await self.create_response()

    async def append_input_audio(self, audio: AudioInput) -> None:
        """Stream user audio (PCM16 bytes, int16 or float array, 24 kHz mono).

        Empty input does nothing. Audio longer than one event's 15 MiB limit is split.
        """
        samples, appends = audio_appends(audio)
        for append in appends:
            await self.realtime.send(append)
        if appends:
            self._state.append_input_audio(samples)

    async def create_response(
        self,
        *,
        if_active: Literal["wait", "raise"] = "wait",
        **response: Unpack[RealtimeResponseCreateParamsParam],
    ) -> ResponseHandle:
        """Ask the model to respond; returns at once with a handle on the response.

        With turn detection off, audio appended since the last commit is committed first.
        While a response runs, the service would refuse another: by default this waits for it
        to finish (at most ``active_response_timeout`` seconds). Out-of-band responses
        (``conversation="none"``) do not wait.

        Example::

            response = await client.create_response(instructions="Say hi.")
            await response.done(timeout=30)
            print(response.text or response.transcript)

        Args:
            if_active: ``wait`` for a running response, or ``raise`` at once.
            **response: Per-response overrides (``instructions``, ``output_modalities``,
                ``tool_choice``, ``conversation="none"``, ``metadata``, ...).

        Returns:
            A :class:`~openai_realtime.responses.ResponseHandle`: ``await handle.done()``, its
            items, text, audio and transcript, and ``cancel()``.

        Raises:
            ResponseInProgressError: A response is running and ``if_active="raise"``, or it
                still ran after ``active_response_timeout`` seconds.
            ConfigurationError: An override the schema rejects.
            RealtimeConnectionError: Not connected.
        """
        try:
            params = RealtimeResponseCreateParams.model_validate(response) if response else None
        except ValidationError as error:
            raise ConfigurationError(f"invalid response options: {error}") from None
        if params is not None and params.conversation == "none":
            return await self._request_response(params)  # out of band: never held back
        async with self._gate.turn(if_active):
            return await self._request_response(params)

    async def _request_response(
        self, params: RealtimeResponseCreateParams | None
    ) -> ResponseHandle:
        if self.get_turn_detection_type() is None and self._state.uncommitted_input_samples:
            await self.realtime.send(InputAudioBufferCommitEvent())
        event_id = "evt_" + secrets.token_hex(12)
        event = ResponseCreateEvent(event_id=event_id, response=params)
        # Registered before the send: the answer may be handled before the send returns.
        handle = ResponseHandle(event_id, self.conversation, self.realtime)
        self._responses.register(handle)
        try:
            await self.realtime.send(event)
        except BaseException:
            self._responses.forget(handle)
            raise
        return handle

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
        cut = self._state.truncate_point(item_id, sample_count) if item_id is not None else None
        if self._state.active_response_ids:
            await self.realtime.send(ResponseCancelEvent())
        if cut is None:
            self.dispatch(
                "conversation.interrupted", ConversationInterruptedEvent("cancel_response")
            )
            return None
        await self.realtime.send(
            ConversationItemTruncateEvent(
                item_id=cut.item_id, content_index=cut.content_index, audio_end_ms=cut.audio_end_ms
            )
        )
        self.dispatch(
            "conversation.interrupted",
            ConversationInterruptedEvent("cancel_response", cut.item_id, cut.audio_end_ms),
        )
        return self.conversation.get_item(cut.item_id)

    # -- playback ---------------------------------------------------------------------------

    def attach_player(
        self, player: AudioPlayer, *, truncate_on_interrupt: bool | None = None
    ) -> None:
        """Play the assistant's audio on ``player``, and cut at what was heard when interrupted.

        Every assistant audio delta is queued on the player as it arrives. When server VAD
        hears the user, playback stops at once and ``conversation.item.truncate`` cuts the item
        at the sample the player reports heard (never past the audio received; never when
        nothing was cut short, nor at 0 for an item not yet heard). ``conversation.interrupted``
        carries that ``audio_end_ms``. In push-to-talk, call :meth:`interrupt_playback`.

        Args:
            player: The player (replaces one attached before).
            truncate_on_interrupt: ``False`` only stops playback; ``None`` truncates except in
                sideband (``call_id``) sessions, where the service truncates itself.
        """
        self._playback = PlaybackLink(
            player,
            response_running=lambda: self._state.response_in_progress,
            truncate_on_interrupt=truncate_on_interrupt,
            service_truncates=lambda: getattr(self.realtime, "call_id", None) is not None,
        )

    async def interrupt_playback(self) -> ConversationItem | None:
        """Barge in by hand (push-to-talk): stop the player, cancel, truncate at what was heard.

        Returns:
            The item that was cut, or ``None`` when nothing heard was cut short.

        Raises:
            ConfigurationError: No player is attached.
        """
        if self._playback is None:
            raise ConfigurationError("interrupt_playback needs a player: call attach_player()")
        cut = self._playback.cut_point(self._playback.player.stop(), self._state.playing_item())
        if cut is None:
            return await self.cancel_response()
        return await self.cancel_response(cut.item_id, cut.samples)

    async def delete_item(self, item_id: str) -> None:
        """Delete an item from the server's conversation (the store follows its answer)."""
        await self.realtime.send(ConversationItemDeleteEvent(item_id=item_id))

    async def send(self, event: ClientEvent) -> ClientEvent:
        """Send a raw client event through ``client.realtime``; returns what was sent."""
        return await self.realtime.send(event)

    # -- waiting ----------------------------------------------------------------------------

    async def wait_for_next_item(
        self,
        timeout: float | None = None,
        *,
        role: str | None = None,
        type: str | None = None,
    ) -> ConversationItem:
        """The next item that joins the conversation, of ``role`` and ``type`` if given.

        "Next" counts from the item the previous call returned (for the first call, from the
        call itself): an item that joined between two calls is returned at once. Items skipped
        by a filter are passed over for good.

        Raises:
            RealtimeTimeoutError: Not within ``timeout`` seconds.
            ConnectionClosedError: The connection ended while waiting.
        """
        return await self._items.next(item_filter(role, type), timeout)

    async def wait_for_next_completed_item(
        self,
        timeout: float | None = None,
        *,
        role: str | None = None,
        type: str | None = None,
    ) -> ConversationItem:
        """The next item that completes, of ``role`` and ``type`` if given.

        Counted like :meth:`wait_for_next_item`, from the item the previous call returned.

        Raises:
            RealtimeTimeoutError: Not within ``timeout`` seconds.
            ConnectionClosedError: The connection ended while waiting.
        """
        return await self._completed_items.next(item_filter(role, type), timeout)

    # -- the event path -----------------------------------------------------------------------

    def _received(self, event: ServerEvent | UnknownServerEvent) -> None:
        """Apply a server event before ``RealtimeAPI`` dispatches it, and derive events."""
        if self._listens("realtime.event"):  # no record per event for nobody
            self.dispatch("realtime.event", RealtimeEventRecord(time.time(), "server", event))
        actions: Sequence[Action] = self._state.receive(event)
        if event.type == "error":
            self.dispatch("error", event)
        perform = self._perform
        for action in actions:
            perform[type(action)](action, event)

    def _sending(self, event: ClientEvent) -> None:
        self._state.sent(event)
        if self._listens("realtime.event"):
            self.dispatch("realtime.event", RealtimeEventRecord(time.time(), "client", event))

    def _item_appended(self, action: ItemAppended, event: object) -> None:
        self._items.push(action.item)
        self.dispatch("conversation.item.appended", ConversationItemAppendedEvent(action.item))

    def _item_updated(self, action: ItemUpdated, event: object) -> None:
        if self._playback is not None:
            self._playback.item_updated(action.item, action.delta)
        if self._listens("conversation.updated"):  # one payload per delta, if wanted
            self.dispatch(
                "conversation.updated", ConversationUpdatedEvent(action.item, action.delta)
            )

    def _item_completed(self, action: ItemCompleted, event: object) -> None:
        self._completed_items.push(action.item)
        self.dispatch("conversation.item.completed", ConversationItemCompletedEvent(action.item))

    def _interrupted(self, action: Interrupted, event: object) -> None:
        cut = self._playback.interrupted(action.item_id) if self._playback is not None else None
        point = None
        if cut is not None:
            try:
                point = self._state.truncate_point(cut.item_id, cut.samples)
            except ConfigurationError as error:  # the store no longer has it (a reset)
                self._report(LocalErrorEvent(f"no truncate after the interruption: {error}", error))
        self.dispatch(
            "conversation.interrupted",
            ConversationInterruptedEvent(
                "speech_started", action.item_id, point.audio_end_ms if point else None
            ),
        )
        if point is not None:
            truncate = ConversationItemTruncateEvent(
                item_id=point.item_id,
                content_index=point.content_index,
                audio_end_ms=point.audio_end_ms,
            )
            # Sent as a handler task: this runs inside the receive path, which cannot await.
            self._run_handler_task("conversation.interrupted", self.realtime.send(truncate))

    def _response_started(self, action: ResponseStarted, event: object) -> None:
        self._responses.started(action.response_id, action.request_id)

    def _response_finished(self, action: ResponseFinished, event: object) -> None:
        self._responses.finished(action.response)
        self._gate.wake()

    def _request_refused(self, action: RequestRefused, event: object) -> None:
        self._responses.refused(action)
        self._gate.wake()

    def _run_tools(self, action: RunTools, event: object) -> None:
        self._tool_runner.start(action)

    def _store_refused(self, action: StoreRefused, event: ServerEvent | UnknownServerEvent) -> None:
        # The store is unchanged; the event is still dispatched.
        error = action.error
        self.dispatch("error", LocalErrorEvent(str(error), error, event_name=event.type))

    def _report(self, event: LocalErrorEvent) -> None:
        self.dispatch("error", event)

    def _count_task(self, task: asyncio.Task[Any]) -> None:
        # Tool runs count against max_pending_handlers, like async handlers.
        self._handler_tasks.add(task)
        task.add_done_callback(self._handler_tasks.discard)

    async def _restored(self, replayed: bool) -> None:
        runs = self._state.interrupted_tool_runs()
        await self._tool_runner.report_interrupted(runs, replayed=replayed)

    def _connection_lost(self, error: ConnectionClosedError) -> None:
        self._tool_runner.cancel_all()
        self._responses.fail_all(error)
        self._items.fail(error)
        self._completed_items.fail(error)
        self._gate.wake()
