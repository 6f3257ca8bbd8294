"""Realistic server frames for the benchmarks: spoken answers exactly as the service sends them.

An answer is mostly ``response.output_audio.delta`` events (100 ms of audio each by default: 2400
samples, 4800 bytes of PCM16, 6400 base64 characters), four
``response.output_audio_transcript.delta`` per second, and around them ``response.created``,
``response.output_item.added/.done``, ``conversation.item.added/.done``,
``response.content_part.added/.done`` and a ``response.done`` with usage.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np

from openai_realtime.protocol.audio import SAMPLE_RATE, encode_base64

__all__ = ["TRANSCRIPT_DELTAS_PER_SECOND", "answer_frames"]

TRANSCRIPT_DELTAS_PER_SECOND = 4


def answer_frames(seconds: float, *, answer: int = 0, chunk_ms: int = 100) -> list[str]:
    """The frames of one spoken answer of ``seconds`` seconds, in the order the server sends them.

    Args:
        seconds: Length of the answer's audio.
        answer: Makes the ids (``resp_<answer>``, ``item_<answer>``) and the noise differ.
        chunk_ms: Audio per delta.

    Returns:
        JSON text frames, one per event.
    """
    rng = np.random.default_rng(answer)
    response_id, item_id = f"resp_{answer}", f"item_{answer}"
    counter = itertools.count()

    def frame(event_type: str, **fields: Any) -> str:
        return json.dumps({"type": event_type, "event_id": f"event_{next(counter)}", **fields})

    chunk_count = round(seconds * 1000 / chunk_ms)
    transcript_every = max(1, round(1000 / chunk_ms / TRANSCRIPT_DELTAS_PER_SECOND))
    words = "word " * max(1, round(seconds * TRANSCRIPT_DELTAS_PER_SECOND))
    where = {"response_id": response_id, "item_id": item_id, "output_index": 0}
    part = where | {"content_index": 0}
    item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant"}
    done_item = item | {
        "status": "completed",
        "content": [{"type": "output_audio", "transcript": words}],
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
    chunk_samples = SAMPLE_RATE * chunk_ms // 1000
    for index in range(chunk_count):
        if index % transcript_every == 0:
            frames.append(frame("response.output_audio_transcript.delta", delta="word ", **part))
        noise = rng.integers(-3000, 3000, size=chunk_samples, dtype=np.int16)
        frames.append(frame("response.output_audio.delta", delta=encode_base64(noise), **part))
    frames += [
        frame("response.output_audio.done", **part),
        frame("response.output_audio_transcript.done", transcript=words, **part),
        frame("response.content_part.done", part={"type": "audio", "transcript": words}, **part),
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
