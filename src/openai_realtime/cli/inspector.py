"""``openai-realtime inspect``: write the session inspector, one self-contained HTML page.

The page shows the recording's lanes with the words on them, each response's audio (playable),
zoom and pan, every error in full, and latencies and tokens per turn. It carries its data,
script and style inline, so it opens offline, from a CI artifact or an attachment.
"""

from __future__ import annotations

from typing import Final

from openai_realtime.cli._drawing import HTML_SUFFIXES, DrawingCommand
from openai_realtime.recording import write_inspector_html

__all__ = ["DEFAULT_OUTPUT", "register", "run"]

DEFAULT_OUTPUT: Final = "inspector.html"

_COMMAND: Final = DrawingCommand(
    name="inspect",
    help="explore a recorded session in one self-contained HTML page",
    description=(
        "Write the session inspector for a recording: lanes with transcripts and text, "
        "each response's audio, zoom and pan, errors, and a latency and token table. "
        "The page needs no network."
    ),
    default_output=DEFAULT_OUTPUT,
    output_help="the .html page to write",
    suffixes=HTML_SUFFIXES,
    wrong_suffix="the inspector is an HTML page: name {output} .html",
    drawn="inspector",
    write=write_inspector_html,
)

register: Final = _COMMAND.register
"""Add the ``inspect`` command (``subparsers``: the main parser's subcommands)."""
run: Final = _COMMAND.run
"""Write the inspector page (an ``.html`` output) for ``args.recording`` to ``args.output``."""
