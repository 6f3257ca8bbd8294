"""Tests for openai_realtime.testing.vad: the energy VAD on generated speech-like signals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from openai_realtime.testing.vad import EnergyVAD, SpeechStarted, SpeechStopped, VADSettings

RATE = 24000
FRAME = RATE // 100  # the default 10 ms frame


def ms(value: float, rate: int = RATE) -> int:
    return round(value * rate / 1000)


def signal(
    total_ms: float,
    bursts: list[tuple[float, float]],
    *,
    kind: str = "tone",
    rate: int = RATE,
    floor_dbfs: float | None = -65.0,
) -> NDArray[np.int16]:
    """Quiet background noise with loud bursts at ``(start_ms, end_ms)``."""
    rng = np.random.default_rng(7)
    samples = np.zeros(ms(total_ms, rate), dtype=np.float64)
    if floor_dbfs is not None:
        samples += rng.normal(0.0, 10 ** (floor_dbfs / 20), len(samples))
    for start_ms, end_ms in bursts:
        start, end = ms(start_ms, rate), ms(end_ms, rate)
        time = np.arange(end - start) / rate
        if kind == "tone":
            burst = 0.3 * np.sin(2 * np.pi * 220 * time) * (1 + 0.3 * np.sin(2 * np.pi * 4 * time))
        else:
            burst = rng.uniform(-0.25, 0.25, end - start)
        samples[start:end] = burst
    return np.asarray(np.clip(samples, -1, 1) * 32767, dtype=np.int16)


def run(
    vad_settings: VADSettings, chunks: list[NDArray[np.int16]], rate: int = RATE
) -> list[SpeechStarted | SpeechStopped]:
    vad = EnergyVAD(vad_settings, rate)
    transitions: list[SpeechStarted | SpeechStopped] = []
    for chunk in chunks:
        transitions.extend(vad.feed(chunk))
    return transitions


def random_chunks(samples: NDArray[np.int16], seed: int) -> list[NDArray[np.int16]]:
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.integers(0, len(samples), size=int(rng.integers(1, 300))))
    return list(np.split(samples, cuts))


@pytest.mark.parametrize("kind", ["tone", "noise"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_detects_bursts_within_one_frame_of_the_truth(kind: str, seed: int) -> None:
    bursts = [(1003.0, 1807.5), (2921.0, 3333.3)]
    vad_settings = VADSettings(prefix_padding_ms=300, silence_duration_ms=500)
    audio = signal(4500, bursts, kind=kind)

    transitions = run(vad_settings, random_chunks(audio, seed))

    assert [type(t) for t in transitions] == [SpeechStarted, SpeechStopped] * 2
    for (start_ms, end_ms), started, stopped in zip(
        bursts, transitions[::2], transitions[1::2], strict=True
    ):
        assert isinstance(started, SpeechStarted)
        assert isinstance(stopped, SpeechStopped)
        assert abs(started.onset_sample - ms(start_ms)) < FRAME
        assert started.audio_start_sample == started.onset_sample - ms(300)
        assert abs(stopped.speech_end_sample - ms(end_ms)) < FRAME
        assert abs(stopped.audio_end_sample - ms(end_ms + 500)) < FRAME


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(0, ms(3000)), max_size=60))
def test_chunk_boundaries_do_not_change_the_result(cuts: list[int]) -> None:
    audio = signal(3000, [(250.0, 900.0), (1210.0, 1290.0), (2000.0, 2950.0)])
    vad_settings = VADSettings(prefix_padding_ms=100, silence_duration_ms=200)

    assert run(vad_settings, list(np.split(audio, sorted(cuts)))) == run(vad_settings, [audio])


def test_pauses_shorter_than_the_silence_duration_do_not_end_speech() -> None:
    audio = signal(3000, [(500.0, 1000.0), (1300.0, 1800.0)])

    transitions = run(VADSettings(silence_duration_ms=500), [audio])

    assert [type(t) for t in transitions] == [SpeechStarted, SpeechStopped]
    stopped = transitions[1]
    assert isinstance(stopped, SpeechStopped)
    assert abs(stopped.speech_end_sample - ms(1800)) < FRAME


def test_silence_and_background_noise_are_not_speech() -> None:
    assert run(VADSettings(), [signal(2000, [])]) == []
    assert run(VADSettings(), [np.zeros(RATE, dtype=np.int16)]) == []


def test_higher_threshold_needs_louder_audio() -> None:
    quiet_speech = (signal(2000, [(500.0, 1000.0)]) * 0.02).astype(np.int16)  # about -47 dBFS

    assert run(VADSettings(threshold=0.2), [quiet_speech]) != []
    assert run(VADSettings(threshold=0.8), [quiet_speech]) == []
    assert VADSettings(threshold=0.0).rms_level < VADSettings(threshold=1.0).rms_level


def test_padding_never_reaches_before_the_first_sample() -> None:
    audio = signal(1500, [(100.0, 600.0)])

    started = run(VADSettings(prefix_padding_ms=300), [audio])[0]

    assert isinstance(started, SpeechStarted)
    assert started.audio_start_sample == 0


def test_speech_still_going_at_the_end_has_no_stop_yet() -> None:
    vad = EnergyVAD(VADSettings(), RATE)
    transitions = vad.feed(signal(1000, [(500.0, 1000.0)]))

    assert [type(t) for t in transitions] == [SpeechStarted]
    assert vad.in_speech
    assert vad.samples_seen == ms(1000)


def test_reset_forgets_speech_but_keeps_the_timeline() -> None:
    vad = EnergyVAD(VADSettings(prefix_padding_ms=0), RATE)
    vad.feed(signal(1000, [(500.0, 1000.0)]))

    vad.reset()
    later = vad.feed(signal(1000, [(200.0, 400.0)]))

    started = later[0]
    assert isinstance(started, SpeechStarted)
    assert abs(started.onset_sample - ms(1200)) < FRAME


def test_works_at_the_g711_rate() -> None:
    rate = 8000
    audio = signal(2500, [(700.0, 1500.0)], rate=rate)

    transitions = run(VADSettings(prefix_padding_ms=0, silence_duration_ms=300), [audio], rate)

    started, stopped = transitions
    assert isinstance(started, SpeechStarted)
    assert isinstance(stopped, SpeechStopped)
    assert abs(started.onset_sample - ms(700, rate)) < rate // 100
    assert abs(stopped.audio_end_sample - ms(1800, rate)) < rate // 100


def test_settings_from_turn_detection() -> None:
    server = VADSettings.from_turn_detection(
        {
            "type": "server_vad",
            "threshold": 0.7,
            "prefix_padding_ms": 100,
            "silence_duration_ms": 800,
        }
    )
    assert (server.threshold, server.prefix_padding_ms, server.silence_duration_ms) == (
        0.7,
        100,
        800,
    )
    assert (
        VADSettings.from_turn_detection({"type": "server_vad", "threshold": None}) == VADSettings()
    )
    # semantic_vad: the more eager, the shorter the pause that ends a turn.
    pauses = {
        eagerness: VADSettings.from_turn_detection(
            {"type": "semantic_vad", "eagerness": eagerness}
        ).silence_duration_ms
        for eagerness in ("high", "medium", "auto", "low")
    }
    assert pauses == {"high": 200, "medium": 500, "auto": 500, "low": 1000}
