"""AudioPlayer with your own sink: a phone line whose far end acknowledges what it played.

Run:  python docs/examples/custom_sink.py [--live]

The player queues the assistant's audio; the phone line takes a 20 ms frame every 20 ms and
sends a mark after each, which the far end acknowledges once it has played it (150 ms later
here, like a real call). The player's MarkClock turns those acknowledgements into "heard".
Half a second into the answer the user barges in (push-to-talk: one call), and the item is cut
at what the far end had confirmed, not at what the line had been given.
"""

from __future__ import annotations

import asyncio

from example_support import argument_parser, realtime_url

from openai_realtime import RealtimeClient
from openai_realtime.audio import samples_to_ms
from openai_realtime.player import AudioPlayer, MarkClock

FRAME = 480  # 20 ms at 24 kHz
FAR_END_DELAY = 0.15  # seconds from sending a frame to the far end confirming it played


class PhoneLine:
    """A sink that sends frames in real time and hears back marks once they have played."""

    def __init__(self, player: AudioPlayer) -> None:
        self.player = player
        self.clock = MarkClock()
        player.clock = self.clock

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        frames = 0
        while True:
            self.player.read(FRAME)  # a real line would send these samples to the caller
            frames += 1
            mark = self.clock.mark(self.player.frames_written)
            loop.call_later(FAR_END_DELAY, self.clock.acknowledged, mark)  # the far end's echo
            await asyncio.sleep(max(0.0, start + frames * FRAME / 24000 - loop.time()))


async def main(live: bool) -> None:
    player = AudioPlayer()
    line = PhoneLine(player)
    async with realtime_url(live) as url, RealtimeClient(url=url, player=player) as client:
        await client.update_session(turn_detection=None)
        sending = asyncio.create_task(line.run())
        story = "Tell me a long story about a lighthouse keeper and her cat."
        await client.send_user_message_content([{"type": "input_text", "text": story}])
        while (heard := player.position()) is None or heard.samples < 12000:
            await asyncio.sleep(0.01)  # the user listens for half a second
        truncated = client.expect("server.conversation.item.truncated", timeout=60)
        handed_out = player.handed_out_samples(heard.item_id)
        item = await client.interrupt_playback()
        cut = (await truncated).audio_end_ms
        sending.cancel()
        stopped = player.position()  # where the stop left it: what the far end confirmed
        assert item is not None and stopped is not None
        confirmed = samples_to_ms(stopped.samples)
        print(f"the line had been given {samples_to_ms(handed_out)} ms of the answer")
        print(f"the far end had confirmed {confirmed} ms; the item was cut at {cut} ms")
        print(f"cut where the far end stopped hearing: {'yes' if cut == confirmed else 'no'}")


if __name__ == "__main__":
    asyncio.run(main(argument_parser(__doc__).parse_args().live))
