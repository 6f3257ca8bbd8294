"""The recording file format: JSON Lines, one header, then one line per frame.

A recording is UTF-8 text, one JSON object per line, each line ending in ``\\n``::

    {"format": "openai-realtime-recording", "version": 1, "started": "2025-01-01T12:00:00.000Z",
     "model": "gpt-realtime", "url": "wss://api.openai.com/v1/realtime", "audio": "keep"}
    {"t": 0.0132, "dir": "server", "frame": "{\\"type\\":\\"session.created\\",...}"}
    {"t": 0.0150, "dir": "client", "frame": "{\\"type\\":\\"session.update\\",...}"}
    {"t": 2.5001, "dropped": 12}

=========  ================================================================================
line       meaning
=========  ================================================================================
header     ``format`` and ``version`` identify the file; ``started`` is the wall-clock start
           (UTC, ISO 8601); ``model`` and ``url`` name the connection (the URL without its
           query or user info, so no credential can be in it); ``audio`` is ``keep`` or
           ``length`` (see below)
frame      ``t``: seconds since the recording started (monotonic clock); ``dir``: ``client``
           (sent) or ``server`` (received); ``frame``: the exact frame text, or
           ``frame_base64`` for a binary frame
gap        ``dropped``: frames lost here because the writer fell behind (see ``Recorder``)
=========  ================================================================================

With ``audio="length"`` every base64 audio payload (an ``audio`` string field anywhere in a
frame, and the ``delta`` of ``response.output_audio.delta``) is replaced by
``{"omitted_base64_chars": N, "omitted_bytes": B}``: the frame stays valid JSON, only smaller.
Lines are only ever appended, whole; a reader ignores an unfinished last line (the process died
while writing it).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

from openai_realtime.errors import RealtimeError

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "AudioMode",
    "Direction",
    "FrameGap",
    "RecordedFrame",
    "RecordingFormatError",
    "RecordingHeader",
    "encode_frame_line",
    "encode_gap_line",
    "parse_line",
]

FORMAT_NAME: Final = "openai-realtime-recording"
"""The ``format`` value of a recording's header line."""
FORMAT_VERSION: Final = 1
"""The newest format version this package writes and reads."""

AudioMode: TypeAlias = Literal["keep", "length"]
"""``keep`` records audio payloads as they were; ``length`` replaces them by their size."""
Direction: TypeAlias = Literal["client", "server"]
"""``client``: a frame this side sent; ``server``: a frame it received."""

# Fractions of a microsecond mean nothing for latencies and would only lengthen every line.
_TIME_DIGITS: Final = 6


class RecordingFormatError(RealtimeError):
    """A recording file is not in the recording format (or in a newer version of it)."""


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """The first line of a recording.

    Attributes:
        started: Wall-clock time the recording started, UTC, ISO 8601.
        model: The model of the connection, if known.
        url: The WebSocket URL without query or user info, if known.
        audio: How audio payloads were recorded.
        version: The format version of the file.
    """

    started: str
    model: str | None = None
    url: str | None = None
    audio: AudioMode = "keep"
    version: int = FORMAT_VERSION

    def to_line(self) -> bytes:
        """The header as one JSON line, newline included."""
        fields = {
            "format": FORMAT_NAME,
            "version": self.version,
            "started": self.started,
            "model": self.model,
            "url": self.url,
            "audio": self.audio,
        }
        return _line(fields)

    @classmethod
    def from_json(cls, fields: dict[str, Any]) -> RecordingHeader:
        """Read a parsed header line.

        Raises:
            RecordingFormatError: It is not a recording header, or its version is newer than
                this package understands.
        """
        if fields.get("format") != FORMAT_NAME:
            raise RecordingFormatError("not a recording: the first line is not its header")
        version = fields.get("version")
        if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
            raise RecordingFormatError(f"unsupported recording version {version!r}")
        audio = fields.get("audio", "keep")
        if audio not in ("keep", "length"):
            raise RecordingFormatError(f"unknown audio mode {audio!r} in the header")
        return cls(
            started=str(fields.get("started", "")),
            model=fields.get("model"),
            url=fields.get("url"),
            audio=audio,
            version=version,
        )


@dataclass(frozen=True, slots=True)
class RecordedFrame:
    """One recorded frame.

    Attributes:
        t: Seconds since the recording started.
        direction: ``client`` (sent) or ``server`` (received).
        frame: The frame text as recorded (audio possibly omitted), or bytes of a binary frame.
    """

    t: float
    direction: Direction
    frame: str | bytes


@dataclass(frozen=True, slots=True)
class FrameGap:
    """Frames the recorder had to drop at this point.

    Attributes:
        t: Seconds since the recording started, when the gap was noticed.
        dropped: How many frames are missing.
    """

    t: float
    dropped: int


def _line(fields: dict[str, Any]) -> bytes:
    # json.dumps escapes newlines inside strings, so the only b"\n" is the line's end.
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def encode_frame_line(t: float, direction: Direction, frame: str | bytes) -> bytes:
    """One frame as a recording line.

    Args:
        t: Seconds since the recording started.
        direction: ``client`` or ``server``.
        frame: The frame text (or bytes of a binary frame).

    Returns:
        The JSON line, newline included.
    """
    fields: dict[str, Any] = {"t": round(t, _TIME_DIGITS), "dir": direction}
    if isinstance(frame, str):
        fields["frame"] = frame
    else:
        fields["frame_base64"] = base64.b64encode(frame).decode("ascii")
    return _line(fields)


def encode_gap_line(t: float, dropped: int) -> bytes:
    """A line saying that ``dropped`` frames are missing here."""
    return _line({"t": round(t, _TIME_DIGITS), "dropped": dropped})


def parse_line(fields: dict[str, Any]) -> RecordedFrame | FrameGap:
    """Read a parsed line that follows the header.

    Raises:
        RecordingFormatError: The object is neither a frame nor a gap.
    """
    t = fields.get("t")
    if not isinstance(t, int | float):
        raise RecordingFormatError("a line has no numeric 't'")
    if "dropped" in fields:
        return FrameGap(float(t), int(fields["dropped"]))
    direction = fields.get("dir")
    if direction not in ("client", "server"):
        raise RecordingFormatError(f"a line has an unknown direction {direction!r}")
    if isinstance(fields.get("frame"), str):
        return RecordedFrame(float(t), direction, fields["frame"])
    if isinstance(fields.get("frame_base64"), str):
        return RecordedFrame(float(t), direction, base64.b64decode(fields["frame_base64"]))
    raise RecordingFormatError("a frame line has neither 'frame' nor 'frame_base64'")
