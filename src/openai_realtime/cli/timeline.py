"""``openai-realtime timeline``: draw a recorded session on one time axis, as PNG or HTML.

The output's suffix picks the format: ``.png`` needs matplotlib (``pip install
'openai-realtime[plot]'``); ``.html`` (or ``.htm``) is a self-contained page that needs nothing.
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
from openai_realtime.recording import (
    render_timeline_png,
    timeline_from_recording,
    write_timeline_html,
)

__all__ = ["DEFAULT_OUTPUT", "register", "run"]

DEFAULT_OUTPUT: Final = "timeline.html"
"""HTML by default: it needs no plotting library."""


def register(subparsers: Subparsers) -> None:
    """Add the ``timeline`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "timeline",
        help="draw a recorded session on a time axis (PNG or self-contained HTML)",
        description=(
            "Draw a recording: user speech, responses (with each turn's latency), tool calls, "
            "interruptions and errors on lanes over one time axis. The output's suffix picks "
            "the format: .png (needs matplotlib) or .html (needs nothing)."
        ),
    )
    add_recording_arguments(
        parser, default_output=DEFAULT_OUTPUT, output_help="the picture to write, .png or .html"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the timeline picture.

    Args:
        args: ``recording`` and ``output`` are read.

    Returns:
        0.

    Raises:
        UsageError: The output suffix is neither ``.png`` nor ``.html``.
        CommandError: The output cannot be written, or the file is not a recording.
        ConfigurationError: A PNG was asked for and matplotlib is not installed.
        OSError: A file cannot be read or written.
    """
    output = Path(args.output)
    suffix = output.suffix.lower()
    if suffix != ".png" and suffix not in HTML_SUFFIXES:
        raise UsageError(f"cannot tell the format of {output}: name it .png or .html")
    check_output_paths(output)
    timeline = timeline_from_recording(read_recording_file(args.recording))
    if suffix == ".png":
        render_timeline_png(timeline, output)
    else:
        write_timeline_html(timeline, output)
    print(f"timeline written to {output}")
    return 0
