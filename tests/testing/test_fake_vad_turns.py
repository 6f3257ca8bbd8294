"""Server VAD emulation over the wire: speech events, automatic commits and responses."""

from __future__ import annotations

from typing import Any

import numpy as np
from fake_wire import WireClient, connect, first_part, types_of
from numpy.typing import NDArray

from openai_realtime.protocol.audio import decode_base64
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types import (
    ConversationItemAddedEvent,
    ConversationItemRetrievedEvent,
    ErrorEvent,
    InputAudioBufferCommittedEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    RealtimeConversationItemMessageUser,
    ResponseDoneEvent,
)

RATE = 24000
FRAME_MS = 10


def speech_like(total_ms: int, bursts: list[tuple[int, int]], seed: int = 0) -> NDArray[np.int16]:
    """Low background noise with modulated tone bursts at ``(start_ms, end_ms)``."""
    rng = np.random.default_rng(seed)
    samples = rng.normal(0.0, 20.0, total_ms * RATE // 1000)
    for start_ms, end_ms in bursts:
        start, end = start_ms * RATE // 1000, end_ms * RATE // 1000
        time = np.arange(end - start) / RATE
        samples[start:end] = (
            9000 * np.sin(2 * np.pi * 180 * time) * (1.2 + np.sin(2 * np.pi * 3 * time))
        )
    return np.clip(samples, -32768, 32767).astype(np.int16)


async def stream(client: WireClient, audio: NDArray[np.int16], seed: int = 0) -> None:
    """Append ``audio`` in random chunk sizes, as a microphone with jitter would."""
    rng = np.random.default_rng(seed)
    start = 0
    while start < len(audio):
        size = int(rng.integers(1, 9000))
        await client.append_audio(audio[start : start + size])
        start += size


def vad_session(**turn_detection: Any) -> dict[str, Any]:
    return {
        "audio": {
            "input": {
                "turn_detection": {
                    "type": "server_vad",
                    "prefix_padding_ms": 300,
                    "silence_duration_ms": 500,
                    **turn_detection,
                }
            }
        }
    }


async def sentinel(client: WireClient) -> list[str]:
    """Event types sent before the answer to a harmless request: proof nothing else is due."""
    await client.send({"type": "conversation.item.retrieve", "item_id": "item_sentinel"})
    events = await client.receive_until("error")
    assert isinstance(events[-1], ErrorEvent)
    return types_of(events[:-1])


async def test_a_spoken_turn_is_detected_committed_and_answered() -> None:
    audio = speech_like(3500, [(1200, 2300)])
    async with FakeRealtimeServer(session=vad_session()) as fake, connect(fake) as client:
        await stream(client, audio, seed=4)
        started = await client.expect(InputAudioBufferSpeechStartedEvent)
        stopped = await client.expect(InputAudioBufferSpeechStoppedEvent)
        committed = await client.expect(InputAudioBufferCommittedEvent)
        added = await client.expect(ConversationItemAddedEvent)
        await client.receive_until("conversation.item.done")
        response = await client.response()
        await client.send({"type": "conversation.item.retrieve", "item_id": committed.item_id})
        retrieved = await client.expect(ConversationItemRetrievedEvent)

    assert abs(started.audio_start_ms - (1200 - 300)) <= FRAME_MS
    assert abs(stopped.audio_end_ms - (2300 + 500)) <= FRAME_MS
    assert started.item_id == stopped.item_id == committed.item_id == added.item.id
    assert committed.previous_item_id is None
    assert types_of(response)[:2] == ["response.created", "rate_limits.updated"]
    done = response[-1]
    assert isinstance(done, ResponseDoneEvent)
    assert done.response.status == "completed"
    item = retrieved.item
    assert isinstance(item, RealtimeConversationItemMessageUser)
    turn_audio = decode_base64(item.content[0].audio or "")
    expected = audio[started.audio_start_ms * 24 : stopped.audio_end_ms * 24]
    np.testing.assert_array_equal(turn_audio, expected)


async def test_offsets_count_from_the_start_of_the_session_across_turns() -> None:
    audio = speech_like(6000, [(800, 1500), (3700, 4400)], seed=1)
    session = vad_session(create_response=False, prefix_padding_ms=0)
    async with FakeRealtimeServer(session=session) as fake, connect(fake) as client:
        await stream(client, audio, seed=9)
        events = await client.receive_until("conversation.item.done")
        events += await client.receive_until("conversation.item.done")

    starts = [e.audio_start_ms for e in events if isinstance(e, InputAudioBufferSpeechStartedEvent)]
    stops = [e.audio_end_ms for e in events if isinstance(e, InputAudioBufferSpeechStoppedEvent)]
    assert [abs(a - b) <= FRAME_MS for a, b in zip(starts, [800, 3700], strict=True)] == [True] * 2
    assert [abs(a - b) <= FRAME_MS for a, b in zip(stops, [2000, 4900], strict=True)] == [True] * 2
    committed = [e for e in events if isinstance(e, InputAudioBufferCommittedEvent)]
    assert committed[1].previous_item_id == committed[0].item_id


async def test_create_response_false_only_commits() -> None:
    session = vad_session(create_response=False)
    async with FakeRealtimeServer(session=session) as fake, connect(fake) as client:
        await stream(client, speech_like(2500, [(500, 1200)]))
        events = await client.receive_until("conversation.item.done")
        later = await sentinel(client)

    assert types_of(events) == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
    ]
    assert later == []


