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
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench_frames import answer_frames, session_created_frame, user_turn_frames
from bench_process import run_child
from bench_report import Figures, Group, Row
from bench_sizes import Sizes

from openai_realtime.protocol.codec import decode_server_event

__all__ = ["decode_group", "measure_in_process", "openai_parse_event"]

Decoder = Callable[[str], Any]
_REPEATS = 3
_WARM_FRAMES = 50
# The event types decoded one type at a time; then the mixed stream of a spoken answer.
_EVENT_TYPES = (
    "response.output_audio.delta",
    "response.output_audio_transcript.delta",
    "conversation.item.added",
    "response.done",
    "session.created",
)
_MIXED = "mixed stream"


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
    sets = {name: [examples[name]] * sizes.decode_frames_per_type for name in _EVENT_TYPES}
    sets[_MIXED] = [session_created_frame(), *user, *answer]
    return sets


def measure_in_process(sizes: Sizes, first: int) -> Figures:
    """One round of every decoder on every frame set, in this (fresh) interpreter.

    Every decoder first decodes a few frames of every set untimed (pydantic builds its
    validators on first use). Then, per set, each decoder is timed ``_REPEATS`` times, the
    decoders taking turns, the first one given by ``first``; the median of the repeats is the
    round's figure. One round per fresh interpreter puts what differs from one process to the
    next (hash seeds, where the heap lands) into the spread of the rounds.

    Returns:
        Events per CPU second, keyed ``"<set>|<decoder>"``.
    """
    decoders: dict[str, Decoder] = {
        "ours": decode_server_event,
        "openai": openai_parse_event(),
        "json.loads": json.loads,
    }
    names = list(decoders)
    order = names[first % len(names) :] + names[: first % len(names)]
    sets = frame_sets(sizes)
    for frames in sets.values():
        for decode in decoders.values():
            for text in frames[:_WARM_FRAMES]:
                decode(text)
    figures: Figures = {}
    for set_name, frames in sets.items():
        rates: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(_REPEATS):
            for name in order:
                rates[name].append(_rate(decoders[name], frames))
        for name in names:
            figures[f"{set_name}|{name}"] = statistics.median(rates[name])
    return figures


def _rate(decode: Decoder, frames: list[str]) -> float:
    # CPU time of this thread: decoding is pure computation, and on a shared machine the wall
    # clock would also count the moments other processes held the CPU.
    start = time.thread_time()
    for text in frames:
        decode(text)
    return len(frames) / (time.thread_time() - start)


def decode_group(sizes: Sizes) -> Group:
    """One row per frame set: events per CPU second of each decoder, a fresh interpreter per
    round."""
    rounds_started = 0

    async def measure() -> Figures:
        nonlocal rounds_started
        rounds_started += 1
        output = await run_child("decode", sizes.to_json(), str(rounds_started))
        return {key: float(value) for key, value in json.loads(output).items()}

    def rows(measured: dict[str, list[Figures]]) -> list[Row]:
        rounds = measured["decode"]

        def rates(set_name: str, decoder: str) -> list[float]:
            return [figures[f"{set_name}|{decoder}"] for figures in rounds]

        return [
            Row(
                key=f"decode {name}",
                what=(
                    "decode "
                    + ("mixed stream (one spoken answer)" if name == _MIXED else name)
                    + ", events per CPU second"
                ),
                ours=rates(name, "ours"),
                peer=rates(name, "openai"),
                ceiling=rates(name, "json.loads"),
                ceiling_name="json.loads",
            )
            for name in [*_EVENT_TYPES, _MIXED]
        ]

    return Group(name="decode", sides={"decode": measure}, rows=rows)
