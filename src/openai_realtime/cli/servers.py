"""``openai-realtime fake-server`` and ``openai-realtime relay``: servers that run until Ctrl-C.

Both print the URL clients connect to once it is bound (so ``--port 0``, any free port, works)
and never print a key. The fake server forgets each connection's frames when it closes, and
keeps at most ``--record-frames`` of them per direction while it is open, so a server under
load for hours does not grow.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from yarl import URL

from openai_realtime.api import DEFAULT_URL
from openai_realtime.cli._common import (
    LIVE_DESCRIPTION,
    PROG,
    CommandError,
    Subparsers,
    add_model_option,
    describe_fake_server,
    notice,
    number_type,
    port_number,
)
from openai_realtime.cli._secrets import SecretOption, add_secret_option, read_secret
from openai_realtime.credentials import redact_url
from openai_realtime.errors import InsecureTransportError
from openai_realtime.relay import RealtimeRelay, serve_relay
from openai_realtime.testing import FakeRealtimeServer

__all__ = [
    "DEFAULT_RECORD_FRAMES",
    "FAKE_UPSTREAM",
    "fake_server_from",
    "register",
    "run_fake_server",
    "run_relay",
]

FAKE_UPSTREAM: Final = "fake"
"""``--upstream fake``: the relay's upstream is a fake server started in the same process."""
DEFAULT_RECORD_FRAMES: Final = 100
"""Frames per direction kept of each open connection (the library's default is 1000)."""
_OPENAI_HOST: Final = "api.openai.com"
_KEY_FROM_ENVIRONMENT: Final = object()
RELAY_TOKEN: Final = SecretOption("--token", "OPENAI_REALTIME_RELAY_TOKEN", "relay token")
"""The relay's token: ``--token-file``, ``OPENAI_REALTIME_RELAY_TOKEN`` or ``--token``."""
_STOP_HINT: Final = "Press Ctrl-C to stop."


def register(subparsers: Subparsers) -> None:
    """Add the ``fake-server`` and ``relay`` commands.

    Args:
        subparsers: The main parser's subcommands.
    """
    fake = subparsers.add_parser(
        "fake-server",
        help="run the local fake Realtime server until Ctrl-C",
        description="Run a FakeRealtimeServer: a local, protocol-faithful Realtime API server.",
    )
    _add_address_options(fake, port=8765)
    fake.add_argument(
        "--pace",
        type=_positive,
        default=None,
        help="stream answers at this many times real time (default: as fast as possible)",
    )
    fake.add_argument(
        "--time-scale",
        type=_positive,
        default=1.0,
        metavar="SCALE",
        help="real seconds per second of server time; 0.05 runs pacing and timers 20 times "
        "faster, with the same events (default: 1, real time)",
    )
    fake.add_argument(
        "--record-frames",
        type=_count,
        default=DEFAULT_RECORD_FRAMES,
        metavar="N",
        help="frames per direction kept in memory for each open connection; closed "
        f"connections are forgotten (default: {DEFAULT_RECORD_FRAMES})",
    )
    fake.add_argument(
        "--api-key-required",
        nargs="?",
        const=_KEY_FROM_ENVIRONMENT,
        default=None,
        metavar="KEY",
        help="refuse clients without this key (without a value: the key in OPENAI_API_KEY)",
    )
    fake.set_defaults(run=run_fake_server)

    relay = subparsers.add_parser(
        "relay",
        help="run a relay that keeps the API key on this machine, until Ctrl-C",
        description=(
            "Run a RealtimeRelay: clients connect without an API key, the relay connects "
            "upstream with OPENAI_API_KEY and checks every client event on the way."
        ),
    )
    _add_address_options(relay, port=8081)
    relay.add_argument(
        "--upstream",
        default=DEFAULT_URL,
        metavar="URL",
        help=f"upstream Realtime URL, or {FAKE_UPSTREAM!r} for a fake server started here "
        "(default: OpenAI, which needs OPENAI_API_KEY)",
    )
    add_model_option(relay)
    add_secret_option(relay, RELAY_TOKEN)
    relay.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="an Origin browsers may connect from (repeatable; default: any)",
    )
    relay.add_argument(
        "--allow-event",
        action="append",
        metavar="TYPE",
        help="a client event type to forward (repeatable; default: every type)",
    )
    relay.add_argument(
        "--deny-session-field",
        action="append",
        default=[],
        metavar="FIELD",
        help="a session field clients may not set, e.g. instructions (repeatable)",
    )
    relay.set_defaults(run=run_relay)


_positive: Final = number_type(float, lambda number: 0 < number < math.inf, "a positive number")
"""An argparse type: a positive finite number (a pace or a time scale)."""
_count: Final = number_type(int, lambda count: count >= 0, "a whole number at least 0")
"""An argparse type: a whole number, 0 or more."""


