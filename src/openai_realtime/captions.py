"""Captions from a transcript: SubRip (``.srt``), WebVTT (``.vtt``) and JSON Lines.

Each completed segment with text becomes one cue, timed by the segment's speech (``start_ms`` /
``end_ms``, in audio time). Cues are kept in order and never overlap: a cue that would start
before the previous one ends starts where it ends. Segments that are still going on, failed or
have no timing are left out (captions are for what was said and finished)::

    from openai_realtime.captions import to_srt, to_webvtt

    Path("talk.srt").write_text(to_srt(transcriber.segments), encoding="utf-8")
    Path("talk.vtt").write_text(to_webvtt(transcriber.segments), encoding="utf-8")
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from openai_realtime.protocol.transcripts import TranscriptSegment

__all__ = ["Cue", "cues", "to_json_lines", "to_srt", "to_webvtt"]

_MIN_CUE_MS = 1


@dataclass(frozen=True)
class Cue:
    """One caption.

    Attributes:
        index: 1-based position.
        start_ms: When it appears, in audio time.
        end_ms: When it goes (after ``start_ms``).
        text: What it says (one or more lines).
        item_id: The segment's item id.
    """

    index: int
    start_ms: int
    end_ms: int
    text: str
    item_id: str


def cues(segments: Iterable[TranscriptSegment]) -> list[Cue]:
    """The captions of the completed, timed segments with text, in order, never overlapping.

    Args:
        segments: Transcript segments (e.g. ``transcriber.segments``).

    Returns:
        The cues, numbered from 1.
    """
    result: list[Cue] = []
    previous_end = 0
    timed = [
        segment
        for segment in segments
        if segment.status == "completed"
        and segment.text.strip()
        and segment.start_ms is not None
        and segment.end_ms is not None
    ]
    for segment in sorted(timed, key=lambda segment: segment.start_ms or 0):
        assert segment.start_ms is not None and segment.end_ms is not None  # filtered above
        start = max(segment.start_ms, previous_end)
        end = max(segment.end_ms, start + _MIN_CUE_MS)
        result.append(Cue(len(result) + 1, start, end, segment.text.strip(), segment.item_id))
        previous_end = end
    return result


def _timestamp(ms: int, separator: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _cue_text(text: str) -> str:
    # A blank line ends a cue in both formats, so blank lines inside the text are dropped.
    return "\n".join(line for line in text.splitlines() if line.strip())


def to_srt(segments: Iterable[TranscriptSegment]) -> str:
    """The transcript as SubRip text.

    Args:
        segments: Transcript segments.

    Returns:
        The ``.srt`` file's text (empty when there is no cue).
    """
    blocks = [
        f"{cue.index}\n{_timestamp(cue.start_ms, ',')} --> {_timestamp(cue.end_ms, ',')}\n"
        f"{_cue_text(cue.text)}\n"
        for cue in cues(segments)
    ]
    return "\n".join(blocks)


def to_webvtt(segments: Iterable[TranscriptSegment]) -> str:
    """The transcript as WebVTT text.

    Args:
        segments: Transcript segments.

    Returns:
        The ``.vtt`` file's text, starting with the ``WEBVTT`` header.
    """
    blocks = ["WEBVTT\n"]
    for cue in cues(segments):
        # "-->" inside the text would read as a timing line.
        text = _cue_text(cue.text).replace("-->", "->")
        blocks.append(
            f"{cue.item_id}\n{_timestamp(cue.start_ms, '.')} --> {_timestamp(cue.end_ms, '.')}\n"
            f"{text}\n"
        )
    return "\n".join(blocks)


def to_json_lines(segments: Iterable[TranscriptSegment]) -> str:
    """The transcript as JSON Lines: one object per cue, with its timing and item id.

    Args:
        segments: Transcript segments.

    Returns:
        One JSON object per line (``index``, ``start_ms``, ``end_ms``, ``text``, ``item_id``).
    """
    return "".join(
        json.dumps(
            {
                "index": cue.index,
                "start_ms": cue.start_ms,
                "end_ms": cue.end_ms,
                "text": cue.text,
                "item_id": cue.item_id,
            },
            ensure_ascii=False,
        )
        + "\n"
        for cue in cues(segments)
    )
