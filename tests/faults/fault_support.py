"""Shared by the fault-injection tests: scripted replies, a frame ledger, bounded waits.

The ledger counts what the client's ``RealtimeAPI`` dispatched per received frame (a
``server.*`` event, or an ``error`` for a frame it could not decode), so a test can compare it
with what the fake server says it sent on every connection: equal counts mean no frame the
server sent before a fault was lost.
"""

from __future__ import annotations

from typing import Any

from openai_realtime import RealtimeClient
from openai_realtime.local_events import ClientErrorPayload, LocalErrorEvent
from openai_realtime.reconnect import ReconnectPolicy
from openai_realtime.testing import FakeRealtimeServer, Reply, ToolCall
from openai_realtime.types import ServerEvent, UnknownServerEvent

__all__ = [
    "FAST_RECONNECT",
    "REPLIES",
    "TEXT_SESSION",
    "FrameLedger",
    "sent_by",
    "talk",
]


FAST_RECONNECT = ReconnectPolicy(initial_delay=0.01, max_delay=0.02, jitter=0.0)

TEXT_SESSION: dict[str, Any] = {"turn_detection": None, "output_modalities": ["text"]}

REPLIES: dict[str, Reply] = {
    "text": Reply(text="A short text answer."),
    "audio": Reply(audio_text="Spoken."),
    "tool": Reply(tool_calls=[ToolCall("lookup", {"q": "x"}, call_id="call_1")]),
}
"""One reply of each kind of response; each is streamed as a fixed sequence of events."""


class FrameLedger:
    """Counts the frames a client received, as dispatched by its ``RealtimeAPI``.

    Attributes:
        events: The decoded server events, in order.
        undecodable: Frames that became a local ``error`` instead.
        errors: Every ``error`` the client emitted (server errors and local ones).
    """

    def __init__(self, client: RealtimeClient) -> None:
        self.events: list[ServerEvent | UnknownServerEvent] = []
        self.undecodable = 0
        self.errors: list[ClientErrorPayload] = []
        client.realtime.on("server.*", self.events.append)
        client.realtime.on("error", self._on_api_error)
        client.on("error", self.errors.append)

    def _on_api_error(self, event: LocalErrorEvent) -> None:
        if event.raw is not None:
            self.undecodable += 1

    @property
    def frames(self) -> int:
        """Frames received: decoded events plus undecodable frames."""
        return len(self.events) + self.undecodable

    def types(self) -> list[str]:
        """The ``type`` of every decoded event, in order."""
        return [event.type for event in self.events]


def sent_by(server: FakeRealtimeServer) -> int:
    """Frames the server sent over all its connections."""
    return sum(record.sent_count for record in server.connections)


async def talk(client: RealtimeClient, text: str) -> None:
    """Send a user text message and ask for a response."""
    await client.send_user_message_content([{"type": "input_text", "text": text}])
