"""Row 8: the conversation store stays linear in the length of an audio answer.

Applies every delta of a 1-minute and of a 10-minute spoken answer to ``RealtimeConversation``,
reading ``formatted.audio`` after each one (what a player does). Events are decoded beforehand,
so this times the store alone: base64 decoding and appending to the item's audio buffer. Linear
work gives a 10-minute / 1-minute ratio of about 10; the target is at most 12. A store that
concatenated arrays on every delta (or every read) would show a ratio near 100, since each of
its steps would grow with the audio already received.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from bench_report import Row, best_seconds, record
from numpy.typing import NDArray

from openai_realtime.protocol.audio import SAMPLE_RATE, encode_base64
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.types import (
    RealtimeConversationItemMessageAssistant,
    RealtimeResponse,
    ResponseCreatedEvent,
    ResponseOutputAudioDeltaEvent,
    ResponseOutputItemAddedEvent,
)

DELTA_SAMPLES = SAMPLE_RATE // 10  # 100 ms per delta, as the API sends them
DELTAS_PER_MINUTE = 600


def delta_events(
    chunks: list[NDArray[np.int16]], count: int
) -> list[ResponseOutputAudioDeltaEvent]:
    """``count`` audio delta events cycling through ``chunks``.

    Events are reused: the store never mutates them, so a 10-minute answer costs only a few
    distinct payloads of memory.
    """
    events = [
        ResponseOutputAudioDeltaEvent(
            event_id=f"event_{index}",
            response_id="resp_1",
            item_id="item_1",
            output_index=0,
            content_index=0,
            delta=encode_base64(chunk),
        )
        for index, chunk in enumerate(chunks)
    ]
    return list(itertools.islice(itertools.cycle(events), count))


def started_conversation() -> RealtimeConversation:
    conversation = RealtimeConversation()
    conversation.process_event(
        ResponseCreatedEvent(
            event_id="e0", response=RealtimeResponse(id="resp_1", status="in_progress")
        )
    )
    conversation.process_event(
        ResponseOutputItemAddedEvent(
            event_id="e1",
            response_id="resp_1",
            output_index=0,
            item=RealtimeConversationItemMessageAssistant(id="item_1", content=[]),
        )
    )
    return conversation


def play(events: list[ResponseOutputAudioDeltaEvent]) -> tuple[RealtimeConversation, int]:
    """Apply every delta, reading the item's audio after each (as a player would).

    Returns:
        The store and the number of samples the last read saw.
    """
    conversation = started_conversation()
    heard = 0
    for event in events:
        item, _ = conversation.process_event(event)
        assert item is not None
        heard = len(item.formatted.audio)
    return conversation, heard


def noise_chunks(count: int) -> list[NDArray[np.int16]]:
    rng = np.random.default_rng(1)
    return [rng.integers(-8000, 8000, size=DELTA_SAMPLES, dtype=np.int16) for _ in range(count)]


def test_smoke_row8_conversation() -> None:
    chunks = noise_chunks(25)
    conversation, heard = play(delta_events(chunks, len(chunks)))
    item = conversation.get_item("item_1")
    assert item is not None
    assert heard == len(chunks) * DELTA_SAMPLES
    assert np.array_equal(item.formatted.audio, np.concatenate(chunks))
    assert best_seconds(lambda: play(delta_events(chunks, 5)), repeats=1) > 0


def test_smoke_row8_long_answer_in_mapped_storage() -> None:
    # 150 s of audio outgrows ordinary allocations: the buffer moves into memory maps, the
    # last ones with huge pages advised.
    chunks = noise_chunks(50)
    count = 1500
    conversation, heard = play(delta_events(chunks, count))
    item = conversation.get_item("item_1")
    assert item is not None
    audio = item.formatted.audio
    assert heard == count * DELTA_SAMPLES
    assert not audio.flags.writeable
    expected = np.concatenate(chunks * (count // len(chunks)))
    assert np.array_equal(audio, expected)


@pytest.mark.bench
def test_row8_conversation() -> None:
    chunks = noise_chunks(50)
    short = delta_events(chunks, DELTAS_PER_MINUTE)
    long = delta_events(chunks, 10 * DELTAS_PER_MINUTE)
    short_seconds = best_seconds(lambda: play(short), repeats=7)
    long_seconds = best_seconds(lambda: play(long), repeats=5)
    ratio = long_seconds / short_seconds
    record(
        Row(
            8,
            "store: 10-min vs 1-min audio answer, audio read after each delta",
            f"{long_seconds * 1000:.1f} ms",
            "1-min answer",
            f"{short_seconds * 1000:.1f} ms",
            f"{ratio:.1f}x",
            "<= 12x (linear ~10x)",
            ratio <= 12,
        )
    )