async def test_null_turn_detection_means_manual_commits_only() -> None:
    session = {"audio": {"input": {"turn_detection": None}}}
    async with FakeRealtimeServer(session=session) as fake, connect(fake) as client:
        await stream(client, speech_like(2500, [(500, 1200)]))
        assert await sentinel(client) == []
        await client.send({"type": "input_audio_buffer.commit"})
        committed = await client.expect(InputAudioBufferCommittedEvent)

    assert committed.item_id.startswith("item_")


async def test_speech_interrupts_the_response_and_gets_its_own_answer() -> None:
    async with FakeRealtimeServer(session=vad_session(), pace=4.0) as fake, connect(fake) as client:
        await client.send({"type": "response.create"})  # a greeting, paced like speech
        await client.receive_until("response.output_audio.delta")
        await stream(client, speech_like(1500, [(100, 700)]))
        events = await client.receive_until("response.done")
        interrupted = events[-1]
        answer = await client.receive_until("response.done")

    assert "input_audio_buffer.speech_started" in types_of(events)
    assert isinstance(interrupted, ResponseDoneEvent)
    assert interrupted.response.status == "cancelled"
    assert interrupted.response.status_details is not None
    assert interrupted.response.status_details.reason == "turn_detected"
    assert "input_audio_buffer.committed" in types_of(events + answer)
    answered = answer[-1]
    assert isinstance(answered, ResponseDoneEvent)
    assert answered.response.status == "completed"
    transcript = first_part((answered.response.output or [])[0]).transcript or ""
    assert transcript.startswith("I heard 1.")


async def test_interrupt_response_false_lets_the_answer_finish() -> None:
    session = vad_session(interrupt_response=False, create_response=False)
    async with FakeRealtimeServer(session=session, pace=4.0) as fake, connect(fake) as client:
        await client.send({"type": "response.create"})
        await client.receive_until("response.output_audio.delta")
        await stream(client, speech_like(1500, [(100, 700)]))
        events = await client.receive_until("response.done")

    assert "input_audio_buffer.speech_started" in types_of(events)
    done = events[-1]
    assert isinstance(done, ResponseDoneEvent)
    assert done.response.status == "completed"


async def test_two_turns_in_one_append_answer_the_last_one() -> None:
    audio = speech_like(4000, [(300, 900), (1800, 2400)], seed=3)
    async with FakeRealtimeServer(session=vad_session()) as fake, connect(fake) as client:
        await client.append_audio(audio)
        first = await client.receive_until("response.done")
        second = await client.receive_until("response.done")

    first_done, second_done = first[-1], second[-1]
    assert isinstance(first_done, ResponseDoneEvent)
    assert isinstance(second_done, ResponseDoneEvent)
    assert first_done.response.status == "cancelled"
    assert second_done.response.status == "completed"
    assert types_of(first + second).count("input_audio_buffer.committed") == 2


async def test_semantic_vad_detects_turns_too() -> None:
    session = {
        "audio": {"input": {"turn_detection": {"type": "semantic_vad", "eagerness": "high"}}}
    }
    async with FakeRealtimeServer(session=session) as fake, connect(fake) as client:
        await stream(client, speech_like(2000, [(400, 1000)]))
        events = await client.receive_until("response.done")

    assert types_of(events)[:3] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
    ]
    stopped = events[1]
    assert isinstance(stopped, InputAudioBufferSpeechStoppedEvent)
    assert abs(stopped.audio_end_ms - (1000 + 200)) <= FRAME_MS
