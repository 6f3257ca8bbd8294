"""Row 1: typed, fully validated decoding of a realistic server stream.

Compared, on the same frames in the same run, with ``json.loads`` (parsing only: plain dicts,
nothing checked) and with the ``openai`` SDK's own parse path,
``AsyncRealtimeConnection.parse_event`` (``json.loads``, then building its models from the dict
without validating them). The stream is three 20-second spoken answers (``bench_frames``).
Targets: at least 1.0x ``json.loads`` and at least 8x the openai SDK.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pytest
from bench_frames import answer_frames
from bench_report import Row, best_seconds, optional_module, record

from openai_realtime.protocol.codec import decode_server_event, encode_server_event
from openai_realtime.types import SERVER_EVENTS

Decoder = Callable[[str], Any]


def openai_parse_event() -> Decoder | None:
    """The openai SDK's frame parser, or ``None`` when the SDK is not installed.

    ``parse_event`` never uses its connection (it only parses), so calling it without one runs
    exactly the SDK's code.
    """
    module = optional_module("openai.resources.realtime.realtime")
    if module is None:
        return None
    parse: Decoder = functools.partial(module.AsyncRealtimeConnection.parse_event, None)
    return parse


def decoders() -> dict[str, Decoder]:
    """Every decoder to compare, ours first; the openai one only when it is installed."""
    found: dict[str, Decoder] = {
        "decode_server_event": decode_server_event,
        "json.loads": json.loads,
    }
    openai = openai_parse_event()
    if openai is not None:
        found["openai parse_event"] = openai
    return found


def events_per_second(frames: list[str], repeats: int) -> dict[str, float]:
    """Events per second of each decoder over all frames, best of ``repeats`` passes each."""

    def run(decode: Decoder) -> Callable[[], None]:
        def decode_all() -> None:
            for text in frames:
                decode(text)

        return decode_all

    return {
        name: len(frames) / best_seconds(run(decode), repeats)
        for name, decode in decoders().items()
    }


def test_smoke_row1_decode() -> None:
    frames = answer_frames(1)
    for text in frames:
        event = decode_server_event(text)
        assert type(event) is SERVER_EVENTS[event.type]
        assert json.loads(encode_server_event(event)) == json.loads(text)
    openai = openai_parse_event()
    if openai is not None:
        assert [openai(text).type for text in frames] == [json.loads(t)["type"] for t in frames]
    rates = events_per_second(frames, repeats=1)
    assert all(rate > 0 for rate in rates.values())


@pytest.mark.bench
def test_row1_decode() -> None:
    frames = [text for answer in range(3) for text in answer_frames(20, answer=answer)]
    rates = events_per_second(frames, repeats=7)
    ours = rates["decode_server_event"]
    what = f"typed validated decode, {len(frames)} frames (mostly 100 ms audio)"
    rows = [_compare(what, ours, "json.loads", rates["json.loads"], 1.0)]
    if "openai parse_event" in rates:
        rows.append(_compare(what, ours, "openai parse_event", rates["openai parse_event"], 8.0))
    else:
        rows.append(Row(1, what, "", "openai parse_event", "not installed", "", ">= 8x", None))
    record(*rows)


def _compare(what: str, ours: float, against: str, theirs: float, target: float) -> Row:
    ratio = ours / theirs
    return Row(
        1,
        what,
        f"{ours:,.0f} events/s",
        against,
        f"{theirs:,.0f} events/s",
        f"{ratio:.2f}x",
        f">= {target:g}x",
        ratio >= target,
    )
