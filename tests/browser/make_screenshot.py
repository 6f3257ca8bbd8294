"""``make screenshots``: the voice page mid-conversation, saved for the docs.

Drives the same harness and conversation as the browser tests (relay mode, the fake server),
waits until the answer has been cut by the barge-in, and saves the page as a PNG. Not a test:
run it by hand after changing the page, and commit the image.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from browser_conversation import API_KEY, WeatherTool, microphone, responder
from browser_harness import open_browser

from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.web import VoiceServer

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "images" / "voice-page.png"


async def main(output: Path) -> None:
    """Hold the conversation and save the screenshot to ``output``."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        async with (
            FakeRealtimeServer(api_key=API_KEY, responder=responder()) as fake,
            VoiceServer(fake.url, api_key=API_KEY, tools=[WeatherTool().tool()]) as server,
        ):
            with open_browser(microphone(Path(directory)), window="800,640") as browser:
                await browser.open(f"{server.url}?mode=relay&turns=vad&autoconnect=1")
                await browser.until("window.voice.events['conversation.item.truncated']")
                # Speak again so the level meter shows the microphone mid-turn.
                await browser.until("window.voice.events['input_audio_buffer.speech_started'] >= 2")
                await browser.screenshot(output)
    print(f"saved {output}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
