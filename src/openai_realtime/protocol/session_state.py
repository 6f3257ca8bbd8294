"""The session core: what a connection's events mean beyond the items, with no I/O.

:class:`SessionState` is to the connection what :class:`RealtimeConversation` is to the items:
a reducer driven by events, that never touches a socket, a clock or an event loop. Feed it
every server event (:meth:`SessionState.receive`) and every client event once it is on the wire
(:meth:`SessionState.sent`); it applies the event to the conversation store and returns what the
caller must do about it, as a list of actions:

========================  ==================================================================
action                    when
========================  ==================================================================
:class:`ItemAppended`     an event introduced an item the store had not seen
:class:`ItemUpdated`      an event changed an item (``delta``: what it appended, if anything)
:class:`ItemCompleted`    an item is done (the first of ``conversation.item.done`` and
                          ``response.output_item.done``)
:class:`Interrupted`      server VAD heard the user while a response ran or audio played
:class:`ResponseStarted`  ``response.created``; ``request_id`` names the ``response.create``
                          it answers, when it answers one this side sent
:class:`ResponseFinished` ``response.done``
:class:`RequestRefused`   an ``error`` names a ``response.create`` this side sent
:class:`RunTools`         a completed response called tools this side runs (each
                          ``call_id`` once, however often its ``response.done`` arrives)
:class:`StoreRefused`     the store could not apply the event (it is left unchanged)
========================  ==================================================================

It also answers the questions a client asks before acting: is a response in progress (so a
``response.create`` would be refused)? Which item may the listener still be hearing, and where
does an interruption cut it (:meth:`SessionState.truncate_point`)? Which input audio is
uncommitted? What must a reconnect replay (:meth:`SessionState.replay`)? Which tool runs did a
dropped connection interrupt (:meth:`SessionState.interrupted_tool_runs`)? Did the connection do
anything useful before it dropped (:attr:`SessionState.response_completed`)? Did the server end
the session at its maximum duration (:attr:`SessionState.session_expired`)?

Tool runs: a :class:`RunTools` stays pending until the caller reports, with
:meth:`SessionState.tool_run_finished`, that the outputs and the follow-up ``response.create``
are on the wire. A run still pending when its connection drops was interrupted: the caller
cancels it and, after the reconnect, asks :meth:`SessionState.interrupted_tool_runs` which calls
have no output in the conversation, so that it can report them (they are never run twice).

Tested with plain lists of frames, like the store::

    state = SessionState(RealtimeConversation(), runs_tool=lambda name: name == "lookup")
    for frame in frames:
        actions = state.receive(decode_server_event(frame))
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

import numpy as np
from numpy.typing import NDArray

from openai_realtime.errors import ConfigurationError, ConversationError, ProtocolError
from openai_realtime.protocol.audio import samples_to_ms
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import ConversationItem, Delta
from openai_realtime.protocol.replay import replay_events
from openai_realtime.protocol.tolerant import issue_touching
from openai_realtime.types import (
    ClientEvent,
    ConversationItemCreateEvent,
    ErrorEvent,
    InputAudioBufferClearedEvent,
    InputAudioBufferClearEvent,
    InputAudioBufferCommitEvent,
    InputAudioBufferCommittedEvent,
    InputAudioBufferSpeechStartedEvent,
    RealtimeConversationItemFunctionCall,
    RealtimeResponse,
    RealtimeSessionCreateResponse,
    RealtimeTranscriptionSessionCreateResponse,
    ResponseCreatedEvent,
    ResponseCreateEvent,
    ResponseDoneEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ServerEvent,
    SessionCreatedEvent,
    SessionUpdatedEvent,
    UnknownServerEvent,
)

__all__ = [
    "SESSION_EXPIRED_CODE",
    "Action",
    "Interrupted",
    "ItemAppended",
    "ItemCompleted",
    "ItemUpdated",
    "RequestRefused",
    "ResponseFinished",
    "ResponseStarted",
    "RunTools",
    "SessionState",
    "StoreRefused",
    "TruncatePoint",
    "is_session_expiry",
]

SESSION_EXPIRED_CODE: Final = "session_expired"
"""The ``error.code`` the service sends as a session reaches its maximum duration."""
_EXPIRY_CLOSE_CODE: Final = 1001
_EXPIRY_REASON: Final = "maximum duration"


def is_session_expiry(code: int | None, reason: str) -> bool:
    """Whether a close says the session hit its maximum duration (1001, "maximum duration")."""
    return code == _EXPIRY_CLOSE_CODE and _EXPIRY_REASON in reason.lower()


@dataclass(frozen=True, slots=True)
class ItemAppended:
    """A new item joined the conversation."""

    item: ConversationItem


@dataclass(frozen=True, slots=True)
class ItemUpdated:
    """An item changed; ``delta`` is what the event appended (``None``: the item itself)."""

    item: ConversationItem
    delta: Delta | None


@dataclass(frozen=True, slots=True)
class ItemCompleted:
    """An item is complete (reported once per item)."""

    item: ConversationItem


@dataclass(frozen=True, slots=True)
class Interrupted:
    """Server VAD heard the user while the assistant spoke; ``item_id``: what was playing."""

    item_id: str | None


@dataclass(frozen=True, slots=True)
class ResponseStarted:
    """``response.created``; ``request_id`` is the ``event_id`` of this side's request, if any."""

    response_id: str
    request_id: str | None


