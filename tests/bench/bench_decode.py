"""Decoding: our typed decode against ``json.loads`` and against the ``openai`` SDK's parse path.

* Ours: ``decode_server_event`` validates the frame text straight into the event's typed model
  (pydantic ``validate_json`` on a union tagged by ``type``: one model is tried per frame).
* ``json.loads``: parsing only, plain dicts, nothing checked: the ceiling.
* ``openai`` 3.57: ``AsyncRealtimeConnection.parse_event`` runs ``json.loads`` and then
  ``construct_type_unchecked``, which first *validates* the dict against its event union through a
  pydantic ``TypeAdapter``; the union's ``PropertyInfo(discriminator="type")`` is the SDK's own
  metadata, stripped before validation, so pydantic sees a plain union of 46 models and picks a
  member in smart mode. Only when that validation fails does it construct the model named by
  ``type`` without validating. All frames here are valid, so the validating path is what is timed.
"""

from __future__ import annotations

import functools
import importlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench_frames import answer_frames, session_created_frame, user_turn_frames
from bench_report import Figures, Row, interleaved
from bench_sizes import Sizes

from openai_realtime.protocol.codec import decode_server_event

__all__ = ["decode_rows", "openai_parse_event"]

Decoder = Callable[[str], Any]


def openai_parse_event() -> Decoder:
    """The ``openai`` SDK's frame parser (it never uses its connection, so none is given)."""
    module = importlib.import_module("openai.resources.realtime.realtime")
    parse: Decoder = functools.partial(module.AsyncRealtimeConnection.parse_event, None)
    return parse


def frame_sets(sizes: Sizes) -> dict[str, list[str]]:
    """The frames to decode: one set per event type, and a mixed stream."""
    answer = answer_frames(sizes.decode_stream_seconds)
    user = user_turn_frames(0)
    examples = {
        json.loads(text)["type"]: text for text in [session_created_frame(), *user, *answer]
    }
    chosen = [
        "response.output_audio.delta",
        "response.output_audio_transcript.delta",
        "conversation.item.added",
        "response.done",
        "session.created",
    ]
    sets = {name: [examples[name]] * sizes.decode_frames_per_type for name in chosen}
    sets["mixed stream"] = [session_created_frame(), *user, *answer]
    return sets


def _side(decode: Decoder, frames: list[str]) -> Callable[[], Awaitable[Figures]]:
    async def measure() -> Figures:
        # CPU time of this thread: decoding is pure computation, and on a shared machine the
        # wall clock would also count the moments other processes held the CPU.
        start = time.thread_time()
        for text in frames:
            decode(text)
        return {"events_per_second": len(frames) / (time.thread_time() - start)}

    return measure


async def decode_rows(sizes: Sizes) -> list[Row]:
    """One row per frame set: events per second of each decoder, in interleaved rounds."""
    rows = []
    openai = openai_parse_event()
    for name, frames in frame_sets(sizes).items():
        measured = await interleaved(
            {
                "ours": _side(decode_server_event, frames),
                "openai": _side(openai, frames),
                "json.loads": _side(json.loads, frames),
            },
            sizes.rounds,
            warm_up=sizes.warm_up,
        )

        def rates(side: str) -> list[float]:
            return [figures["events_per_second"] for figures in measured[side]]  # noqa: B023

        label = "mixed stream (one spoken answer)" if name == "mixed stream" else name
        rows.append(
            Row(
                key=f"decode {name}",
                what=f"decode {label}, events per CPU second",
                ours=rates("ours"),
                peer=rates("openai"),
                ceiling=rates("json.loads"),
                ceiling_name="json.loads",
            )
        )
    return rows
