"""Interruption: stop the model mid-answer and cut its audio where the listener stopped hearing.

Run:  python docs/examples/interruption.py [--live]

A simulated speaker "plays" the answer in real time. One second in, the user talks over it:
cancel_response stops the response and truncates the item at the samples actually heard, which
is less than was received, because audio arrives faster than it is played.
"""

from __future__ import annotations

import asyncio
import time

from example_support import argument_parser, realtime_url

from openai_realtime import RealtimeClient
from openai_realtime.audio import ms_to_samples, samples_to_ms
from openai_realtime.local_events import ConversationUpdatedEvent


class SimulatedSpeaker:
    """Plays audio silently in real time, and knows how much of it the listener has heard."""

    def __init__(self) -> None:
        self.received = 0
        self._started: float | None = None

    def play(self, event: ConversationUpdatedEvent) -> None:
        """Queue an audio delta for playback (playback starts with the first one)."""
        if event.delta is not None and event.delta.audio is not None:
            self._started = self._started or time.monotonic()
            self.received += len(event.delta.audio)

    @property
    def heard(self) -> int:
        """Samples played so far: elapsed time, but never more than was received."""
        if self._started is None:
            return 0
        return min(self.received, ms_to_samples((time.monotonic() - self._started) * 1000))


async def main(live: bool) -> None:
    # pace=1.0: the fake server streams audio in real time, as the service roughly does.
    async with realtime_url(live, pace=1.0) as url, RealtimeClient(url=url) as client:
        speaker = SimulatedSpeaker()
        client.on("conversation.updated", speaker.play)
        await client.update_session(turn_detection=None)
        first_audio = asyncio.ensure_future(
            client.wait_for_next("server.response.output_audio.delta", timeout=60)
        )
        # Completed (a short answer) or cancelled (by us): either way, it ends this response.
        done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=60))
        story = "Tell me a long story about a lighthouse keeper and her cat."
        await client.send_user_message_content([{"type": "input_text", "text": story}])
        item_id = (await first_audio).item_id
        await asyncio.sleep(1.0)  # the user listens for a second, then interrupts
        heard, received = speaker.heard, speaker.received
        truncated = asyncio.ensure_future(
            client.wait_for_next("server.conversation.item.truncated", timeout=60)
        )
        await client.cancel_response(item_id, heard)
        print(f"interrupted after {samples_to_ms(heard)} ms heard of {samples_to_ms(received)} ms")
        print(f"response status: {(await done).response.status}")
        print(f"server cut the item at {(await truncated).audio_end_ms} ms")


if __name__ == "__main__":
    asyncio.run(main(argument_parser(__doc__).parse_args().live))
