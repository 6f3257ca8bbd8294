"""``openai-realtime demo``: the quickstart, walked through step by step against a server.

Without ``--live`` (or without ``OPENAI_API_KEY``) it starts a fake server in this process, so
it needs no key and no network, and finishes in a few seconds. The steps: session settings, a
text turn, a spoken turn ended by server VAD, a tool call run by ``add_tool``'s handler, and an
interruption with ``cancel_response(item_id, sample_count)``. Everything the assistant says is
printed as it streams, and its speech is written to a WAV file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any, Final

import numpy as np

from openai_realtime.audio import SAMPLE_RATE, ms_to_samples
from openai_realtime.cli._common import (
    CommandError,
    Subparsers,
    add_connection_options,
    check_output_paths,
    new_client,
    open_target,
)
from openai_realtime.cli._printer import LivePrinter
from openai_realtime.cli._turns import (
    CHUNK_MS,
    REPLY_TIMEOUT,
    SERVER_VAD,
    TRANSCRIPTION,
    Responses,
    round_trip,
    save_speech,
    speak_turn,
)
from openai_realtime.client import RealtimeClient
from openai_realtime.local_events import ConversationUpdatedEvent
from openai_realtime.testing import synthesize_speech
from openai_realtime.types import (
    RealtimeConversationItemFunctionCall,
    RealtimeSessionCreateResponse,
    RealtimeTranscriptionSessionCreateResponse,
    ResponseDoneEvent,
)
from openai_realtime.types.params import RealtimeFunctionToolParam

__all__ = ["register", "run"]

DEMO_PACE: Final = 4.0
"""The fake server speaks four times faster than real time: lively, and over in seconds."""
INSTRUCTIONS: Final = "You are a friendly assistant. Keep your answers short."
VOICE: Final = "marin"
TEXT_QUESTION: Final = "What is 2 + 3?"
SPOKEN_WORDS: Final = "Hello there, can you hear me?"
WEATHER_QUESTION: Final = "What is the weather in Paris? Please use get_weather."
STORY_REQUEST: Final = (
    "Tell me a long story about a lighthouse keeper, the sea, and the ships that pass at night."
)
WEATHER_TOOL: Final[RealtimeFunctionToolParam] = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city name."}},
        "required": ["city"],
    },
}
RECEIVED_BEFORE_CUT_MS: Final = 1500
"""The interruption comes once this much of the answer has reached the player..."""
HEARD_MS: Final = 1000
"""...of which the listener has heard this much (the rest is still in the player's buffer)."""
_LEADING_SILENCE_MS: Final = 300
_NEXT_STEPS_LIVE: Final = (
    "Try next: openai-realtime chat --live, openai-realtime talk IN.wav --live"
)
_NEXT_STEPS: Final = (
    "Try next: openai-realtime chat, openai-realtime talk IN.wav; add --live (with "
    "OPENAI_API_KEY set) to talk to OpenAI instead."
)


def register(subparsers: Subparsers) -> None:
    """Add the ``demo`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "demo",
        help="walk through the quickstart (fake server unless --live or --url)",
        description=(
            "Walk through the quickstart: session settings, a text turn, a spoken turn, a tool "
            "call and an interruption. Uses a fake server started in this process unless "
            "--url names a server, or --live is given and OPENAI_API_KEY is set."
        ),
    )
    add_connection_options(parser)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("demo-reply.wav"),
        help="WAV file for the assistant's speech (default: demo-reply.wav)",
    )
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Run the walk-through.

    Args:
        args: ``out``, ``live``, ``url``, ``model`` and ``record`` are read.

    Returns:
        0 when every step completed.

    Raises:
        CommandError: An output file cannot be written, or a step got no answer in time.
        RealtimeError: The connection failed.
    """
    check_output_paths(args.out, args.record)
    async with open_target(args, pace=DEMO_PACE) as target:
        print(f"openai-realtime demo: talking to {target.description}", flush=True)
        walkthrough = _Walkthrough(new_client(target, args))
        await walkthrough.run()
        assistant_items = [
            item for item in walkthrough.client.conversation.get_items() if item.role == "assistant"
        ]
    seconds = save_speech(args.out, assistant_items)
    walkthrough.header("Done")
    walkthrough.printer.line(
        f"Wrote {seconds:.1f} s of the assistant's speech to {args.out.resolve()}"
    )
    walkthrough.printer.line(_NEXT_STEPS_LIVE if target.live else _NEXT_STEPS)
    return 0


class _Walkthrough:
    """The demo's steps, sharing one client, its printer and its response queue."""

    def __init__(self, client: RealtimeClient) -> None:
        self.client = client
        self.printer = LivePrinter(client, show_vad=True)
        self.responses = Responses(client)

    def header(self, title: str) -> None:
        self.printer.line(f"\n== {title} ==")

    async def run(self) -> None:
        await self.session_settings()
        async with self.client:
            await round_trip(self.client)
            self.printer.line(f"The server confirmed: {_describe(self.client.session)}")
            await self.text_turn()
            await self.spoken_turn()
            await self.tool_call()
            await self.interruption()

    async def session_settings(self) -> None:
        self.header("1. Session settings")
        self.printer.line(
            "update_session(instructions=..., voice=..., input_audio_transcription=..., "
            "turn_detection=...)"
        )
        self.printer.line(f"  instructions: {INSTRUCTIONS!r}")
        self.printer.line(f"  voice: {VOICE!r}; transcription: {TRANSCRIPTION.get('model')!r}")
        self.printer.line(f"  turn detection: {json.dumps(SERVER_VAD)}")
        # Set before connecting: connect() sends the whole configuration in one session.update.
        await self.client.update_session(
            instructions=INSTRUCTIONS,
            voice=VOICE,
            input_audio_transcription=TRANSCRIPTION,
            turn_detection=SERVER_VAD,
        )

    async def text_turn(self) -> None:
        self.header("2. A text turn")
        self.printer.line(f"you: {TEXT_QUESTION}")
        await self.client.send_user_message_content([{"type": "input_text", "text": TEXT_QUESTION}])
        await self.responses.next()

    async def spoken_turn(self) -> None:
        self.header("3. A spoken turn, ended by server VAD")
        silence = np.zeros(ms_to_samples(_LEADING_SILENCE_MS), dtype=np.int16)
        speech = np.concatenate((silence, synthesize_speech(SPOKEN_WORDS, SAMPLE_RATE)))
        self.printer.line(
            f"you: ({len(speech) / SAMPLE_RATE:.1f} s of synthetic speech, streamed in "
            f"{CHUNK_MS} ms chunks, then silence)"
        )
        await speak_turn(self.client, self.responses, speech)

    async def tool_call(self) -> None:
        self.header("4. A tool call, run by the add_tool handler")
        await self.client.add_tool(WEATHER_TOOL, self.get_weather)
        self.printer.line(f"you: {WEATHER_QUESTION}")
        await self.client.send_user_message_content(
            [{"type": "input_text", "text": WEATHER_QUESTION}]
        )
        called = await self.responses.next()
        if any(
            isinstance(item, RealtimeConversationItemFunctionCall) for item in called.output or []
        ):
            await self.responses.next()  # the answer made from the tool's output

    async def get_weather(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The demo's tool: a fixed forecast for any city."""
        forecast = {"city": arguments.get("city", "?"), "temperature_c": 18, "sky": "sunny"}
        self.printer.line(f"tool: get_weather({json.dumps(arguments)}) -> {json.dumps(forecast)}")
        return forecast

    async def interruption(self) -> None:
        self.header("5. An interruption: cancel_response(item_id, sample_count)")
        enough = asyncio.Event()
        playing: list[str] = []

        def watch_audio(event: ConversationUpdatedEvent) -> None:
            received = len(event.item.formatted.audio)
            if event.item.role == "assistant" and received >= ms_to_samples(RECEIVED_BEFORE_CUT_MS):
                playing[:] = [event.item.id]
                enough.set()

        def answer_finished(event: ResponseDoneEvent) -> None:
            enough.set()  # a short answer: interrupt what there is

        self.client.on("conversation.updated", watch_audio)
        self.client.on("server.response.done", answer_finished)
        truncated = asyncio.ensure_future(
            self.client.wait_for_next("server.conversation.item.truncated", REPLY_TIMEOUT)
        )
        try:
            self.printer.line(f"you: {STORY_REQUEST}")
            await self.client.send_user_message_content(
                [{"type": "input_text", "text": STORY_REQUEST}]
            )
            async with asyncio.timeout(REPLY_TIMEOUT):
                await enough.wait()
            item_id = playing[0] if playing else self._last_spoken_item()
            heard = ms_to_samples(HEARD_MS)
            await self.client.cancel_response(item_id, heard)
            await self.responses.next()
            cut = await truncated
        finally:
            truncated.cancel()
            self.client.off("conversation.updated", watch_audio)
            self.client.off("server.response.done", answer_finished)
        self.printer.line(
            f"The listener heard {HEARD_MS / 1000:.1f} s of the answer, so the client sent "
            f"cancel_response({item_id!r}, sample_count={heard})."
        )
        item = self.client.conversation.get_item(item_id)
        kept = len(item.formatted.audio) / SAMPLE_RATE if item is not None else 0.0
        self.printer.line(
            f"The server cut the answer at {cut.audio_end_ms} ms; the client's copy now holds "
            f"{kept:.1f} s of audio."
        )

    def _last_spoken_item(self) -> str:
        items = self.client.conversation.get_items()
        spoken = [i for i in items if i.role == "assistant" and len(i.formatted.audio)]
        if not spoken:
            raise CommandError("the answer has no audio to interrupt")
        return spoken[-1].id


def _describe(
    session: RealtimeSessionCreateResponse | RealtimeTranscriptionSessionCreateResponse | None,
) -> str:
    wire: dict[str, Any] = session.model_dump(mode="json", exclude_none=True) if session else {}
    audio = wire.get("audio", {})
    voice = audio.get("output", {}).get("voice", "default")
    transcription = (audio.get("input", {}).get("transcription") or {}).get("model", "off")
    detection = (audio.get("input", {}).get("turn_detection") or {}).get("type", "off")
    return f"voice {voice}, input transcription {transcription}, turn detection {detection}"
