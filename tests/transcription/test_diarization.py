"""Diarized transcription: two voices through the fake's diarizing model, into every store."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import numpy as np
import pytest
import srt  # type: ignore[import-untyped]
import webvtt
from numpy.typing import NDArray
from spoken_audio import RATE, sounding_span_ms, voice

from openai_realtime.captions import to_json_lines, to_srt, to_webvtt
from openai_realtime.errors import ConfigurationError, SessionRefusedError
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.transcripts import DIARIZE_MODEL, SegmentChange
from openai_realtime.testing import FakeRealtimeServer, ScriptedResponder
from openai_realtime.transcriber import RealtimeTranscriber
from openai_realtime.types import (
    ConversationItemInputAudioTranscriptionSegmentEvent,
    RealtimeTranscriptionSessionCreateRequest,
    ServerEvent,
    UnknownServerEvent,
)
from openai_realtime.types.params import ServerVADParam
from tests.support import WAIT, until

LOW_HZ, HIGH_HZ = 120.0, 210.0
TIME_SCALE = 0.02
CHUNK_MS = 200
TOLERANCE_MS = 30
TURN_DETECTION: ServerVADParam = {"type": "server_vad", "silence_duration_ms": 600}


@dataclass(frozen=True)
class Spoken:
    """One voice in the recording: its pitch and where it is audible."""

    pitch_hz: float
    start_ms: int
    end_ms: int


def recording(script: list[tuple[float | None, float]]) -> tuple[NDArray[np.int16], list[Spoken]]:
    """Silences (``None``) and voices at a pitch, each lasting its seconds, one after another."""
    pieces: list[NDArray[np.int16]] = []
    spoken: list[Spoken] = []
    position = 0
    for pitch, seconds in script:
        piece = (
            np.zeros(round(RATE * seconds), np.int16) if pitch is None else voice(pitch, seconds)
        )
        if pitch is not None:
            spoken.append(Spoken(pitch, *sounding_span_ms(piece, position)))
        pieces.append(piece)
        position += len(piece)
    return np.concatenate(pieces), spoken


# Two items: the low voice then the high one (a short pause between them, shorter than the
# VAD's silence), then after a long silence the high voice then the low one.
SCRIPT: list[tuple[float | None, float]] = [
    (None, 1.0),
    (LOW_HZ, 1.2),
    (None, 0.3),
    (HIGH_HZ, 1.2),
    (None, 2.0),
    (HIGH_HZ, 1.0),
    (None, 0.3),
    (LOW_HZ, 1.0),
    (None, 2.0),
]
TRANSCRIPTS = ["good morning to all of you", "thanks and hello back"]


async def stream(
    transcriber: RealtimeTranscriber,
    server: FakeRealtimeServer,
    audio: NDArray[np.int16],
    conversation: RealtimeConversation,
) -> None:
    """Append audio in chunks at the speed of speech on the server's clock."""
    step = RATE * CHUNK_MS // 1000
    for start in range(0, len(audio), step):
        chunk = audio[start : start + step]
        conversation.append_input_audio(chunk)
        await transcriber.append_input_audio(chunk)
        await asyncio.sleep(server.clock.real_seconds(CHUNK_MS / 1000))


