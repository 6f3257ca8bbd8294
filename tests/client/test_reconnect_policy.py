"""ReconnectPolicy's backoff and retry rules, and what replay_events sends: pure, no sockets."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from openai_realtime import ConfigurationError, RealtimeConversation
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.reconnect import DEFAULT_RETRY_CODES, ReconnectPolicy, replay_events


def test_delays_grow_geometrically_up_to_the_cap_without_jitter() -> None:
    policy = ReconnectPolicy(initial_delay=0.5, max_delay=10.0, multiplier=2.0, jitter=0.0)
    delays = [policy.delay(attempt, random.Random(0)) for attempt in range(1, 9)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_jitter_stays_within_its_fraction_and_is_repeatable_with_a_seed() -> None:
    policy = ReconnectPolicy(initial_delay=1.0, max_delay=100.0, multiplier=3.0, jitter=0.2)
    first = [policy.delay(attempt, random.Random(42)) for attempt in range(1, 5)]
    again = [policy.delay(attempt, random.Random(42)) for attempt in range(1, 5)]
    assert first == again
    for attempt, delay in enumerate(first, start=1):
        base = 3.0 ** (attempt - 1)
        assert 0.8 * base <= delay <= 1.2 * base
    spread = {policy.delay(1, random.Random(seed)) for seed in range(50)}
    assert len(spread) > 40 and min(spread) >= 0.8 and max(spread) <= 1.2


def test_a_jittered_delay_never_exceeds_the_cap() -> None:
    policy = ReconnectPolicy(initial_delay=5.0, max_delay=5.0, jitter=1.0)
    rng = random.Random(7)
    delays = [policy.delay(3, rng) for _ in range(200)]
    assert all(0.0 <= delay <= 5.0 for delay in delays)


def test_huge_attempt_numbers_do_not_overflow() -> None:
    policy = ReconnectPolicy(max_attempts=10**6, multiplier=10.0, jitter=0.0)
    assert policy.delay(10**6, random.Random(1)) == policy.max_delay


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        ReconnectPolicy().delay(0, random.Random(0))


@pytest.mark.parametrize(
    ("code", "retried"),
    [
        (1000, False),
        (1001, True),
        (1002, False),
        (1006, True),
        (None, True),
        (1008, False),
        (1009, False),
        (1011, True),
        (1012, True),
        (1013, True),
        (1014, True),
        (4000, False),
        (4999, False),
    ],
)
def test_default_retry_codes(code: int | None, retried: bool) -> None:
    assert ReconnectPolicy().should_retry(code) is retried


def test_defaults_are_the_documented_ones() -> None:
    policy = ReconnectPolicy()
    assert (policy.max_attempts, policy.initial_delay, policy.max_delay) == (5, 0.5, 10.0)
    assert (policy.multiplier, policy.jitter, policy.replay_history) == (2.0, 0.2, False)
    assert policy.retry_on == DEFAULT_RETRY_CODES == {1001, 1006, 1011, 1012, 1013, 1014}


@pytest.mark.parametrize(
    "options",
    [
        {"max_attempts": 0},
        {"initial_delay": -1.0},
        {"initial_delay": 20.0, "max_delay": 10.0},
        {"max_delay": float("inf")},
        {"initial_delay": float("nan")},
        {"multiplier": 0.5},
        {"jitter": 1.5},
        {"jitter": -0.1},
    ],
)
def test_out_of_range_numbers_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        ReconnectPolicy(**options)


def _item_event(item: dict[str, Any], previous_item_id: str | None) -> str:
    return json.dumps(
        {
            "type": "conversation.item.added",
            "event_id": "e",
            "previous_item_id": previous_item_id,
            "item": item,
        }
    )


def test_replay_events_sends_text_transcripts_and_completed_calls_in_order() -> None:
    conversation = RealtimeConversation()
    items: list[dict[str, Any]] = [
        {
            "id": "sys",
            "type": "message",
            "role": "system",
            "content": [{"type": "input_text", "text": "Be kind."}],
        },
        {
            "id": "u1",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": "hello there"}],
        },
        {
            "id": "a1",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_audio", "transcript": "hi!"}],
        },
        {
            "id": "silent",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_audio"}],
        },
        {
            "id": "f1",
            "type": "function_call",
            "status": "completed",
            "call_id": "c1",
            "name": "lookup",
            "arguments": '{"q": 1}',
        },
        {
            "id": "f2",
            "type": "function_call",
            "status": "incomplete",
            "call_id": "c2",
            "name": "lookup",
            "arguments": '{"q":',
        },
        {"id": "o1", "type": "function_call_output", "call_id": "c1", "output": "42"},
    ]
    previous = None
    for item in items:
        conversation.process_event(decode_server_event(_item_event(item, previous)))
        previous = item["id"]

    events = replay_events(conversation.get_items())

    wire = [event.model_dump(mode="json", exclude_unset=True)["item"] for event in events]
    assert wire == [
        {
            "id": "sys",
            "type": "message",
            "role": "system",
            "content": [{"type": "input_text", "text": "Be kind."}],
        },
        {
            "id": "u1",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "hello there"}],
        },
        {
            "id": "a1",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "hi!"}],
        },
        {
            "id": "f1",
            "type": "function_call",
            "call_id": "c1",
            "name": "lookup",
            "arguments": '{"q": 1}',
        },
        {"id": "o1", "type": "function_call_output", "call_id": "c1", "output": "42"},
    ]
    assert all(event.type == "conversation.item.create" for event in events)
