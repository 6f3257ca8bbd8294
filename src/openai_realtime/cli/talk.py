"""``openai-realtime talk IN.wav --out OUT.wav``: one spoken turn from a file, answer to a file.

The WAV file (any rate, any channel count: it is converted to 24 kHz mono) is streamed as the
user's turn under server VAD, followed by silence so the turn ends. The command prints the
user's transcript and the assistant's as they arrive, and writes the spoken answer.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.cli._common import (
    Progress,
    Subparsers,
    add_connection_options,
    check_output_paths,
    new_client,
    open_target,
)
from openai_realtime.cli._printer import LivePrinter
from openai_realtime.cli._turns import (
    CHUNK_MS,
    SERVER_VAD,
    TRANSCRIPTION,
    Responses,
    items_of,
    round_trip,
    save_speech,
    speak_turn,
)
from openai_realtime.cli._wav_input import add_output_wav_option, add_pace_option, read_input

__all__ = ["PROGRESS_MIN_SECONDS", "register", "run"]

PROGRESS_MIN_SECONDS: Final = 3.0
"""Inputs at least this long show a percentage on stderr while they stream."""


def register(subparsers: Subparsers) -> None:
    """Add the ``talk`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "talk",
        help="say a WAV file and save the spoken answer (fake server unless --live or --url)",
        description=(
            "Stream a WAV file as your spoken turn (server VAD ends it), print both "
            "transcripts and write the assistant's spoken answer to a WAV file."
        ),
    )
    add_connection_options(parser)
    parser.add_argument("input", type=Path, metavar="IN.wav", help="what you say: a PCM WAV file")
    add_output_wav_option(parser, default="reply.wav", what="the spoken answer")
    add_pace_option(parser)
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Say the file, wait for the answer, write it.

    Args:
        args: ``input``, ``out``, ``realtime``, ``live``, ``url``, ``model`` and ``record`` are
            read.

    Returns:
        0 when the answer was written.

    Raises:
        CommandError: An output file cannot be written, the input is not a readable WAV file,
            no speech was heard, or the answer did not come in time.
        OSError: A file cannot be read or written.
        RealtimeError: The connection failed.
    """
    check_output_paths(args.out, args.record)
    samples = read_input(args.input)
    seconds = len(samples) / SAMPLE_RATE
    async with open_target(args) as target:
        print(f"openai-realtime talk: talking to {target.description}", flush=True)
        client = new_client(target, args)
        printer = LivePrinter(client, show_vad=True)
        responses = Responses(client)
        await client.update_session(
            input_audio_transcription=TRANSCRIPTION, turn_detection=SERVER_VAD
        )
        async with client:
            await round_trip(client)  # the transcription setting is confirmed before speaking
            printer.line(
                f"you: {args.input.name} ({seconds:.1f} s), streamed in {CHUNK_MS} ms chunks"
            )
            progress = Progress(f"streaming {args.input.name}", seconds)
            response = await speak_turn(
                client,
                responses,
                samples,
                realtime=args.realtime,
                on_progress=progress.update if seconds >= PROGRESS_MIN_SECONDS else None,
            )
            printer.end_line()
            answer = items_of(client, response)
    written = save_speech(args.out, answer)
    print(f"Wrote {written:.1f} s of the assistant's speech to {args.out.resolve()}", flush=True)
    return 0
