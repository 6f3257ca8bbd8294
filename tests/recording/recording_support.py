"""Shared by the recording tests: a scripted live session, a synthetic one, comparisons.

The live session has a text turn, a spoken turn (server VAD), a tool call with its follow-up answer
and an interruption (the last spoken answer cut at what the listener heard). It is written as
one function of a client, so a recording made live can be driven the same way on replay. The
synthetic session is written frame by frame with exact times, for exact metrics and timelines.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from openai_realtime import RealtimeClient, RealtimeConversation
from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.client import UserContentPart
from openai_realtime.protocol.codec import encode_client_event, encode_server_event
from openai_realtime.recording import FORMAT_VERSION, AudioMode, Recorder
from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder, ToolCall
from openai_realtime.types import (
    ClientEvent,
    ConversationItemCreateEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    RealtimeConversationItemFunctionCallOutput,
    RealtimeResponse,
    RealtimeResponseUsage,
    ResponseCreatedEvent,
    ResponseDoneEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseOutputAudioDeltaEvent,
    ResponseOutputTextDeltaEvent,
    ServerEvent,
)
from tests.support import WAIT, WEATHER_TOOL

__all__ = [
    "HEARD_SAMPLES",
    "LiveSession",
    "SyntheticRecording",
    "conversation_snapshot",
    "record_live_session",
    "run_scenario",
    "scripted_responder",
    "synthetic_session",
]

HEARD_SAMPLES = 12_000
"""How much of the last spoken answer the scenario's listener heard before interrupting."""

_CHUNK = SAMPLE_RATE // 10


def scripted_responder() -> ScriptedResponder:
    """The fake server's answers for :func:`run_scenario`, in order."""
    return ScriptedResponder(
        [
            Reply(text="Hello from the text turn."),
            Reply(audio_text="A spoken answer."),
            Reply(tool_calls=[ToolCall("get_weather", {"city": "Oslo"}, call_id="call_oslo")]),
            Reply(audio_text="It is mild in Oslo, twelve degrees."),
        ],
        transcripts=["what is the weather like"],
    )


async def get_weather(arguments: dict[str, Any]) -> dict[str, Any]:
    """The scenario's tool."""
    return {"city": arguments["city"], "temp_c": 12}


