"""The session inspector: one self-contained HTML page to explore a recording.

``openai-realtime inspect session.jsonl -o inspector.html`` writes it. The page carries its
data, script and style inline (no CDN, no network), so it opens from a CI artifact or a mail
attachment. It shows:

* the timeline's lanes (user speech, responses, tool calls, interruptions, errors) with the
  words on them: the user's transcripts and typed messages, each response's transcript or text;
* zoom (buttons, the mouse wheel, ``+`` / ``-``) and pan (drag, arrow keys); labels are laid out
  in rows per lane so none overlaps another, and those with no room are left to the tooltip;
* each response's audio, playable on the page (a WAV ``data:`` URL);
* every error, in full;
* a table of latencies and tokens per turn.

The PNG timeline (:func:`~openai_realtime.recording.render_timeline_png`) stays for reports.
"""

from __future__ import annotations

import json
import os
from html import escape
from importlib import resources
from pathlib import Path

from openai_realtime.recording.inspector_model import inspector_data
from openai_realtime.recording.reader import Recording

__all__ = ["render_inspector_html", "write_inspector_html"]


def _asset(name: str) -> str:
    return resources.files("openai_realtime.recording").joinpath(name).read_text("utf-8")


def render_inspector_html(recording: Recording) -> str:
    """The inspector page of a recording.

    Args:
        recording: A recording read with :func:`~openai_realtime.recording.read_recording`.

    Returns:
        The whole HTML document.
    """
    data = inspector_data(recording)
    # "</" cannot end the script element early once written as "<\/".
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (
        _asset("inspector.html")
        .replace("{{title}}", escape(data["title"]))
        .replace("{{style}}", _asset("inspector.css"))
        .replace("{{data}}", payload)
        .replace("{{script}}", _asset("inspector.js"))
    )


def write_inspector_html(recording: Recording, path: str | os.PathLike[str]) -> Path:
    """Write the inspector page of a recording.

    Args:
        recording: The recording.
        path: The ``.html`` file to write.

    Returns:
        The path written.

    Raises:
        OSError: The file cannot be written.
    """
    target = Path(path)
    target.write_text(render_inspector_html(recording), encoding="utf-8")
    return target
