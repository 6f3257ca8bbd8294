"""The input audio window: absolute sample offsets, forgetting the head, slicing what is kept."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from openai_realtime.protocol.audio import SAMPLE_RATE
from openai_realtime.protocol.input_audio import InputAudioWindow, SpeechSegment


def ramp(start: int, count: int) -> NDArray[np.int16]:
    """Samples whose values are their absolute offsets (mod 30000), so a slice shows where it is."""
    return (np.arange(start, start + count) % 30_000).astype(np.int16)


def filled(total: int, chunk: int = 480) -> InputAudioWindow:
    window = InputAudioWindow(keep=True)
    for start in range(0, total, chunk):
        window.append(ramp(start, min(chunk, total - start)))
    return window


def test_speech_segment_starts_open_and_uncommitted() -> None:
    segment = SpeechSegment(10)
    assert (segment.start, segment.end, segment.committed) == (10, None, False)


def test_new_window_is_empty_at_offset_zero() -> None:
    window = InputAudioWindow(keep=True)
    assert (window.start, window.end, window.retained) == (0, 0, 0)
    assert window.slice(0, 100).size == 0


def test_appends_are_numbered_from_zero_and_sliced_exactly() -> None:
    window = filled(50_000)
    assert (window.start, window.end, window.retained) == (0, 50_000, 50_000)
    assert np.array_equal(window.slice(0, 50_000), ramp(0, 50_000))
    assert np.array_equal(window.slice(1234, 4321), ramp(1234, 3087))
    assert np.array_equal(window.slice(49_990, 60_000), ramp(49_990, 10))
    assert window.slice(50_000, 60_000).size == 0
    assert window.slice(300, 300).size == 0
    assert window.slice(400, 300).size == 0


def test_forgetting_drops_the_head_but_keeps_absolute_offsets() -> None:
    window = filled(30_000)
    window.forget_before(10_000)
    assert (window.start, window.end, window.retained) == (10_000, 30_000, 20_000)
    assert np.array_equal(window.slice(0, 10_500), ramp(10_000, 500))
    assert np.array_equal(window.slice(29_000, 30_000), ramp(29_000, 1000))

    window.forget_before(5_000)  # already forgotten: nothing changes
    assert (window.start, window.retained) == (10_000, 20_000)

    window.append(ramp(30_000, 100))
    assert window.end == 30_100
    assert np.array_equal(window.slice(29_950, 30_100), ramp(29_950, 150))

    window.forget_before(99_999)  # beyond the end: everything goes, the clock stays
    assert (window.start, window.end, window.retained) == (30_100, 30_100, 0)
    window.append(ramp(30_100, 10))
    assert np.array_equal(window.slice(30_100, 30_110), ramp(30_100, 10))


def test_storage_grows_to_twice_what_is_retained_and_shrinks_after_forgetting() -> None:
    window = InputAudioWindow(keep=True)
    window.append(ramp(0, 1))
    assert len(window._data) == SAMPLE_RATE  # the first second needs no regrowth
    window.append(ramp(1, 9))
    window.append(ramp(10, SAMPLE_RATE - 10))  # exactly full: still no regrowth
    assert len(window._data) == SAMPLE_RATE
    window.append(ramp(SAMPLE_RATE, 10))
    assert len(window._data) == 2 * (SAMPLE_RATE + 10)
    window.forget_before(SAMPLE_RATE)
    window.append(ramp(SAMPLE_RATE + 10, 2 * SAMPLE_RATE))
    # Only 2 s + 10 samples are retained when the storage runs out: it shrinks to twice that.
    assert len(window._data) == 2 * (2 * SAMPLE_RATE + 10)
    assert np.array_equal(window.slice(0, 10**6), ramp(SAMPLE_RATE, 2 * SAMPLE_RATE + 10))


@pytest.mark.parametrize("chunk", [1, 480, 7919, 48_000])
def test_any_chunking_gives_the_same_samples(chunk: int) -> None:
    window = filled(60_000, chunk)
    window.forget_before(12_345)
    assert np.array_equal(window.slice(12_000, 59_000), ramp(12_345, 59_000 - 12_345))


def test_a_window_that_keeps_nothing_only_counts() -> None:
    window = InputAudioWindow(keep=False)
    window.append(ramp(0, 480))
    window.append(ramp(480, 20))
    assert (window.start, window.end, window.retained) == (500, 500, 0)
    assert window.slice(0, 500).size == 0
    window.forget_before(100)
    assert (window.start, window.end) == (500, 500)


def test_a_steady_session_reuses_one_storage() -> None:
    """Turn after turn the same amount is sent and then taken: no storage is allocated again.

    A new storage every turn (and the old one freed) is what fragments the heap of a long
    session, so the storage that served the first turns must serve all the others.
    """
    window = InputAudioWindow(keep=True)
    turn, chunk = 5 * SAMPLE_RATE, 2400
    storages = set()
    for _ in range(40):
        start = window.end
        for offset in range(0, turn, chunk):
            window.append(ramp(start + offset, chunk))
        assert np.array_equal(window.slice(start, window.end), ramp(start, turn))
        window.forget_before(window.end)  # the turn was committed: its item holds it now
        storages.add(id(window._data))
    assert len(storages) == 1
    assert len(window._data) <= 4 * turn


def test_a_steady_retention_moves_samples_to_the_front_of_the_same_storage() -> None:
    window = filled(3 * SAMPLE_RATE)
    storage = window._data
    for start in range(3 * SAMPLE_RATE, 60 * SAMPLE_RATE, 480):
        window.forget_before(start - 2 * SAMPLE_RATE)  # keep the last two seconds
        window.append(ramp(start, 480))
    assert window._data is storage
    assert window.retained == 2 * SAMPLE_RATE + 480
    assert np.array_equal(window.slice(0, window.end), ramp(window.start, window.retained))
