"""Captions: what we write, the srt and webvtt-py parsers read back."""

from __future__ import annotations

import html
import io
import json
from datetime import timedelta

import srt  # type: ignore[import-untyped]
import webvtt

from openai_realtime.captions import cues, to_json_lines, to_srt, to_webvtt
from openai_realtime.protocol.transcripts import DiarizedSegment, SegmentStatus, TranscriptSegment


def segment(
    item_id: str,
    start: int | None,
    end: int | None,
    text: str,
    status: SegmentStatus = "completed",
) -> TranscriptSegment:
    return TranscriptSegment(item_id, text=text, start_ms=start, end_ms=end, status=status)


SEGMENTS = [
    segment("a", 1000, 2500, "Good morning."),
    segment("b", 2400, 4000, "Overlapping --> start\n\nand a blank line"),
    segment("c", 5000, None, "no end yet"),
    segment("d", 6000, 7000, "still going", status="transcribing"),
    segment("e", 3_725_004, 3_726_000, "after an hour"),
]


def test_srt_parses_with_ordered_non_overlapping_cues() -> None:
    parsed = list(srt.parse(to_srt(SEGMENTS)))
    assert [cue.index for cue in parsed] == [1, 2, 3]
    assert parsed[0].start == timedelta(seconds=1) and parsed[0].end == timedelta(seconds=2.5)
    assert parsed[1].start == parsed[0].end  # moved after the previous cue
    assert parsed[1].content == "Overlapping --> start\nand a blank line"
    assert parsed[2].start == timedelta(hours=1, minutes=2, seconds=5, milliseconds=4)


def test_webvtt_parses_with_cue_ids_and_timings() -> None:
    captions = webvtt.from_buffer(io.StringIO(to_webvtt(SEGMENTS)))
    assert [caption.identifier for caption in captions.captions] == ["a", "b", "e"]
    assert captions.captions[0].start == "00:00:01.000"
    assert captions.captions[1].start == "00:00:02.500"
    assert captions.captions[2].end == "01:02:06.000"
    assert captions.captions[1].text == "Overlapping -> start\nand a blank line"


def test_json_lines_carry_the_cue_timings() -> None:
    rows = [json.loads(line) for line in to_json_lines(SEGMENTS).splitlines()]
    assert [(row["start_ms"], row["end_ms"], row["item_id"]) for row in rows] == [
        (1000, 2500, "a"),
        (2500, 4000, "b"),
        (3_725_004, 3_726_000, "e"),
    ]


def test_no_segments_make_valid_empty_files() -> None:
    assert cues([]) == []
    assert list(srt.parse(to_srt([]))) == []
    assert webvtt.from_buffer(io.StringIO(to_webvtt([]))).captions == []


def test_a_diarized_segment_gives_one_labelled_cue_per_speaker() -> None:
    diarized = segment("a", 1000, 4000, "Hi <all>. Fine & you?")
    diarized.speakers = [
        DiarizedSegment("s1", "A", "Hi <all>.", 0.3, 1.5, 1300, 2500),
        DiarizedSegment("s2", "B", "Fine & you?", 1.8, 3.0, 2800, 4000),
    ]
    untimed = segment("b", 5000, 6000, "whole segment")
    untimed.speakers = [DiarizedSegment("s3", "A", "whole segment", 0.1, 0.9)]
    assert [(cue.start_ms, cue.speaker, cue.text) for cue in cues([diarized, untimed])] == [
        (1300, "A", "Hi <all>."),
        (2800, "B", "Fine & you?"),
        (5000, None, "whole segment"),
    ]
    assert [cue.content for cue in srt.parse(to_srt([diarized]))] == [
        "A: Hi <all>.",
        "B: Fine & you?",
    ]
    captions = webvtt.from_buffer(io.StringIO(to_webvtt([diarized])))
    # Markup in the text is escaped (webvtt-py leaves the entities as they are).
    assert [(caption.voice, html.unescape(caption.text)) for caption in captions.captions] == [
        ("A", "Hi <all>."),
        ("B", "Fine & you?"),
    ]
    rows = [json.loads(line) for line in to_json_lines([diarized, untimed]).splitlines()]
    assert [row["speaker"] for row in rows] == ["A", "B", None]