@dataclass(frozen=True, slots=True)
class ResponseFinished:
    """``response.done``: the response as the server reported it at its end."""

    response: RealtimeResponse


@dataclass(frozen=True, slots=True)
class RequestRefused:
    """The server refused the ``response.create`` whose ``event_id`` is ``request_id``."""

    request_id: str
    error: ErrorEvent


@dataclass(frozen=True, slots=True)
class RunTools:
    """Run these calls of a completed response, send their outputs, then ask for a response."""

    response_id: str
    calls: tuple[RealtimeConversationItemFunctionCall, ...]


@dataclass(frozen=True, slots=True)
class StoreRefused:
    """The store refused the event (an unknown reference, bad audio); it is unchanged."""

    error: ConversationError | ProtocolError


Action: TypeAlias = (
    ItemAppended
    | ItemUpdated
    | ItemCompleted
    | Interrupted
    | ResponseStarted
    | ResponseFinished
    | RequestRefused
    | RunTools
    | StoreRefused
)
"""Everything :meth:`SessionState.receive` may ask of its caller."""


@dataclass(frozen=True, slots=True)
class TruncatePoint:
    """Where to cut an assistant item's audio: the fields of ``conversation.item.truncate``."""

    item_id: str
    content_index: int
    audio_end_ms: int


@dataclass(frozen=True, slots=True)
class _Request:
    """A ``response.create`` on the wire and not yet answered."""

    event_id: str | None
    out_of_band: bool


# Server events after which an item is complete; either may come first, both may come.
_COMPLETING: Final = frozenset({"conversation.item.done", "response.output_item.done"})
# What this core reads of server events; a rebuilt event with one of these (or an object holding
# it) raw is left to the store alone. Output entries are checked one by one.
_TRACKED: Final = (("session",), ("response", "id"), ("response", "status"), ("response", "output"))
# Server events that may introduce an item the store has not seen.
_INTRODUCING: Final = frozenset(
    {"conversation.item.added", "conversation.item.created", "response.output_item.added"}
)
_NO_ACTIONS: Final[tuple[Action, ...]] = ()

_Session: TypeAlias = RealtimeSessionCreateResponse | RealtimeTranscriptionSessionCreateResponse


