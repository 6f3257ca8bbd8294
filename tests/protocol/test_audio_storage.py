"""Audio storage for long sessions: appends that never move stored audio, bounded input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.typing import NDArray

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol import items
from openai_realtime.protocol.audio import SAMPLE_RATE, decode_base64, encode_base64
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import AudioBuffer, ConversationItem

_RNG = np.random.default_rng(17)


def _noise(sample_count: int) -> NDArray[np.int16]:
    return _RNG.integers(-8000, 8000, size=sample_count, dtype=np.int16)


def _address(samples: NDArray[np.int16]) -> int:
    address: int = samples.__array_interface__["data"][0]
    return address


def test_audio_arriving_in_one_piece_is_stored_without_slack() -> None:
    buffer = AudioBuffer()
    buffer.append(_noise(12_345))

    assert buffer.capacity == 12_345
    assert len(buffer) == 12_345


def test_streamed_audio_is_written_in_place_after_the_second_delta() -> None:
    deltas = [_noise(2_400) for _ in range(3_000)]  # 5 minutes of 100 ms deltas
    buffer = AudioBuffer()
    buffer.append(deltas[0])
    buffer.append(deltas[1])
    where = _address(buffer.view())

    for delta in deltas[2:]:
        buffer.append(delta)
        # The storage never moves, so no append ever copies what came before it.
        assert _address(buffer.view()) == where

    assert np.array_equal(buffer.view(), np.concatenate(deltas))
    assert buffer.capacity >= 3600 * SAMPLE_RATE


def test_without_a_reservation_storage_doubles_and_keeps_every_sample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(items, "_reserve", lambda sample_count: None)
    deltas = [_noise(1_000 + index) for index in range(50)]
    buffer = AudioBuffer()
    capacities = set()
    for delta in deltas:
        buffer.append(delta)
        capacities.add(buffer.capacity)

    assert np.array_equal(buffer.view(), np.concatenate(deltas))
    # Doubling: a handful of distinct capacities for fifty appends, each at least the length.
    assert len(capacities) <= 7
    assert buffer.capacity >= len(buffer)


def test_views_handed_out_stay_valid_after_later_appends() -> None:
    first, second, third = _noise(100), _noise(200), _noise(300)
    buffer = AudioBuffer()
    buffer.append(first)
    early = buffer.view()
    buffer.append(second)
    middle = buffer.view()
    buffer.append(third)

    assert np.array_equal(early, first)
    assert np.array_equal(middle, np.concatenate([first, second]))
    assert not buffer.view().flags.writeable


def test_decoding_without_copy_is_a_read_only_view_of_the_decoded_bytes() -> None:
    samples = _noise(480)
    text = encode_base64(samples)

    view = decode_base64(text, copy=False)
    copied = decode_base64(text)

    assert np.array_equal(view, samples)
    assert np.array_equal(copied, samples)
    assert not view.flags.writeable
    # The array looks straight into the bytes the base64 decoder produced.
    assert isinstance(view.base, memoryview)
    assert isinstance(view.base.obj, bytes)
    assert copied.flags.writeable
    assert copied.base is None


def _frame(payload: dict[str, object]) -> str:
    return json.dumps(payload)


def _assistant_item_frames(item_id: str) -> list[str]:
    return [
        _frame(
            {
                "type": "response.created",
                "event_id": "e1",
                "response": {"id": "r1", "object": "realtime.response", "status": "in_progress"},
            }
        ),
        _frame(
            {
                "type": "response.output_item.added",
                "event_id": "e2",
                "response_id": "r1",
                "output_index": 0,
                "item": {
                    "id": item_id,
                    "type": "message",
                    "role": "assistant",
                    "status": "in_progress",
                    "content": [],
                },
            }
        ),
    ]


def test_audio_deltas_are_stored_once_and_delta_samples_are_read_only() -> None:
    store = RealtimeConversation()
    for frame in _assistant_item_frames("item_a"):
        store.process_event(decode_server_event(frame))
    sent = [_noise(2_400) for _ in range(3)]
    for index, samples in enumerate(sent):
        event = decode_server_event(
            _frame(
                {
                    "type": "response.output_audio.delta",
                    "event_id": f"d{index}",
                    "response_id": "r1",
                    "item_id": "item_a",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": encode_base64(samples),
                }
            )
        )
        item, delta = store.process_event(event)
        assert item is not None and item.id == "item_a"
        assert delta is not None and delta.audio is not None
        assert np.array_equal(delta.audio, samples)
        assert not delta.audio.flags.writeable
    stored = store.get_item("item_a")
    assert stored is not None
    assert np.array_equal(stored.formatted.audio, np.concatenate(sent))


def _speech_event(kind: str, ms: int) -> str:
    field = "audio_start_ms" if kind == "started" else "audio_end_ms"
    return _frame(
        {
            "type": f"input_audio_buffer.speech_{kind}",
            "event_id": f"s_{kind}",
            "item_id": "item_user",
            field: ms,
        }
    )


def test_speech_that_never_stops_holds_at_most_the_pending_limit() -> None:
    store = RealtimeConversation(max_pending_speech_seconds=60)
    store.process_event(decode_server_event(_speech_event("started", 0)))
    chunk = SAMPLE_RATE  # one second per append
    sent: list[NDArray[np.int16]] = []
    for _ in range(600):  # ten minutes of speech with no speech_stopped
        samples = _noise(chunk)
        sent.append(samples)
        store.append_input_audio(samples)
        assert store.retained_input_samples <= 60 * SAMPLE_RATE + chunk

    assert store.input_audio_samples == 600 * SAMPLE_RATE
    store.process_event(decode_server_event(_speech_event("stopped", 600_000)))
    store.process_event(
        decode_server_event(
            _frame(
                {
                    "type": "conversation.item.added",
                    "event_id": "added",
                    "previous_item_id": None,
                    "item": {
                        "id": "item_user",
                        "type": "message",
                        "role": "user",
                        "status": "completed",
                        "content": [{"type": "input_audio"}],
                    },
                }
            )
        )
    )
    user = store.get_item("item_user")
    assert user is not None
    # The item keeps the most recent minute: the tail of what was sent.
    assert np.array_equal(user.formatted.audio, np.concatenate(sent)[-60 * SAMPLE_RATE :])
    assert user.audio_start_ms == 0
    assert user.audio_end_ms == 600_000


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf")])
def test_the_pending_speech_limit_must_be_a_finite_non_negative_duration(seconds: float) -> None:
    with pytest.raises(ConfigurationError, match="max_pending_speech_seconds"):
        RealtimeConversation(max_pending_speech_seconds=seconds)


def test_trim_leaves_storage_of_exactly_the_samples_held() -> None:
    deltas = [_noise(2_400) for _ in range(10)]
    buffer = AudioBuffer()
    for delta in deltas:
        buffer.append(delta)
    early = buffer.view()
    assert buffer.capacity >= 3600 * SAMPLE_RATE  # streamed: an hour is reserved

    buffer.trim()

    assert buffer.capacity == len(buffer) == 24_000
    assert np.array_equal(buffer.view(), np.concatenate(deltas))
    assert np.array_equal(early, np.concatenate(deltas))  # a view handed out stays valid
    more = _noise(100)
    buffer.append(more)  # audio after all: it goes on as before
    assert np.array_equal(buffer.view(), np.concatenate([*deltas, more]))


def test_trim_leaves_a_long_reservation_in_place_but_always_trims_doubled_storage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Past 30 s a reservation's slack (a page) is negligible, and copying megabytes is not.
    minute = [_noise(SAMPLE_RATE) for _ in range(61)]
    reserved = AudioBuffer()
    for second in minute:
        reserved.append(second)
    where = _address(reserved.view())
    reserved.trim()
    assert _address(reserved.view()) == where
    assert reserved.capacity >= 3600 * SAMPLE_RATE

    # Storage that doubled may be half empty: it is trimmed at any length.
    monkeypatch.setattr(items, "_reserve", lambda sample_count: None)
    doubled = AudioBuffer()
    for second in minute:
        doubled.append(second)
    assert doubled.capacity > len(doubled)
    doubled.trim()
    assert doubled.capacity == len(doubled) == 61 * SAMPLE_RATE
    assert np.array_equal(doubled.view(), np.concatenate(minute))


def test_trim_after_truncation_gives_back_what_was_cut_and_an_empty_buffer_holds_nothing() -> None:
    buffer = AudioBuffer()
    buffer.append(_noise(50))
    buffer.append(_noise(50))
    buffer.truncate(30)
    buffer.trim()
    assert buffer.capacity == len(buffer) == 30

    buffer.truncate(0)
    buffer.trim()
    assert buffer.capacity == len(buffer) == 0
    counting = AudioBuffer(keep=False)
    counting.append(_noise(10))
    counting.trim()
    assert (len(counting), counting.capacity) == (10, 0)


_WHERE = {"response_id": "r1", "item_id": "item_a", "output_index": 0, "content_index": 0}


def _streamed_answer(store: RealtimeConversation) -> tuple[ConversationItem, NDArray[np.int16]]:
    """Two seconds of audio streamed into ``item_a`` in 100 ms deltas, not done yet."""
    deltas = [_noise(2_400) for _ in range(20)]
    frames = _assistant_item_frames("item_a") + [
        _frame(
            {
                "type": "response.output_audio.delta",
                "event_id": "d",
                "delta": encode_base64(samples),
            }
            | _WHERE
        )
        for samples in deltas
    ]
    for frame in frames:
        store.process_event(decode_server_event(frame))
    item = store.get_item("item_a")
    assert item is not None and item.formatted.audio_buffer.capacity > 20 * 2_400
    return item, np.concatenate(deltas)


@pytest.mark.parametrize(
    ("finish", "status"),
    [
        ("response.output_audio.done", None),
        ("response.output_item.done", "completed"),
        ("response.output_item.done", "incomplete"),  # cancelled before its audio was done
        ("conversation.item.done", "completed"),
    ],
)
def test_a_finished_answer_holds_its_audio_in_storage_of_exactly_its_size(
    finish: str, status: str | None
) -> None:
    store = RealtimeConversation()
    item, audio = _streamed_answer(store)

    if status is None:
        done = {"type": finish, "event_id": "done"} | _WHERE
    else:
        server_item = {"id": "item_a", "type": "message", "role": "assistant", "content": []}
        done = {"type": finish, "event_id": "done", "item": server_item | {"status": status}}
        if finish.startswith("response."):
            done |= {"response_id": "r1", "output_index": 0}
    store.process_event(decode_server_event(_frame(done)))

    assert item.formatted.audio_buffer.capacity == len(item.formatted.audio_buffer)
    assert np.array_equal(item.formatted.audio, audio)


def test_a_truncated_answer_keeps_storage_for_the_part_heard_only() -> None:
    store = RealtimeConversation()
    item, audio = _streamed_answer(store)
    truncated = {"type": "conversation.item.truncated", "event_id": "t", "audio_end_ms": 250}
    store.process_event(decode_server_event(_frame(truncated | _WHERE)))
    assert item.formatted.audio_buffer.capacity == len(item.formatted.audio_buffer) == 6_000
    assert np.array_equal(item.formatted.audio, audio[:6_000])
