"""AudioPlayer's queue and clocks (pure), the client's automatic truncation (fake server), and
the voice command's half-duplex gate.

No audio device here: sinks are the test calling ``read()``; the device path is in
``test_voice_device.py``.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from openai_realtime import RealtimeClient
from openai_realtime.api import RealtimeAPI
from openai_realtime.audio import read_wav
from openai_realtime.cli.voice import _Chat
from openai_realtime.errors import ConfigurationError
from openai_realtime.local_events import ConversationInterruptedEvent
from openai_realtime.player import (
    AudioPlayer,
    DeviceClock,
    LatencyClock,
    MarkClock,
    PlayedPosition,
    WavFileSink,
)
from openai_realtime.testing import FakeRealtimeServer, Reply
from tests.support import WAIT

RATE = 24000


def ramp(count: int, start: int = 1) -> NDArray[np.int16]:
    return np.arange(start, start + count, dtype=np.int16)


def test_read_hands_out_items_in_order_then_silence() -> None:
    player = AudioPlayer()
    player.enqueue("a", ramp(300))
    player.enqueue("b", ramp(300, 1000))
    block = player.read(400)
    assert block.tolist() == ramp(300).tolist() + ramp(100, 1000).tolist()
    assert player.position() == PlayedPosition("b", 100, finished=False)
    tail = player.read(400)
    assert tail[:200].tolist() == ramp(200, 1100).tolist() and not tail[200:].any()
    assert player.position() == PlayedPosition("b", 300, finished=True)
    assert not player.is_playing()


def test_latency_clock_reports_what_was_written_minus_the_delay() -> None:
    player = AudioPlayer(LatencyClock(250))
    player.enqueue("a", ramp(200))
    player.enqueue("b", ramp(400))
    player.read(200)
    assert player.position() == PlayedPosition("a", 0, finished=False)  # handed out, unheard
    player.read(300)
    assert player.position() == PlayedPosition("b", 50, finished=False)  # 500 - 250 = a + 50
    assert player.handed_out_samples("b") == 300
    assert player.is_playing()


def test_device_clock_advances_with_the_stream_clock_from_the_last_dac_time() -> None:
    now = [10.0]
    clock = DeviceClock(RATE, lambda: now[0])
    player = AudioPlayer(clock)
    player.enqueue("a", ramp(2000))
    assert player.position() is None  # nothing handed out yet
    clock.block_timing(player.frames_written, dac_time=10.05)
    player.read(480)
    assert player.position() == PlayedPosition("a", 0, finished=False)  # before its DAC time
    now[0] = 10.06  # 10 ms after the block reached the DAC
    assert player.position() == PlayedPosition("a", 240, finished=False)
    now[0] = 11.0  # long after: never more than was written
    assert player.position() == PlayedPosition("a", 480, finished=False)
    clock.reset()
    assert clock.played_frames(480) == 0


def test_mark_clock_counts_acknowledged_marks_only() -> None:
    clock = MarkClock()
    player = AudioPlayer(clock)
    player.enqueue("a", ramp(1000))
    player.read(300)
    first = clock.mark(player.frames_written)
    player.read(300)
    second = clock.mark(player.frames_written)
    assert player.position() == PlayedPosition("a", 0, finished=False)
    clock.acknowledged("unknown")
    clock.acknowledged(second)
    assert player.position() == PlayedPosition("a", 600, finished=False)
    clock.acknowledged(first)  # late, and superseded
    assert player.position() == PlayedPosition("a", 600, finished=False)


def test_stop_drops_the_queue_and_keeps_the_cut_item_cut() -> None:
    stops: list[str] = []
    player = AudioPlayer(LatencyClock(100))
    player.on_stop(lambda: stops.append("stopped"))
    player.enqueue("a", ramp(1000))
    player.read(600)
    heard = player.stop()
    assert heard == PlayedPosition("a", 500, finished=False)
    assert stops == ["stopped"]
    player.enqueue("a", ramp(500))  # a late delta of the cut answer is not played
    assert not player.read(600).any()
    assert player.position() == heard
    player.enqueue("b", ramp(10))  # the next answer plays
    assert player.read(10).tolist() == ramp(10).tolist()


def test_negative_latency_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        LatencyClock(-1)


def test_wav_file_sink_writes_what_was_queued(tmp_path: Path) -> None:
    player = AudioPlayer()
    sink = WavFileSink(player, tmp_path / "out.wav")
    player.enqueue("a", ramp(500))
    assert sink.drain() == 500
    player.enqueue("b", ramp(100, 600))
    sink.close()
    assert read_wav(tmp_path / "out.wav").tolist() == ramp(500).tolist() + ramp(100, 600).tolist()
    assert player.position() == PlayedPosition("b", 100, finished=True)


# -- the client -------------------------------------------------------------------------------

ANSWER = np.full(2 * RATE, 3000, dtype=np.int16)
SPEECH = np.concatenate([np.full(RATE // 2, 8000, dtype=np.int16), np.zeros(RATE, np.int16)])


def server() -> FakeRealtimeServer:
    return FakeRealtimeServer(responder=lambda context: Reply(text="An answer.", audio=ANSWER))


async def answered(client: RealtimeClient) -> str:
    """Speak one turn; return the answer's item id once all its audio has arrived."""
    done = client.expect("server.response.done", timeout=WAIT)
    await client.append_input_audio(SPEECH)
    response = (await done).response
    return str(response.output[0].id)


