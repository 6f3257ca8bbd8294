"""Draw a :class:`~openai_realtime.recording.timeline_model.Timeline` as one self-contained page.

The page is plain HTML with an inline SVG and a ``<style>`` block: no script, no external
font, image or stylesheet, so it opens anywhere (mail attachment, CI artifact, offline) and
needs no plotting library. Hovering a span or marker shows its label (SVG ``<title>``).
"""

from __future__ import annotations

import math
import os
from html import escape
from pathlib import Path
from typing import Final

from openai_realtime.recording.timeline_model import (
    COLORS,
    LANES,
    Marker,
    Span,
    Timeline,
    label_goes_left,
    marker_label_levels,
)

__all__ = ["render_timeline_html", "write_timeline_html"]

_WIDTH: Final = 1200
_LEFT: Final = 130
_RIGHT: Final = 30
_TOP: Final = 20
_LANE: Final = 60
_BAR: Final = 26
_AXIS: Final = 40
_MAX_TICKS: Final = 12
_MAX_LABEL: Final = 48

_STYLE: Final = """
body { font: 14px system-ui, sans-serif; margin: 24px; color: #212529; background: #fff; }
h1 { font-size: 18px; margin: 0 0 12px; }
h2 { font-size: 15px; margin: 20px 0 8px; }
svg { display: block; border: 1px solid #dee2e6; background: #fcfcfd; }
.lane-name { font-size: 12px; fill: #495057; text-anchor: end; dominant-baseline: middle; }
.lane-line { stroke: #e9ecef; }
.tick line { stroke: #dee2e6; }
.tick text { font-size: 11px; fill: #6c757d; text-anchor: middle; }
.axis-title { font-size: 11px; fill: #6c757d; text-anchor: middle; }
.span { stroke: #343a40; stroke-width: 0.5; }
.span-latency { stroke-dasharray: 3 2; }
.label { font-size: 10px; fill: #212529; }
.marker { stroke: #212529; stroke-width: 0.5; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 16px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid #343a40; }
pre.metrics { background: #f8f9fa; padding: 12px; overflow-x: auto; font-size: 12px; }
"""


