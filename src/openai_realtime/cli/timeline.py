"""``openai-realtime timeline``: draw a recorded session on one time axis, as PNG or HTML.

The output's suffix picks the format: ``.png`` needs matplotlib (``pip install
'openai-realtime[plot]'``); ``.html`` (or ``.htm``) is a self-contained page that needs nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from openai_realtime.cli._drawing import HTML_SUFFIXES, DrawingCommand
from openai_realtime.recording import (
    Recording,
    render_timeline_png,
    timeline_from_recording,
    write_timeline_html,
)

__all__ = ["DEFAULT_OUTPUT", "register", "run"]

DEFAULT_OUTPUT: Final = "timeline.html"
"""HTML by default: it needs no plotting library."""

_PNG: Final = ".png"


def _write(recording: Recording, output: Path) -> None:
    timeline = timeline_from_recording(recording)
    if output.suffix.lower() == _PNG:
        render_timeline_png(timeline, output)
    else:
        write_timeline_html(timeline, output)


_COMMAND: Final = DrawingCommand(
    name="timeline",
    help="draw a recorded session on a time axis (PNG or self-contained HTML)",
    description=(
        "Draw a recording: user speech, responses (with each turn's latency), tool calls, "
        "interruptions and errors on lanes over one time axis. The output's suffix picks "
        "the format: .png (needs matplotlib) or .html (needs nothing)."
    ),
    default_output=DEFAULT_OUTPUT,
    output_help="the picture to write, .png or .html",
    suffixes=HTML_SUFFIXES | {_PNG},
    wrong_suffix="cannot tell the format of {output}: name it .png or .html",
    drawn="timeline",
    write=_write,
)

register: Final = _COMMAND.register
"""Add the ``timeline`` command (``subparsers``: the main parser's subcommands)."""
run: Final = _COMMAND.run
"""Write the timeline of ``args.recording`` to ``args.output``, PNG or HTML by its suffix."""
