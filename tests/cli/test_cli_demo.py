"""``openai-realtime demo`` run as a real process, offline, from start to finish."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from cli_process import SAMPLE_RATE, read_reply_wav, run_cli, server_process

from openai_realtime.recording import read_recording


def test_demo_walks_through_every_step_against_the_fake_server(tmp_path: Path) -> None:
    finished = run_cli("demo", cwd=tmp_path)

    assert finished.returncode == 0, finished.stderr
    assert finished.stderr == ""
    lines = finished.stdout.splitlines()
    assert re.fullmatch(
        r"openai-realtime demo: talking to the fake server at "
        r"ws://127\.0\.0\.1:\d+/v1/realtime \(no API key needed\)",
        lines[0],
    )
    headers = [line for line in lines if line.startswith("== ")]
    assert headers == [
        "== 1. Session settings ==",
        "== 2. A text turn ==",
        "== 3. A spoken turn, ended by server VAD ==",
        "== 4. A tool call, run by the add_tool handler ==",
        "== 5. An interruption: cancel_response(item_id, sample_count) ==",
        "== Done ==",
    ]
    assert (
        "The server confirmed: voice marin, input transcription gpt-4o-mini-transcribe, "
        "turn detection server_vad" in lines
    )
    assert "assistant: 2 + 3 is 5." in lines
    assert any(line.startswith("(server VAD: speech stopped at") for line in lines)
    assert any(re.fullmatch(r"you \(transcribed\): \(\d\.\d seconds of audio\)", x) for x in lines)
    assert 'tool: get_weather({"city": "Paris"}) -> ' in finished.stdout
    assert any(line.startswith("assistant: The get_weather tool returned: {") for line in lines)
    assert any(line.endswith("[cut off]") for line in lines)
    assert "The server cut the answer at 1000 ms" in finished.stdout

    reply = tmp_path / "demo-reply.wav"
    assert lines[-2].startswith("Wrote ") and lines[-2].endswith(f"to {reply}")
    assert lines[-1].startswith("Try next: openai-realtime chat, openai-realtime talk IN.wav")
    samples = read_reply_wav(reply)
    assert len(samples) > 2 * SAMPLE_RATE  # four spoken answers, the last one cut at 1 s


async def test_demo_against_a_running_fake_server_with_a_recording(tmp_path: Path) -> None:
    async with server_process("fake-server", "--port", "0", cwd=tmp_path) as server:
        finished = await asyncio.to_thread(
            run_cli, "demo", "--url", server.url, "--record", "demo.jsonl", cwd=tmp_path
        )
        await server.interrupt()

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.startswith(
        f"openai-realtime demo: talking to the server at {server.url}\n"
    )
    assert "== Done ==" in finished.stdout
    recording = read_recording(tmp_path / "demo.jsonl")
    sent = [json.loads(frame.frame)["type"] for frame in recording.frames]
    assert {"response.create", "conversation.item.truncate", "response.done"} <= set(sent)
