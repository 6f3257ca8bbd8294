"""Draw a :class:`~openai_realtime.recording.timeline_model.Timeline` as a PNG, with matplotlib.

matplotlib is optional (``pip install 'openai-realtime[plot]'``); without it, write the HTML
timeline instead (``timeline_html``), which needs nothing. Drawing uses the Agg canvas directly,
never pyplot, so it touches no global figure state and needs no display.
"""

from __future__ import annotations

import os
from typing import Final

from openai_realtime.errors import ConfigurationError
from openai_realtime.recording.timeline_model import (
    COLORS,
    LANES,
    Timeline,
    label_goes_left,
    marker_label_levels,
)

__all__ = ["render_timeline_png"]

_LANE_HEIGHT: Final = 0.6
_MARKER_SHAPES: Final = {"cancel": "X", "truncate": "v", "error": "D"}
# A zero-length span would vanish: draw it at least this fraction of the axis wide.
_MIN_WIDTH_FRACTION: Final = 0.002
_MAX_LABEL: Final = 48


def render_timeline_png(
    timeline: Timeline,
    path: str | os.PathLike[str],
    *,
    width: float = 14.0,
    dpi: int = 100,
) -> None:
    """Write the timeline as a PNG image.

    Args:
        timeline: What to draw.
        path: The file to write.
        width: Image width in inches (the height follows the number of lanes).
        dpi: Pixels per inch.

    Raises:
        ConfigurationError: matplotlib is not installed.
        OSError: The file cannot be written.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ConfigurationError(
            "a PNG timeline needs matplotlib: pip install 'openai-realtime[plot]', "
            "or write the timeline as .html"
        ) from None
    figure = Figure(figsize=(width, 1.2 + 0.9 * len(LANES)), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    row = {lane: len(LANES) - 1 - index for index, lane in enumerate(LANES)}
    extent = max(timeline.duration, 1e-3)
    for span in timeline.spans:
        y = row[span.lane]
        span_width = max(span.end - span.start, extent * _MIN_WIDTH_FRACTION)
        axes.broken_barh(
            [(span.start, span_width)],
            (y - _LANE_HEIGHT / 2, _LANE_HEIGHT),
            facecolors=COLORS[span.kind],
            edgecolors="#343a40",
            linewidth=0.5,
            linestyle="--" if span.kind == "latency" else "-",
        )
        if span.label:
            left = label_goes_left(span.start, extent)
            axes.text(
                span.start + span_width if left else span.start,
                y + _LANE_HEIGHT / 2 + 0.03,
                span.label,
                fontsize=7,
                ha="right" if left else "left",
            )
    for marker, level in zip(timeline.markers, marker_label_levels(timeline.markers), strict=True):
        y = row[marker.lane]
        axes.scatter(
            [marker.at], [y], marker=_MARKER_SHAPES[marker.kind], color=COLORS[marker.kind], s=50
        )
        axes.text(
            marker.at,
            y + 0.18 if level == 0 else y - 0.18,
            marker.label[:_MAX_LABEL],
            fontsize=7,
            ha="right" if label_goes_left(marker.at, extent) else "left",
            va="bottom" if level == 0 else "top",
        )
    axes.set_yticks(range(len(LANES)), [lane for lane in reversed(LANES)])
    axes.set_ylim(-0.6, len(LANES) - 0.2)
    axes.set_xlim(0, extent * 1.05)
    axes.set_xlabel("seconds since the recording started")
    axes.grid(axis="x", color="#dee2e6", linewidth=0.5)
    axes.set_axisbelow(True)
    if timeline.title:
        axes.set_title(timeline.title, fontsize=10)
    figure.savefig(os.fspath(path), format="png")
