"""Server VAD idle timeout: a silent user gets timeout_triggered, a commit and an answer."""

from __future__ import annotations

from typing import Any

import numpy as np
from fake_wire import WireClient, connect, types_of
from test_fake_vad_turns import sentinel, speech_like

from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder
from openai_realtime.types import (
    InputAudioBufferCommittedEvent,
    InputAudioBufferTimeoutTriggeredEvent,
    ResponseDoneEvent,
)

RATE = 24000


def idle_session(timeout_ms: int | None, modality: str = "text") -> dict[str, Any]:
    turn_detection = {"type": "server_vad", "idle_timeout_ms": timeout_ms}
    return {
        "audio": {"input": {"turn_detection": turn_detection}},
        "output_modalities": [modality],
    }


def silence(ms: int) -> np.ndarray[Any, np.dtype[np.int16]]:
    return np.zeros(ms * RATE // 1000, dtype=np.int16)


async def first_response(client: WireClient) -> ResponseDoneEvent:
    await client.send({"type": "response.create"})
    done = (await client.receive_until("response.done"))[-1]
    assert isinstance(done, ResponseDoneEvent)
    return done


async def test_silence_after_an_answer_triggers_the_timeout_and_a_new_answer() -> None:
    responder = ScriptedResponder([Reply(text="Anyone there?"), Reply(text="Still there?")])
    async with (
        FakeRealtimeServer(session=idle_session(5000), responder=responder) as fake,
        connect(fake) as client,
    ):
        await client.append_audio(silence(1000))  # before the answer: not counted
        await first_response(client)
        await client.append_audio(silence(4990))
        quiet = await sentinel(client)
        await client.append_audio(silence(20))
        events = await client.receive_until("response.done")

    assert quiet == []
    triggered = events[0]
    assert isinstance(triggered, InputAudioBufferTimeoutTriggeredEvent)
    assert (triggered.audio_start_ms, triggered.audio_end_ms) == (1000, 6010)
    committed = events[1]
    assert isinstance(committed, InputAudioBufferCommittedEvent)
    assert committed.item_id == triggered.item_id
    assert types_of(events)[2:6] == [
        "conversation.item.added",
        "conversation.item.done",
        "response.created",
        "rate_limits.updated",
    ]
    assert responder.remaining == 0


async def test_the_countdown_starts_when_the_answer_has_been_played() -> None:
    responder = ScriptedResponder([Reply(audio_text="x" * 20)])  # 1.3 s of speech
    async with (
        FakeRealtimeServer(session=idle_session(5000, "audio"), responder=responder) as fake,
        connect(fake) as client,
    ):
        await first_response(client)
        await client.append_audio(silence(6000))
        quiet = await sentinel(client)
        await client.append_audio(silence(400))
        triggered = await client.expect(InputAudioBufferTimeoutTriggeredEvent)

    assert quiet == []
    assert triggered.audio_start_ms == 1300
    assert triggered.audio_end_ms == 6400


async def test_speech_stops_the_countdown_and_no_timeout_means_none() -> None:
    for session, audio in (
        (idle_session(5000), np.concatenate([speech_like(2000, [(500, 1200)]), silence(5000)])),
        (idle_session(None), silence(8000)),
    ):
        responder = ScriptedResponder([Reply(text="Hi.")], then=None)
        session["audio"]["input"]["turn_detection"]["create_response"] = False
        async with (
            FakeRealtimeServer(session=session, responder=responder) as fake,
            connect(fake) as client,
        ):
            await first_response(client)
            await client.append_audio(audio)
            kinds = await sentinel(client)

        assert "input_audio_buffer.timeout_triggered" not in kinds
