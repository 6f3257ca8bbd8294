"""The transcription and translation stores: server events in, transcripts out (sans-I/O).

:class:`TranscriptStore` follows a transcription session (or the input transcription of a
realtime session). Each committed stretch of speech becomes one :class:`TranscriptSegment`,
keyed by its item id, whose text grows with every ``...input_audio_transcription.delta`` and is
replaced by the final transcript on ``.completed``. Timings come from the VAD events and are in
audio time (milliseconds since the first appended sample):

=====================================================  =========================================
event                                                  effect on the segment
=====================================================  =========================================
``session.created`` / ``session.updated``              reads the turn detection's padding and
                                                       silence (to turn VAD times into speech)
``input_audio_buffer.speech_started``                  new segment, ``started``
``input_audio_buffer.speech_stopped``                  end time
``input_audio_buffer.committed``                       new segment when no VAD started one
``...input_audio_transcription.delta``                 text grows (logprobs kept), ``updated``
``...input_audio_transcription.segment``               a :class:`DiarizedSegment` is added and
                                                       the text grows by it, ``diarized``
``...input_audio_transcription.completed``             final text, usage, ``completed``
``...input_audio_transcription.failed``                the error, ``failed``
=====================================================  =========================================

The service reports ``audio_start_ms`` ``prefix_padding_ms`` before speech was heard and
``audio_end_ms`` once ``silence_duration_ms`` of quiet confirmed its end; a segment's
``start_ms`` / ``end_ms`` undo both, so captions cover the speech itself (``audio_start_ms`` /
``audio_end_ms`` keep what the server said).

A diarizing model (:data:`DIARIZE_MODEL`) sends ``...segment`` events before ``.completed``:
each names its speaker and where it lies, in seconds into the item's own audio. That audio starts
at the item's ``audio_start_ms``, so :class:`DiarizedSegment` carries both the server's seconds
and the span in the session's audio time when the item's start is known. The segments' texts
make the running transcript unless deltas already wrote it (then they would say it twice).

:class:`TranslationTranscript` keeps the two running transcripts of a translation session,
every piece with the ``elapsed_ms`` the server stamped it with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias

from openai_realtime.types import (
    ConversationItemInputAudioTranscriptionCompletedEvent,
    ConversationItemInputAudioTranscriptionDeltaEvent,
    ConversationItemInputAudioTranscriptionFailedEvent,
    ConversationItemInputAudioTranscriptionSegmentEvent,
    InputAudioBufferCommittedEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    LogProbProperties,
    SessionCreatedEvent,
    SessionUpdatedEvent,
    TranscriptionErrorDetails,
    TranslationSessionInputTranscriptDeltaEvent,
    TranslationSessionOutputTranscriptDeltaEvent,
)

__all__ = [
    "DIARIZE_MODEL",
    "DiarizedSegment",
    "SegmentChange",
    "SegmentChangeKind",
    "SegmentStatus",
    "TranscriptPiece",
    "TranscriptSegment",
    "TranscriptStore",
    "TranslationTranscript",
]

DIARIZE_MODEL: Final = "gpt-4o-transcribe-diarize"
"""The transcription model that labels speakers (``...input_audio_transcription.segment``)."""

SegmentStatus: TypeAlias = Literal["speaking", "transcribing", "completed", "failed"]
"""Where a segment is: speech still going on, audio committed, transcript final, or failed."""

SegmentChangeKind: TypeAlias = Literal["started", "updated", "diarized", "completed", "failed"]
"""What happened to a segment (the transcriber dispatches it as ``segment.<kind>``)."""


@dataclass(frozen=True, slots=True)
class DiarizedSegment:
    """One speaker's stretch of an item's transcript, from a diarizing model.

    Attributes:
        id: The segment id the server gave.
        speaker: The speaker label (e.g. ``"A"``).
        text: What the speaker said.
        start: Start in seconds into the item's audio, as the server said.
        end: End in seconds into the item's audio, as the server said.
        start_ms: Start in the session's audio time, when the item's start is known.
        end_ms: End in the session's audio time, when the item's start is known.
    """

    id: str
    speaker: str
    text: str
    start: float
    end: float
    start_ms: int | None = None
    end_ms: int | None = None

    @classmethod
    def from_event(
        cls,
        event: ConversationItemInputAudioTranscriptionSegmentEvent,
        item_start_ms: int | None = None,
    ) -> DiarizedSegment:
        """Read a ``...input_audio_transcription.segment`` event.

        Args:
            event: The event.
            item_start_ms: Where the item's audio starts in the session's audio time (its
                ``audio_start_ms``), to place the segment there too.

        Returns:
            The segment.
        """
        if item_start_ms is None:
            return cls(event.id, event.speaker, event.text, event.start, event.end)
        return cls(
            event.id,
            event.speaker,
            event.text,
            event.start,
            event.end,
            item_start_ms + round(event.start * 1000),
            item_start_ms + round(event.end * 1000),
        )


@dataclass
class TranscriptSegment:
    """One committed stretch of speech and its transcript.

    Attributes:
        item_id: The conversation item the audio was committed as.
        text: The transcript so far; the final transcript once completed.
        status: See :data:`SegmentStatus`.
        audio_start_ms: Start as the server reported it (padding included), if known.
        audio_end_ms: End as the server reported it (closing silence included), if known.
        start_ms: Start of the speech in audio time, if known.
        end_ms: End of the speech in audio time, if known.
        logprobs: Token log probabilities, when the session asked for them.
        usage: The usage of the completed transcription, as the server sent it.
        error: Why transcription failed, for a failed segment.
        speakers: The speaker-labelled parts, when a diarizing model transcribed it.
    """

    item_id: str
    text: str = ""
    status: SegmentStatus = "speaking"
    audio_start_ms: int | None = None
    audio_end_ms: int | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    logprobs: list[LogProbProperties] = field(default_factory=list)
    usage: Any = None
    error: TranscriptionErrorDetails | None = None
    speakers: list[DiarizedSegment] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        """True once the transcript is complete or has failed."""
        return self.status in ("completed", "failed")


@dataclass(frozen=True)
class SegmentChange:
    """What one event did to one segment.

    Attributes:
        kind: See :data:`SegmentChangeKind`.
        segment: The segment after the event.
        delta: The text added, for ``updated`` and ``diarized``.
        diarized: The speaker-labelled part that arrived, for ``diarized``.
    """

    kind: SegmentChangeKind
    segment: TranscriptSegment
    delta: str = ""
    diarized: DiarizedSegment | None = None


class TranscriptStore:
    """The segments of one transcription session, in the order their speech started.

    Feed it every server event with :meth:`apply`; events it does not use are ignored.
    """

    def __init__(self) -> None:
        self._segments: dict[str, TranscriptSegment] = {}
        self._prefix_padding_ms = 0
        self._silence_duration_ms = 0
        self._handlers: dict[type[Any], Callable[[Any], SegmentChange | None]] = {
            SessionCreatedEvent: self._session,
            SessionUpdatedEvent: self._session,
            InputAudioBufferSpeechStartedEvent: self._speech_started,
            InputAudioBufferSpeechStoppedEvent: self._speech_stopped,
            InputAudioBufferCommittedEvent: self._committed,
            ConversationItemInputAudioTranscriptionDeltaEvent: self._delta,
            ConversationItemInputAudioTranscriptionSegmentEvent: self._diarized,
            ConversationItemInputAudioTranscriptionCompletedEvent: self._completed,
            ConversationItemInputAudioTranscriptionFailedEvent: self._failed,
        }

    def __iter__(self) -> Iterator[TranscriptSegment]:
        return iter(list(self._segments.values()))

    def __len__(self) -> int:
        return len(self._segments)

    @property
    def segments(self) -> list[TranscriptSegment]:
        """Every segment so far, oldest first."""
        return list(self._segments.values())

    @property
    def completed(self) -> list[TranscriptSegment]:
        """The segments whose transcript is final, oldest first."""
        return [segment for segment in self._segments.values() if segment.status == "completed"]

    @property
    def speaker_segments(self) -> list[DiarizedSegment]:
        """Every speaker-labelled part so far (diarizing models only), in order."""
        return [part for segment in self._segments.values() for part in segment.speakers]

    def get(self, item_id: str) -> TranscriptSegment | None:
        """The segment of ``item_id``, if there is one."""
        return self._segments.get(item_id)

    @property
    def text(self) -> str:
        """The whole transcript so far, one segment per line."""
        return "\n".join(segment.text for segment in self._segments.values() if segment.text)

    def apply(self, event: object) -> SegmentChange | None:
        """Apply one server event.

        Args:
            event: Any server event.

        Returns:
            What changed, or ``None`` when the event changed no segment.
        """
        handler = self._handlers.get(type(event))
        return handler(event) if handler is not None else None

    def _session(self, event: SessionCreatedEvent | SessionUpdatedEvent) -> None:
        audio = getattr(event.session, "audio", None)
        audio_input = getattr(audio, "input", None)
        turn_detection = getattr(audio_input, "turn_detection", None)
        padding = getattr(turn_detection, "prefix_padding_ms", None)
        silence = getattr(turn_detection, "silence_duration_ms", None)
        self._prefix_padding_ms = padding if isinstance(padding, int) else 0
        self._silence_duration_ms = silence if isinstance(silence, int) else 0

    def _segment(self, item_id: str) -> TranscriptSegment:
        segment = self._segments.get(item_id)
        if segment is None:
            segment = self._segments[item_id] = TranscriptSegment(item_id)
        return segment

    def _speech_started(self, event: InputAudioBufferSpeechStartedEvent) -> SegmentChange:
        segment = self._segment(event.item_id)
        segment.audio_start_ms = event.audio_start_ms
        segment.start_ms = event.audio_start_ms + self._prefix_padding_ms
        return SegmentChange("started", segment)

    def _speech_stopped(self, event: InputAudioBufferSpeechStoppedEvent) -> None:
        segment = self._segment(event.item_id)
        segment.audio_end_ms = event.audio_end_ms
        end = event.audio_end_ms - self._silence_duration_ms
        segment.end_ms = max(end, segment.start_ms or 0)
        segment.status = "transcribing"

    def _committed(self, event: InputAudioBufferCommittedEvent) -> SegmentChange | None:
        started = event.item_id in self._segments
        segment = self._segment(event.item_id)
        if segment.status == "speaking":
            segment.status = "transcribing"
        return None if started else SegmentChange("started", segment)

    def _delta(self, event: ConversationItemInputAudioTranscriptionDeltaEvent) -> SegmentChange:
        segment = self._segment(event.item_id)
        delta = event.delta or ""
        segment.text += delta
        segment.logprobs.extend(event.logprobs or ())
        return SegmentChange("updated", segment, delta)

    def _diarized(
        self, event: ConversationItemInputAudioTranscriptionSegmentEvent
    ) -> SegmentChange:
        segment = self._segment(event.item_id)
        diarized = DiarizedSegment.from_event(event, segment.audio_start_ms)
        said = " ".join(part.text for part in segment.speakers if part.text)
        delta = ""
        if segment.text == said:
            # Only segments wrote the text so far: they are the running transcript, whole
            # phrases joined by a space (`.completed` then brings the final text anyway).
            delta = f" {event.text}" if said and event.text else event.text
        segment.text += delta
        segment.speakers.append(diarized)
        return SegmentChange("diarized", segment, delta, diarized)

    def _completed(
        self, event: ConversationItemInputAudioTranscriptionCompletedEvent
    ) -> SegmentChange:
        segment = self._segment(event.item_id)
        segment.text = event.transcript
        if event.logprobs is not None:
            # The completed event carries them all: what the deltas brought is replaced.
            segment.logprobs = list(event.logprobs)
        segment.usage = event.usage
        segment.status = "completed"
        return SegmentChange("completed", segment)

    def _failed(self, event: ConversationItemInputAudioTranscriptionFailedEvent) -> SegmentChange:
        segment = self._segment(event.item_id)
        segment.error = event.error
        segment.status = "failed"
        return SegmentChange("failed", segment)


@dataclass(frozen=True)
class TranscriptPiece:
    """One piece of a translation transcript.

    Attributes:
        text: The text of the delta.
        elapsed_ms: When it was heard or said, in the session's audio time, if stamped.
    """

    text: str
    elapsed_ms: int | None


@dataclass
class TranslationTranscript:
    """The input (source language) and output (target language) transcripts of a translation.

    Attributes:
        input_pieces: Every input transcript delta, in arrival order.
        output_pieces: Every output transcript delta, in arrival order.
    """

    input_pieces: list[TranscriptPiece] = field(default_factory=list)
    output_pieces: list[TranscriptPiece] = field(default_factory=list)

    @property
    def input_text(self) -> str:
        """What was heard, so far."""
        return "".join(piece.text for piece in self.input_pieces)

    @property
    def output_text(self) -> str:
        """What the translation said, so far."""
        return "".join(piece.text for piece in self.output_pieces)

    def apply(self, event: object) -> TranscriptPiece | None:
        """Apply one translation server event.

        Args:
            event: Any translation server event.

        Returns:
            The new piece, or ``None`` when the event is not a transcript delta.
        """
        if isinstance(event, TranslationSessionInputTranscriptDeltaEvent):
            piece = TranscriptPiece(event.delta, event.elapsed_ms)
            self.input_pieces.append(piece)
            return piece
        if isinstance(event, TranslationSessionOutputTranscriptDeltaEvent):
            piece = TranscriptPiece(event.delta, event.elapsed_ms)
            self.output_pieces.append(piece)
            return piece
        return None
