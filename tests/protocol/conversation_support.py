"""Scripted server frames for the conversation store's tests."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openai_realtime.protocol.audio import SAMPLE_RATE
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import ConversationItem, Delta

_event_ids = itertools.count()

Result = tuple[ConversationItem | None, Delta | None]


def frame(event_type: str, **fields: Any) -> str:
    """One server frame as the wire carries it."""
    return json.dumps({"type": event_type, "event_id": f"event_{next(_event_ids)}", **fields})


def feed(conversation: RealtimeConversation, frames: Iterable[str]) -> list[Result]:
    return [conversation.process_event(decode_server_event(text)) for text in frames]


def sine(seconds: float, frequency: float = 440.0) -> NDArray[np.int16]:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return np.round(12000 * np.sin(2 * np.pi * frequency * t)).astype(np.int16)


def chunks(samples: NDArray[np.int16], size: int) -> list[NDArray[np.int16]]:
    return [samples[start : start + size] for start in range(0, len(samples), size)]


def assistant(item_id: str, status: str = "in_progress", content: Any = ()) -> dict[str, Any]:
    return {
        "id": item_id,
        "object": "realtime.item",
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": list(content),
    }


def user_audio(item_id: str, transcript: str | None = None) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_audio", "transcript": transcript}],
    }


def response(response_id: str, status: str = "in_progress", **fields: Any) -> dict[str, Any]:
    return {"id": response_id, "object": "realtime.response", "status": status, **fields}


def delta_fields(response_id: str, item_id: str) -> dict[str, Any]:
    return {"response_id": response_id, "item_id": item_id, "output_index": 0, "content_index": 0}


def start_answer(response_id: str, item: dict[str, Any]) -> list[str]:
    return [
        frame("response.created", response=response(response_id)),
        frame("response.output_item.added", response_id=response_id, output_index=0, item=item),
        frame("conversation.item.added", item=item),
    ]
