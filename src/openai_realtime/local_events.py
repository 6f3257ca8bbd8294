"""Events the SDK emits itself, beside the wire events: their payload classes.

``RealtimeAPI`` emits ``error`` and ``close``; ``RealtimeClient`` adds the utility events
``conversation.updated``, ``conversation.item.appended``, ``conversation.item.completed``,
``conversation.interrupted``, ``realtime.event`` and the connection events ``reconnecting``,
``reconnected``, ``session.renewed``, ``disconnected`` and, on a sideband, ``call.ended``.
Handlers receive one of these frozen dataclasses.

At the end, for type checkers only, each class binds its SDK events to the generated overloads
(``openai_realtime.types.hooks``): the generic slots there take the (name, payload) pairs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

from openai_realtime.protocol.items import ConversationItem, Delta
from openai_realtime.types import ClientEvent, ErrorEvent, ServerEvent, UnknownServerEvent

__all__ = [
    "CallEndedEvent",
    "ClientErrorPayload",
    "CloseEvent",
    "ConversationInterruptedEvent",
    "ConversationItemAppendedEvent",
    "ConversationItemCompletedEvent",
    "ConversationUpdatedEvent",
    "DisconnectedEvent",
    "LocalErrorEvent",
    "RealtimeEventRecord",
    "ReconnectedEvent",
    "ReconnectingEvent",
    "SessionRenewedEvent",
]


@dataclass(frozen=True, slots=True)
class LocalErrorEvent:
    """Something went wrong on this side: a malformed frame, or a handler that raised.

    Attributes:
        message: One line saying what happened.
        exception: The exception behind it.
        raw: The frame that could not be decoded, when that is the cause.
        event_name: The event whose handler raised, when that is the cause.
    """

    message: str
    exception: BaseException
    raw: str | bytes | None = None
    event_name: str | None = None


ClientErrorPayload: TypeAlias = ErrorEvent | LocalErrorEvent
"""What ``RealtimeClient`` handlers of ``error`` receive: the server's error or a local one."""


@dataclass(frozen=True, slots=True)
class CallEndedEvent:
    """The call a sideband connection controls is over (dispatched as ``call.ended``).

    A ``RealtimeClient(call_id=...)`` dispatches it, before ``close``, when the server ends the
    sideband connection without the app asking: the caller hung up, the call was referred or
    hung up through call control, or it ended for any other reason.

    Attributes:
        call_id: The call.
        code: The close code of the sideband connection, if any.
        reason: The close reason (the fake server says why, e.g. ``call ended: hangup``).
    """

    call_id: str
    code: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class CloseEvent:
    """The WebSocket closed.

    Attributes:
        code: The close code (1000 normal, 1006 abnormal, ...), if any was received.
        reason: The close reason, possibly empty.
        requested: True when this side called ``disconnect()``.
    """

    code: int | None
    reason: str
    requested: bool


@dataclass(frozen=True, slots=True)
class ConversationUpdatedEvent:
    """An item changed: created, or grown by a delta.

    Attributes:
        item: The item, current as of this event.
        delta: What this event added (``None`` when the item itself changed).
    """

    item: ConversationItem
    delta: Delta | None


@dataclass(frozen=True, slots=True)
class ConversationItemAppendedEvent:
    """A new item joined the conversation."""

    item: ConversationItem


@dataclass(frozen=True, slots=True)
class ConversationItemCompletedEvent:
    """An item is complete (``conversation.item.done`` or ``response.output_item.done``)."""

    item: ConversationItem


@dataclass(frozen=True, slots=True)
class ConversationInterruptedEvent:
    """The assistant was interrupted.

    Attributes:
        reason: ``speech_started`` (server VAD heard the user) or ``cancel_response`` (the app).
        item_id: The assistant item that was playing, if known.
        audio_end_ms: Where its audio was cut, when the app truncated it.
    """

    reason: Literal["speech_started", "cancel_response"]
    item_id: str | None = None
    audio_end_ms: int | None = None


@dataclass(frozen=True, slots=True)
class RealtimeEventRecord:
    """Every wire event, either way, as it passes.

    Attributes:
        time: ``time.time()`` when it was sent or dispatched.
        source: ``client`` for sent events, ``server`` for received ones.
        event: The typed event.
    """

    time: float
    source: Literal["client", "server"]
    event: ClientEvent | ServerEvent | UnknownServerEvent


@dataclass(frozen=True, slots=True)
class ReconnectingEvent:
    """The connection dropped and a reconnect attempt is about to start.

    Attributes:
        attempt: 1 for the first attempt; it goes on counting across connections that closed
            before they were useful (see ``ReconnectPolicy.max_attempts``).
        delay: Seconds waited before this attempt.
        code: The close code that triggered it.
    """

    attempt: int
    delay: float
    code: int | None