class SessionState:
    """The state of one client's session, across its connections.

    Args:
        conversation: The store this core keeps current (and reads for interruptions, truncation
            and replay).
        runs_tool: Whether this side runs a tool by that name (a registered handler); calls to
            other tools are left to the application.

    Attributes:
        conversation: The store.
        session: The session as the server last reported it.
        session_created: True once ``session.created`` arrived on the current connection.
        response_completed: True once a response completed on the current connection (it did
            something useful, whatever happens to it next).
        session_expired: True once the server said the current session reached its maximum
            duration (an ``error`` with code ``session_expired``).
    """

    def __init__(
        self,
        conversation: RealtimeConversation,
        *,
        runs_tool: Callable[[str], bool] = lambda name: False,
    ) -> None:
        self.conversation = conversation
        self.session: _Session | None = None
        self.session_created = False
        self.response_completed = False
        self.session_expired = False
        self._runs_tool = runs_tool
        # Every call_id handed out in a RunTools (a call runs at most once), and the runs not
        # finished yet (outputs and follow-up not all sent), by response id.
        self._started_calls: set[str] = set()
        self._tool_runs: dict[str, RunTools] = {}
        # Responses running, by id; the value says whether it is out of band (conversation
        # "none"), which does not block another response.
        self._active: dict[str, bool] = {}
        self._requests: deque[_Request] = deque()
        self._streaming: set[str] = set()
        self._completed: set[str] = set()
        self._uncommitted_samples = 0

    # -- questions ----------------------------------------------------------------------------

    @property
    def response_in_progress(self) -> bool:
        """True when a ``response.create`` for the conversation would now be refused: a
        response is running, or one was asked for and not started yet (out-of-band ones
        excepted)."""
        return any(not out_of_band for out_of_band in self._active.values()) or any(
            not request.out_of_band for request in self._requests
        )

    @property
    def active_response_ids(self) -> tuple[str, ...]:
        """The responses running now, oldest first."""
        return tuple(self._active)

    @property
    def streaming_item_ids(self) -> frozenset[str]:
        """Output items added and not done yet."""
        return frozenset(self._streaming)

    @property
    def uncommitted_input_samples(self) -> int:
        """Input samples appended since the last commit or clear (either side's)."""
        return self._uncommitted_samples

    def playing_item(self) -> str | None:
        """The latest assistant item with audio: what the listener may still be hearing."""
        for item in reversed(self.conversation.get_items()):
            if item.role == "assistant":
                return item.id if len(item.formatted.audio_buffer) else None
        return None

    def truncate_point(self, item_id: str, heard_samples: int) -> TruncatePoint:
        """Where to cut ``item_id`` when the listener heard ``heard_samples`` of it.

        Args:
            item_id: An assistant message with audio.
            heard_samples: Samples the listener heard; clamped to 0 .. what was received.

        Returns:
            The content part and ``audio_end_ms`` for ``conversation.item.truncate``.

        Raises:
            ConfigurationError: The item is unknown, not an assistant message, or has no audio.
        """
        item = self.conversation.get_item(item_id)
        if item is None:
            raise ConfigurationError(f"cannot cancel: no item {item_id!r}")
        if item.type != "message" or item.role != "assistant":
            raise ConfigurationError(f"cannot cancel: {item_id!r} is not an assistant message")
        content_index = _audio_content_index(item)
        if content_index is None:
            raise ConfigurationError(f"cannot cancel: {item_id!r} has no audio")
        heard = max(0, min(heard_samples, len(item.formatted.audio_buffer)))
        return TruncatePoint(item_id, content_index, samples_to_ms(heard))

    def interrupted_tool_runs(self) -> list[RunTools]:
        """The tool runs still pending, each with only its calls that have no output in the
        conversation (a run whose outputs all arrived keeps no calls: it only lacks its
        follow-up ``response.create``). Finish each with :meth:`tool_run_finished`."""
        answered = {
            getattr(item.item, "call_id", None)
            for item in self.conversation.get_items()
            if item.type == "function_call_output"
        }
        return [
            RunTools(run.response_id, tuple(c for c in run.calls if c.call_id not in answered))
            for run in self._tool_runs.values()
        ]

    def tool_run_finished(self, response_id: str) -> None:
        """The outputs of ``response_id``'s calls and the follow-up request are sent."""
        self._tool_runs.pop(response_id, None)

    def forget_tool_runs(self) -> None:
        """Drop pending tool runs: the next connection is a new conversation, not a resumed one."""
        self._tool_runs.clear()

    def replay(self) -> list[ConversationItemCreateEvent]:
        """What a new connection must be sent to hold this conversation (see
        :func:`~openai_realtime.protocol.replay.replay_events`)."""
        return replay_events(self.conversation.get_items())

    # -- inputs -------------------------------------------------------------------------------

    def connection_opened(self) -> None:
        """A new connection: the server's input buffer and session start over."""
        self.session_created = False
        self.response_completed = False
        self.session_expired = False
        self._uncommitted_samples = 0
        self.conversation.restart_input_audio()

    def connection_closed(self) -> tuple[str, ...]:
        """The connection ended: every running response is cut off.

        Their records become ``failed`` and their unfinished items ``incomplete``; requests not
        answered are forgotten.

        Returns:
            The ids of the responses that were cut off.
        """
        cut_off = tuple(self._active)
        for response_id in cut_off:
            record = self.conversation.get_response(response_id)
            if record is None:
                continue
            record.status = "failed"
            for item_id in record.output_item_ids:
                item = self.conversation.get_item(item_id)
                if item is not None and item.status != "completed":
                    item.status = "incomplete"
        self._active.clear()
        self._requests.clear()
        self._streaming.clear()
        return cut_off

    def reset(self) -> None:
        """Forget the conversation and everything about the session."""
        self.conversation.clear()
        self.session = None
        self.session_created = False
        self.response_completed = False
        self.session_expired = False
        self._started_calls.clear()
        self._tool_runs.clear()
        self._active.clear()
        self._requests.clear()
        self._streaming.clear()
        self._completed.clear()
        self._uncommitted_samples = 0

    def append_input_audio(self, samples: NDArray[np.int16]) -> None:
        """Account for input audio this side is sending (the store keeps it for user items)."""
        self.conversation.append_input_audio(samples)
        self._uncommitted_samples += len(samples)

    def sent(self, event: ClientEvent) -> None:
        """Account for a client event now on the wire."""
        handler = _SENT.get(event.type)
        if handler is not None:
            handler(self, event)

    def receive(self, event: ServerEvent | UnknownServerEvent) -> Sequence[Action]:
        """Apply one server event to the store and to this core.

        Args:
            event: Any decoded server event.

        Returns:
            What the caller must do, in order (see the module docstring).
        """
        event_type = event.type
        actions: list[Action] = []
        own = _RECEIVED.get(event_type)
        # A rebuilt event (see validation_issues) is read only where it validated.
        if own is not None and not (
            event.validation_issues and issue_touching(event, _TRACKED, within=_TRACKED[-1:])
        ):
            own(self, event, actions)
        introducing = event_type in _INTRODUCING
        is_new = introducing and not self._knows_item_of(event)
        try:
            item, delta = self.conversation.process_event(event)
        except (ConversationError, ProtocolError) as error:
            actions.append(StoreRefused(error))
            return actions
        if item is None:
            return actions or _NO_ACTIONS
        if is_new:
            actions.append(ItemAppended(item))
        actions.append(ItemUpdated(item, delta))
        if event_type in _COMPLETING and item.id not in self._completed:
            self._completed.add(item.id)
            actions.append(ItemCompleted(item))
        return actions

    # -- what each event means --------------------------------------------------------------

    def _knows_item_of(self, event: ServerEvent | UnknownServerEvent) -> bool:
        item_id = getattr(getattr(event, "item", None), "id", None)
        return item_id is not None and self.conversation.get_item(item_id) is not None

    def _on_session(self, event: ServerEvent | UnknownServerEvent, actions: list[Action]) -> None:
        if isinstance(event, SessionCreatedEvent | SessionUpdatedEvent):
            self.session = event.session
            if isinstance(event, SessionCreatedEvent):
                self.session_created = True

    def _on_response_created(
        self, event: ServerEvent | UnknownServerEvent, actions: list[Action]
    ) -> None:
        if not isinstance(event, ResponseCreatedEvent) or not event.response.id:
            return
        # Responses start in the order they were asked for; one this side did not ask for
        # (server VAD) arrives with no request waiting, or is taken for the oldest (the
        # service refuses a request while a response runs, so the two rarely overlap).
        request = self._requests.popleft() if self._requests else None
        out_of_band = request is not None and request.out_of_band
        self._active[event.response.id] = out_of_band
        actions.append(
            ResponseStarted(event.response.id, request.event_id if request is not None else None)
        )

    def _on_response_done(
        self, event: ServerEvent | UnknownServerEvent, actions: list[Action]
    ) -> None:
        if not isinstance(event, ResponseDoneEvent):
            return
        response = event.response
        self._active.pop(response.id or "", None)
        for item in response.output or ():
            if item.id is not None:
                self._streaming.discard(item.id)
        actions.append(ResponseFinished(response))
        if response.status != "completed":
            return  # calls of a cancelled, failed or incomplete response are not executed
        self.response_completed = True
        calls = tuple(
            item
            for item in response.output or ()
            if isinstance(item, RealtimeConversationItemFunctionCall)
            # Not raw (see validation_issues), and not empty: an output must name its call.
            and isinstance(item.call_id, str)
            and item.call_id
            and isinstance(item.name, str)
            and self._runs_tool(item.name)
            # A response.done seen twice (a replayed frame, a buggy relay) runs nothing twice.
            and item.call_id not in self._started_calls
        )
        if calls:
            self._started_calls.update(call.call_id or "" for call in calls)
            run = RunTools(response.id or "", calls)
            self._tool_runs[run.response_id] = run
            actions.append(run)

    def _on_output_item(
        self, event: ServerEvent | UnknownServerEvent, actions: list[Action]
    ) -> None:
        if isinstance(event, ResponseOutputItemAddedEvent) and event.item.id:
            self._streaming.add(event.item.id)
        elif isinstance(event, ResponseOutputItemDoneEvent) and event.item.id:
            self._streaming.discard(event.item.id)

    def _on_speech_started(
        self, event: ServerEvent | UnknownServerEvent, actions: list[Action]
    ) -> None:
        if not isinstance(event, InputAudioBufferSpeechStartedEvent):
            return
        self._uncommitted_samples = 0
        playing = self.playing_item()
        if playing is not None or any(not oob for oob in self._active.values()):
            actions.append(Interrupted(playing))

    def _on_input_settled(
        self, event: ServerEvent | UnknownServerEvent, actions: list[Action]
    ) -> None:
        if isinstance(event, InputAudioBufferCommittedEvent | InputAudioBufferClearedEvent):
            self._uncommitted_samples = 0

    def _on_error(self, event: ServerEvent | UnknownServerEvent, actions: list[Action]) -> None:
        if not isinstance(event, ErrorEvent):
            return
        if event.error.code == SESSION_EXPIRED_CODE:
            self.session_expired = True
        refused = event.error.event_id
        if refused is None:
            return
        for request in self._requests:
            if request.event_id == refused:
                self._requests.remove(request)
                actions.append(RequestRefused(refused, event))
                return

    def _sent_response_create(self, event: ClientEvent) -> None:
        if isinstance(event, ResponseCreateEvent):
            params = event.response
            out_of_band = params is not None and params.conversation == "none"
            self._requests.append(_Request(event.event_id, out_of_band))

    def _sent_input_settled(self, event: ClientEvent) -> None:
        if isinstance(event, InputAudioBufferCommitEvent | InputAudioBufferClearEvent):
            self._uncommitted_samples = 0


