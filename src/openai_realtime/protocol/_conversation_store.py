"""The state the conversation store's event handlers share, and the checks they all make.

:class:`~openai_realtime.protocol.conversation.RealtimeConversation` dispatches each server
event to a plain function ``handler(store, event)`` of one of the ``_conversation_*`` modules
(items, responses, input audio). They all read and change one :class:`ConversationStore`: the
items and their order, the tracked responses, the input transcripts queued for items that have
not arrived, and the pending speech segments over the input audio window. Lookups here raise
before anything changes, so a refused event leaves the store exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypeAlias, TypeGuard

import numpy as np
from numpy.typing import NDArray

from openai_realtime._models import RealtimeModel
from openai_realtime.errors import ConversationError, ProtocolError
from openai_realtime.protocol.audio import decode_base64, ms_to_samples, samples_to_ms
from openai_realtime.protocol.input_audio import InputAudioWindow, SpeechSegment
from openai_realtime.protocol.items import ConversationItem, Delta, TextBuilder
from openai_realtime.protocol.tolerant import rebuilt_to_json
from openai_realtime.types import RealtimeResponse, RealtimeResponseUsage

__all__ = [
    "NOTHING",
    "ConversationStore",
    "ResponseRecord",
    "Result",
    "decode_audio",
    "is_text",
    "protocol_error",
    "sample_at",
]

Result: TypeAlias = tuple[ConversationItem | None, Delta | None]
"""What a handler returns: the item the event changed and what it appended (either may be None)."""

NOTHING: Final[Result] = (None, None)
"""The result of an event that changed no item (one shared tuple, not one per event)."""


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


def is_text(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a non-empty string (a raw value the codec could not validate is not).

    Args:
        value: A field of an event, typed or kept raw.
    """
    return isinstance(value, str) and bool(value)


def protocol_error(event: RealtimeModel, message: str) -> ProtocolError:
    """The error refusing ``event``, with the event as it came in ``raw``.

    Args:
        event: The refused event.
        message: What is wrong with it.
    """
    # A rebuilt event holds raw values where its model expects others: written as they came.
    raw = rebuilt_to_json(event) if event.validation_issues else event.model_dump_json()
    return ProtocolError(message, raw=raw)


def decode_audio(event: RealtimeModel, text: str) -> NDArray[np.int16]:
    """The PCM16 samples of a base64 audio field of ``event``.

    Args:
        event: The event carrying the audio (named in the error).
        text: The base64 text.

    Raises:
        ProtocolError: ``text`` is not valid base64 PCM16.
    """
    try:
        # The store copies the samples into the item's buffer: no need for a second copy here.
        return decode_base64(text, copy=False)
    except ValueError as error:
        message = f"{getattr(event, 'type', 'event')}: bad audio ({error})"
        raise protocol_error(event, message) from None


def sample_at(event: RealtimeModel, ms: int) -> int:
    """The sample offset of a millisecond position the event gives.

    Args:
        event: The event giving the position (named in the error).
        ms: The position in milliseconds.

    Raises:
        ProtocolError: The position is negative.
    """
    if ms < 0:
        raise protocol_error(event, f"{getattr(event, 'type', 'event')}: negative time {ms} ms")
    return ms_to_samples(ms)


