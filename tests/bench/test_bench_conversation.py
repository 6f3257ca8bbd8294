"""Benchmark: the conversation store stays linear in the length of an audio answer.

Applies every delta of a 1-minute and of a 10-minute spoken answer to ``RealtimeConversation``,
reading ``formatted.audio`` after each one (what a player does), and prints both times and their
ratio: linear work gives about 10, the target is at most 12. ``test_smoke_conversation`` runs the
same code on a short answer in ``make test`` and checks the assembled audio only.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
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


def best_seconds(events: list[ResponseOutputAudioDeltaEvent], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        play(events)
        best = min(best, time.perf_counter() - start)
    return best


def noise_chunks(count: int) -> list[NDArray[np.int16]]:
    rng = np.random.default_rng(1)
    return [rng.integers(-8000, 8000, size=DELTA_SAMPLES, dtype=np.int16) for _ in range(count)]


def test_smoke_conversation() -> None:
    chunks = noise_chunks(25)
    conversation, heard = play(delta_events(chunks, len(chunks)))
    item = conversation.get_item("item_1")
    assert item is not None
    assert heard == len(chunks) * DELTA_SAMPLES
    assert np.array_equal(item.formatted.audio, np.concatenate(chunks))
    assert best_seconds(delta_events(chunks, 5), repeats=1) > 0


@pytest.mark.bench
def test_report_conversation() -> None:
    chunks = noise_chunks(50)
    short = delta_events(chunks, DELTAS_PER_MINUTE)
    long = delta_events(chunks, 10 * DELTAS_PER_MINUTE)
    short_seconds = best_seconds(short, repeats=7)
    long_seconds = best_seconds(long, repeats=5)
    print("\nconversation: 100 ms audio deltas, formatted.audio read after each (best of 7 / 5)")
    print(f"  1-minute answer  ({len(short):>5} deltas) {short_seconds * 1000:>9.1f} ms")
    print(f"  10-minute answer ({len(long):>5} deltas) {long_seconds * 1000:>9.1f} ms")
    print(
        f"  ratio 10 min / 1 min {long_seconds / short_seconds:>15.2f}   (linear ~10, target <= 12)"
    )
