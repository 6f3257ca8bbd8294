"""``openai-realtime serve``: the voice page, with the fake server (default) or OpenAI behind it.

The page (relay mode or WebRTC mode, chosen on the page) talks to this process; the API key
stays here. With the fake server a fresh random key is made for it, so nothing ever needs a
real key; ``--live`` uses ``OPENAI_API_KEY`` and OpenAI's Realtime API.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from openai_realtime.api import DEFAULT_URL
from openai_realtime.cli._common import (
    LIVE_DESCRIPTION,
    CommandError,
    Subparsers,
    add_model_option,
    notice,
    port_number,
)
from openai_realtime.relay import RelayTool
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.web import VoiceServer

__all__ = ["register", "run_serve"]

_INSTRUCTIONS = "You are a friendly voice assistant. Keep answers short."


def register(subparsers: Subparsers) -> None:
    """Add the ``serve`` command.

    Args:
        subparsers: The top-level parser's subcommands.
    """
    parser = subparsers.add_parser(
        "serve",
        help="serve a voice chat page for the browser, until Ctrl-C",
        description=(
            "Serve a voice chat page on this machine: microphone in, spoken answers out, "
            "through a relay (WebSocket) or WebRTC, with tools run on this server. Talks to "
            "a built-in fake server unless --live is given."
        ),
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="use the OpenAI API (needs OPENAI_API_KEY) instead of a local fake server",
    )
    add_model_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=port_number, default=8000, help="page port (default: 8000; 0: any free)"
    )
    parser.set_defaults(run=run_serve)


def _current_time(_arguments: dict[str, Any]) -> dict[str, str]:
    return {"utc": datetime.now(UTC).isoformat(timespec="seconds")}


CLOCK_TOOL = RelayTool(
    "get_current_time",
    _current_time,
    description="The current date and time (UTC).",
)
"""The example tool the page's server runs (the model calls it; the browser never does)."""


async def run_serve(args: argparse.Namespace) -> int:
    """Serve the page until cancelled (Ctrl-C).

    Args:
        args: ``live``, ``model``, ``host`` and ``port`` are read.

    Returns:
        Only in theory: the command ends by cancellation (Ctrl-C).

    Raises:
        CommandError: ``--live`` without ``OPENAI_API_KEY``.
        OSError: The address cannot be bound.
    """
    if args.live and not os.environ.get("OPENAI_API_KEY"):
        raise CommandError("--live needs OPENAI_API_KEY in the environment")
    async with _upstream(args.live) as (url, key, description):
        server = VoiceServer(
            url,
            api_key=key,
            model=args.model,
            tools=[CLOCK_TOOL],
            instructions=_INSTRUCTIONS,
            host=args.host,
            port=args.port,
        )
        async with server:
            print(f"voice page: {server.url}", flush=True)
            print(f"upstream: {description}", flush=True)
            print("Open the page, press Connect and talk. Ctrl-C stops.", flush=True)
            await asyncio.Event().wait()
    return 0


@asynccontextmanager
async def _upstream(live: bool) -> AsyncIterator[tuple[str, str | None, str]]:
    """Where the page's server connects, with which key, and how to describe it."""
    if live:
        # VoiceServer reads OPENAI_API_KEY itself for OpenAI's host (and says so if missing).
        yield DEFAULT_URL, None, LIVE_DESCRIPTION
        return
    key = "sk-fake-" + secrets.token_hex(16)
    async with FakeRealtimeServer(api_key=key) as server:
        notice("no --live: answers come from the built-in fake server")
        yield server.url, key, f"the built-in fake server at {server.url}"
