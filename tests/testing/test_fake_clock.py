"""The fake server's clock: ``time_scale`` speeds up pacing and timers, never audio time."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from fake_wire import TIMEOUT, WireClient, connect
from numpy.typing import NDArray

from openai_realtime.errors import ConfigurationError
from openai_realtime.testing import Delay, FakeClock, FakeRealtimeServer, Reply, ResponseContext
from openai_realtime.types import (
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    ResponseDoneEvent,
    ServerEvent,
)

RATE = 24_000
CHUNK_MS = 100
"""A microphone's buffer: each append carries this much audio, sent once it is recorded."""
PREFIX_PADDING_MS = 300
SILENCE_MS = 500
FAST = 0.04
"""The scale of the 60-second run: 2.4 s of pacing."""
SESSION = {
    "audio": {
        "input": {
            "transcription": None,
            "turn_detection": {
                "type": "server_vad",
                "prefix_padding_ms": PREFIX_PADDING_MS,
                "silence_duration_ms": SILENCE_MS,
            },
        }
    }
}


def answer(context: ResponseContext) -> Reply:
    """A short spoken answer to every turn (a fifth of a second of audio)."""
    return Reply(text="OK.")


def utterances(total_ms: int, spans: list[tuple[int, int]]) -> NDArray[np.int16]:
    """Room noise with voiced, syllable-shaped sounds over ``spans`` (``(start_ms, end_ms)``).

    Spans start and end on the detector's 10 ms frames, and the sound stays well above the
    default threshold throughout, so where speech starts and stops is known exactly.
    """
    rng = np.random.default_rng(7)
    samples = rng.normal(0.0, 20.0, total_ms * RATE // 1000)
    for start_ms, end_ms in spans:
        start, end = start_ms * RATE // 1000, end_ms * RATE // 1000
        seconds = np.arange(end - start) / RATE
        voiced = sum(np.sin(2 * np.pi * 140 * k * seconds) / k for k in (1, 2, 3))
        syllables = 0.7 + 0.3 * np.sin(2 * np.pi * 4 * seconds)
        samples[start:end] = 6000 * voiced * syllables
    return np.clip(samples, -32768, 32767).astype(np.int16)


async def speak_into(client: WireClient, audio: NDArray[np.int16], clock: FakeClock) -> None:
    """Append ``audio`` as a microphone would: each chunk once it has been recorded.

    The schedule is kept on the server's clock with absolute deadlines, so a late wake-up is
    caught up rather than carried forward.
    """
    chunk = RATE * CHUNK_MS // 1000
    started = clock.now()
    for index, offset in enumerate(range(0, len(audio), chunk)):
        await clock.sleep_until(started + (index + 1) * CHUNK_MS / 1000)
        await client.append_audio(audio[offset : offset + chunk])


async def events_until_answers(client: WireClient, answers: int) -> list[ServerEvent]:
    """Every event up to the ``answers``-th ``response.done``."""
    events: list[ServerEvent] = []
    while answers:
        events.append(await client.receive())
        answers -= isinstance(events[-1], ResponseDoneEvent)
    return events


@dataclass(frozen=True)
class Run:
    events: list[ServerEvent]
    seconds: float


async def run_scenario(
    audio: NDArray[np.int16], turns: int, time_scale: float, **options: Any
) -> Run:
    """Speak ``audio`` to a VAD session paced on the server's clock; collect every answer."""
    async with (
        FakeRealtimeServer(
            session=SESSION, responder=answer, pace=1.0, time_scale=time_scale, **options
        ) as server,
        connect(server) as client,
    ):
        started = time.monotonic()
        listening = asyncio.ensure_future(events_until_answers(client, turns))
        try:
            await speak_into(client, audio, server.clock)
            events = await listening
        finally:
            listening.cancel()
        return Run(events, time.monotonic() - started)


def audio_timeline(events: list[ServerEvent]) -> list[tuple[str, int | None, int | None]]:
    """Each event's type with its audio-time fields (``None`` where it has none)."""
    return [
        (
            event.type,
            getattr(event, "audio_start_ms", None),
            getattr(event, "audio_end_ms", None),
        )
        for event in events
    ]


async def test_a_short_scenario_gives_the_same_events_in_real_time_and_fast() -> None:
    # The first answer ends about 1.5 s of server time before the second turn starts: at
    # 1/10 that is 150 ms of real time, room enough for the answer's unscaled CPU work.
    spans = [(200, 800), (2800, 3300)]
    audio = utterances(4000, spans)

    real_time = await run_scenario(audio, len(spans), time_scale=1.0)
    fast = await run_scenario(audio, len(spans), time_scale=0.1)

    assert audio_timeline(fast.events) == audio_timeline(real_time.events)
    started = [e for e in fast.events if isinstance(e, InputAudioBufferSpeechStartedEvent)]
    assert [e.audio_start_ms for e in started] == [0, 2800 - PREFIX_PADDING_MS]
    assert fast.seconds < real_time.seconds / 4


async def test_sixty_seconds_of_conversation_on_a_fast_clock_keep_their_audio_times() -> None:
    spans = [(1000 + 6000 * turn, 1800 + 6000 * turn + 100 * (turn % 5)) for turn in range(10)]
    audio = utterances(60_000, spans)

    run = await run_scenario(audio, len(spans), time_scale=FAST)

    # How fast it runs is a speed (measured, not asserted); what it says must not change.
    started = [e for e in run.events if isinstance(e, InputAudioBufferSpeechStartedEvent)]
    stopped = [e for e in run.events if isinstance(e, InputAudioBufferSpeechStoppedEvent)]
    answers = [e for e in run.events if isinstance(e, ResponseDoneEvent)]
    assert [e.audio_start_ms for e in started] == [start - PREFIX_PADDING_MS for start, _ in spans]
    assert [e.audio_end_ms for e in stopped] == [end + SILENCE_MS for _, end in spans]
    assert [e.response.status for e in answers] == ["completed"] * len(spans)
    # Each answer finished before the next turn began: the order is that of a calm talk.
    types = [e.type for e in run.events]
    assert types.index("response.done") < types.index("input_audio_buffer.speech_started", 1)


async def test_answers_are_paced_on_the_scaled_clock() -> None:
    ten_seconds = np.zeros(10 * RATE, dtype=np.int16)
    scale = 0.02

    async with (
        FakeRealtimeServer(
            responder=lambda context: Reply(audio=ten_seconds, audio_text="hum"),
            pace=1.0,
            time_scale=scale,
        ) as server,
        connect(server) as client,
    ):
        started = time.monotonic()
        await client.send({"type": "response.create"})
        events = await client.receive_until("response.done")
        elapsed = time.monotonic() - started

    audio = [e for e in events if e.type == "response.output_audio.delta"]
    assert len(audio) == 100  # 10 s in 100 ms deltas, whatever the scale
    # Paced on the clock: at least the scaled 10 s (how much faster than real time the whole
    # run is, is a speed, measured by the benchmark command in the closing note, not asserted).
    assert elapsed >= 0.9 * 10 * scale


async def test_a_delay_fault_lasts_server_time() -> None:
    # Ten minutes of server time at 1/1000: 0.6 real seconds, well inside the receive timeout.
    async with (
        FakeRealtimeServer(faults=[Delay(after_events=1, seconds=600)], time_scale=0.001) as fake,
        connect(fake) as client,
    ):
        await client.send({"type": "input_audio_buffer.clear"})
        cleared = await client.receive()

    assert cleared.type == "input_audio_buffer.cleared"


async def test_clock_time_runs_at_one_over_the_scale() -> None:
    clock = FakeClock(time_scale=0.0002)
    fired = asyncio.Event()

    before = clock.now()
    handle = clock.call_later(1000.0, fired.set)  # 0.2 real seconds
    await asyncio.wait_for(fired.wait(), TIMEOUT)
    await asyncio.wait_for(clock.sleep(1000.0), TIMEOUT)
    after = clock.now()

    assert after - before >= 0.9 * 2000.0
    assert clock.real_seconds(1000.0) == pytest.approx(0.2)
    assert clock.time_scale == 0.0002
    assert not handle.cancelled()


def test_the_default_clock_is_real_time() -> None:
    assert FakeClock().real_seconds(2.5) == 2.5
    assert FakeRealtimeServer().clock.time_scale == 1.0
    assert repr(FakeClock(0.5)) == "FakeClock(time_scale=0.5)"


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, True, "0.05", None])
def test_a_time_scale_that_is_not_a_positive_number_is_refused(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="time_scale must be a positive"):
        FakeRealtimeServer(time_scale=bad)


async def test_closed_connections_beyond_the_limit_are_forgotten() -> None:
    server = FakeRealtimeServer(keep_closed_connections=1, record_frames=10)
    async with (
        server,
        connect(server, model="m1"),
        connect(server, model="m2"),
        connect(server, model="m3"),
    ):
        assert [record.model for record in server.connections] == ["m1", "m2", "m3"]
    # stop() waited for every connection's handler: all three are closed, one is kept.

    assert [record.model for record in server.connections] == ["m3"]
    assert server.connections[0].closed


def test_keep_closed_connections_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="keep_closed_connections"):
        FakeRealtimeServer(keep_closed_connections=-1)
