"""What happened on one connection, kept for tests: frames both ways and counts per type."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

__all__ = ["ConnectionRecord"]

Frame = str | bytes


@dataclass
class ConnectionRecord:
    """The frames one connection sent and received.

    Frame lists keep the most recent ``limit`` frames (a ten-minute answer is thousands of
    audio deltas); the counts cover every frame.

    Attributes:
        model: The ``model`` query parameter the client connected with.
        limit: How many recent frames each of :attr:`sent` and :attr:`received` keeps.
        sent: Frames sent by the server, in order (``bytes`` for binary frames).
        received: Frames received from the client, in order.
        sent_count: Frames sent in total.
        received_count: Frames received in total.
        sent_types: Sent events counted by ``type`` (injected non-events count as ``"<frame>"``).
        received_types: Received events counted by ``type`` (``"<invalid>"`` when unreadable).
        closed: True once the connection has ended.
    """

    model: str
    limit: int = 1000
    sent: deque[Frame] = field(init=False)
    received: deque[Frame] = field(init=False)
    sent_count: int = 0
    received_count: int = 0
    sent_types: Counter[str] = field(default_factory=Counter)
    received_types: Counter[str] = field(default_factory=Counter)
    closed: bool = False

    def __post_init__(self) -> None:
        self.sent = deque(maxlen=self.limit)
        self.received = deque(maxlen=self.limit)

    def record_sent(self, frame: Frame, event_type: str) -> None:
        """Count (and keep) a frame the server sent."""
        self.sent_count += 1
        self.sent_types[event_type] += 1
        if self.limit:
            self.sent.append(frame)

    def record_received(self, frame: Frame, event_type: str) -> None:
        """Count (and keep) a frame the server received."""
        self.received_count += 1
        self.received_types[event_type] += 1
        if self.limit:
            self.received.append(frame)
