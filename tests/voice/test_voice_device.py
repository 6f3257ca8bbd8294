"""Barge-in through a real audio stack: PortAudio on a private PulseAudio, the fake server.

The user's WAV plays into the virtual microphone; the fake server answers with four seconds of
audio at once (far faster than real time); the client plays it on the virtual speaker, whose
output ``parec`` records; the user speaks again after about a second of playback. The item
must be cut where the recorded speaker output shows playback stopped, within one audio block,
and not where the output callback had got to (that is later by the device latency).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from virtual_audio import RATE, VirtualAudio

from openai_realtime import RealtimeClient
from openai_realtime.audio import decode_base64, read_wav, write_wav
from openai_realtime.local_events import ConversationInterruptedEvent
from openai_realtime.microphone import Microphone
from openai_realtime.player import DEFAULT_BLOCK_FRAMES, AudioPlayer, DeviceSink
from openai_realtime.testing import FakeRealtimeServer, Reply
from openai_realtime.types import ConversationItemRetrieveEvent
from tests.support import WAIT

ANSWER_SECONDS = 4.0


def tone(seconds: float, hz: float, amplitude: int) -> NDArray[np.int16]:
    t = np.arange(int(seconds * RATE)) / RATE
    return (np.sin(2 * np.pi * hz * t) * amplitude).astype(np.int16)


def silence(seconds: float) -> NDArray[np.int16]:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


def first_loud_run(samples: NDArray[np.int16], threshold: int = 2000) -> int:
    """Length of the first stretch of loud audio (gaps under 10 ms are the tone's own zero
    crossings): the first answer as the speaker played it."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    assert len(loud), "the speaker played nothing"
    gaps = np.flatnonzero(np.diff(loud) > RATE // 100)
    end = loud[gaps[0]] if len(gaps) else loud[-1]
    return int(end - loud[0] + 1)


async def stream(microphone: Microphone, client: RealtimeClient) -> None:
    async for block in microphone:
        await client.append_input_audio(block)


async def test_interruption_cuts_where_the_speaker_output_stopped(
    audio: VirtualAudio, tmp_path: Path
) -> None:
    # The user: a question, 1.9 s of silence (the answer plays), then speech again.
    wav = tmp_path / "user.wav"
    write_wav(
        wav,
        np.concatenate(
            [silence(0.2), tone(0.6, 200, 6000), silence(1.9)] * 1
            + [tone(0.6, 200, 6000), silence(0.6)]
        ),
    )
    answer = tone(ANSWER_SECONDS, 330, 9000)
    async with FakeRealtimeServer(
        responder=lambda context: Reply(text="A long answer.", audio=answer)
    ) as server:
        player = AudioPlayer()
        with audio.record_speaker() as speaker, DeviceSink(player):
            async with (
                RealtimeClient(url=server.url, player=player) as client,
                Microphone() as microphone,
            ):
                interrupted = client.expect("conversation.interrupted", timeout=WAIT)
                truncated = client.expect("server.conversation.item.truncated", timeout=WAIT)
                streaming = asyncio.create_task(stream(microphone, client))
                with audio.feed_microphone(read_wav(wav)):
                    event: ConversationInterruptedEvent = await interrupted
                    await truncated
                streaming.cancel()
                assert event.item_id is not None and event.audio_end_ms is not None
                retrieved = client.expect("server.conversation.item.retrieved", timeout=WAIT)
                await client.send(ConversationItemRetrieveEvent(item_id=event.item_id))
                stored = (await retrieved).item.content[0].audio
                received = player.received_samples(event.item_id)
                handed_out = player.handed_out_samples(event.item_id)
            played = first_loud_run(speaker.samples())

    stored_samples = len(decode_base64(stored))
    assert received == len(answer)  # the whole answer arrived before the interruption
    # Cut where the speaker stopped, within one block; at least a second short of what arrived.
    assert abs(stored_samples - played) <= DEFAULT_BLOCK_FRAMES, (stored_samples, played)
    assert stored_samples <= received - RATE
    assert event.audio_end_ms == stored_samples * 1000 // RATE
    # What the output callback had been given was more than was heard by over one block: a
    # player counting handed-out samples would have cut too late.
    assert handed_out - played > DEFAULT_BLOCK_FRAMES, (handed_out, played)
