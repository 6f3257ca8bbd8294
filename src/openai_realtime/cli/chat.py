"""``openai-realtime chat``: a text conversation from the terminal (or from piped lines).

Each line read from stdin is a user message; the assistant's answer is printed as it streams.
The conversation ends at end of input or at ``/quit``. Stdin is read by a daemon thread, so
Ctrl-C ends the command at once instead of waiting for a line that never comes.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from collections.abc import AsyncIterator
from typing import Final, TextIO

from openai_realtime.cli._common import (
    Subparsers,
    add_connection_options,
    check_output_paths,
    new_client,
    open_target,
)
from openai_realtime.cli._printer import LivePrinter
from openai_realtime.cli._turns import Responses

__all__ = ["QUIT_COMMANDS", "register", "run"]

QUIT_COMMANDS: Final = frozenset({"/quit", "/exit"})
_PROMPT: Final = "you> "


def register(subparsers: Subparsers) -> None:
    """Add the ``chat`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "chat",
        help="chat in text from stdin (fake server unless --live or --url)",
        description=(
            "A text chat: every line on stdin is a message, answers stream back. Ends at end "
            "of input or /quit. Uses a fake server started in this process unless --url "
            "names a server, or --live is given and OPENAI_API_KEY is set."
        ),
    )
    add_connection_options(parser)
    parser.add_argument("--instructions", help="session instructions for the assistant")
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Chat until end of input or ``/quit``.

    Args:
        args: ``instructions``, ``live``, ``url``, ``model`` and ``record`` are read.

    Returns:
        0.

    Raises:
        CommandError: The recording file cannot be written, or an answer did not come in
            time.
        RealtimeError: The connection failed.
    """
    check_output_paths(args.record)
    interactive = sys.stdin.isatty()
    async with open_target(args) as target:
        print(f"openai-realtime chat: talking to {target.description}", flush=True)
        if interactive:
            print("Type a message and press Enter; /quit or Ctrl-D ends the chat.", flush=True)
        client = new_client(target, args)
        printer = LivePrinter(client)
        responses = Responses(client)
        await client.update_session(output_modalities=["text"], turn_detection=None)
        if args.instructions:
            await client.update_session(instructions=args.instructions)
        async with client:
            async for line in _stdin_lines(prompt=_PROMPT if interactive else None):
                message = line.strip()
                if message in QUIT_COMMANDS:
                    break
                if not message:
                    continue
                if not interactive:
                    printer.line(f"you: {message}")  # piped input is not echoed by a terminal
                await client.send_user_message_content([{"type": "input_text", "text": message}])
                await responses.next()
                printer.end_line()
    return 0


async def _stdin_lines(*, prompt: str | None) -> AsyncIterator[str]:
    """Lines of stdin until end of input, read without blocking the event loop."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    reader = threading.Thread(
        target=_read_lines, args=(sys.stdin, loop, lines), name="stdin-reader", daemon=True
    )
    reader.start()
    while True:
        if prompt is not None:
            print(prompt, end="", flush=True)
        line = await lines.get()
        if line is None:
            return
        yield line


def _read_lines(
    stream: TextIO, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]
) -> None:
    for line in iter(stream.readline, ""):
        if not _hand_over(loop, lines, line):
            return
    _hand_over(loop, lines, None)


def _hand_over(
    loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None], line: str | None
) -> bool:
    try:
        loop.call_soon_threadsafe(lines.put_nowait, line)
    except RuntimeError:
        return False  # the loop has closed: the chat is over and nobody reads any more
    return True