def _tick_step(duration: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving at most ``_MAX_TICKS`` ticks."""
    rough = duration / _MAX_TICKS
    magnitude: float = 10.0 ** math.floor(math.log10(rough))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)


class _Scale:
    """Seconds to SVG x coordinates."""

    def __init__(self, duration: float) -> None:
        self.duration = max(duration, 1e-3)
        self._pixels = _WIDTH - _LEFT - _RIGHT

    def x(self, seconds: float) -> float:
        return round(_LEFT + seconds / self.duration * self._pixels, 2)


def _lane_middle(lane: str) -> float:
    return _TOP + LANES.index(lane) * _LANE + _LANE / 2


def _span_svg(span: Span, scale: _Scale) -> str:
    left = scale.x(span.start)
    width = max(scale.x(span.end) - left, 2.0)
    top = _lane_middle(span.lane) - _BAR / 2
    tip = escape(f"{span.label or span.kind}: {span.start:.3f} to {span.end:.3f} s")
    parts = [
        f'<rect class="span span-{span.kind}" x="{left}" y="{top}" width="{width:.2f}" '
        f'height="{_BAR}" fill="{COLORS[span.kind]}"><title>{tip}</title></rect>'
    ]
    if span.label:
        left_aligned = not label_goes_left(span.start, scale.duration)
        x, anchor = (left, "start") if left_aligned else (left + width, "end")
        parts.append(
            f'<text class="label" x="{x}" y="{top - 4}" text-anchor="{anchor}">'
            f"{escape(span.label[:_MAX_LABEL])}</text>"
        )
    return "".join(parts)


def _marker_shape(marker: Marker, x: float, y: float) -> str:
    common = f'class="marker marker-{marker.kind}" fill="{COLORS[marker.kind]}"'
    tip = f"<title>{escape(f'{marker.label} at {marker.at:.3f} s')}</title>"
    if marker.kind == "error":
        diamond = f"{x},{y - 8} {x + 8},{y} {x},{y + 8} {x - 8},{y}"
        return f'<polygon {common} points="{diamond}">{tip}</polygon>'
    if marker.kind == "truncate":
        triangle = f"{x - 7},{y - 7} {x + 7},{y - 7} {x},{y + 6}"
        return f'<polygon {common} points="{triangle}">{tip}</polygon>'
    return f'<circle {common} cx="{x}" cy="{y}" r="7">{tip}</circle>'


def _marker_svg(marker: Marker, level: int, scale: _Scale) -> str:
    x, y = scale.x(marker.at), _lane_middle(marker.lane)
    label = escape(marker.label[:_MAX_LABEL])
    label_x, anchor = (
        (x - 10, "end") if label_goes_left(marker.at, scale.duration) else (x + 10, "start")
    )
    label_y = y - 10 if level == 0 else y + 19
    return (
        f"{_marker_shape(marker, x, y)}"
        f'<text class="label" x="{label_x}" y="{label_y}" text-anchor="{anchor}">{label}</text>'
    )


def _axis_svg(scale: _Scale, height: float) -> str:
    bottom = _TOP + len(LANES) * _LANE
    step = _tick_step(scale.duration)
    parts = []
    for index in range(math.floor(scale.duration / step + 1e-9) + 1):
        tick = index * step
        x = scale.x(tick)
        parts.append(
            f'<g class="tick"><line x1="{x}" y1="{_TOP}" x2="{x}" y2="{bottom}"/>'
            f'<text x="{x}" y="{bottom + 16}">{tick:.6g}</text></g>'
        )
    middle = (_LEFT + _WIDTH - _RIGHT) / 2
    parts.append(
        f'<text class="axis-title" x="{middle}" y="{height - 6}">'
        "seconds since the recording started</text>"
    )
    return "".join(parts)


def _svg(timeline: Timeline) -> str:
    scale = _Scale(timeline.duration)
    height = _TOP + len(LANES) * _LANE + _AXIS
    lanes = "".join(
        f'<text class="lane-name" x="{_LEFT - 10}" y="{_lane_middle(lane)}">{escape(lane)}</text>'
        f'<line class="lane-line" x1="{_LEFT}" y1="{_lane_middle(lane)}" '
        f'x2="{_WIDTH - _RIGHT}" y2="{_lane_middle(lane)}"/>'
        for lane in LANES
    )
    spans = "".join(_span_svg(span, scale) for span in timeline.spans)
    levels = marker_label_levels(timeline.markers)
    markers = "".join(
        _marker_svg(marker, level, scale)
        for marker, level in zip(timeline.markers, levels, strict=True)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="session timeline">'
        f"{_axis_svg(scale, height)}{lanes}{spans}{markers}</svg>"
    )


def _legend() -> str:
    items = "".join(
        f'<li><span class="swatch" style="background: {color}"></span>{escape(kind)}</li>'
        for kind, color in COLORS.items()
    )
    return f'<ul class="legend">{items}</ul>'


def render_timeline_html(timeline: Timeline) -> str:
    """The timeline as a self-contained HTML page (inline SVG and CSS, no script).

    Args:
        timeline: What to draw.

    Returns:
        The page.
    """
    title = escape(timeline.title or "Realtime session timeline")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n<figure>{_svg(timeline)}</figure>\n{_legend()}\n"
        f'<h2>Latency and tokens</h2>\n<pre class="metrics">'
        f"{escape(timeline.metrics.format())}</pre>\n</body>\n</html>\n"
    )


def write_timeline_html(timeline: Timeline, path: str | os.PathLike[str]) -> None:
    """Write :func:`render_timeline_html` of the timeline to ``path`` (UTF-8).

    Raises:
        OSError: The file cannot be written.
    """
    Path(path).write_text(render_timeline_html(timeline), encoding="utf-8")
