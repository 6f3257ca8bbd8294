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
from typing import Any, Final, TypeAlias

import numpy as np
from numpy.typing import NDArray

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol import _conversation_input as input_events
from openai_realtime.protocol import _conversation_items as item_events
from openai_realtime.protocol import _conversation_responses as output_events
from openai_realtime.protocol._conversation_store import (
    NOTHING,
    ConversationStore,
    ResponseRecord,
    Result,
    protocol_error,
)
from openai_realtime.protocol.audio import SAMPLE_RATE, to_pcm16
from openai_realtime.protocol.items import ConversationItem, Delta
from openai_realtime.protocol.tolerant import issue_touching
from openai_realtime.types import ServerEvent, UnknownServerEvent

__all__ = [
    "DEFAULT_INPUT_AUDIO_RETENTION_SECONDS",
    "DEFAULT_MAX_PENDING_SPEECH_SECONDS",
    "RealtimeConversation",
    "ResponseRecord",
]

DEFAULT_INPUT_AUDIO_RETENTION_SECONDS: Final = 30.0
"""How much uncommitted input audio is kept while no speech is pending, in seconds.

It has to cover the delay between sending audio and hearing back ``speech_started`` for it
(network round trip plus the VAD's prefix padding), with a wide margin.
"""
# A speech segment whose end never comes (a lost speech_stopped, endless noise) must not hold
# input audio for ever; five minutes is longer than any single spoken turn.
DEFAULT_MAX_PENDING_SPEECH_SECONDS: Final = 300.0


# What the store reads of an event, as wire locations. A value kept raw at or above one of these
# makes the event unusable for the store; inside an entry of the lists it walks, a raw value
# only costs that entry (see _read_content in _conversation_items.py and _output_ids in
# _conversation_responses.py).
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


def _duration_in_samples(name: str, seconds: float) -> int:
    """A non-negative, finite duration option in samples.

    Raises:
        ConfigurationError: The duration is negative or not finite.
    """
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ConfigurationError(f"{name} must be a finite number >= 0, got {seconds!r}")
    return math.ceil(seconds * SAMPLE_RATE)


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
        self._store = ConversationStore(
            keep_audio=keep_audio,
            retention_samples=_duration_in_samples(
                "input_audio_retention_seconds", input_audio_retention_seconds
            ),
            max_pending_samples=_duration_in_samples(
                "max_pending_speech_seconds", max_pending_speech_seconds
            ),
        )

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
            return NOTHING
        handler = _HANDLERS.get(event.type)
        if handler is None:
            return NOTHING
        if event.validation_issues:
            issue = issue_touching(event, _READS, within=_WALKED_LISTS)
            if issue is not None:
                message = f"{event.type}: {issue.path} did not validate ({issue.message})"
                raise protocol_error(event, message)
        return handler(self._store, event)

    def append_input_audio(self, samples: NDArray[np.int16]) -> None:
        """Record a chunk of input audio the client is sending (``input_audio_buffer.append``).

        Call it for every chunk, in order, so sample offsets match the server's ``audio_*_ms``.

        Args:
            samples: 24 kHz mono int16 samples.

        Raises:
            TypeError: ``samples`` is not an int16 (or float) array.
            ValueError: ``samples`` is not one-dimensional.
        """
        store = self._store
        store.input.append(to_pcm16(samples))
        store.forget_unneeded_input()

    @property
    def input_audio_samples(self) -> int:
        """How many input samples the client has appended this session."""
        return self._store.input.end

    @property
    def retained_input_samples(self) -> int:
        """How many input samples are held in memory (pending speech, or the retention window)."""
        return self._store.input.retained

    def get_items(self) -> list[ConversationItem]:
        """All items, in conversation order.

        Returns:
            A new list; items are placed after their ``previous_item_id`` when the server gave
            one the store knows, else appended.
        """
        held = self._store.items
        return [held[item_id] for item_id in self._store.order]

    def get_item(self, item_id: str) -> ConversationItem | None:
        """The item with this id, or ``None``."""
        return self._store.items.get(item_id)

    def get_response(self, response_id: str) -> ResponseRecord | None:
        """The tracked response with this id, or ``None``."""
        return self._store.responses.get(response_id)

    def restart_input_audio(self) -> None:
        """The server's input audio buffer starts over (a new connection): count from 0 again.

        Items and responses are kept. Pending speech segments and the retained input audio are
        dropped: the new session's ``audio_start_ms`` / ``audio_end_ms`` count from its own
        start, so offsets from before cannot be matched with them.
        """
        self._store.restart_input_audio()

    def clear(self) -> None:
        """Forget everything, including the input audio clock: call it when a session starts."""
        self._store.clear()


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
#
# Each handler is a plain function of the shared ConversationStore, one module per part of the
# protocol (item lifecycle, model output, the user's input audio and its transcription): one
# dict lookup and one call per event, the same cost as the bound-method table it replaced.
_Handler: TypeAlias = Callable[[ConversationStore, Any], Result]
_HANDLERS: Final[dict[str, _Handler]] = {
    "conversation.item.added": item_events.on_item,
    "conversation.item.created": item_events.on_item,
    "conversation.item.done": item_events.on_item,
    "conversation.item.retrieved": item_events.on_item,
    "conversation.item.truncated": item_events.on_item_truncated,
    "conversation.item.deleted": item_events.on_item_deleted,
    "response.created": output_events.on_response_created,
    "response.output_item.added": output_events.on_output_item,
    "response.output_item.done": output_events.on_output_item,
    "response.content_part.added": output_events.on_content_part,
    "response.content_part.done": output_events.on_content_part,
    "response.done": output_events.on_response_done,
    "response.output_text.delta": output_events.on_text_delta,
    "response.output_text.done": output_events.on_text_done,
    "response.output_audio.delta": output_events.on_audio_delta,
    "response.output_audio.done": output_events.on_audio_done,
    "response.output_audio_transcript.delta": output_events.on_transcript_delta,
    "response.output_audio_transcript.done": output_events.on_transcript_done,
    "response.function_call_arguments.delta": output_events.on_arguments_delta,
    "response.function_call_arguments.done": output_events.on_arguments_done,
    "response.mcp_call_arguments.delta": output_events.on_arguments_delta,
    "response.mcp_call_arguments.done": output_events.on_arguments_done,
    "response.mcp_call.in_progress": output_events.on_status_event,
    "response.mcp_call.completed": output_events.on_status_event,
    "response.mcp_call.failed": output_events.on_status_event,
    "mcp_list_tools.in_progress": output_events.on_status_event,
    "mcp_list_tools.completed": output_events.on_status_event,
    "mcp_list_tools.failed": output_events.on_status_event,
    "input_audio_buffer.speech_started": input_events.on_speech_started,
    "input_audio_buffer.speech_stopped": input_events.on_speech_stopped,
    "input_audio_buffer.timeout_triggered": input_events.on_timeout_triggered,
    "input_audio_buffer.committed": input_events.on_committed,
    "input_audio_buffer.cleared": input_events.on_buffer_cleared,
    "conversation.item.input_audio_transcription.delta": input_events.on_transcription_delta,
    "conversation.item.input_audio_transcription.segment": input_events.on_transcription_segment,
    "conversation.item.input_audio_transcription.completed": (
        input_events.on_transcription_completed
    ),
    "conversation.item.input_audio_transcription.failed": input_events.on_transcription_failed,
}
