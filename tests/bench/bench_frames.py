"""Server frames for the benchmarks, built once before anything is timed.

A spoken answer is mostly ``response.output_audio.delta`` events (100 ms of audio each by
default: 2400 samples, 6400 base64 characters), four ``response.output_audio_transcript.delta``
per second, and around them ``response.created``, ``response.output_item.added/.done``,
``conversation.item.added/.done``, ``response.content_part.added/.done`` and a ``response.done``
with usage. A user turn is the ``input_audio_buffer.committed`` and the user item the service
sends after a manual commit. ``session.created`` turns server VAD off, so clients commit their
input audio themselves.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np

from openai_realtime.protocol.audio import SAMPLE_RATE, encode_base64

__all__ = [
    "TRANSCRIPT_DELTAS_PER_SECOND",
    "answer_frames",
    "answer_shape",
    "session_created_frame",
    "user_turn_frames",
]

TRANSCRIPT_DELTAS_PER_SECOND = 4
_DISTINCT_CHUNKS = 64  # audio payloads cycle through these (encoding 30k chunks adds nothing)


def session_created_frame() -> str:
    """The first frame of every connection: a realtime session with turn detection off."""
    audio_format = {"type": "audio/pcm", "rate": SAMPLE_RATE}
    session = {
        "type": "realtime",
        "object": "realtime.session",
        "id": "sess_bench",
        "model": "gpt-realtime",
        "output_modalities": ["audio"],
        "audio": {
            "input": {"format": audio_format, "turn_detection": None},
            "output": {"format": audio_format, "voice": "alloy"},
        },
    }
    return json.dumps({"type": "session.created", "event_id": "event_session", "session": session})


def user_turn_frames(turn: int) -> list[str]:
    """What the service sends after the client commits the input audio of turn ``turn``."""
    item_id = f"user_{turn}"
    item = {
        "id": item_id,
        "object": "realtime.item",
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_audio", "transcript": None}],
    }
    return [
        json.dumps(
            {"type": "input_audio_buffer.committed", "event_id": f"c_{turn}", "item_id": item_id}
        ),
        json.dumps({"type": "conversation.item.added", "event_id": f"a_{turn}", "item": item}),
        json.dumps({"type": "conversation.item.done", "event_id": f"d_{turn}", "item": item}),
    ]


def answer_frames(seconds: float, *, answer: int = 0, chunk_ms: int = 100) -> list[str]:
    """The frames of one spoken answer of ``seconds`` seconds, in the order the server sends them.

    Args:
        seconds: Length of the answer's audio.
        answer: Makes the ids (``resp_<answer>``, ``item_<answer>``) differ between answers.
        chunk_ms: Audio per delta.

    Returns:
        JSON text frames, one per event.
    """
    response_id, item_id = f"resp_{answer}", f"item_{answer}"
    counter = itertools.count()

    def frame(event_type: str, **fields: Any) -> str:
        return json.dumps(
            {"type": event_type, "event_id": f"event_{answer}_{next(counter)}", **fields}
        )

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
    payloads = _audio_payloads(SAMPLE_RATE * chunk_ms // 1000, seed=answer)
    for index in range(chunk_count):
        if index % transcript_every == 0:
            frames.append(frame("response.output_audio_transcript.delta", delta="word ", **part))
        delta = payloads[index % len(payloads)]
        frames.append(frame("response.output_audio.delta", delta=delta, **part))
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


def answer_shape(seconds: float, *, chunk_ms: int = 100) -> tuple[int, int, int]:
    """Events, audio deltas and audio samples of :func:`answer_frames` (without building it)."""
    chunk_count = round(seconds * 1000 / chunk_ms)
    transcript_every = max(1, round(1000 / chunk_ms / TRANSCRIPT_DELTAS_PER_SECOND))
    transcripts = len(range(0, chunk_count, transcript_every))
    return 10 + chunk_count + transcripts, chunk_count, chunk_count * SAMPLE_RATE * chunk_ms // 1000


def _audio_payloads(samples: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [
        encode_base64(rng.integers(-3000, 3000, size=samples, dtype=np.int16))
        for _ in range(_DISTINCT_CHUNKS)
    ]