def _add_address_options(parser: argparse.ArgumentParser, *, port: int) -> None:
    """Add ``--host`` and ``--port``: where a server listens."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=port_number, default=port, help=f"port; 0 picks a free one (default: {port})"
    )


def fake_server_from(args: argparse.Namespace) -> FakeRealtimeServer:
    """The fake server ``fake-server`` runs, built from its options (not started).

    Args:
        args: ``host``, ``port``, ``pace``, ``time_scale``, ``record_frames`` and
            ``api_key_required`` are read.

    Returns:
        The server; it keeps no record of closed connections.

    Raises:
        CommandError: ``--api-key-required`` without a value and no ``OPENAI_API_KEY``.
    """
    required_key = args.api_key_required
    if required_key is _KEY_FROM_ENVIRONMENT:
        required_key = os.environ.get("OPENAI_API_KEY")
        if not required_key:
            raise CommandError("--api-key-required without a value needs OPENAI_API_KEY")
    elif required_key is not None:
        notice(
            "warning: --api-key-required KEY shows the key to every user of this machine; "
            "set OPENAI_API_KEY and pass --api-key-required without a value"
        )
    return FakeRealtimeServer(
        args.host,
        args.port,
        api_key=required_key,
        pace=args.pace,
        time_scale=args.time_scale,
        record_frames=args.record_frames,
        keep_closed_connections=0,
    )


async def run_fake_server(args: argparse.Namespace) -> int:
    """Serve until cancelled (Ctrl-C).

    Args:
        args: The options :func:`fake_server_from` reads.

    Returns:
        Only in theory: the command ends by cancellation (Ctrl-C).

    Raises:
        CommandError: ``--api-key-required`` without a value and no ``OPENAI_API_KEY``.
        OSError: The address cannot be bound.
    """
    server = fake_server_from(args)
    async with server:
        print(f"fake Realtime server listening on {server.url}", flush=True)
        key_required = args.api_key_required is not None
        who = "clients must send the required API key" if key_required else "no API key needed"
        print(f"({who}) Connect with RealtimeClient(url={server.url!r}).", flush=True)
        print(_STOP_HINT, flush=True)
        await asyncio.Event().wait()
    return 0


async def run_relay(args: argparse.Namespace) -> int:
    """Relay until cancelled (Ctrl-C).

    Args:
        args: ``host``, ``port``, ``upstream``, the relay token (see :data:`RELAY_TOKEN`),
            ``allow_origin``, ``allow_event``, ``deny_session_field`` and ``model`` are read.

    Returns:
        Only in theory: the command ends by cancellation (Ctrl-C).

    Raises:
        CommandError: OpenAI's upstream without ``OPENAI_API_KEY``, or a key that would
            travel over plain ``ws://``.
        ConfigurationError: Another setting cannot work (e.g. an upstream that is not a
            WebSocket URL).
        OSError: The address cannot be bound.
    """
    if (
        args.upstream != FAKE_UPSTREAM
        and URL(args.upstream).host == _OPENAI_HOST
        and not os.environ.get("OPENAI_API_KEY")
    ):
        raise CommandError(
            "the OpenAI upstream needs an API key: set OPENAI_API_KEY; or relay to the "
            f"built-in fake upstream with '{PROG} relay --upstream {FAKE_UPSTREAM}'"
        )
    token = read_secret(args, RELAY_TOKEN)
    async with _upstream(args.upstream) as (upstream_url, upstream_description):
        try:
            relay = RealtimeRelay(
                upstream_url,
                model=args.model,
                relay_token=token,
                allowed_origins=args.allow_origin,
                allowed_client_events=args.allow_event,
                denied_session_fields=args.deny_session_field,
                host=args.host,
                port=args.port,
            )
        except InsecureTransportError:
            raise CommandError(
                "refusing to send the API key over plain ws:// to "
                f"{URL(upstream_url).host}; use a wss:// upstream"
            ) from None

        def announce(url: str) -> None:
            print(f"relay listening on {url}", flush=True)
            print(f"upstream: {upstream_description}", flush=True)
            who = "clients must present the relay token" if token else "no relay token"
            print(f"({who}) {_STOP_HINT}", flush=True)

        await serve_relay(relay, on_ready=announce)
    return 0


@asynccontextmanager
async def _upstream(upstream: str) -> AsyncIterator[tuple[str, str]]:
    """The upstream URL and how to describe it; ``fake`` runs a fake server meanwhile."""
    if upstream != FAKE_UPSTREAM:
        described = LIVE_DESCRIPTION if upstream == DEFAULT_URL else redact_url(URL(upstream))
        yield upstream, described
        return
    async with FakeRealtimeServer() as server:
        yield server.url, describe_fake_server(server)