def _speech() -> NDArray[np.int16]:
    """Silence, a loud voiced second, then enough silence for the VAD to end the turn."""
    time = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    voiced = 9000 * np.sin(2 * np.pi * 180 * time) * (1.2 + np.sin(2 * np.pi * 3 * time))
    silence = np.zeros(SAMPLE_RATE // 2, dtype=np.int16)
    return np.concatenate([silence, voiced.astype(np.int16), silence, silence])


async def _respond_and_wait(
    client: RealtimeClient, responses: int, action: Awaitable[object]
) -> None:
    """Run ``action`` and wait (bounded) for ``responses`` ``response.done`` events."""
    done = 0
    finished = asyncio.Event()

    def count(_: object) -> None:
        nonlocal done
        done += 1
        if done == responses:
            finished.set()

    client.on("server.response.done", count)
    try:
        await action
        async with asyncio.timeout(WAIT):
            await finished.wait()
    finally:
        client.off("server.response.done", count)


async def run_scenario(client: RealtimeClient) -> None:
    """Drive a connected client through the four turns (see the module docstring)."""
    await client.update_session(
        turn_detection=None,
        output_modalities=["text"],
        input_audio_transcription={"model": "whisper-1"},
    )
    await client.add_tool(WEATHER_TOOL, get_weather)
    text: list[UserContentPart] = [{"type": "input_text", "text": "Hi there"}]
    await _respond_and_wait(client, 1, client.send_user_message_content(text))

    await client.update_session(
        turn_detection={"type": "server_vad", "silence_duration_ms": 300},
        output_modalities=["audio"],
    )
    speech = _speech()

    async def speak() -> None:
        for start in range(0, len(speech), _CHUNK):
            await client.append_input_audio(speech[start : start + _CHUNK])

    await _respond_and_wait(client, 1, speak())

    await client.update_session(turn_detection=None)
    question: list[UserContentPart] = [{"type": "input_text", "text": "Weather in Oslo?"}]
    await _respond_and_wait(client, 2, client.send_user_message_content(question))

    spoken = [item for item in client.conversation.get_items() if item.role == "assistant"]
    truncated = asyncio.ensure_future(
        client.wait_for_next("server.conversation.item.truncated", timeout=WAIT)
    )
    await client.cancel_response(spoken[-1].id, HEARD_SAMPLES)
    await truncated


def conversation_snapshot(conversation: RealtimeConversation) -> list[dict[str, Any]]:
    """Everything comparable about every item: ids, roles, text, transcripts, audio, tools."""
    snapshot = []
    for item in conversation.get_items():
        formatted = item.formatted
        tool = formatted.tool
        snapshot.append(
            {
                "id": item.id,
                "type": item.type,
                "role": item.role,
                "status": item.status,
                "text": formatted.text,
                "transcript": formatted.transcript,
                "audio_samples": len(formatted.audio_buffer),
                "audio": formatted.audio.tobytes(),
                "tool": None if tool is None else (tool.name, tool.call_id, tool.arguments),
                "output": formatted.output,
            }
        )
    return snapshot


class SyntheticRecording:
    """Builds a recording file line by line, with exact times, from typed events."""

    def __init__(self) -> None:
        header = (
            f'{{"format":"openai-realtime-recording","version":{FORMAT_VERSION},'
            '"started":"2025-01-01T12:00:00.000Z","model":"gpt-realtime",'
            '"url":"ws://127.0.0.1:1/v1/realtime","audio":"keep"}\n'
        )
        self.lines: list[str] = [header]

    def server(self, t: float, event: ServerEvent) -> None:
        """Add a received frame at ``t``."""
        self.raw(t, "server", encode_server_event(event))

    def client(self, t: float, event: ClientEvent) -> None:
        """Add a sent frame at ``t``."""
        self.raw(t, "client", encode_client_event(event))

    def raw(self, t: float, direction: str, frame: str) -> None:
        """Add any frame text at ``t``."""
        self.lines.append(json.dumps({"t": t, "dir": direction, "frame": frame}) + "\n")

    def data(self, extra: Sequence[str] = ()) -> bytes:
        """The file's bytes, with ``extra`` text appended as is."""
        return "".join([*self.lines, *extra]).encode()


def _created(response_id: str) -> ResponseCreatedEvent:
    return ResponseCreatedEvent(
        event_id=f"created_{response_id}",
        response=RealtimeResponse(id=response_id, status="in_progress"),
    )


def _done(
    response_id: str, status: Literal["completed", "cancelled"], tokens: tuple[int, int] | None
) -> ResponseDoneEvent:
    usage = None
    if tokens is not None:
        usage = RealtimeResponseUsage(
            input_tokens=tokens[0], output_tokens=tokens[1], total_tokens=sum(tokens)
        )
    return ResponseDoneEvent(
        event_id=f"done_{response_id}",
        response=RealtimeResponse(id=response_id, status=status, usage=usage),
    )


def _audio(response_id: str, n: int) -> ResponseOutputAudioDeltaEvent:
    return ResponseOutputAudioDeltaEvent(
        event_id=f"audio_{n}",
        response_id=response_id,
        item_id="item_a",
        output_index=0,
        content_index=0,
        delta="AAAA",
    )


def synthetic_session() -> SyntheticRecording:
    """Three turns: spoken (audio answer), tool call (text), cancelled with no output.

    Every time is a sum of powers of two, so the differences are exact in floating point.
    """
    session = SyntheticRecording()
    # Turn 1: speech 0.5..1.0, created 1.25, audio from 1.5, done 3.0.
    started = InputAudioBufferSpeechStartedEvent(event_id="s1", audio_start_ms=0, item_id="u1")
    session.server(0.5, started)
    stopped = InputAudioBufferSpeechStoppedEvent(event_id="s2", audio_end_ms=500, item_id="u1")
    session.server(1.0, stopped)
    session.server(1.25, _created("resp_1"))
    session.server(1.5, _audio("resp_1", 1))
    session.server(1.75, _audio("resp_1", 2))
    session.server(3.0, _done("resp_1", "completed", (100, 20)))
    # Turn 2: created 4.0, first text 4.125, arguments 4.25..4.5, output sent 5.0, done 4.75.
    session.server(4.0, _created("resp_2"))
    session.server(
        4.125,
        ResponseOutputTextDeltaEvent(
            event_id="t1", response_id="resp_2", item_id="i2", output_index=0,
            content_index=0, delta="Let me check.",
        ),
    )  # fmt: skip
    session.server(
        4.25,
        ResponseFunctionCallArgumentsDeltaEvent(
            event_id="a1", response_id="resp_2", item_id="fc", output_index=1,
            call_id="call_1", delta='{"city"',
        ),
    )  # fmt: skip
    session.server(
        4.5,
        ResponseFunctionCallArgumentsDoneEvent(
            event_id="a2", response_id="resp_2", item_id="fc", output_index=1,
            call_id="call_1", name="get_weather", arguments='{"city": "Oslo"}',
        ),
    )  # fmt: skip
    session.server(4.75, _done("resp_2", "completed", (300, 40)))
    output = RealtimeConversationItemFunctionCallOutput(call_id="call_1", output="{}")
    session.client(5.0, ConversationItemCreateEvent(item=output))
    # Turn 3: created 6.0, cancelled at 6.5 before any output, no usage.
    session.server(6.0, _created("resp_3"))
    session.server(6.5, _done("resp_3", "cancelled", None))
    return session


@dataclass(frozen=True)
class LiveSession:
    """What the live run left behind.

    Attributes:
        path: The recording.
        snapshot: The live client's conversation, as ``conversation_snapshot`` gives it.
        server_url: The fake server's WebSocket URL.
        received: Every frame the server received, in order.
        sent: Every frame the server sent, in order.
        dropped_frames: What the recorder dropped.
    """

    path: Path
    snapshot: list[dict[str, Any]]
    server_url: str
    received: list[str | bytes]
    sent: list[str | bytes]
    dropped_frames: int


async def record_live_session(path: Path, *, audio: AudioMode = "keep") -> LiveSession:
    """Run the scenario against a fake server, recording the client's connection."""
    async with FakeRealtimeServer(responder=scripted_responder()) as server:
        client = RealtimeClient(url=server.url)
        with Recorder.attach(client.realtime, path, audio=audio) as recorder:
            async with client:
                await run_scenario(client)
        record = server.connections[-1]
        return LiveSession(
            path,
            conversation_snapshot(client.conversation),
            server.url,
            list(record.received),
            list(record.sent),
            recorder.dropped_frames,
        )
