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
from late_audio import LateAudioHop

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


async def test_pressing_talk_over_the_answer_cuts_it_where_playback_stopped_and_starts_a_turn(
    tmp_path: Path,
) -> None:
    spoken = ScriptedResponder(
        [Reply(text=ANSWER), Reply(text="Tomorrow it rains.")],
        transcripts=[QUESTION, "And tomorrow?"],
    )
    wav = write_microphone(tmp_path / "steady.wav", [("silence", 0.2), ("speech", 20.0)])
    # Paced a little faster than speech: the answer is still streaming when the button goes
    # down, so the page has to cancel it; the hop delivers three more deltas after the cancel,
    # as a distant service would, and the page must not play them.
    async with (
        FakeRealtimeServer(api_key=API_KEY, responder=spoken, pace=1.5, record_frames=5000) as fake,
        LateAudioHop(fake.url, late_deltas=3) as hop,
        VoiceServer(hop.url, api_key=API_KEY) as server,
    ):
        with open_browser(wav) as browser:
            await browser.open(f"{server.url}?mode=relay&turns=ptt&autoconnect=1")
            await browser.until("window.voice.events['session.updated'] >= 1")
            await browser.hold("talk")
            await browser.until("window.voice.sent_ms >= 600")
            await browser.release()
            await browser.until(f"window.voice.played >= {RATE}")  # a second of the answer
            played_before_press = await browser.state("window.voice.played")
            first_turn_ms = await browser.state("window.voice.sent_ms")

            await browser.hold("talk")
            cut = await browser.until("window.voice.truncations[0]")
            await browser.until("window.voice.events['conversation.item.truncated']")
            await browser.until(f"window.voice.sent_ms >= {first_turn_ms + 600}")
            await browser.release()
            await browser.until(
                "window.voice.events['response.done'] >= 2"
                " && window.voice.played === window.voice.enqueued"
            )
            page = await browser.state()

    assert page["errors"] == []
    assert {"role": "user", "text": "And tomorrow?"} in page["transcript"]
    assert {"role": "assistant", "text": "Tomorrow it rains."} in page["transcript"]
    first, second = (event["response"] for event in _sent(fake, "response.done"))
    assert first["status"] == "cancelled"  # still streaming when the button went down
    assert second["status"] == "completed"
    answer_id, next_id = first["output"][0]["id"], second["output"][0]["id"]

    # Playback stopped at the press: by the page's clock, a moment after the last reading.
    assert cut["item_id"] == answer_id
    assert cut["played"] == cut["played_total"]  # the first answer began at sample 0
    assert 0 <= cut["played"] - played_before_press < 0.4 * RATE
    assert abs(cut["audio_end_ms"] - cut["wall_ms"]) < 250
    # The truncate carried that clock, and the fake cut its copy there, short of what it sent.
    [truncate] = _received(fake, "conversation.item.truncate")
    assert truncate["item_id"] == answer_id and truncate["content_index"] == 0
    assert abs(truncate["audio_end_ms"] - cut["played"] * 1000 / RATE) <= 1
    [truncated] = _sent(fake, "conversation.item.truncated")
    assert truncated["audio_end_ms"] == truncate["audio_end_ms"]
    assert hop.held_deltas == 3  # audio of the old answer reached the page after the press
    assert cut["played"] < page["received"][answer_id]
    # Nothing of the old answer played after the press: everything played since is the new
    # answer, all of it.
    assert page["enqueued"] == page["played"] == cut["played"] + page["received"][next_id]

    # On the wire: the press cancelled the answer and emptied the input buffer before the new
    # turn's audio; the release committed the turn and asked for the next answer.
    sent = [json.loads(frame)["type"] for frame in fake.connections[0].received]
    after = sent[sent.index("response.cancel") :]
    assert "input_audio_buffer.append" not in after[: after.index("input_audio_buffer.clear")]
    assert "conversation.item.truncate" in after
    assert after[-2:] == ["input_audio_buffer.commit", "response.create"]
    assert after.count("input_audio_buffer.append") >= 15  # 600 ms in 40 ms chunks
