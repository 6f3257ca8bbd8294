"""``openai-realtime inspect``: write the session inspector, one self-contained HTML page.

The page shows the recording's lanes with the words on them, each response's audio (playable),
zoom and pan, every error in full, and latencies and tokens per turn. It carries its data,
script and style inline, so it opens offline, from a CI artifact or an attachment.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

from openai_realtime.cli._common import (
    HTML_SUFFIXES,
    Subparsers,
    UsageError,
    add_recording_arguments,
    check_output_paths,
    read_recording_file,
)
from openai_realtime.recording import write_inspector_html

__all__ = ["DEFAULT_OUTPUT", "register", "run"]

DEFAULT_OUTPUT: Final = "inspector.html"


def register(subparsers: Subparsers) -> None:
    """Add the ``inspect`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "inspect",
        help="explore a recorded session in one self-contained HTML page",
        description=(
            "Write the session inspector for a recording: lanes with transcripts and text, "
            "each response's audio, zoom and pan, errors, and a latency and token table. "
            "The page needs no network."
        ),
    )
    add_recording_arguments(
        parser, default_output=DEFAULT_OUTPUT, output_help="the .html page to write"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the inspector page.

    Args:
        args: ``recording`` and ``output`` are read.

    Returns:
        0.

    Raises:
        UsageError: The output is not an ``.html`` file.
        CommandError: The output cannot be written, or the file is not a recording.
        OSError: A file cannot be read or written.
    """
    output = Path(args.output)
    if output.suffix.lower() not in HTML_SUFFIXES:
        raise UsageError(f"the inspector is an HTML page: name {output} .html")
    check_output_paths(output)
    write_inspector_html(read_recording_file(args.recording), output)
    print(f"inspector written to {output}")
    return 0
