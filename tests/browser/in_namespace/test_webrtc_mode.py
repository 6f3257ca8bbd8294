"""The voice page in WebRTC mode, in headless Chromium inside the test's network namespace.

The page holds only a client secret; the server's sideband (with the key) sets the session
and runs the tool; the fake plays the answer into the call in real time and, on barge-in,
truncates it at what its track had sent. The page sends no truncate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_conversation import (
    ANSWER,
    API_KEY,
    QUESTION,
    WeatherTool,
    microphone,
    responder,
)
from browser_harness import open_browser, write_microphone

from openai_realtime import RealtimeClient
from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder
from openai_realtime.testing.synth import DEFAULT_MS_PER_CHAR
from openai_realtime.web import VoiceServer
from tests.support import WAIT, allow_namespace_network
from tests.support.netns import NAMESPACE_NETWORK, inside_network_namespace

RATE = 24000
INSTRUCTIONS = "You are a weather assistant."


@pytest.fixture(autouse=True)
def namespace_network() -> Iterator[None]:
    if not inside_network_namespace():
        pytest.fail("WebRTC tests run only inside their network namespace")
    with allow_namespace_network(NAMESPACE_NETWORK):
        yield


def _events(frames: Any, event_type: str) -> list[dict[str, Any]]:
    decoded = (json.loads(frame) for frame in frames if isinstance(frame, str))
    return [event for event in decoded if event.get("type") == event_type]


async def test_a_spoken_turn_a_sideband_tool_and_a_barge_in_truncated_by_the_service(
    tmp_path: Path,
) -> None:
    weather = WeatherTool()
    async with (
        FakeRealtimeServer(api_key=API_KEY, responder=responder(), record_frames=5000) as fake,
        VoiceServer(
            fake.url, api_key=API_KEY, tools=[weather.tool()], instructions=INSTRUCTIONS
        ) as server,
    ):
        with open_browser(microphone(tmp_path)) as browser:
            await browser.open(f"{server.url}?mode=webrtc&turns=vad&autoconnect=1")
            await browser.until("window.voice.status === 'connected'")
            await browser.until("window.voice.events['conversation.item.truncated']")
            played_at_cut = await browser.state("window.voice.answer_played")
            state = await browser.state()
            everything = await browser.everything_received()
        attached = server.sidebands_attached

    assert state["errors"] == []
    lines = state["transcript"]
    # The spoken turn: both sides in the transcript, and the page played the answer's sound.
    assert {"role": "user", "text": QUESTION} in lines
    assert any(line["role"] == "assistant" and ANSWER.startswith(line["text"]) for line in lines)
    assert played_at_cut > 0.5 * RATE

    # The sideband owned the session and ran the tool; the page sent no tool output.
    assert weather.calls == [{"city": "Paris"}]
    assert attached == 1
    call = fake.connections[0]
    updates = [event["session"] for event in _events(call.received, "session.update")]
    assert any(update.get("instructions") == INSTRUCTIONS for update in updates)
    assert any("get_weather" in json.dumps(update.get("tools")) for update in updates)
    outputs = _events(call.received, "conversation.item.create")
    assert [event["item"]["type"] for event in outputs] == ["function_call_output"]

    # The service truncated at what its track had played, near what the page played, and at
    # least a second short of the whole answer; the page sent no truncate.
    assert not _events(call.received, "conversation.item.truncate")
    [truncated] = _events(call.sent, "conversation.item.truncated")
    played_ms = played_at_cut * 1000 / RATE
    assert abs(truncated["audio_end_ms"] - played_ms) < 400
    assert truncated["audio_end_ms"] + 1000 <= len(ANSWER) * DEFAULT_MS_PER_CHAR

    # Only the short-lived client secret reached the page, never the key.
    bodies = [
        json.loads(body) for body in everything["http"] if body.startswith('{"client_secret"')
    ]
    secrets = [body["client_secret"] for body in bodies]
    assert [secret[:3] for secret in secrets] == ["ek_"]
    assert any("v=0" in body for body in everything["http"])  # the SDP answer
    assert not [text for kind in everything.values() for text in kind if API_KEY in text]


async def test_push_to_talk_over_the_answer_cancels_and_clears_it_and_starts_a_turn(
    tmp_path: Path,
) -> None:
    spoken = ScriptedResponder(
        [Reply(text=ANSWER), Reply(text="Tomorrow it rains.")], transcripts=["And tomorrow?"]
    )
    wav = write_microphone(tmp_path / "steady.wav", [("silence", 0.2), ("speech", 20.0)])
    # Generated a little faster than it is spoken: still streaming when the button goes down.
    async with (
        FakeRealtimeServer(api_key=API_KEY, responder=spoken, pace=1.5, record_frames=5000) as fake,
        VoiceServer(fake.url, api_key=API_KEY) as server,
    ):
        with open_browser(wav) as browser:
            await browser.open(f"{server.url}?mode=webrtc&turns=ptt&autoconnect=1")
            await browser.until("window.voice.status === 'connected'")
            # Our own sideband asks for the first answer (the microphone is off until pressed).
            call_id = await browser.state("window.voice.call_id")
            async with RealtimeClient(fake.url, api_key=API_KEY, call_id=call_id) as sideband:
                reply = await sideband.send_user_message_content(
                    [{"type": "input_text", "text": "What is the weather in Paris?"}]
                )
                await browser.until(f"window.voice.answer_played >= {RATE // 2}")
                await browser.hold("talk")
                first = await reply.done(timeout=WAIT)
                await browser.until("window.voice.events['output_audio_buffer.cleared']")
                await browser.until("performance.now() - window.voice.talking_since >= 600")
                await browser.release()
                await browser.until("window.voice.events['output_audio_buffer.stopped']")
            state = await browser.state()

    assert state["errors"] == []
    assert first.status == "cancelled"  # the press cancelled the answer still being spoken
    assert {"role": "user", "text": "And tomorrow?"} in state["transcript"]
    assert {"role": "assistant", "text": "Tomorrow it rains."} in state["transcript"]
    call = fake.connections[0]
    # The page turned server VAD off: the microphone spoke all along, no turn began by itself.
    assert call.sent_types["input_audio_buffer.speech_started"] == 0
    # The call answers output_audio_buffer.clear itself (no VAD, so only the page's clear
    # could have cleared it); the session got the rest, in order.
    assert state["events"]["output_audio_buffer.cleared"] == 1
    types = [json.loads(frame)["type"] for frame in call.received if isinstance(frame, str)]
    assert types[types.index("response.cancel") :] == [
        "response.cancel",
        "input_audio_buffer.clear",
        "input_audio_buffer.commit",
        "response.create",
    ]