async def test_two_voices_become_speaker_segments_in_every_store() -> None:
    audio, spoken = recording(SCRIPT)
    wire: list[ServerEvent | UnknownServerEvent] = []
    diarized: list[SegmentChange] = []
    completed: list[SegmentChange] = []
    conversation = RealtimeConversation()
    responder = ScriptedResponder([], transcripts=TRANSCRIPTS)
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE, responder=responder) as server,
        RealtimeTranscriber(
            server.url, model=DIARIZE_MODEL, turn_detection=TURN_DETECTION
        ) as transcriber,
    ):
        transcriber.realtime.on("server.*", wire.append)
        transcriber.realtime.on("server.*", conversation.process_event)
        transcriber.on("segment.diarized", diarized.append)
        transcriber.on("segment.completed", completed.append)
        await stream(transcriber, server, audio, conversation)
        await until(lambda: len(completed) == 2)

    # On the wire: segments, no deltas, then the completed transcript, per item.
    transcription = [
        event.type.rsplit(".", 1)[1]
        for event in wire
        if event.type.startswith("conversation.item.input_audio_transcription.")
    ]
    assert transcription == ["segment", "segment", "completed"] * 2
    segment_events = [
        event
        for event in wire
        if isinstance(event, ConversationItemInputAudioTranscriptionSegmentEvent)
    ]
    assert len({event.id for event in segment_events}) == 4

    # The transcriber: each item keeps its speakers, placed where the voices are.
    segments = transcriber.segments
    assert [segment.text for segment in segments] == TRANSCRIPTS
    speakers = [[part.speaker for part in segment.speakers] for segment in segments]
    assert speakers == [["A", "B"], ["B", "A"]]
    assert [[part.text for part in segment.speakers] for segment in segments] == [
        ["good morning to", "all of you"],
        ["thanks and", "hello back"],
    ]
    parts = transcriber.speaker_segments
    assert [change.diarized for change in diarized] == parts
    assert [change.delta for change in diarized] == [
        "good morning to",
        " all of you",
        "thanks and",
        " hello back",
    ]
    label_of = {LOW_HZ: "A", HIGH_HZ: "B"}
    for part, voice_span in zip(parts, spoken, strict=True):
        assert part.speaker == label_of[voice_span.pitch_hz]
        assert part.start_ms is not None and part.end_ms is not None
        assert abs(part.start_ms - voice_span.start_ms) <= TOLERANCE_MS, (part, voice_span)
        assert abs(part.end_ms - voice_span.end_ms) <= TOLERANCE_MS, (part, voice_span)
    for segment in segments:
        assert segment.audio_start_ms is not None
        for part in segment.speakers:
            assert part.start_ms == segment.audio_start_ms + round(part.start * 1000)

    # The conversation store: the user items carry the same segments (item-relative times).
    items = [item for item in conversation.get_items() if item.role == "user"]
    assert [item.formatted.transcript for item in items] == TRANSCRIPTS
    assert [
        [(part.speaker, part.text, part.start, part.end) for part in item.formatted.segments]
        for item in items
    ] == [
        [(part.speaker, part.text, part.start, part.end) for part in segment.speakers]
        for segment in segments
    ]

    # Captions: one cue per speaker part, labelled.
    subtitles = list(srt.parse(to_srt(segments)))
    assert [cue.content for cue in subtitles] == [
        "A: good morning to",
        "B: all of you",
        "B: thanks and",
        "A: hello back",
    ]
    for cue, part in zip(subtitles, parts, strict=True):
        assert cue.start.total_seconds() * 1000 == pytest.approx(part.start_ms, abs=1)
    captions = webvtt.from_string(to_webvtt(segments))
    assert [(caption.voice, caption.text) for caption in captions.captions] == [
        ("A", "good morning to"),
        ("B", "all of you"),
        ("B", "thanks and"),
        ("A", "hello back"),
    ]
    assert '"speaker": "B"' in to_json_lines(segments).splitlines()[1]


async def test_a_voice_keeps_its_label_across_items_and_a_new_voice_gets_the_next() -> None:
    third_hz = 330.0
    audio, _ = recording(
        [
            (None, 0.5),
            (HIGH_HZ, 0.8),
            (None, 1.5),
            (third_hz, 0.8),
            (None, 0.3),
            (HIGH_HZ, 0.8),
            (None, 1.5),
        ]
    )
    completed: list[SegmentChange] = []
    conversation = RealtimeConversation()
    async with (
        FakeRealtimeServer(time_scale=TIME_SCALE) as server,
        RealtimeTranscriber(
            server.url, model=DIARIZE_MODEL, turn_detection=TURN_DETECTION
        ) as transcriber,
    ):
        transcriber.on("segment.completed", completed.append)
        await stream(transcriber, server, audio, conversation)
        await until(lambda: len(completed) == 2)
    labels = [[part.speaker for part in segment.speakers] for segment in transcriber.segments]
    assert labels == [["A"], ["B", "A"]]


async def test_the_diarizing_model_refuses_a_prompt_and_log_probabilities() -> None:
    with pytest.raises(ConfigurationError, match="prompt"):
        RealtimeTranscriber(model=DIARIZE_MODEL, prompt="names: Ada")
    with pytest.raises(ConfigurationError, match="include_logprobs"):
        RealtimeTranscriber(model=DIARIZE_MODEL, include_logprobs=True)
    async with (
        FakeRealtimeServer() as server,
        RealtimeTranscriber(server.url, model=DIARIZE_MODEL) as transcriber,
    ):
        for session, param in (
            (
                {"audio": {"input": {"transcription": {"prompt": "names: Ada"}}}},
                "session.audio.input.transcription.prompt",
            ),
            ({"include": ["item.input_audio_transcription.logprobs"]}, "session.include"),
        ):
            with pytest.raises(SessionRefusedError) as refused:
                await transcriber.update_session(
                    RealtimeTranscriptionSessionCreateRequest.model_validate(
                        {"type": "transcription", **session}
                    ),
                    timeout=WAIT,
                )
            assert refused.value.code == "unsupported_parameter"
            assert refused.value.param == param
        # Refused updates changed nothing: audio is still diarized.
        await transcriber.append_input_audio(voice(LOW_HZ, 0.6))
        await transcriber.commit()
        done = await transcriber.wait_for_next("segment.completed", WAIT)
    assert isinstance(done, SegmentChange)
    assert [part.speaker for part in done.segment.speakers] == ["A"]
