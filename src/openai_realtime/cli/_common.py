"""What every command shares: the server it talks to, error lines, logging and progress.

A command that talks to a model connects where ``--url`` says (a running fake server, a relay
or any compatible endpoint), or to the live API when asked to (``--live``) and able to
(``OPENAI_API_KEY`` is set); otherwise it starts a
:class:`~openai_realtime.testing.FakeRealtimeServer` in this process and says so. Such a
command also takes ``--model`` and ``--record FILE``: :func:`add_connection_options` adds all
four, so every command spells them the same way.

Output files (``--out``, ``--record``, ``-o``) are checked with :func:`check_output_paths`
before any work starts. Errors reach the user as one line on stderr, ``openai-realtime: error:
<message>``, naming the file when a file is at fault; ``--debug`` adds the traceback and DEBUG
logging. A :class:`UsageError` (options that do not go together) is reported like argparse's
own usage errors, with exit code 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeAlias, TypeVar

from yarl import URL

from openai_realtime.api import DEFAULT_MODEL
from openai_realtime.client import RealtimeClient
from openai_realtime.credentials import redact_url
from openai_realtime.errors import RealtimeError
from openai_realtime.recording import Recording, RecordingFormatError, read_recording
from openai_realtime.testing import FakeRealtimeServer

__all__ = [
    "LIVE_DESCRIPTION",
    "PROG",
    "CommandError",
    "CommandRun",
    "Progress",
    "Subparsers",
    "Target",
    "UsageError",
    "add_connection_options",
    "add_model_option",
    "check_output_paths",
    "configure_logging",
    "describe_error",
    "describe_fake_server",
    "new_client",
    "notice",
    "number_type",
    "open_target",
    "port_number",
    "print_error",
    "read_recording_file",
    "websocket_url",
]

_MAX_PORT: Final = 65535
_NumberT = TypeVar("_NumberT", int, float)

PROG = "openai-realtime"
LIVE_DESCRIPTION = "the OpenAI Realtime API (live)"

# A string: the class is generic only to the type checker, not at run time.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What a command module's ``register`` receives (``parser.add_subparsers()``)."""

CommandRun: TypeAlias = Callable[[argparse.Namespace], int | Awaitable[int]]
"""What a command's ``run`` default is: takes the parsed arguments, returns the exit code."""

_LOGGER_NAME = "openai_realtime"
_DEBUG_FORMAT = "%(asctime)s %(name)s %(levelname)s: %(message)s"


class CommandError(Exception):
    """A problem the user can fix (a missing file, no speech heard): one line, no traceback."""


class UsageError(CommandError):
    """Options that do not go together: reported with the command's usage, exit code 2."""


@dataclass(frozen=True)
class Target:
    """Where a command connects.

    Attributes:
        url: The WebSocket URL; ``None`` means OpenAI's, with the key from ``OPENAI_API_KEY``.
        description: Says which server it is, for the first line a command prints.
    """

    url: str | None
    description: str

    @property
    def live(self) -> bool:
        """True for the OpenAI API, false for a fake server."""
        return self.url is None


def describe_fake_server(server: FakeRealtimeServer) -> str:
    """Name a running fake server the way every command prints it.

    Args:
        server: A started fake server.

    Returns:
        E.g. ``the fake server at ws://127.0.0.1:8765/v1/realtime (no API key needed)``.
    """
    return f"the fake server at {server.url} (no API key needed)"


def _use_live(args: argparse.Namespace) -> bool:
    if not args.live:
        return False
    if not os.environ.get("OPENAI_API_KEY"):
        notice("--live needs OPENAI_API_KEY in the environment; using the fake server instead")
        return False
    return True


def add_model_option(
    parser: argparse.ArgumentParser, *, default: str = DEFAULT_MODEL, what: str = "Realtime"
) -> None:
    """Add ``--model`` (for the commands that choose a model, and the relay).

    Args:
        parser: The command's parser.
        default: The model when none is given.
        what: The kind of model, for the help text (``Realtime``, ``transcription``, ...).
    """
    parser.add_argument("--model", default=default, help=f"the {what} model (default: {default})")


def add_connection_options(
    parser: argparse.ArgumentParser, *, model: str = DEFAULT_MODEL, what: str = "Realtime"
) -> None:
    """Add the options of a command that talks to a model: where, which model, a recording.

    ``--live`` and ``--url`` exclude each other; ``--model`` and ``--record FILE`` go with
    either (``--record`` is a path for :func:`check_output_paths`).

    Args:
        parser: The command's parser.
        model: The default of ``--model``.
        what: The kind of model ``--model`` names, for its help.
    """
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--live",
        action="store_true",
        help="talk to the OpenAI API (needs OPENAI_API_KEY) instead of a local fake server",
    )
    where.add_argument(
        "--url",
        type=websocket_url,
        help="connect to this Realtime endpoint instead of starting a fake server: a running "
        "fake server, a relay or any compatible server (ws:// or wss://)",
    )
    add_model_option(parser, default=model, what=what)
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="record every frame of the session to this JSON Lines file (read it back with "
        "'openai-realtime replay FILE')",
    )


def websocket_url(text: str) -> str:
    """An argparse type: a ``ws://`` or ``wss://`` URL with a host.

    Raises:
        argparse.ArgumentTypeError: Anything else.
    """
    url = URL(text)
    if url.scheme not in ("ws", "wss") or not url.host:
        raise argparse.ArgumentTypeError(f"{redact_url(url)!r} is not a ws:// or wss:// URL")
    return text


