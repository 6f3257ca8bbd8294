"""The ``openai-realtime`` command (also ``python -m openai_realtime``).

Commands: ``demo`` (the quickstart, walked through), ``chat`` (text chat from stdin), ``talk``
(a WAV file as a spoken turn, the answer to a WAV file), ``voice`` (microphone and speakers),
``transcribe`` (live captions of a WAV file, saved as SRT/WebVTT), ``translate`` (a WAV file's
speech translated to a WAV file), ``fake-server``, ``relay``, ``serve`` (a voice page for the
browser), ``replay`` (a recorded session as a chat log, or served back to a live client),
``timeline`` (a recorded session drawn on one time axis, PNG or HTML), ``inspect`` (a recorded
session as one interactive HTML page) and ``call`` (a simulated phone call to your app's
webhook, from the fake server's phone line).

Each command's ``--help`` shows only the options it uses. The commands that talk to a model
(``demo``, ``chat``, ``talk``, ``voice``, ``transcribe``, ``translate``) take ``--live`` or
``--url URL``, ``--model`` and ``--record FILE``; the relay takes ``--model``. ``--debug`` is
accepted by every command, before or after its name. ``--live`` and ``--model`` before the
command name still work for the commands that take them, with a deprecation warning; for a
command that does not take them they are a usage error, never silently ignored.

Exit codes: 0 success, 1 an error (one line on stderr naming the file at fault, if any;
``--debug`` adds the traceback), 2 a usage error, 130 interrupted by Ctrl-C.

Adding a command: write a module in this package with a function
``register(subparsers: Subparsers) -> None`` (``Subparsers`` is in ``cli._common``) that
calls ``subparsers.add_parser(name, help=..., description=...)``, adds the command's own
arguments (``add_connection_options`` when it talks to a model), and ends with
``parser.set_defaults(run=<function>)``. The function takes the parsed ``argparse.Namespace``
and returns the exit code; it may be ``async def`` (it then runs under ``asyncio.run``) or a
plain function. It checks its output files first (``check_output_paths``), reads
``args.debug``, must not define ``--debug`` again, and reports problems by raising
(:class:`~openai_realtime.cli._common.CommandError` for a one-line message the user can act
on, :class:`~openai_realtime.cli._common.UsageError` for options that do not go together);
``main`` prints them. Then add the module to :data:`COMMAND_MODULES`: the order there is the
order of ``--help``.
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
from openai_realtime.cli import (
    call,
    chat,
    demo,
    inspector,
    replay,
    serve,
    servers,
    talk,
    timeline,
    transcribe,
    translate,
    voice,
)
from openai_realtime.cli._common import (
    PROG,
    UsageError,
    configure_logging,
    describe_error,
    notice,
    print_error,
)

__all__ = [
    "COMMAND_MODULES",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "build_parser",
    "main",
    "parse_arguments",
]

COMMAND_MODULES: Final[tuple[ModuleType, ...]] = (
    demo,
    chat,
    talk,
    voice,
    transcribe,
    translate,
    call,
    servers,
    serve,
    replay,
    timeline,
    inspector,
)
"""The modules whose ``register(subparsers)`` adds the commands, in ``--help`` order."""
EXIT_ERROR: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130
"""What shells report for a process ended by SIGINT (128 + 2)."""


_BEFORE_COMMAND: Final = "_before_command"
"""Suffix of the destinations of the deprecated ``--live`` / ``--model`` before the command."""


def _add_debug_option(parser: argparse.ArgumentParser, *, on_command: bool) -> None:
    """``--debug``, on the main parser and on every command.

    On a command it defaults to "not given" (``SUPPRESS``), so that it overrides the main
    parser's value only when written after the command name.
    """
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if on_command else False,
        help="show DEBUG logging and full tracebacks",
    )


def _add_deprecated_options(parser: argparse.ArgumentParser) -> None:
    """``--live`` and ``--model`` before the command name: hidden, kept for one minor version."""
    parser.add_argument(
        "--live", action="store_true", dest="live" + _BEFORE_COMMAND, help=argparse.SUPPRESS
    )
    parser.add_argument("--model", dest="model" + _BEFORE_COMMAND, help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    """The whole parser: ``--debug`` and one subcommand per registered command.

    Returns:
        A parser whose result has ``run`` (the command's function) and ``command_parser``
        (the command's own parser) besides the options. :func:`parse_arguments` also settles
        the deprecated options written before the command name.
    """
    parser = argparse.ArgumentParser(
        prog=PROG, description="The openai-realtime SDK's command line: demos and servers."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_debug_option(parser, on_command=False)
    _add_deprecated_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    commands = {id(command): command for command in subparsers.choices.values()}
    for command in commands.values():
        _add_debug_option(command, on_command=True)
        command.set_defaults(command_parser=command)
    return parser


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse a command line as ``main`` does.

    Args:
        argv: The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns:
        The parsed arguments.

    Raises:
        SystemExit: ``--help`` or ``--version`` (code 0), or a usage error (code 2, already
            printed).
    """
    args = build_parser().parse_args(argv)
    try:
        _settle_options_before_command(args)
    except UsageError as error:
        raise SystemExit(_report_usage_error(args, error)) from None
    return args


def _settle_options_before_command(args: argparse.Namespace) -> None:
    """Apply ``--live`` / ``--model`` written before the command, or refuse them."""
    for name in ("live", "model"):
        value = getattr(args, name + _BEFORE_COMMAND)
        delattr(args, name + _BEFORE_COMMAND)
        if value in (None, False):
            continue
        if not hasattr(args, name):
            raise UsageError(f"--{name} does not apply to the {args.command} command")
        if name == "live" and args.url is not None:
            raise UsageError("argument --live: not allowed with argument --url")
        notice(
            f"warning: --{name} before the command name is deprecated; write it after: "
            f"{PROG} {args.command} --{name}{'' if value is True else ' ' + value}"
        )
        if name == "live":
            args.live = True
        elif args.model == DEFAULT_MODEL:  # a --model after the command wins
            args.model = value


def _report_usage_error(args: argparse.Namespace, error: UsageError) -> int:
    parser: argparse.ArgumentParser = args.command_parser
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: {error}", file=sys.stderr, flush=True)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns:
        The exit code: 0 success, 1 error, 2 usage error, 130 interrupted.
    """
    try:
        args = parse_arguments(argv)
    except SystemExit as exit_request:  # --help, --version, or a usage error already printed
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_ERROR
    restore_logging = configure_logging(args.debug)
    try:
        return _run(args)
    except UsageError as error:
        return _report_usage_error(args, error)
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