_Received: TypeAlias = Callable[
    [SessionState, ServerEvent | UnknownServerEvent, list[Action]], None
]
# The events this core reads beyond the store; every other event costs one dict lookup.
_RECEIVED: Final[dict[str, _Received]] = {
    "session.created": SessionState._on_session,
    "session.updated": SessionState._on_session,
    "response.created": SessionState._on_response_created,
    "response.done": SessionState._on_response_done,
    "response.output_item.added": SessionState._on_output_item,
    "response.output_item.done": SessionState._on_output_item,
    "input_audio_buffer.speech_started": SessionState._on_speech_started,
    "input_audio_buffer.committed": SessionState._on_input_settled,
    "input_audio_buffer.cleared": SessionState._on_input_settled,
    "error": SessionState._on_error,
}
_SENT: Final[dict[str, Callable[[SessionState, ClientEvent], None]]] = {
    "response.create": SessionState._sent_response_create,
    "input_audio_buffer.commit": SessionState._sent_input_settled,
    "input_audio_buffer.clear": SessionState._sent_input_settled,
}


def _audio_content_index(item: ConversationItem) -> int | None:
    content = getattr(item.item, "content", None) or []
    for index, part in enumerate(content):
        if getattr(part, "type", None) in ("output_audio", "audio"):
            return index
    # Audio arrived by deltas before any content part was recorded: it is part 0.
    return 0 if len(item.formatted.audio_buffer) else None
