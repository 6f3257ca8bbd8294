"""Server VAD idle timeout on the server's clock: a client that sends nothing times out too."""

from __future__ import annotations

from typing import Any

import numpy as np
from fake_wire import WireClient, connect, types_of

from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder
from openai_realtime.types import (
    ConversationItemAddedEvent,
    InputAudioBufferCommittedEvent,
    InputAudioBufferTimeoutTriggeredEvent,
    RealtimeConversationItemMessageUser,
)

RATE = 24000
TIMEOUT_MS = 5000
FAST = 0.005
"""Server time runs 200 times as fast: a 5-second timeout lasts 25 real milliseconds."""
ROOMY = 0.05
"""For a client that acts during the countdown: 5 seconds last 250 real milliseconds."""


def idle_session(timeout_ms: int, modality: str = "text") -> dict[str, Any]:
    turn_detection = {"type": "server_vad", "idle_timeout_ms": timeout_ms}
    return {
        "type": "realtime",
        "audio": {"input": {"turn_detection": turn_detection, "transcription": None}},
        "output_modalities": [modality],
    }


def silence(ms: int) -> np.ndarray[Any, np.dtype[np.int16]]:
    return np.zeros(ms * RATE // 1000, dtype=np.int16)


async def answered(client: WireClient) -> None:
    await client.send({"type": "response.create"})
    await client.receive_until("response.done")


async def test_a_silent_client_times_out_on_the_clock_again_and_again() -> None:
    replies = [Reply(text="Hello."), Reply(text="Still there?"), Reply(text="Hello?")]
    responder = ScriptedResponder(replies)
    async with (
        FakeRealtimeServer(
            session=idle_session(TIMEOUT_MS), responder=responder, time_scale=FAST
        ) as fake,
        connect(fake) as client,
    ):
        started = fake.clock.now()
        await answered(client)
        first = await client.receive_until("response.done")  # nothing sent in between
        timed_out = fake.clock.now() - started
        second = await client.receive_until("response.done")

    triggered, committed, added = first[:3]
    assert isinstance(triggered, InputAudioBufferTimeoutTriggeredEvent)
    # No input audio was written: the silent stretch is empty, and so is the committed turn.
    assert (triggered.audio_start_ms, triggered.audio_end_ms) == (0, 0)
    assert isinstance(committed, InputAudioBufferCommittedEvent)
    assert committed.item_id == triggered.item_id
    assert isinstance(added, ConversationItemAddedEvent)
    assert isinstance(added.item, RealtimeConversationItemMessageUser)
    assert added.item.content[0].type == "input_audio"
    assert types_of(first)[3:6] == [
        "conversation.item.done",
        "response.created",
        "rate_limits.updated",
    ]
    assert timed_out >= TIMEOUT_MS / 1000
    # The timeout's own answer starts the countdown again.
    assert types_of(second)[0] == "input_audio_buffer.timeout_triggered"
    assert responder.remaining == 0


async def test_the_clock_countdown_starts_after_the_answer_would_have_played() -> None:
    three_seconds = np.zeros(3 * RATE, dtype=np.int16)
    responder = ScriptedResponder([Reply(audio=three_seconds, audio_text="hum")])
    async with (
        FakeRealtimeServer(
            session=idle_session(TIMEOUT_MS, "audio"), responder=responder, time_scale=FAST
        ) as fake,
        connect(fake) as client,
    ):
        started = fake.clock.now()
        await answered(client)
        triggered = await client.expect(InputAudioBufferTimeoutTriggeredEvent)
        timed_out = fake.clock.now() - started

    # Five seconds of timeout after three of playback; the answer itself streamed at once.
    assert timed_out >= 8.0
    assert (triggered.audio_start_ms, triggered.audio_end_ms) == (0, 0)


async def test_audio_written_before_the_clock_runs_out_is_the_silent_stretch() -> None:
    async with (
        FakeRealtimeServer(session=idle_session(TIMEOUT_MS), time_scale=ROOMY) as fake,
        connect(fake) as client,
    ):
        await client.append_audio(silence(1000))  # before the answer: not part of the stretch
        await answered(client)
        await client.append_audio(silence(2000))  # less than the timeout: the clock ends it
        triggered = await client.expect(InputAudioBufferTimeoutTriggeredEvent)
        committed = await client.expect(InputAudioBufferCommittedEvent)

    # Audio-time fields come from the input timeline, whatever the clock's scale.
    assert (triggered.audio_start_ms, triggered.audio_end_ms) == (1000, 3000)
    assert committed.item_id == triggered.item_id


async def test_a_longer_timeout_set_during_the_countdown_moves_its_deadline() -> None:
    async with (
        FakeRealtimeServer(session=idle_session(TIMEOUT_MS), time_scale=ROOMY) as fake,
        connect(fake) as client,
    ):
        started = fake.clock.now()
        await answered(client)
        await client.send({"type": "session.update", "session": idle_session(15_000)})
        await client.receive_until("session.updated")
        await client.expect(InputAudioBufferTimeoutTriggeredEvent)
        timed_out = fake.clock.now() - started

    assert timed_out >= 15.0