@dataclass(frozen=True, slots=True)
class ReconnectedEvent:
    """A reconnect attempt succeeded; the session config was sent again.

    Attributes:
        attempt: The attempt that succeeded.
        replayed_items: How many conversation items were sent again.
    """

    attempt: int
    replayed_items: int


@dataclass(frozen=True, slots=True)
class SessionRenewedEvent:
    """A session reached its maximum duration, and a new one now holds the conversation,
    carried over as text (``session.renewed``, just before ``reconnected``).

    Attributes:
        item_ids: The items carried over, in order (messages as their text and transcripts,
            function calls and their outputs; see ``replay_events``).
        instructions: The instructions the new session was given.
        tools: The names of the tools the new session was given.
        code: The close code that ended the old session (1000 when ``planned``).
        reason: The close reason that ended it.
        planned: True when the client renewed ahead of the limit on its own
            (``SessionRenewal(ahead=...)``) and closed the old session itself; False when the
            server's close at the limit forced it.
    """

    item_ids: tuple[str, ...]
    instructions: str | None
    tools: tuple[str, ...]
    code: int | None
    reason: str
    planned: bool = False


@dataclass(frozen=True, slots=True)
class DisconnectedEvent:
    """The connection ended for good (no reconnect policy, or it gave up).

    Attributes:
        code: The close code, if any.
        reason: The close reason, possibly empty.
    """

    code: int | None
    reason: str


if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from openai_realtime.protocol.transcripts import TranscriptPiece
    from openai_realtime.types.hooks import (
        EventHooks,
        EventWaits,
        TranslationEventHooks,
        TranslationEventWaits,
    )

    # `RealtimeAPI`: `error` and `close` beside the wire events.
    ApiHooks: TypeAlias = EventHooks[
        Literal["error"], LocalErrorEvent, Literal["close"], CloseEvent
    ]
    ApiWaits: TypeAlias = EventWaits[
        Literal["error"], LocalErrorEvent, Literal["close"], CloseEvent
    ]
    # `RealtimeClient`: the server's error joins the local one, then the utility events.
    ClientHooks: TypeAlias = EventHooks[
        Literal["error"], ClientErrorPayload,
        Literal["close"], CloseEvent,
        Literal["conversation.updated"], ConversationUpdatedEvent,
        Literal["conversation.item.appended"], ConversationItemAppendedEvent,
        Literal["conversation.item.completed"], ConversationItemCompletedEvent,
        Literal["conversation.interrupted"], ConversationInterruptedEvent,
        Literal["realtime.event"], RealtimeEventRecord,
        Literal["reconnecting"], ReconnectingEvent,
        Literal["reconnected"], ReconnectedEvent,
        Literal["session.renewed"], SessionRenewedEvent,
        Literal["disconnected"], DisconnectedEvent,
        Literal["call.ended"], CallEndedEvent,
    ]  # fmt: skip
    ClientWaits: TypeAlias = EventWaits[
        Literal["error"], ClientErrorPayload,
        Literal["close"], CloseEvent,
        Literal["conversation.updated"], ConversationUpdatedEvent,
        Literal["conversation.item.appended"], ConversationItemAppendedEvent,
        Literal["conversation.item.completed"], ConversationItemCompletedEvent,
        Literal["conversation.interrupted"], ConversationInterruptedEvent,
        Literal["realtime.event"], RealtimeEventRecord,
        Literal["reconnecting"], ReconnectingEvent,
        Literal["reconnected"], ReconnectedEvent,
        Literal["session.renewed"], SessionRenewedEvent,
        Literal["disconnected"], DisconnectedEvent,
        Literal["call.ended"], CallEndedEvent,
    ]  # fmt: skip
    # `RealtimeTranslator`: `error` and `close`, then what it derives from the translation
    # channel's events (transcript pieces, output audio converted for the app).
    TranslationHooks: TypeAlias = TranslationEventHooks[
        Literal["error"], LocalErrorEvent,
        Literal["close"], CloseEvent,
        Literal["input_transcript"], TranscriptPiece,
        Literal["output_transcript"], TranscriptPiece,
        Literal["output_audio"], NDArray[np.int16],
    ]  # fmt: skip
    TranslationWaits: TypeAlias = TranslationEventWaits[
        Literal["error"], LocalErrorEvent,
        Literal["close"], CloseEvent,
        Literal["input_transcript"], TranscriptPiece,
        Literal["output_transcript"], TranscriptPiece,
        Literal["output_audio"], NDArray[np.int16],
    ]  # fmt: skip
