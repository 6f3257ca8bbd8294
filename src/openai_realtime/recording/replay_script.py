"""What a replay server says, and when: the recorded server side cut at each client frame.

A recording alternates between what the client sent and what the server sent after it. The
script keeps that shape: the server frames before the first client frame (the opening), then
one step per recorded client frame with the server frames recorded after it and before the next
client frame. The server's first frame, when it is ``session.created``, is always part of the
opening: the service sends it on connect, even when the client's first frame was recorded first.

Matching rule (:meth:`ReplayCursor.match`): a frame a live client sends is matched with the
next recorded client frame *of the same type*, at or after the cursor. The replies of that step
are due, together with those of the steps it skipped (the recorded server sent those too, and
the conversation needs them). A frame with no match is answered with nothing; the cursor stays.
The cursor is pure: no I/O, no clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from openai_realtime.recording.format import RecordedFrame
from openai_realtime.recording.reader import Recording

__all__ = ["ReplayBatch", "ReplayCursor", "ReplayScript", "ReplayStep", "event_type_of"]

_GREETING: Final = "session.created"


def event_type_of(frame: str | bytes) -> str:
    """The ``type`` of a frame, or ``""`` when it is not a JSON object with a string type."""
    try:
        event = json.loads(frame)
    except ValueError:
        return ""
    kind = event.get("type") if isinstance(event, dict) else None
    return kind if isinstance(kind, str) else ""


@dataclass(frozen=True, slots=True)
class ReplayStep:
    """One recorded client frame and the server frames that followed it.

    Attributes:
        event_type: The type of the recorded client frame.
        t: When the client frame was recorded.
        replies: The server frames recorded after it, before the next client frame.
    """

    event_type: str
    t: float
    replies: tuple[RecordedFrame, ...]


@dataclass(frozen=True, slots=True)
class ReplayBatch:
    """Server frames to send in order, timed relative to ``anchor``.

    Attributes:
        anchor: The recorded time the first frame's delay is measured from.
        frames: The frames to send.
    """

    anchor: float
    frames: tuple[RecordedFrame, ...]


@dataclass(frozen=True, slots=True)
class ReplayScript:
    """The recorded server side of a session, cut at each client frame.

    Attributes:
        opening: Server frames recorded before the first client frame.
        steps: One step per recorded client frame, in order.
    """

    opening: tuple[RecordedFrame, ...]
    steps: tuple[ReplayStep, ...]

    @classmethod
    def from_recording(cls, recording: Recording) -> ReplayScript:
        """Cut a recording into its opening and steps.

        Args:
            recording: A recording read with :func:`~openai_realtime.recording.read_recording`.

        Returns:
            The script.
        """
        opening: list[RecordedFrame] = []
        steps: list[tuple[str, float, list[RecordedFrame]]] = []
        server_spoke = False
        for frame in recording.frames:
            if frame.direction == "client":
                steps.append((event_type_of(frame.frame), frame.t, []))
                continue
            # The service greets on connect, unasked; a client that sends at once (as
            # RealtimeClient does) is often recorded first, yet the greeting opens the replay.
            greeting = not server_spoke and event_type_of(frame.frame) == _GREETING
            if not steps or greeting:
                opening.append(frame)
            else:
                steps[-1][2].append(frame)
            server_spoke = True
        return cls(
            tuple(opening),
            tuple(ReplayStep(kind, t, tuple(replies)) for kind, t, replies in steps),
        )

    def opening_batch(self) -> ReplayBatch:
        """The frames a new connection gets before it sends anything."""
        anchor = self.opening[0].t if self.opening else 0.0
        return ReplayBatch(anchor, self.opening)

    def cursor(self) -> ReplayCursor:
        """A fresh cursor at the first step, for one connection."""
        return ReplayCursor(self)


class ReplayCursor:
    """Where one connection is in a script (see the module docstring for the matching rule).

    Args:
        script: The script to follow.
    """

    def __init__(self, script: ReplayScript) -> None:
        self._steps = script.steps
        self.position = 0
        """Index of the next recorded client frame that has not been matched."""

    @property
    def finished(self) -> bool:
        """True when every recorded client frame has been matched or skipped."""
        return self.position >= len(self._steps)

    def match(self, event_type: str) -> ReplayBatch | None:
        """Advance past the next recorded client frame of ``event_type``.

        Args:
            event_type: The type of the frame the live client just sent.

        Returns:
            The server frames now due (the matched step's and those of skipped steps), or
            ``None`` when no later recorded client frame has that type.
        """
        for index in range(self.position, len(self._steps)):
            if self._steps[index].event_type == event_type:
                due = self._steps[self.position : index + 1]
                self.position = index + 1
                frames = tuple(frame for step in due for frame in step.replies)
                return ReplayBatch(due[0].t, frames)
        return None
