"""The ``openai-realtime`` command (also ``python -m openai_realtime``).

Commands: ``demo`` (the quickstart, walked through), ``chat`` (text chat from stdin), ``talk``
(a WAV file as a spoken turn, the answer to a WAV file), ``fake-server``, ``relay``, ``replay``
(a recorded session as a chat log, or served back to a live client) and ``timeline`` (a
recorded session drawn on one time axis, PNG or HTML). Global
options, accepted before or after the command: ``--live`` (use the OpenAI API, with the key in
``OPENAI_API_KEY``; otherwise a fake server runs in-process), ``--model`` and ``--debug``.

Exit codes: 0 success, 1 an error (one line on stderr; ``--debug`` adds the traceback), 2 a
usage error, 130 interrupted by Ctrl-C.

Adding a command: write a module in this package with a function
``register(subparsers: Subparsers) -> None`` (``Subparsers`` is in ``cli._common``) that
calls ``subparsers.add_parser(name, help=..., description=...)``, adds the command's own
arguments, and ends with ``parser.set_defaults(run=<function>)``. The function takes the parsed
``argparse.Namespace`` and returns the exit code; it may be ``async def`` (it then runs under
``asyncio.run``) or a plain function. It reads the global options as ``args.live``,
``args.model`` and ``args.debug``, must not define them again, and reports problems by
raising (:class:`~openai_realtime.cli._common.CommandError` for a one-line message the user can
act on); ``main`` prints them. Then add the module to :data:`COMMAND_MODULES`: the order there
is the order of ``--help``.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType
from typing import Final

from openai_realtime import __version__
from openai_realtime.api import DEFAULT_MODEL
from openai_realtime.cli import chat, demo, replay, servers, talk, timeline
from openai_realtime.cli._common import (
    PROG,
    configure_logging,
    describe_error,
    print_error,
)

__all__ = ["COMMAND_MODULES", "EXIT_ERROR", "EXIT_INTERRUPTED", "build_parser", "main"]

COMMAND_MODULES: Final[tuple[ModuleType, ...]] = (demo, chat, talk, servers, replay, timeline)
"""The modules whose ``register(subparsers)`` adds the commands, in ``--help`` order."""
EXIT_ERROR: Final = 1
EXIT_INTERRUPTED: Final = 130
"""What shells report for a process ended by SIGINT (128 + 2)."""


def _add_global_options(parser: argparse.ArgumentParser, *, on_command: bool) -> None:
    """``--live``, ``--model`` and ``--debug``, on the main parser and on every command.

    On a command they default to "not given" (``SUPPRESS``), so that they override the main
    parser's value only when written after the command name.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if on_command else value

    parser.add_argument(
        "--live",
        action="store_true",
        default=default(False),
        help="talk to the OpenAI API (needs OPENAI_API_KEY) instead of a local fake server",
    )
    parser.add_argument(
        "--model",
        default=default(DEFAULT_MODEL),
        help=f"the Realtime model (default: {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="show DEBUG logging and full tracebacks",
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole parser: global options and one subcommand per registered command.

    Returns:
        A parser whose result has ``run`` (the command's function) besides the options.
    """
    parser = argparse.ArgumentParser(
        prog=PROG, description="The openai-realtime SDK's command line: demos and servers."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser, on_command=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    commands = {id(command): command for command in subparsers.choices.values()}
    for command in commands.values():
        _add_global_options(command, on_command=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns:
        The exit code: 0 success, 1 error, 2 usage error, 130 interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # --help, --version, or a usage error already printed
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_ERROR
    restore_logging = configure_logging(args.debug)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # end the line the ^C was echoed on
        return EXIT_INTERRUPTED
    except Exception as error:
        if args.debug:
            traceback.print_exception(error, file=sys.stderr)
        print_error(describe_error(error))
        return EXIT_ERROR
    finally:
        restore_logging()


def _run(args: argparse.Namespace) -> int:
    run = args.run
    if inspect.iscoroutinefunction(run):
        code: int = asyncio.run(run(args))
    else:
        code = run(args)
    return code