async def interrupt(client: RealtimeClient) -> ConversationInterruptedEvent:
    interrupted = client.expect("conversation.interrupted", timeout=WAIT)
    await client.append_input_audio(SPEECH[: RATE // 2])
    event: ConversationInterruptedEvent = await interrupted
    return event


async def handled_so_far(client: RealtimeClient) -> None:
    """The server has handled everything sent before (it answers in order): a truncate sent
    on the interruption would have been received by now."""
    updated = client.expect("server.session.updated", timeout=WAIT)
    await client.update_session()
    await updated


async def test_server_vad_interruption_truncates_at_the_sample_heard() -> None:
    player = AudioPlayer(LatencyClock(480))
    async with server() as fake, RealtimeClient(url=fake.url, player=player) as client:
        item_id = await answered(client)
        player.read(RATE + 480)  # one second heard, one block still in the device
        truncated = client.expect("server.conversation.item.truncated", timeout=WAIT)
        event = await interrupt(client)
        assert (event.item_id, event.audio_end_ms) == (item_id, 1000)
        assert (await truncated).audio_end_ms == 1000
        assert not player.read(480).any()  # stopped at once
        stored = client.conversation.get_item(item_id)
        assert stored is not None and len(stored.formatted.audio_buffer) == RATE


@pytest.mark.parametrize(
    ("frames", "truncate"),
    [
        (0, None),  # nothing heard yet: no truncate at 0
        (2 * RATE, None),  # played to its end: nothing was cut short
        (RATE, False),  # opted out
    ],
)
async def test_no_truncate_when_nothing_heard_was_cut(frames: int, truncate: bool | None) -> None:
    player = AudioPlayer()
    async with (
        server() as fake,
        RealtimeClient(url=fake.url, player=player, truncate_on_interrupt=truncate) as client,
    ):
        item_id = await answered(client)
        player.read(frames)
        event = await interrupt(client)
        assert (event.item_id, event.audio_end_ms) == (item_id, None)
        await handled_so_far(client)
        assert fake.connections[0].received_types["conversation.item.truncate"] == 0
        assert player.pending_samples() == 0


async def test_sideband_sessions_leave_truncation_to_the_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    player = AudioPlayer()
    async with server() as fake, RealtimeClient(url=fake.url, player=player) as client:
        # What a sideband (RealtimeClient(call_id=...)) reports, on a plain session of the fake.
        monkeypatch.setattr(RealtimeAPI, "call_id", property(lambda api: "rtc_1"))
        await answered(client)
        player.read(RATE)
        event = await interrupt(client)
        assert event.audio_end_ms is None
        await handled_so_far(client)
        assert fake.connections[0].received_types["conversation.item.truncate"] == 0


async def test_push_to_talk_interrupts_with_one_call() -> None:
    player = AudioPlayer()
    async with server() as fake, RealtimeClient(url=fake.url) as client:
        with pytest.raises(ConfigurationError):
            await client.interrupt_playback()
        client.attach_player(player)
        await client.update_session(turn_detection=None)
        done = client.expect("server.response.done", timeout=WAIT)
        await client.send_user_message_content([{"type": "input_text", "text": "Hi"}])
        item_id = (await done).response.output[0].id
        player.read(RATE // 2)
        truncated = client.expect("server.conversation.item.truncated", timeout=WAIT)
        item = await client.interrupt_playback()
        assert item is not None and item.id == item_id
        assert (await truncated).audio_end_ms == 500
        assert player.pending_samples() == 0


class BlocksThenEnd:
    """Stands in for the microphone: a few blocks, then the end of input."""

    def __init__(self, blocks: list[NDArray[np.int16]]) -> None:
        self.blocks = blocks
        self.level = -96.0

    async def __aiter__(self) -> AsyncIterator[NDArray[np.int16]]:
        for block in self.blocks:
            yield block


@pytest.mark.parametrize(("half_duplex", "sent"), [(True, 0), (False, 3)])
async def test_half_duplex_ignores_the_microphone_while_an_answer_plays(
    half_duplex: bool, sent: int
) -> None:
    player = AudioPlayer()
    player.enqueue("answer", ramp(RATE))  # an answer is playing
    arguments = argparse.Namespace(push_to_talk=False, half_duplex=half_duplex, turns=None)
    async with FakeRealtimeServer() as fake, RealtimeClient(url=fake.url, player=player) as client:
        microphone = BlocksThenEnd([np.full(480, 100, dtype=np.int16)] * 3)
        chat = _Chat(client, player, microphone, arguments)  # type: ignore[arg-type]
        await chat._stream()
        await handled_so_far(client)
        assert fake.connections[0].received_types["input_audio_buffer.append"] == sent
