"""``openai-realtime replay``: print a recorded session as a chat log, or serve it back.

Without ``--serve`` the recorded frames go through the SDK's codec and conversation store and
the conversation is printed (``--metrics`` adds the latency and token table). With ``--serve``
a :class:`~openai_realtime.recording.ReplayServer` plays the recorded server side to any client
that connects, until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Final

from openai_realtime.cli._common import (
    Subparsers,
    UsageError,
    number_type,
    port_number,
    read_recording_file,
)
from openai_realtime.recording import (
    Recording,
    ReplayServer,
    format_conversation,
    metrics_from_recording,
    replay_recording,
)

__all__ = ["DEFAULT_REPLAY_PORT", "describe_recording", "register", "run"]

DEFAULT_REPLAY_PORT: Final = 8766
"""Next to the fake server's 8765, so both can run at once."""
_DEFAULT_HOST: Final = "127.0.0.1"
_DEFAULT_SPEED: Final = 1.0


def register(subparsers: Subparsers) -> None:
    """Add the ``replay`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "replay",
        help="print a recorded session as a chat log, or serve it back to a client",
        description=(
            "Rebuild the conversation of a recording (client.start_recording, or "
            "RealtimeClient(record=...)) with the SDK's own codec and store, and print it. "
            "With --serve, play the recorded server side to clients that connect, until Ctrl-C."
        ),
    )
    parser.add_argument("recording", help="the .jsonl recording file")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--metrics", action="store_true", help="also print latency and token metrics per turn"
    )
    mode.add_argument(
        "--serve", action="store_true", help="serve the recording to clients instead of printing"
    )
    # The serving options default to None so that giving one without --serve is noticed.
    parser.add_argument(
        "--host", help=f"with --serve: interface to bind (default: {_DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=port_number,
        help=f"with --serve: port; 0 picks a free one (default: {DEFAULT_REPLAY_PORT})",
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        help="with --serve: 1 keeps the recorded timing, 2 is twice as fast, 0 is instant "
        "(default: 1)",
    )
    parser.set_defaults(run=run)


_speed: Final = number_type(float, lambda speed: speed >= 0, "a number at least 0")
"""An argparse type: a speed factor, 0 or more (not nan)."""


def describe_recording(recording: Recording) -> str:
    """One line about a recording: model, start, frames, and whether it is complete.

    Args:
        recording: The recording.

    Returns:
        E.g. ``gpt-realtime, recorded 2025-01-01T12:00:00.000Z: 412 frames over 12.345 s``.
    """
    header = recording.header
    line = (
        f"{header.model or 'unknown model'}, recorded {header.started}: "
        f"{len(recording.frames)} frames over {recording.duration:.3f} s"
    )
    if header.audio == "length":
        line += " (audio omitted: replayed as silence)"
    if recording.dropped_frames:
        line += f"; {recording.dropped_frames} frames were dropped while recording"
    if recording.partial_last_line:
        line += "; an unfinished last line was ignored"
    return line


async def run(args: argparse.Namespace) -> int:
    """Print the recorded conversation, or serve the recording until Ctrl-C.

    Args:
        args: ``recording``, ``metrics``, ``serve``, ``host``, ``port`` and ``speed`` are read.

    Returns:
        0.

    Raises:
        UsageError: ``--host``, ``--port`` or ``--speed`` without ``--serve``.
        CommandError: The file is not a recording.
        OSError: The recording cannot be read, or the address cannot be bound.
    """
    serving_options = {"--host": args.host, "--port": args.port, "--speed": args.speed}
    given = [name for name, value in serving_options.items() if value is not None]
    if given and not args.serve:
        raise UsageError(f"{', '.join(given)} {'needs' if len(given) == 1 else 'need'} --serve")
    recording = read_recording_file(args.recording)
    print(describe_recording(recording), flush=True)
    if args.serve:
        async with ReplayServer(
            recording,
            host=_DEFAULT_HOST if args.host is None else args.host,
            port=DEFAULT_REPLAY_PORT if args.port is None else args.port,
            speed=_DEFAULT_SPEED if args.speed is None else args.speed,
        ) as server:
            print(f"replay server listening on {server.url}", flush=True)
            print(f"Connect with RealtimeClient(url={server.url!r}). Press Ctrl-C to stop.")
            await asyncio.Event().wait()
        return 0
    print(format_conversation(replay_recording(recording)))
    if args.metrics:
        print()
        print(metrics_from_recording(recording).format())
    return 0
