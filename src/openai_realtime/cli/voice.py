"""``openai-realtime voice``: talk with the model through the microphone and speakers.

Full duplex by default: the microphone streams all the time, server VAD ends each turn, and when
you speak over the answer, playback stops at once and the answer is cut in the model's memory
where you stopped hearing it (:meth:`RealtimeClient.attach_player
<openai_realtime.client.RealtimeClient.attach_player>`). ``--push-to-talk`` turns VAD off: press
Enter to start talking (which also cuts the answer playing), Enter again to send.

Echo: with loudspeakers the microphone hears the answer, and server VAD takes it for you
interrupting. Use a headset, or ``--half-duplex`` (the microphone is ignored while the answer
plays; you cannot interrupt by voice). Real echo cancellation would subtract the played signal,
aligned by the output latency the player already measures, from the microphone (an adaptive
filter such as WebRTC's AEC3, or PulseAudio's ``module-echo-cancel`` in front of the devices);
this command does not do that.

Needs the ``voice`` extra (``pip install 'openai-realtime[voice]'``) and PortAudio
(``libportaudio2`` on Debian).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from openai_realtime.cli._common import (
    CommandError,
    Subparsers,
    add_connection_options,
    check_output_paths,
    new_client,
    open_target,
)
from openai_realtime.cli._printer import LivePrinter
from openai_realtime.cli._turns import SERVER_VAD, TRANSCRIPTION, round_trip
from openai_realtime.client import RealtimeClient
from openai_realtime.errors import ConfigurationError
from openai_realtime.microphone import Microphone
from openai_realtime.player import AudioPlayer, DeviceSink, import_sounddevice
from openai_realtime.types import ResponseDoneEvent

__all__ = ["register", "run"]

_METER_WIDTH: Final = 30
_METER_FLOOR_DBFS: Final = -60.0
_DRAIN_TIMEOUT: Final = 60.0


def register(subparsers: Subparsers) -> None:
    """Add the ``voice`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "voice",
        help="voice chat through the microphone and speakers (fake server unless --live/--url)",
        description=(
            "Talk with the model from the terminal: live transcripts of both sides, barge-in "
            "that cuts the answer where you stopped hearing it. Ctrl-C ends."
        ),
    )
    add_connection_options(parser)
    parser.add_argument(
        "--list-devices", action="store_true", help="list the audio devices and exit"
    )
    parser.add_argument("--input", metavar="DEVICE", help="microphone: device index or name")
    parser.add_argument("--output", metavar="DEVICE", help="speaker: device index or name")
    parser.add_argument(
        "--push-to-talk",
        action="store_true",
        help="no server VAD: Enter starts talking (and cuts the answer), Enter again sends",
    )
    parser.add_argument(
        "--half-duplex",
        action="store_true",
        help="ignore the microphone while the answer plays (for loudspeakers without a headset)",
    )
    parser.add_argument(
        "--no-truncate",
        action="store_true",
        help="on an interruption only stop playback; do not cut the answer in the model's memory",
    )
    parser.add_argument(
        "--turns",
        type=int,
        metavar="N",
        help="end after N answers have been played (default: run until Ctrl-C)",
    )
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Run the voice chat until Ctrl-C (or ``--turns`` answers).

    Args:
        args: The parsed arguments.

    Returns:
        0.

    Raises:
        CommandError: No audio devices (the extra or PortAudio missing, or a bad device).
        RealtimeError: The connection failed.
    """
    if args.list_devices:
        print(_device_list(), flush=True)
        return 0
    if args.turns is not None and args.turns < 1:
        raise CommandError("--turns must be at least 1")
    check_output_paths(args.record)
    async with open_target(args) as target:
        print(f"openai-realtime voice: talking to {target.description}", flush=True)
        player = AudioPlayer()
        client = new_client(target, args)
        client.attach_player(player, truncate_on_interrupt=False if args.no_truncate else None)
        printer = LivePrinter(client, show_vad=not args.push_to_talk)
        await client.update_session(
            input_audio_transcription=TRANSCRIPTION,
            turn_detection=None if args.push_to_talk else SERVER_VAD,
        )
        async with _devices(player, args) as microphone, client:
            await round_trip(client)
            printer.line(_greeting(args))
            chat = _Chat(client, player, microphone, args)
            await chat.run()
    return 0


def _greeting(args: argparse.Namespace) -> str:
    if args.push_to_talk:
        return "Press Enter to talk, Enter again to send. Ctrl-C ends."
    return "Speak; a pause ends your turn, speaking over the answer interrupts it. Ctrl-C ends."


@asynccontextmanager
async def _devices(player: AudioPlayer, args: argparse.Namespace) -> AsyncIterator[Microphone]:
    try:
        sink = DeviceSink(player, device=_device(args.output))
        microphone = Microphone(device=_device(args.input))
    except ConfigurationError as error:
        raise CommandError(str(error)) from None
    with sink:
        async with microphone:
            yield microphone


def _device(text: str | None) -> int | str | None:
    return int(text) if text is not None and text.isdigit() else text


def _device_list() -> str:
    try:
        sd = import_sounddevice()
    except ConfigurationError as error:
        raise CommandError(str(error)) from None
    return str(sd.query_devices())


class _Chat:
    """The loops of one chat: microphone to client, the meter, push-to-talk keys, turn count."""

    def __init__(
        self,
        client: RealtimeClient,
        player: AudioPlayer,
        microphone: Microphone,
        args: argparse.Namespace,
    ) -> None:
        self._client = client
        self._player = player
        self._microphone = microphone
        self._args = args
        self._talking = not args.push_to_talk  # push-to-talk: only between two Enters
        self._answers = 0
        self._enough = asyncio.Event()
        self._meter = sys.stderr.isatty()
        client.on("server.response.done", self._on_response_done)

    def _on_response_done(self, event: ResponseDoneEvent) -> None:
        self._answers += 1
        if self._args.turns is not None and self._answers >= self._args.turns:
            self._enough.set()

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._stream())]
        if self._args.push_to_talk:
            tasks.append(asyncio.create_task(self._keys()))
        try:
            await self._enough.wait()
            # Let the last answer finish playing before leaving.
            async with asyncio.timeout(_DRAIN_TIMEOUT):
                while self._player.is_playing():
                    await asyncio.sleep(0.05)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._meter:
                print(file=sys.stderr)

    async def _stream(self) -> None:
        async for block in self._microphone:
            if self._meter:
                self._show_level()
            if not self._talking or (self._args.half_duplex and self._player.is_playing()):
                continue
            await self._client.append_input_audio(block)

    def _show_level(self) -> None:
        level = max(0.0, 1 - self._microphone.level / _METER_FLOOR_DBFS)
        bar = "#" * round(level * _METER_WIDTH)
        state = "talking" if self._talking else "muted  "
        print(f"\rmic {state} [{bar:<{_METER_WIDTH}}]", end="", file=sys.stderr, flush=True)

    async def _keys(self) -> None:
        # A reader on stdin, not a thread blocked in readline(): Ctrl-C must not wait for it.
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[bytes] = asyncio.Queue()
        descriptor = sys.stdin.fileno()

        def readable() -> None:
            data = os.read(descriptor, 4096)
            if not data:  # end of input: no more turns by key
                loop.remove_reader(descriptor)
            chunks.put_nowait(data)

        loop.add_reader(descriptor, readable)
        try:
            while data := await chunks.get():
                await self._key(data)
        finally:
            loop.remove_reader(descriptor)

    async def _key(self, data: bytes) -> None:
        for _ in range(data.count(b"\n")):
            if not self._talking:
                await self._client.interrupt_playback()
                self._talking = True
            else:
                self._talking = False
                await self._client.create_response()
