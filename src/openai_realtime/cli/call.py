"""``openai-realtime call WEBHOOK_URL``: place a simulated phone call to a running app.

The command starts a fake server (``--port``, 8765 by default) whose phone line sends a signed
``realtime.call.incoming`` webhook to ``WEBHOOK_URL``, then plays the caller: it waits for the
app to accept (or reject), says the ``--audio`` WAV file, presses the ``--dtmf`` keys at their
times and hangs up after ``--hang-up-after`` seconds unless the app ends the call first. The
app must use this fake server for call control and its sideband (the command prints both
URLs). It prints what the caller heard and how the call ended, and ``--out`` saves the audio.

The webhook secret is read from ``OPENAI_WEBHOOK_SECRET`` (never from the command line, where
other users of the machine could read it).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Final

import aiohttp

from openai_realtime.audio import write_wav
from openai_realtime.cli._common import (
    CommandError,
    Subparsers,
    UsageError,
    check_output_paths,
    notice,
    port_number,
)
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.testing.phone import DEFAULT_ANSWER_TIMEOUT

__all__ = ["SECRET_VARIABLE", "register", "run"]

SECRET_VARIABLE: Final = "OPENAI_WEBHOOK_SECRET"
"""The environment variable holding the webhook secret (``whsec_...``)."""
_DEFAULT_HANG_UP_AFTER: Final = 60.0


def _key_press(text: str) -> tuple[float, str]:
    seconds, separator, keys = text.partition(":")
    try:
        at = float(seconds)
    except ValueError:
        at = -1.0
    if not separator or at < 0 or not keys or any(key not in "0123456789*#" for key in keys):
        raise argparse.ArgumentTypeError(f"expected SECONDS:KEYS such as 2.5:123#, got {text!r}")
    return at, keys


def _sip_header(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def register(subparsers: Subparsers) -> None:
    """Add the ``call`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "call",
        help="place a simulated phone call to your app's webhook (fake server's phone line)",
        description=(
            "Start a fake server and call WEBHOOK_URL from its phone line: a signed "
            f"realtime.call.incoming webhook (secret from {SECRET_VARIABLE}), your audio and "
            "keypad presses, then print what the caller heard and how the call ended."
        ),
    )
    parser.add_argument("webhook_url", metavar="WEBHOOK_URL", help="your app's webhook URL")
    parser.add_argument(
        "--port", type=port_number, default=8765, help="the fake server's port (default: 8765)"
    )
    parser.add_argument("--audio", type=Path, metavar="IN.wav", help="what the caller says")
    parser.add_argument(
        "--dtmf",
        type=_key_press,
        action="append",
        default=[],
        metavar="SECONDS:KEYS",
        help="press KEYS SECONDS after the app's greeting (repeatable), e.g. 3:0",
    )
    parser.add_argument("--from", dest="caller", default="+15550100", help="the caller's number")
    parser.add_argument(
        "--header",
        type=_sip_header,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra SIP header of the INVITE (repeatable)",
    )
    parser.add_argument(
        "--answer-timeout",
        type=_seconds,
        default=DEFAULT_ANSWER_TIMEOUT,
        metavar="SECONDS",
        help=f"ring this long before giving up (default: {DEFAULT_ANSWER_TIMEOUT:g})",
    )
    parser.add_argument(
        "--hang-up-after",
        type=_seconds,
        default=_DEFAULT_HANG_UP_AFTER,
        metavar="SECONDS",
        help=f"the caller hangs up after this long (default: {_DEFAULT_HANG_UP_AFTER:g})",
    )
    parser.add_argument("--out", type=Path, metavar="OUT.wav", help="save what the caller heard")
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Place the call and report it.

    Returns:
        0 when the app answered the call (accepted, or rejected on purpose), else an error.

    Raises:
        UsageError: ``OPENAI_WEBHOOK_SECRET`` is not set.
        CommandError: The webhook URL is unreachable or refused the webhook, or nobody
            answered.
    """
    secret = os.environ.get(SECRET_VARIABLE)
    if not secret:
        raise UsageError(f"set {SECRET_VARIABLE} to your webhook secret (whsec_...)")
    check_output_paths(args.out)
    if args.audio is not None and not args.audio.is_file():
        raise CommandError(f"{args.audio}: no such file")
    async with FakeRealtimeServer(port=args.port) as server:
        notice(f"call control: {server.http_url}  sideband: {server.url}?call_id=<id>")
        try:
            call = await server.place_call(
                args.webhook_url,
                secret=secret,
                caller=args.caller,
                sip_headers=dict(args.header),
                audio=args.audio,
                dtmf=args.dtmf,
                answer_timeout=args.answer_timeout,
                hang_up_after=args.hang_up_after,
            )
        except aiohttp.ClientError as error:
            message = f"{args.webhook_url}: the webhook was not delivered: {error}"
            raise CommandError(message) from None
        print(f"calling {call.call_id} from {args.caller}: webhook answered {call.webhook_status}")
        outcome = await call.ended()
    for transcript in call.heard_transcripts:
        print(f"heard: {transcript}")
    print(outcome.reason)
    if args.out is not None:
        write_wav(args.out, call.heard_audio, rate=call.heard_rate)
    if outcome.how == "unanswered":
        raise CommandError(
            f"nobody answered within {args.answer_timeout:g} s (webhook answered "
            f"HTTP {call.webhook_status})"
        )
    return 0
