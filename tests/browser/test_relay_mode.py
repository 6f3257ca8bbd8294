"""The voice page in relay mode, in headless Chromium, against the fake server."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from browser_conversation import (
    ANSWER,
    API_KEY,
    QUESTION,
    WeatherTool,
    microphone,
    responder,
)
from browser_harness import open_browser, write_microphone

from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder
from openai_realtime.web import VoiceServer

RATE = 24000


def _sent(fake: FakeRealtimeServer, event_type: str) -> list[dict[str, Any]]:
    frames = (json.loads(frame) for frame in fake.connections[0].sent if isinstance(frame, str))
    return [event for event in frames if event.get("type") == event_type]


def _received(fake: FakeRealtimeServer, event_type: str) -> list[dict[str, Any]]:
    frames = (json.loads(f) for f in fake.connections[0].received if isinstance(f, str))
    return [event for event in frames if event.get("type") == event_type]


async def test_a_spoken_turn_a_server_side_tool_and_a_barge_in_truncated_by_the_page(
    tmp_path: Path,
) -> None:
    weather = WeatherTool()
    async with (
        FakeRealtimeServer(api_key=API_KEY, responder=responder(), record_frames=5000) as fake,
        VoiceServer(fake.url, api_key=API_KEY, tools=[weather.tool()]) as server,
    ):
        with open_browser(microphone(tmp_path)) as browser:
            await browser.open(f"{server.url}?mode=relay&turns=vad&autoconnect=1")
            await browser.until("window.voice.status === 'connected'")
            cut = await browser.until("window.voice.truncations[0]")
            truncated = await browser.until("window.voice.events['conversation.item.truncated']")
            lines = await browser.state("window.voice.transcript")
            received_by_page = await browser.state("window.voice.received")
            everything = await browser.everything_received()
            browser_errors = await browser.state("window.voice.errors")

    # The spoken turn: the page shows both sides, and played the answer by its own clock.
    assert browser_errors == []
    assert {"role": "user", "text": QUESTION} in lines
    answer_lines = [line["text"] for line in lines if line["role"] == "assistant"]
    assert answer_lines and ANSWER.startswith(answer_lines[0])
    assert 0.5 * RATE < cut["played"] < 4 * RATE

    # The tool ran on the server: the relay answered the call, the page only watched.
    assert weather.calls == [{"city": "Paris"}]
    outputs = _received(fake, "conversation.item.create")
    assert [event["item"]["type"] for event in outputs] == ["function_call_output"]
    assert json.loads(outputs[0]["item"]["output"])["sky"] == "sunny"
    assert any(line["role"] == "tool" and "get_weather" in line["text"] for line in lines)

    # The barge-in: the fake's copy of the answer ends where the page stopped playing it,
    # well short of what the fake had sent (it sends faster than real time).
    assert truncated == 1
    [event] = _sent(fake, "conversation.item.truncated")
    assert event["item_id"] == cut["item_id"]
    assert abs(event["audio_end_ms"] - cut["played"] * 1000 / RATE) <= 1
    # The played-sample clock kept time with the wall clock while the answer played.
    assert abs(event["audio_end_ms"] - cut["wall_ms"]) < 250
    sent_samples = received_by_page[cut["item_id"]]
    assert event["audio_end_ms"] + 1000 <= sent_samples * 1000 / RATE
    deltas = [
        e for e in _sent(fake, "response.output_audio.delta") if e["item_id"] == event["item_id"]
    ]
    assert sum(len(base64.b64decode(e["delta"])) for e in deltas) == sent_samples * 2

    # The key never reached the page: not in the HTML, the modules, the JSON or any frame.
    assert any("app.js" in body for body in everything["http"])  # the page itself
    assert any("relay_url" in body for body in everything["http"])  # its config
    assert len(everything["websocket"]) > 20  # the relayed events
    assert not [text for kind in everything.values() for text in kind if API_KEY in text]


async def test_push_to_talk_sends_audio_only_while_the_button_is_held(tmp_path: Path) -> None:
    spoken = ScriptedResponder([Reply(text="Pushed and heard.")], transcripts=["Hello there."])
    wav = write_microphone(tmp_path / "steady.wav", [("silence", 0.2), ("speech", 15.0)])
    async with (
        FakeRealtimeServer(api_key=API_KEY, responder=spoken) as fake,
        VoiceServer(fake.url, api_key=API_KEY) as server,
    ):
        with open_browser(wav) as browser:
            await browser.open(f"{server.url}?mode=relay&turns=ptt&autoconnect=1")
            await browser.until("window.voice.status === 'connected'")
            await browser.until("window.voice.events['session.updated'] >= 1")
            assert await browser.state("window.voice.sent_ms") == 0
            await browser.hold("talk")
            await browser.until("window.voice.sent_ms >= 600")
            await browser.release()
            held_ms = await browser.state("window.voice.sent_ms")
            await browser.until("window.voice.events['response.output_audio.done']")
            await browser.until("window.voice.played > 0")
            lines = await browser.state("window.voice.transcript")
            sent_ms = await browser.state("window.voice.sent_ms")

    assert {"role": "user", "text": "Hello there."} in lines
    assert {"role": "assistant", "text": "Pushed and heard."} in lines
    # Nothing more went out once the button was up, though the microphone kept "speaking".
    assert sent_ms == held_ms
    received = [json.loads(f)["type"] for f in fake.connections[0].received]
    assert "input_audio_buffer.commit" in received
    assert not _sent(fake, "input_audio_buffer.speech_started")