class ConversationStore:
    """What the conversation holds, with the lookups and input-audio bookkeeping handlers share.

    Args:
        keep_audio: Store audio samples on items (and in the input window), or only counts.
        retention_samples: Uncommitted input audio kept while no speech is pending.
        max_pending_samples: The most input audio kept for speech that has not ended.

    Attributes:
        keep_audio: As given.
        items: The items by id.
        order: The item ids in conversation order.
        responses: The tracked responses by id.
        queued_transcripts: Input transcripts of items the server has not sent yet, by item id.
        speech: Speech segments not yet attached to their item, by item id.
        input: The input audio the client sent, as far back as a segment can still need it.
        buffer_start: Where the server's uncommitted input buffer begins, for commits without a
            VAD segment.
    """

    # Slots: the handlers read these attributes on every event.
    __slots__ = (
        "_max_pending_samples",
        "_retention_samples",
        "buffer_start",
        "input",
        "items",
        "keep_audio",
        "order",
        "queued_transcripts",
        "responses",
        "speech",
    )

    def __init__(
        self, *, keep_audio: bool, retention_samples: int, max_pending_samples: int
    ) -> None:
        self.keep_audio = keep_audio
        self._retention_samples = retention_samples
        self._max_pending_samples = max_pending_samples
        self.items: dict[str, ConversationItem] = {}
        self.order: list[str] = []
        self.responses: dict[str, ResponseRecord] = {}
        self.queued_transcripts: dict[str, TextBuilder] = {}
        self.speech: dict[str, SpeechSegment] = {}
        self.input = InputAudioWindow(keep=keep_audio)
        self.buffer_start = 0

    def restart_input_audio(self) -> None:
        """Drop pending speech and the input window: offsets count from 0 again."""
        self.speech.clear()
        self.input = InputAudioWindow(keep=self.keep_audio)
        self.buffer_start = 0

    def clear(self) -> None:
        """Forget everything, including the input audio clock."""
        self.items.clear()
        self.order.clear()
        self.responses.clear()
        self.queued_transcripts.clear()
        self.restart_input_audio()

    # -- lookups (raise before anything changes) --------------------------------------------

    def require_item(self, event_type: str, item_id: str) -> ConversationItem:
        """The item with this id.

        Args:
            event_type: The event naming it (for the error).
            item_id: The item's id.

        Raises:
            ConversationError: The store does not hold the item.
        """
        item = self.items.get(item_id)
        if item is None:
            raise ConversationError(event_type, item_id)
        return item

    def require_response(self, event_type: str, response_id: str | None) -> ResponseRecord:
        """The tracked response with this id.

        Args:
            event_type: The event naming it (for the error).
            response_id: The response's id.

        Raises:
            ConversationError: The store does not track the response.
        """
        record = self.responses.get(response_id or "")
        if record is None:
            raise ConversationError(event_type, response_id or "")
        return record

    def transcript_target(self, item_id: str) -> TextBuilder:
        """Where an input transcript goes: the item's, or a queue until the item arrives.

        Args:
            item_id: The item the transcript belongs to.
        """
        item = self.items.get(item_id)
        if item is not None:
            return item.formatted.transcript_builder
        return self.queued_transcripts.setdefault(item_id, TextBuilder())

    # -- speech over the input window ---------------------------------------------------------
    # Here rather than with the speech handlers: an item's arrival (or deletion) settles its
    # segment as much as a speech event does, and appending input audio moves the window.

    def attach_speech(self, item_id: str) -> ConversationItem | None:
        """Give the item its speech once both the item and the segment's end are known.

        Args:
            item_id: The item (and segment) id.

        Returns:
            The item, or ``None`` while it has not arrived.
        """
        item = self.items.get(item_id)
        segment = self.speech.get(item_id)
        if item is None or segment is None or segment.end is None:
            return item
        del self.speech[item_id]
        if len(item.formatted.audio_buffer) == 0:
            item.formatted.audio_buffer.append(self.input.slice(segment.start, segment.end))
        item.audio_start_ms = samples_to_ms(segment.start)
        item.audio_end_ms = samples_to_ms(segment.end)
        self.forget_unneeded_input()
        return item

    def forget_unneeded_input(self) -> None:
        """Drop the input audio no pending segment, and no manual commit, can still claim."""
        # Pending speech pins its start. Without any, a manual commit may still claim the
        # uncommitted buffer, but only as far back as the retention window reaches; audio
        # before the buffer's start is committed (its item holds it) or cleared.
        if self.speech:
            keep_from = max(
                min(segment.start for segment in self.speech.values()),
                self.input.end - self._max_pending_samples,
            )
        else:
            keep_from = max(self.input.end - self._retention_samples, self.buffer_start)
        self.input.forget_before(keep_from)
