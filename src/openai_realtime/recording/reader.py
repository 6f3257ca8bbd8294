"""Read a recording file back: its header, its frames and where frames are missing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from openai_realtime.recording.format import (
    FrameGap,
    RecordedFrame,
    RecordingFormatError,
    RecordingHeader,
    parse_line,
)

__all__ = ["Recording", "parse_recording", "read_recording"]


@dataclass(frozen=True, slots=True)
class Recording:
    """A recording, read.

    Attributes:
        header: The header line.
        frames: Every recorded frame, in order.
        gaps: Where the recorder had to drop frames (empty for a complete recording).
        partial_last_line: True when the file ended in an unfinished line, which was ignored
            (the recording process died while writing it).
    """

    header: RecordingHeader
    frames: tuple[RecordedFrame, ...]
    gaps: tuple[FrameGap, ...] = ()
    partial_last_line: bool = False

    @property
    def dropped_frames(self) -> int:
        """How many frames the recorder dropped in all."""
        return sum(gap.dropped for gap in self.gaps)

    @property
    def duration(self) -> float:
        """Seconds from the start of the recording to its last frame."""
        return self.frames[-1].t if self.frames else 0.0


def parse_recording(data: bytes) -> Recording:
    """Parse the bytes of a recording file.

    Args:
        data: The whole file.

    Returns:
        The recording. An unfinished last line (no newline, not valid JSON) is ignored.

    Raises:
        RecordingFormatError: The file has no header, a newer version, or a malformed line
            anywhere but at its end.
    """
    # Split on b"\n" only: str.splitlines would also split at U+2028 inside a frame.
    lines = data.split(b"\n")
    unfinished = lines.pop()  # empty when the file ends with a newline, as a complete one does
    partial = False
    if unfinished.strip():
        try:
            json.loads(unfinished)
        except ValueError:
            partial = True
        else:
            lines.append(unfinished)
    objects = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
        except ValueError:
            raise RecordingFormatError(f"line {number} is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise RecordingFormatError(f"line {number} is not a JSON object")
        objects.append((number, parsed))
    if not objects:
        raise RecordingFormatError("empty recording: no header line")
    header = RecordingHeader.from_json(objects[0][1])
    frames: list[RecordedFrame] = []
    gaps: list[FrameGap] = []
    for number, fields in objects[1:]:
        try:
            entry = parse_line(fields)
        except RecordingFormatError as error:
            raise RecordingFormatError(f"line {number}: {error}") from None
        if isinstance(entry, FrameGap):
            gaps.append(entry)
        else:
            frames.append(entry)
    return Recording(header, tuple(frames), tuple(gaps), partial)


def read_recording(path: str | os.PathLike[str]) -> Recording:
    """Read a recording file.

    Args:
        path: The ``.jsonl`` file a :class:`~openai_realtime.recording.Recorder` wrote.

    Returns:
        The recording.

    Raises:
        OSError: The file cannot be read.
        RecordingFormatError: See :func:`parse_recording`.
    """
    return parse_recording(Path(path).read_bytes())
