"""Timelines: the lanes built from a recording, the PNG, and the self-contained HTML page."""

from __future__ import annotations

import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from recording_support import LiveSession, SyntheticRecording, synthetic_session

from openai_realtime.recording import (
    Marker,
    Span,
    Timeline,
    parse_recording,
    read_recording,
    render_timeline_html,
    render_timeline_png,
    timeline_from_recording,
    write_timeline_html,
)
from openai_realtime.recording.timeline_model import COLORS, LANES
from openai_realtime.types import (
    ConversationItemTruncateEvent,
    ErrorEvent,
    InputAudioBufferSpeechStartedEvent,
    RealtimeErrorDetails,
    ResponseCancelEvent,
)
from tests.support import require_binary

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def eventful_session() -> SyntheticRecording:
    """The three synthetic turns, then an interruption, an error, new speech and a bad frame."""
    session = synthetic_session()
    session.client(6.25, ResponseCancelEvent())
    truncate = ConversationItemTruncateEvent(item_id="item_a", content_index=0, audio_end_ms=250)
    session.client(6.375, truncate)
    details = RealtimeErrorDetails(type="invalid_request_error", message="bad thing")
    session.server(7.0, ErrorEvent(event_id="e1", error=details))
    started = InputAudioBufferSpeechStartedEvent(event_id="s3", audio_start_ms=9000, item_id="u2")
    session.server(7.25, started)
    session.raw(7.5, "server", "{not json")
    return session


def eventful_timeline() -> Timeline:
    return timeline_from_recording(parse_recording(eventful_session().data()))


def test_the_timeline_has_every_lane_with_exact_times() -> None:
    timeline = eventful_timeline()
    assert timeline.title == "gpt-realtime — recorded 2025-01-01T12:00:00.000Z"
    assert timeline.duration == 7.5
    assert sorted(timeline.spans, key=lambda span: (span.lane, span.start)) == [
        Span("response", 1.0, 1.5, "latency", "speech→audio 500 ms"),
        Span("response", 1.5, 3.0, "audio"),
        Span("response", 4.0, 4.125, "latency", "created→first delta 125 ms"),
        Span("response", 4.125, 4.75, "text"),
        Span("response", 6.0, 6.5, "text", "cancelled"),
        Span("tool calls", 4.5, 5.0, "tool", "get_weather 500 ms"),
        Span("user speech", 0.5, 1.0, "speech", "speech"),
        Span("user speech", 7.25, 7.5, "speech", "speech"),  # still speaking at the end
    ]
    assert list(timeline.markers) == [
        Marker("interruptions", 6.25, "cancel", "response.cancel"),
        Marker("interruptions", 6.375, "truncate", "truncate at 250 ms"),
        Marker("errors", 7.0, "error", "bad thing"),
        Marker("errors", 7.5, "error", "bad server frame"),
    ]
    assert len(timeline.metrics.turns) == 3


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _pixels(path: Path) -> NDArray[np.float32]:
    import matplotlib.image as image  # the plot extra, in dev: a missing one is a failure

    pixels: NDArray[np.float32] = np.asarray(image.imread(path), dtype=np.float32)
    return pixels[..., :3]  # drop alpha


def _has_colour(pixels: NDArray[np.float32], hex_colour: str, tolerance: int = 4) -> bool:
    wanted = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)
    distance = np.abs(pixels * 255 - wanted).max(axis=-1)
    return bool((distance <= tolerance).sum() >= 20)


def test_the_png_is_drawn_with_every_lane(tmp_path: Path) -> None:
    path = tmp_path / "timeline.png"
    render_timeline_png(eventful_timeline(), path, width=12, dpi=100)
    width, height = _png_size(path)
    assert (width, height) == (1200, round((1.2 + 0.9 * len(LANES)) * 100))
    pixels = _pixels(path)
    assert pixels.shape[:2] == (height, width)
    assert pixels.std() > 0.05  # not blank
    for kind in ("speech", "latency", "audio", "text", "tool", "cancel", "error"):
        assert _has_colour(pixels, COLORS[kind]), kind


async def test_the_png_of_a_live_recording(live_session: LiveSession, tmp_path: Path) -> None:
    path = tmp_path / "live.png"
    render_timeline_png(timeline_from_recording(read_recording(live_session.path)), path)
    assert _png_size(path)[0] == 1400
    pixels = _pixels(path)
    assert _has_colour(pixels, COLORS["audio"]) and _has_colour(pixels, COLORS["tool"])


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each element kind."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        self._open.append((tag, attributes.get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._open:
            tag, css_class = self._open[-1]
            self.text.setdefault(f"{tag}.{css_class}", []).append(data)

    def classes(self, tag: str) -> set[str]:
        return {
            css_class
            for name, attributes in self.tags
            if name == tag
            for css_class in (attributes.get("class") or "").split()
        }


def parse_page(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser


def test_the_html_page_is_self_contained_and_has_every_element() -> None:
    page = render_timeline_html(eventful_timeline())
    assert page.startswith("<!DOCTYPE html>")
    elements = parse_page(page)
    tags = [tag for tag, _ in elements.tags]
    assert "script" not in tags and "img" not in tags and "link" not in tags
    assert all("src" not in attrs and "href" not in attrs for _, attrs in elements.tags)
    assert "url(" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert tags.count("svg") == 1
    assert elements.classes("rect") == {
        "span", "span-speech", "span-latency", "span-audio", "span-text", "span-tool",
    }  # fmt: skip
    assert elements.classes("polygon") == {"marker", "marker-truncate", "marker-error"}
    assert elements.classes("circle") == {"marker", "marker-cancel"}
    assert elements.text["text.lane-name"] == list(LANES)
    labels = elements.text["text.label"]
    for label in ("speech→audio 500 ms", "get_weather 500 ms", "truncate at 250 ms", "bad thing"):
        assert label in labels
    assert len([1 for _, a in elements.tags if (a.get("class") or "").startswith("span ")]) == 8
    metrics = "".join(elements.text["pre.metrics"])
    assert "resp_1" in metrics and "speech_stopped_to_first_audio" in metrics
    assert elements.text["h1."] == ["gpt-realtime — recorded 2025-01-01T12:00:00.000Z"]


def test_html_text_is_escaped() -> None:
    session = SyntheticRecording()
    details = RealtimeErrorDetails(type="t", message="<script>alert(1)</script> & more")
    session.server(1.0, ErrorEvent(event_id="e", error=details))
    page = render_timeline_html(timeline_from_recording(parse_recording(session.data())))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page


def test_the_html_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    chromium = require_binary("chromium")
    page = tmp_path / "timeline.html"
    write_timeline_html(eventful_timeline(), page)
    screenshot = tmp_path / "screenshot.png"
    command: list[Any] = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={screenshot}",
        "--window-size=1300,900",
        page.as_uri(),
    ]
    completed = subprocess.run(command, capture_output=True, timeout=50, check=False)
    assert screenshot.exists(), completed.stderr.decode(errors="replace")[-2000:]
    assert _png_size(screenshot) == (1300, 900)
    pixels = _pixels(screenshot)
    assert pixels.std() > 0.05  # not blank
    # The SVG really rendered: its span and marker colours are on the screen.
    for kind in ("speech", "audio", "text", "tool", "latency", "error"):
        assert _has_colour(pixels, COLORS[kind]), kind
