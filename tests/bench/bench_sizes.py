"""How big each benchmark is: the full run of ``make bench`` and the ``--quick`` correctness run."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["FULL", "QUICK", "Sizes"]


@dataclass(frozen=True)
class Sizes:
    """Every size the benchmarks use; the server process gets the same object as JSON.

    Attributes:
        rounds: Measured rounds (the sessions row takes part in fewer: ``session_every``).
        warm_up: Whether a discarded warm-up round comes first.
        decode_frames_per_type: Frames of one event type decoded per round.
        decode_stream_seconds: Audio length of the mixed stream decoded per round.
        stream_seconds: Audio length of the end-to-end answer (10 audio and 4 transcript
            deltas per second: 465 s is 6,985 events).
        latency_seconds: Audio length of the answer paced at 50 audio deltas per second.
        stall_seconds: Audio length of the answer during which the event loop is probed.
        stall_events_per_second: The pace of that answer.
        session_steps: Numbers of concurrent real-time sessions tried, smallest first.
        session_every: The sessions row is measured in round 1 and every ``session_every``-th
            round after it (each of its rounds takes a minute or more).
        session_warm_up: Seconds each step runs before it is measured.
        session_measured: Seconds each step is measured.
        session_answer_seconds: Audio length of each session's real-time answer.
        turns: Turns of the long session whose memory is measured.
        turn_seconds: Input audio and output audio of each turn, in seconds each.
    """

    rounds: int
    warm_up: bool
    decode_frames_per_type: int
    decode_stream_seconds: float
    stream_seconds: float
    latency_seconds: float
    stall_seconds: float
    stall_events_per_second: int
    session_steps: tuple[int, ...]
    session_every: int
    session_warm_up: float
    session_measured: float
    session_answer_seconds: float
    turns: int
    turn_seconds: float

    def to_json(self) -> str:
        """The sizes as one JSON object."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Sizes:
        """The sizes written by :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> Sizes:
        """The sizes from their fields (as a results file stores them)."""
        return cls(**{**fields, "session_steps": tuple(fields["session_steps"])})


FULL = Sizes(
    rounds=15,
    warm_up=True,
    decode_frames_per_type=3000,
    decode_stream_seconds=180,
    stream_seconds=465,
    latency_seconds=4,
    stall_seconds=600,
    stall_events_per_second=3000,
    session_steps=(50, 100, 200, 250, 300, 350, 400, 600, 800),
    session_every=3,
    session_warm_up=2.0,
    session_measured=4.0,
    session_answer_seconds=60,
    turns=180,
    turn_seconds=5,
)

QUICK = Sizes(
    rounds=1,
    warm_up=False,
    decode_frames_per_type=5,
    decode_stream_seconds=1,
    stream_seconds=2,
    latency_seconds=0.3,
    stall_seconds=2,
    stall_events_per_second=2000,
    session_steps=(2,),
    session_every=1,
    session_warm_up=0.2,
    session_measured=0.5,
    session_answer_seconds=3,
    turns=2,
    turn_seconds=1,
)
