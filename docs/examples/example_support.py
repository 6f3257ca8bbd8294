"""What every example shares: the ``--live`` switch and the local server used without it.

Without ``--live`` an example talks to a :class:`~openai_realtime.testing.FakeRealtimeServer` on
127.0.0.1, so it runs offline, with no key, in seconds. With ``--live`` it talks to OpenAI with
the key in ``OPENAI_API_KEY``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from openai_realtime.testing import FakeRealtimeServer

__all__ = ["argument_parser", "realtime_url", "serve_webhook"]


def argument_parser(description: str | None) -> argparse.ArgumentParser:
    """A parser with the ``--live`` flag; an example adds its own arguments to it.

    Args:
        description: The example's docstring, shown by ``--help``.

    Returns:
        The parser.
    """
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--live", action="store_true", help="talk to OpenAI (needs OPENAI_API_KEY)")
    return parser


@asynccontextmanager
async def realtime_url(live: bool, **fake_server_options: Any) -> AsyncIterator[str | None]:
    """Where to connect: ``None`` (OpenAI's URL) when live, else a fake server started here.

    Args:
        live: Talk to OpenAI instead of a local fake server.
        **fake_server_options: Passed to ``FakeRealtimeServer`` (e.g. ``responder``, ``pace``).

    Yields:
        ``None`` for OpenAI (``RealtimeClient(url=None)`` reads ``OPENAI_API_KEY``), or the
        fake server's ``ws://127.0.0.1:<port>/v1/realtime`` URL.

    Like the ``openai-realtime`` command, ``--live`` without ``OPENAI_API_KEY`` says so on
    stderr and falls back to the fake server.
    """
    if live and os.environ.get("OPENAI_API_KEY"):
        yield None
        return
    if live:
        print("--live needs OPENAI_API_KEY; using a local fake server instead", file=sys.stderr)
    async with FakeRealtimeServer(**fake_server_options) as server:
        yield server.url


@asynccontextmanager
async def serve_webhook(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """Serve ``handler`` at ``POST /webhook`` on 127.0.0.1 (a free port) while in the block.

    Args:
        handler: The application's webhook handler.

    Yields:
        The webhook's URL, ``http://127.0.0.1:<port>/webhook``.
    """
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"
    finally:
        await runner.cleanup()
