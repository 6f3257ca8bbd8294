"""The conversation store's user side: speech over the input audio, and its transcription.

The server never sends the user's audio back. Server VAD's ``input_audio_buffer.*`` events
open and close speech segments over the input audio the client handed to the store; a closed
segment is cut out of the input window and attached to its user item once both are known
(:meth:`~openai_realtime.protocol._conversation_store.ConversationStore.attach_speech`). Input
transcripts (deltas, diarized segments, the final text) may arrive before their item: they are
queued until it does.
"""

from __future__ import annotations

from openai_realtime.errors import ConversationError
from openai_realtime.protocol._conversation_store import (
    NOTHING,
    ConversationStore,
    Result,
    sample_at,
)
from openai_realtime.protocol.input_audio import SpeechSegment
from openai_realtime.protocol.items import Delta
from openai_realtime.protocol.transcripts import DiarizedSegment
from openai_realtime.types import (
    ConversationItemInputAudioTranscriptionCompletedEvent,
    ConversationItemInputAudioTranscriptionDeltaEvent,
    ConversationItemInputAudioTranscriptionFailedEvent,
    ConversationItemInputAudioTranscriptionSegmentEvent,
    InputAudioBufferClearedEvent,
    InputAudioBufferCommittedEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    InputAudioBufferTimeoutTriggeredEvent,
)

__all__ = [
    "on_buffer_cleared",
    "on_committed",
    "on_speech_started",
    "on_speech_stopped",
    "on_timeout_triggered",
    "on_transcription_completed",
    "on_transcription_delta",
    "on_transcription_failed",
    "on_transcription_segment",
]

# -- speech segments ------------------------------------------------------------------------


def on_speech_started(
    store: ConversationStore, event: InputAudioBufferSpeechStartedEvent
) -> Result:
    """``input_audio_buffer.speech_started``: a speech segment opens."""
    store.speech[event.item_id] = SpeechSegment(sample_at(event, event.audio_start_ms))
    store.forget_unneeded_input()
    return NOTHING


def on_speech_stopped(
    store: ConversationStore, event: InputAudioBufferSpeechStoppedEvent
) -> Result:
    """``input_audio_buffer.speech_stopped``: the segment closes (attached once the item is)."""
    segment = store.speech.get(event.item_id)
    if segment is None:
        raise ConversationError(event.type, event.item_id)
    segment.end = max(segment.start, sample_at(event, event.audio_end_ms))
    return store.attach_speech(event.item_id), None


def on_timeout_triggered(
    store: ConversationStore, event: InputAudioBufferTimeoutTriggeredEvent
) -> Result:
    """``input_audio_buffer.timeout_triggered``: a closed segment for the idle item."""
    start = sample_at(event, event.audio_start_ms)
    end = max(start, sample_at(event, event.audio_end_ms))
    store.speech[event.item_id] = SpeechSegment(start, end)
    return store.attach_speech(event.item_id), None


def on_committed(store: ConversationStore, event: InputAudioBufferCommittedEvent) -> Result:
    """``input_audio_buffer.committed``: the segment (or the whole uncommitted buffer) commits."""
    segment = store.speech.get(event.item_id)
    if segment is None:
        item = store.items.get(event.item_id)
        if item is not None:  # its speech was attached already
            return item, None
        # A manual commit (no VAD): the item holds everything sent since the last boundary.
        segment = store.speech[event.item_id] = SpeechSegment(store.buffer_start)
    if segment.end is None:
        segment.end = store.input.end
    segment.committed = True
    store.buffer_start = max(store.buffer_start, segment.end)
    return store.attach_speech(event.item_id), None


def on_buffer_cleared(store: ConversationStore, event: InputAudioBufferClearedEvent) -> Result:
    """``input_audio_buffer.cleared``: uncommitted segments and audio are dropped."""
    for item_id in [key for key, segment in store.speech.items() if not segment.committed]:
        del store.speech[item_id]
    store.buffer_start = store.input.end
    store.forget_unneeded_input()
    return NOTHING


# -- input transcription --------------------------------------------------------------------


def _append_input_transcript(store: ConversationStore, item_id: str, text: str) -> Result:
    store.transcript_target(item_id).append(text)
    item = store.items.get(item_id)
    return (item, Delta(transcript=text)) if item is not None else NOTHING


def on_transcription_delta(
    store: ConversationStore, event: ConversationItemInputAudioTranscriptionDeltaEvent
) -> Result:
    """``conversation.item.input_audio_transcription.delta``: transcript += delta."""
    return _append_input_transcript(store, event.item_id, event.delta or "")


def on_transcription_segment(
    store: ConversationStore, event: ConversationItemInputAudioTranscriptionSegmentEvent
) -> Result:
    """``conversation.item.input_audio_transcription.segment``: a diarized stretch of text."""
    # A diarised segment is the next stretch of the transcript (a phrase, so after a space);
    # `.completed` then replaces the whole with the final text.
    item = store.items.get(event.item_id)
    if item is None:
        return _append_input_transcript(store, event.item_id, event.text)
    follows = bool(item.formatted.segments)
    item.formatted.add_segment(DiarizedSegment.from_event(event))
    return _append_input_transcript(
        store, event.item_id, f" {event.text}" if follows else event.text
    )


def on_transcription_completed(
    store: ConversationStore, event: ConversationItemInputAudioTranscriptionCompletedEvent
) -> Result:
    """``conversation.item.input_audio_transcription.completed``: transcript := final text."""
    store.transcript_target(event.item_id).set(event.transcript)
    return store.items.get(event.item_id), None


def on_transcription_failed(
    store: ConversationStore, event: ConversationItemInputAudioTranscriptionFailedEvent
) -> Result:
    """``conversation.item.input_audio_transcription.failed``: nothing to change."""
    return store.items.get(event.item_id), None
