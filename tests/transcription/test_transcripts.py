"""The transcript store, driven by event lists with no connection (it is sans-I/O)."""

from __future__ import annotations

from typing import Any

from openai_realtime.protocol.transcripts import TranscriptStore, TranslationTranscript
from openai_realtime.types import (
    SERVER_EVENTS,
    TranslationSessionInputTranscriptDeltaEvent,
    TranslationSessionOutputTranscriptDeltaEvent,
)

SESSION = {
    "type": "transcription",
    "id": "sess_1",
    "object": "realtime.transcription_session",
    "audio": {
        "input": {
            "turn_detection": {
                "type": "server_vad",
                "prefix_padding_ms": 300,
                "silence_duration_ms": 500,
            }
        }
    },
}


def event(event_type: str, **fields: Any) -> Any:
    return SERVER_EVENTS[event_type].model_validate({"type": event_type, "event_id": "e", **fields})


def test_a_segment_grows_then_completes_with_speech_timings() -> None:
    store = TranscriptStore()
    changes = [
        store.apply(event("session.created", session=SESSION)),
        store.apply(event("input_audio_buffer.speech_started", audio_start_ms=700, item_id="a")),
        store.apply(event("input_audio_buffer.speech_stopped", audio_end_ms=2600, item_id="a")),
        store.apply(event("input_audio_buffer.committed", item_id="a")),
        store.apply(
            event(
                "conversation.item.input_audio_transcription.delta",
                item_id="a",
                content_index=0,
                delta="Hello ",
                logprobs=[{"token": "Hello ", "logprob": -0.1, "bytes": [72]}],
            )
        ),
        store.apply(
            event(
                "conversation.item.input_audio_transcription.completed",
                item_id="a",
                content_index=0,
                transcript="Hello there.",
                usage={"type": "duration", "seconds": 1.9},
            )
        ),
    ]
    kinds = [change.kind if change else None for change in changes]
    assert kinds == [None, "started", None, None, "updated", "completed"]
    segment = store.segments[0]
    assert (segment.audio_start_ms, segment.audio_end_ms) == (700, 2600)
    assert (segment.start_ms, segment.end_ms) == (1000, 2100)
    assert segment.text == "Hello there." and segment.is_final
    assert [logprob.token for logprob in segment.logprobs] == ["Hello "]
    assert store.text == "Hello there."


def test_a_manual_commit_starts_a_segment_and_a_failure_is_kept() -> None:
    store = TranscriptStore()
    started = store.apply(event("input_audio_buffer.committed", item_id="b"))
    assert started is not None and started.kind == "started"
    failed = store.apply(
        event(
            "conversation.item.input_audio_transcription.failed",
            item_id="b",
            content_index=0,
            error={"type": "transcription_error", "code": "audio_unintelligible", "message": "?"},
        )
    )
    assert failed is not None and failed.kind == "failed"
    assert store.get("b") is failed.segment
    assert failed.segment.error is not None and failed.segment.error.code == "audio_unintelligible"
    assert store.completed == []


def test_events_the_store_does_not_use_change_nothing() -> None:
    store = TranscriptStore()
    assert store.apply(event("input_audio_buffer.cleared")) is None
    assert len(store) == 0


def test_translation_transcripts_keep_their_elapsed_ms() -> None:
    transcript = TranslationTranscript()
    transcript.apply(
        TranslationSessionInputTranscriptDeltaEvent(event_id="1", delta="Hi ", elapsed_ms=40)
    )
    transcript.apply(
        TranslationSessionOutputTranscriptDeltaEvent(event_id="2", delta="Hola ", elapsed_ms=90)
    )
    transcript.apply(
        TranslationSessionOutputTranscriptDeltaEvent(event_id="3", delta="amigo", elapsed_ms=400)
    )
    assert transcript.input_text == "Hi "
    assert transcript.output_text == "Hola amigo"
    assert [piece.elapsed_ms for piece in transcript.output_pieces] == [90, 400]


def segment_event(item_id: str, text: str, speaker: str, start: float, end: float) -> Any:
    return event(
        "conversation.item.input_audio_transcription.segment",
        item_id=item_id,
        content_index=0,
        text=text,
        id=f"seg_{speaker}_{start}",
        speaker=speaker,
        start=start,
        end=end,
    )


def test_diarized_segments_make_the_text_and_are_placed_in_audio_time() -> None:
    store = TranscriptStore()
    store.apply(event("input_audio_buffer.speech_started", audio_start_ms=700, item_id="a"))
    first = store.apply(segment_event("a", "Hello there.", "A", 0.3, 1.25))
    second = store.apply(segment_event("a", "Hi!", "B", 1.5, 2.0))
    assert first is not None and second is not None
    assert (first.kind, first.delta, second.delta) == ("diarized", "Hello there.", " Hi!")
    assert store.get("a") is second.segment
    assert second.segment.text == "Hello there. Hi!"
    parts = store.speaker_segments
    assert [(part.speaker, part.start_ms, part.end_ms) for part in parts] == [
        ("A", 1000, 1950),
        ("B", 2200, 2700),
    ]
    assert second.diarized is parts[1]


def test_diarized_segments_after_deltas_do_not_repeat_the_text() -> None:
    store = TranscriptStore()
    store.apply(event("input_audio_buffer.committed", item_id="b"))
    for piece in ("Hello ", "there."):
        store.apply(
            event(
                "conversation.item.input_audio_transcription.delta",
                item_id="b",
                content_index=0,
                delta=piece,
            )
        )
    change = store.apply(segment_event("b", "Hello there.", "A", 0.0, 1.0))
    assert change is not None and change.delta == ""
    segment = change.segment
    assert segment.text == "Hello there."
    # A manual commit has no audio_start_ms: the server's seconds are all there is.
    assert [(part.start, part.start_ms) for part in segment.speakers] == [(0.0, None)]
