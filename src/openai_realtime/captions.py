"""Captions from a transcript: SubRip (``.srt``), WebVTT (``.vtt``) and JSON Lines.

Each completed segment with text becomes one cue, timed by the segment's speech (``start_ms`` /
``end_ms``, in audio time). Cues are kept in order and never overlap: a cue that would start
before the previous one ends starts where it ends. Segments that are still going on, failed or
have no timing are left out (captions are for what was said and finished).

A segment a diarizing model split by speaker gives one cue per speaker-labelled part instead,
timed by the part and carrying its speaker: SubRip writes it as ``A: text``, WebVTT as a voice
span ``<v A>text</v>``, JSON Lines as ``"speaker": "A"`` (``null`` for cues without one)::

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
        speaker: Who says it, for a cue of a diarized segment.
    """

    index: int
    start_ms: int
    end_ms: int
    text: str
    item_id: str
    speaker: str | None = None


@dataclass(frozen=True)
class _Span:
    """What one cue will show, before cues are ordered and kept from overlapping."""

    start_ms: int
    end_ms: int
    text: str
    item_id: str
    speaker: str | None


def _spans(segment: TranscriptSegment) -> list[_Span]:
    """The completed segment's timed text: one span per speaker part when all are placed."""
    if segment.status != "completed":
        return []
    spans = _speaker_spans(segment)
    if spans is not None:
        return spans
    if segment.start_ms is None or segment.end_ms is None or not segment.text.strip():
        return []
    return [_Span(segment.start_ms, segment.end_ms, segment.text.strip(), segment.item_id, None)]


def _speaker_spans(segment: TranscriptSegment) -> list[_Span] | None:
    """One span per speaker part with text; ``None`` when there are none or one is unplaced."""
    if not segment.speakers:
        return None
    spans: list[_Span] = []
    for part in segment.speakers:
        if part.start_ms is None or part.end_ms is None:
            return None
        if part.text.strip():
            spans.append(
                _Span(part.start_ms, part.end_ms, part.text.strip(), segment.item_id, part.speaker)
            )
    return spans


def cues(segments: Iterable[TranscriptSegment]) -> list[Cue]:
    """The captions of the completed, timed segments with text, in order, never overlapping.

    Args:
        segments: Transcript segments (e.g. ``transcriber.segments``).

    Returns:
        The cues, numbered from 1 (one per speaker part for a diarized segment).
    """
    result: list[Cue] = []
    previous_end = 0
    spans = [span for segment in segments for span in _spans(segment)]
    for span in sorted(spans, key=lambda span: span.start_ms):
        start = max(span.start_ms, previous_end)
        end = max(span.end_ms, start + _MIN_CUE_MS)
        result.append(Cue(len(result) + 1, start, end, span.text, span.item_id, span.speaker))
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


def _speaker_prefix(cue: Cue) -> str:
    return f"{cue.speaker}: " if cue.speaker is not None else ""


def _vtt_escape(text: str) -> str:
    # Inside a voice span, markup characters would be read as tags or entities.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_srt(segments: Iterable[TranscriptSegment]) -> str:
    """The transcript as SubRip text.

    Args:
        segments: Transcript segments.

    Returns:
        The ``.srt`` file's text (empty when there is no cue).
    """
    blocks = [
        f"{cue.index}\n{_timestamp(cue.start_ms, ',')} --> {_timestamp(cue.end_ms, ',')}\n"
        f"{_speaker_prefix(cue)}{_cue_text(cue.text)}\n"
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
        if cue.speaker is not None:
            text = f"<v {_vtt_escape(cue.speaker)}>{_vtt_escape(text)}</v>"
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
        One JSON object per line (``index``, ``start_ms``, ``end_ms``, ``text``, ``item_id``,
        ``speaker``).
    """
    return "".join(
        json.dumps(
            {
                "index": cue.index,
                "start_ms": cue.start_ms,
                "end_ms": cue.end_ms,
                "text": cue.text,
                "item_id": cue.item_id,
                "speaker": cue.speaker,
            },
            ensure_ascii=False,
        )
        + "\n"
        for cue in cues(segments)
    )
