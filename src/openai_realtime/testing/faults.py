"""Fault injection: misbehaviour a client must survive, as small composable values.

A fault fires once, as soon as the server has sent ``after_events`` frames: counted over the
whole connection for faults given to :class:`~openai_realtime.testing.FakeRealtimeServer`,
or from the start of one response (``response.created`` is its first event) for faults in a
:class:`~openai_realtime.testing.Reply`. Frames that faults inject count as sent frames too.
``after_events=0`` fires before the first frame (before ``session.created`` on a connection).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = [
    "Delay",
    "DropConnection",
    "Fault",
    "FaultSchedule",
    "SendBinaryFrame",
    "SendMalformedFrame",
    "SendUnknownEvent",
]


@dataclass(frozen=True)
class DropConnection:
    """End the connection.

    Attributes:
        after_events: Frames sent before the fault fires.
        close_code: ``None`` aborts the TCP connection with no closing handshake (what a network
            failure looks like: the client sees code 1006); a number sends a WebSocket close
            frame with that code.
        reason: The close reason sent with ``close_code``.
    """

    after_events: int = 0
    close_code: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class SendUnknownEvent:
    """Send a well-formed event of a type no client knows (a newer server's event).

    Attributes:
        after_events: Frames sent before the fault fires.
        event_type: The ``type`` to send.
        payload: Extra fields of the event.
    """

    after_events: int = 0
    event_type: str = "fake.future_event"
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendMalformedFrame:
    """Send a text frame that is not a valid event.

    Attributes:
        after_events: Frames sent before the fault fires.
        text: The frame; by default JSON cut off in the middle.
    """

    after_events: int = 0
    text: str = '{"type": "response.done", "event_id": "event_malformed", "response": {'


@dataclass(frozen=True)
class SendBinaryFrame:
    """Send a binary frame (the service only ever sends text).

    Attributes:
        after_events: Frames sent before the fault fires.
        data: The frame's bytes.
    """

    after_events: int = 0
    data: bytes = b"\x00\x01binary\xff"


@dataclass(frozen=True)
class Delay:
    """Pause the server's output (a slow network or a slow model).

    Attributes:
        after_events: Frames sent before the fault fires.
        seconds: How long nothing is sent, in server time (see ``time_scale``).
    """

    after_events: int = 0
    seconds: float = 0.1


Fault: TypeAlias = DropConnection | SendUnknownEvent | SendMalformedFrame | SendBinaryFrame | Delay
"""Any of the fault types."""


class FaultSchedule:
    """Pending faults of one connection, ordered by the frame count that triggers them."""

    def __init__(self) -> None:
        self._pending: list[tuple[int, int, Fault]] = []
        # Ties keep the order faults were given in; the counter also spares comparing faults.
        self._order = itertools.count()

    def add(self, faults: Iterable[Fault], *, sent_so_far: int) -> None:
        """Schedule faults counted from now.

        Args:
            faults: The faults to schedule.
            sent_so_far: Frames already sent on the connection.
        """
        for fault in faults:
            entry = (sent_so_far + fault.after_events, next(self._order), fault)
            bisect.insort(self._pending, entry)

    def pop_due(self, sent_count: int) -> Fault | None:
        """Remove and return the next fault due at ``sent_count`` sent frames, if any."""
        if self._pending and self._pending[0][0] <= sent_count:
            return self._pending.pop(0)[2]
        return None