def check_output_paths(*paths: Path | None) -> None:
    """Make sure each file can be written, before any work is done (``None`` is skipped).

    Args:
        *paths: The output files a command was given.

    Raises:
        CommandError: A path is a directory, its directory does not exist, or either cannot be
            written; the message names the file.
    """
    for path in paths:
        if path is None:
            continue
        directory = path.parent
        if path.is_dir():
            problem = "it is a directory"
        elif not directory.is_dir():
            problem = f"there is no directory {directory}"
        elif path.exists() and not os.access(path, os.W_OK):
            problem = "permission denied"
        elif not path.exists() and not os.access(directory, os.W_OK | os.X_OK):
            problem = f"permission denied in {directory}"
        else:
            continue
        raise CommandError(f"cannot write {path}: {problem}")


def read_recording_file(path: str) -> Recording:
    """Read a recording for ``replay`` or ``timeline``.

    Args:
        path: The ``.jsonl`` file.

    Returns:
        The recording.

    Raises:
        CommandError: The file is not a recording; the message names it.
        OSError: The file cannot be read.
    """
    try:
        return read_recording(path)
    except RecordingFormatError as error:
        raise CommandError(f"{path}: not a recording ({error})") from None


@asynccontextmanager
async def open_target(
    args: argparse.Namespace, *, pace: float | None = None
) -> AsyncIterator[Target]:
    """Choose the server: ``--url``, the live API with ``--live`` and a key, else a fake one.

    Args:
        args: The parsed arguments (``url`` and ``live`` are read).
        pace: Streaming pace of the fake server started here (``None``: as fast as possible).

    Yields:
        Where to connect; a fake server runs until the block ends.
    """
    if args.url is not None:
        yield Target(args.url, f"the server at {redact_url(URL(args.url))}")
        return
    if _use_live(args):
        yield Target(None, LIVE_DESCRIPTION)
        return
    async with FakeRealtimeServer(pace=pace) as server:
        yield Target(server.url, describe_fake_server(server))


def new_client(target: Target, args: argparse.Namespace) -> RealtimeClient:
    """A client for ``target`` with ``--model``, recording to ``--record`` (not yet connected).

    Args:
        target: Where to connect.
        args: The parsed arguments (``model`` and ``record`` are read).

    Returns:
        The client.

    Raises:
        OSError: The recording file cannot be opened.
    """
    return RealtimeClient(url=target.url, model=args.model, record=args.record)


def describe_error(error: BaseException) -> str:
    """One line saying what went wrong, without the exception's traceback.

    Args:
        error: The exception that ended the command.

    Returns:
        The message to print after ``openai-realtime: error:``.
    """
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return f"{error.strerror}: {error.filename}"
    text = str(error).strip()
    message = text.splitlines()[0] if text else type(error).__name__
    if isinstance(error, CommandError | OSError | RealtimeError):
        return message
    # Not an error the SDK or the CLI raises on purpose: its type says more than its text.
    return f"{type(error).__name__}: {message} (run with --debug for the traceback)"


def print_error(message: str) -> None:
    """Print ``openai-realtime: error: <message>`` on stderr."""
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def notice(message: str) -> None:
    """Print ``openai-realtime: <message>`` on stderr (for things that are not the output)."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


class _OneLineFormatter(logging.Formatter):
    """Log records as single lines like the CLI's own messages, never with a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{PROG}: {record.levelname.lower()}: {record.getMessage()}"


def configure_logging(debug: bool) -> Callable[[], None]:
    """Send the SDK's log records to stderr: DEBUG with tracebacks, or one-line warnings.

    Args:
        debug: ``--debug`` was given.

    Returns:
        A function that undoes the change (``main`` may run more than once in one process).
    """
    logger = logging.getLogger(_LOGGER_NAME)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_DEBUG_FORMAT) if debug else _OneLineFormatter())
    previous_level = logger.level
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    logger.addHandler(handler)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)

    return restore


class Progress:
    """A percentage on stderr: rewritten in place on a terminal, else a line per 10 %.

    Args:
        label: What is progressing, e.g. the input file name.
        total_seconds: The whole duration.
    """

    _STEP_PERCENT = 10

    def __init__(self, label: str, total_seconds: float) -> None:
        self._label = label
        self._total = total_seconds
        self._shown = -1
        self._in_place = sys.stderr.isatty()

    def update(self, done_seconds: float) -> None:
        """Show how much is done (only when the shown value changes)."""
        percent = 100 if self._total <= 0 else min(100, int(100 * done_seconds / self._total))
        step = 1 if self._in_place else self._STEP_PERCENT
        percent -= percent % step
        if percent <= self._shown:
            return
        self._shown = percent
        text = f"{self._label}: {percent:3d}% ({done_seconds:.1f} of {self._total:.1f} s)"
        if self._in_place:
            end = "\n" if percent == 100 else ""
            print(f"\r{text}", end=end, file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)


def number_type(
    parse: Callable[[str], _NumberT], accepts: Callable[[_NumberT], bool], what: str
) -> Callable[[str], _NumberT]:
    """An argparse type for a number: ``parse`` reads it, ``accepts`` bounds it.

    Args:
        parse: ``int`` or ``float``; its ``ValueError`` means the text is no number.
        accepts: True for the numbers the option takes (false for nan, where it matters).
        what: What the option takes, for the error: ``'x' is not <what>``.

    Returns:
        The type: it returns the number, or raises ``argparse.ArgumentTypeError``.
    """

    def convert(text: str) -> _NumberT:
        try:
            number = parse(text)
        except ValueError:
            number = None
        if number is None or not accepts(number):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return number

    return convert


port_number: Final = number_type(
    int, lambda port: 0 <= port <= _MAX_PORT, f"a port number (0 to {_MAX_PORT})"
)
"""An argparse type: a TCP port number (0: any free port)."""
