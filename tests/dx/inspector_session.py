"""A short recorded session with every lane in use, for the inspector tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from openai_realtime import RealtimeClient
from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder, synthesize_speech
from tests.support import WAIT

TYPED = "What is the tallest lighthouse?"
ANSWERS = (
    "The tallest lighthouse is the Jeddah Light, at one hundred and thirty-three metres.",
    "I heard you ask about the sea.",
)
SPOKEN_TRANSCRIPT = "Tell me about the sea"
FAILURE = "The fake model is overloaded; try again in a moment."


async def record_session(path: Path) -> None:
    """Record: a typed question and a spoken answer, a spoken turn, a failed response."""
    responder = ScriptedResponder(
        [Reply(text=ANSWERS[0]), Reply(text=ANSWERS[1]), Reply(error=FAILURE)],
        transcripts=[SPOKEN_TRANSCRIPT],
    )
    async with FakeRealtimeServer(responder=responder) as server:
        client = RealtimeClient(url=server.url, record=path)
        await client.update_session(input_audio_transcription={"model": "gpt-4o-transcribe"})
        async with client:
            await _talk(client)


async def _talk(client: RealtimeClient) -> None:
    await client.wait_for_session_created(timeout=WAIT)
    first = await client.send_user_message_content([{"type": "input_text", "text": TYPED}])
    await first.done(timeout=WAIT)
    spoken = client.expect("server.response.done", timeout=WAIT)
    speech = synthesize_speech(SPOKEN_TRANSCRIPT, SAMPLE_RATE)
    await client.append_input_audio(np.concatenate((speech, np.zeros(SAMPLE_RATE, dtype=np.int16))))
    await spoken
    failed = await client.create_response()
    await failed.done(timeout=WAIT)
