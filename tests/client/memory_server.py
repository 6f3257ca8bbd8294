"""The server's end of an in-memory connection, for client tests that need no socket.

It speaks in whole frames: ``push`` sends server events and returns once the client has
handled them (decoded, applied to its store and session core, dispatched to sync handlers), so
a test controls exactly what the client has seen at each line.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np

from openai_realtime import RealtimeClient
from openai_realtime.protocol.audio import encode_base64
from openai_realtime.transports import MemoryConnector, MemoryTransport

__all__ = [
    "MemoryServer",
    "assistant_item",
    "audio_delta",
    "connected_client",
    "frame",
    "response",
    "user_item",
]

_event_ids = itertools.count()


def frame(event_type: str, **fields: Any) -> str:
    """One server frame as the wire carries it."""
    return json.dumps({"type": event_type, "event_id": f"event_{next(_event_ids)}", **fields})


def response(response_id: str, status: str = "in_progress", output: Any = ()) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "realtime.response",
        "status": status,
        "output": list(output),
    }


def assistant_item(item_id: str, status: str = "in_progress", text: str = "") -> dict[str, Any]:
    content = [{"type": "output_text", "text": text}] if text else []
    return {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": content,
    }


def user_item(item_id: str, text: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_text", "text": text}],
    }


def audio_delta(response_id: str, item_id: str, samples: int, value: int = 100) -> str:
    audio = encode_base64(np.full(samples, value, dtype=np.int16))
    return frame(
        "response.output_audio.delta",
        response_id=response_id,
        item_id=item_id,
        output_index=0,
        content_index=0,
        delta=audio,
    )


class MemoryServer:
    """Plays OpenAI's side of one in-memory connection, frame by frame."""

    def __init__(self, end: MemoryTransport) -> None:
        self.end = end
        self.received: list[dict[str, Any]] = []
        self.first_session_update: dict[str, Any] = {}

    async def push(self, *frames: str) -> None:
        """Send frames; returns once the client has handled every one of them."""
        for text in frames:
            await self.end.send_text(text)
        await self.end.flush()

    async def next_sent(self, event_type: str) -> dict[str, Any]:
        """The next client event of ``event_type`` (earlier ones of other types are kept)."""
        for index, event in enumerate(self.received):
            if event["type"] == event_type:
                return self.received.pop(index)
        while True:
            text = await self.end.receive()
            assert isinstance(text, str), f"the client ended the connection: {text!r}"
            event = json.loads(text)
            if event["type"] == event_type:
                return dict(event)
            self.received.append(event)

    async def answer_text(self, response_id: str, text: str) -> None:
        """Answer the ``response.create`` just received with a complete text response."""
        item_id = f"item_{response_id}"
        where = {"response_id": response_id, "item_id": item_id, "output_index": 0}
        done = assistant_item(item_id, "completed", text)
        await self.push(
            frame("response.created", response=response(response_id)),
            frame(
                "response.output_item.added",
                response_id=response_id,
                output_index=0,
                item=assistant_item(item_id),
            ),
            frame("response.output_text.delta", content_index=0, delta=text, **where),
            frame("response.output_item.done", response_id=response_id, output_index=0, item=done),
            frame("response.done", response=response(response_id, "completed", [done])),
        )


async def connected_client(**options: Any) -> tuple[RealtimeClient, MemoryServer]:
    """A RealtimeClient connected over the in-memory pair, and the server's end."""
    connector = MemoryConnector()
    client = RealtimeClient(transport=connector, **options)
    await client.connect()
    server = MemoryServer(await connector.accept())
    server.first_session_update = await server.next_sent("session.update")
    return client, server
