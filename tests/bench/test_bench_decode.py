"""Benchmark: typed, fully validated decoding vs bare ``json.loads`` on one realistic stream.

``test_report_decode`` (marked ``bench``, run by ``make bench``) prints events per second for
both and their ratio; ``test_smoke_decode`` runs the same code on a tiny stream in ``make test``
and checks only that the decoded events are right. Nothing here asserts on time.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from openai_realtime.protocol.audio import SAMPLE_RATE, encode_base64
from openai_realtime.protocol.codec import decode_server_event, encode_server_event
from openai_realtime.types import SERVER_EVENTS

DELTA_SAMPLES = SAMPLE_RATE // 10  # 100 ms: 4800 bytes of PCM16, 6400 base64 characters
TRANSCRIPT_DELTAS_PER_SECOND = 4


def answer_frames(seconds: int, *, answer: int = 0) -> list[str]:
    """The frames of one spoken answer, as the server sends them, mostly audio deltas."""
    rng = np.random.default_rng(answer)
    response_id, item_id = f"resp_{answer}", f"item_{answer}"
    counter = itertools.count()

    def frame(event_type: str, **fields: Any) -> str:
        return json.dumps({"type": event_type, "event_id": f"event_{next(counter)}", **fields})

    where = {"response_id": response_id, "item_id": item_id, "output_index": 0}
    part = where | {"content_index": 0}
    item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant"}
    done_item = item | {
        "status": "completed",
        "content": [{"type": "output_audio", "transcript": "word " * 2 * seconds}],
    }
    usage = {
        "total_tokens": 1500,
        "input_tokens": 300,
        "output_tokens": 1200,
        "input_token_details": {"cached_tokens": 0, "text_tokens": 100, "audio_tokens": 200},
        "output_token_details": {"text_tokens": 200, "audio_tokens": 1000},
    }
    frames = [
        frame(
            "response.created", response={"id": response_id, "status": "in_progress", "output": []}
        ),
        frame(
            "response.output_item.added",
            response_id=response_id,
            output_index=0,
            item=item | {"status": "in_progress", "content": []},
        ),
        frame("conversation.item.added", item=item | {"status": "in_progress", "content": []}),
        frame("response.content_part.added", part={"type": "audio", "transcript": ""}, **part),
    ]
    for _ in range(seconds):
        for tenth in range(10):
            noise = rng.integers(-3000, 3000, size=DELTA_SAMPLES, dtype=np.int16)
            frames.append(frame("response.output_audio.delta", delta=encode_base64(noise), **part))
            if tenth % (10 // TRANSCRIPT_DELTAS_PER_SECOND) == 0:
                frames.append(
                    frame("response.output_audio_transcript.delta", delta="word ", **part)
                )
    frames += [
        frame("response.output_audio.done", **part),
        frame("response.output_audio_transcript.done", transcript="word " * 2 * seconds, **part),
        frame("response.content_part.done", part={"type": "audio", "transcript": "word"}, **part),
        frame("response.output_item.done", response_id=response_id, output_index=0, item=done_item),
        frame("conversation.item.done", item=done_item),
        frame(
            "response.done",
            response={
                "id": response_id,
                "status": "completed",
                "output": [done_item],
                "usage": usage,
            },
        ),
    ]
    return frames


def best_seconds(decode: Callable[[str], object], frames: list[str], repeats: int) -> float:
    """The fastest of ``repeats`` passes over all frames."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for text in frames:
            decode(text)
        best = min(best, time.perf_counter() - start)
    return best


def measure(frames: list[str], repeats: int) -> dict[str, float]:
    """Events per second of each decoder, measured side by side."""
    return {
        "json.loads": len(frames) / best_seconds(json.loads, frames, repeats),
        "decode_server_event": len(frames) / best_seconds(decode_server_event, frames, repeats),
    }


def test_smoke_decode() -> None:
    frames = answer_frames(1)
    for text in frames:
        event = decode_server_event(text)
        assert type(event) is SERVER_EVENTS[event.type]
        assert json.loads(encode_server_event(event)) == json.loads(text)
    rates = measure(frames, repeats=1)
    assert set(rates) == {"json.loads", "decode_server_event"}
    assert all(rate > 0 for rate in rates.values())


@pytest.mark.bench
def test_report_decode() -> None:
    frames = [text for answer in range(3) for text in answer_frames(20, answer=answer)]
    audio = sum('"response.output_audio.delta"' in text for text in frames)
    rates = measure(frames, repeats=7)
    ratio = rates["decode_server_event"] / rates["json.loads"]
    print(
        f"\ndecode: {len(frames)} frames ({audio} audio deltas of 100 ms, "
        f"{sum(map(len, frames)) / 1e6:.1f} MB), best of 7"
    )
    for name, rate in rates.items():
        print(f"  {name:<22}{rate:>12,.0f} events/s")
    print(f"  typed / json.loads    {ratio:>12.2f}x   (target >= 1.0x)")
