"""Playback that knows what the listener heard: the assistant's audio queue and its clock.

:class:`AudioPlayer` is pure (no event loop, no device): the client queues each assistant
item's audio with :meth:`AudioPlayer.enqueue`, a sink pulls fixed blocks with
:meth:`AudioPlayer.read` (silence when nothing is queued), and :meth:`AudioPlayer.position` says
which item and which sample of it the listener has heard. Every frame handed to a sink is
numbered on one output timeline; a :class:`PlaybackClock` turns "frames handed out" into
"frames played", because a sink plays what it was given only later:

* :class:`LatencyClock`: a fixed delay in frames (0 for a file: written is played);
* :class:`DeviceClock`: a sound card's own clock. Each output callback reports when its first
  frame reaches the DAC (PortAudio's ``outputBufferDacTime``); at any later moment of the same
  clock the frame being played is that frame plus the elapsed time times the rate;
* :class:`MarkClock`: sinks that acknowledge playback (telephony "marks"): a mark placed after
  the frames sent so far comes back once they have played.

:meth:`AudioPlayer.stop` (the user interrupted) drops what is queued and returns the position
heard, which is where ``conversation.item.truncate`` cuts the model's memory
(:meth:`RealtimeClient.cancel_response <openai_realtime.client.RealtimeClient.cancel_response>`).

The player is shared between the event loop (enqueue, stop) and a sink's audio thread (read,
the clock's reports), so its state changes under one lock; none of its methods block.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.audio import SAMPLE_RATE, samples_to_ms

__all__ = [
    "AudioPlayer",
    "DeviceClock",
    "LatencyClock",
    "MarkClock",
    "PlaybackClock",
    "PlayedPosition",
]


@dataclass(frozen=True, slots=True)
class PlayedPosition:
    """How much of an item the listener has heard.

    Attributes:
        item_id: The assistant item.
        samples: Samples of its audio played so far (at the player's rate).
        finished: Every sample of it that was queued has played (nothing was cut short).
    """

    item_id: str
    samples: int
    finished: bool

    @property
    def audio_end_ms(self) -> int:
        """``samples`` in milliseconds at 24 kHz, as ``conversation.item.truncate`` wants."""
        return samples_to_ms(self.samples)


class PlaybackClock(Protocol):
    """Turns frames handed to a sink into frames the listener has heard."""

    def played_frames(self, written: int) -> int:
        """Frames played of the ``written`` frames handed out so far (0 .. ``written``)."""
        ...


class LatencyClock:
    """A sink that plays what it was given after a fixed delay.

    Args:
        latency_frames: Frames given but not yet heard (0: a file, a recorder).
    """

    def __init__(self, latency_frames: int = 0) -> None:
        if latency_frames < 0:
            raise ConfigurationError("latency_frames must be >= 0")
        self.latency_frames = latency_frames

    def played_frames(self, written: int) -> int:
        """``written`` less the latency."""
        return max(0, written - self.latency_frames)


class DeviceClock:
    """A sound card's clock: when a known frame reaches the DAC, and what time it is now.

    Times are seconds on the device stream's own clock (PortAudio's ``stream.time``), never the
    process's monotonic clock: the two drift, and the DAC times are on the stream's.

    Args:
        sample_rate: The stream's frames per second.
        now: Reads the stream's clock.
    """

    def __init__(self, sample_rate: int, now: _Now) -> None:
        self._rate = sample_rate
        self._now = now
        self._anchor: tuple[int, float] | None = None
        self._lock = threading.Lock()

    def block_timing(self, first_frame: int, dac_time: float) -> None:
        """The block that starts at output frame ``first_frame`` plays at ``dac_time``."""
        with self._lock:
            self._anchor = (first_frame, dac_time)

    def reset(self) -> None:
        """The stream restarted: no frame is known to be playing until the next block."""
        with self._lock:
            self._anchor = None

    def played_frames(self, written: int) -> int:
        """Frames that reached the DAC by now, never more than were written."""
        with self._lock:
            anchor = self._anchor
        if anchor is None:
            return 0
        first_frame, dac_time = anchor
        played = first_frame + round((self._now() - dac_time) * self._rate)
        return max(0, min(played, written))


class _Now(Protocol):
    def __call__(self) -> float: ...


class MarkClock:
    """Playback acknowledged by the sink: marks sent after audio come back once it played.

    A telephony sink sends :meth:`mark` after each chunk of audio it forwards, and calls
    :meth:`acknowledged` when the far end reports that mark played.
    """

    def __init__(self) -> None:
        self._pending: dict[str, int] = {}
        self._played = 0
        self._next = 0
        self._lock = threading.Lock()

    def mark(self, written: int) -> str:
        """A new mark name standing for the first ``written`` frames of the timeline."""
        with self._lock:
            self._next += 1
            name = f"mark-{self._next}"
            self._pending[name] = written
            return name

    def acknowledged(self, name: str) -> None:
        """The far end played everything up to mark ``name`` (unknown names are ignored)."""
        with self._lock:
            frames = self._pending.pop(name, None)
            if frames is not None:
                self._played = max(self._played, frames)
                # Marks come back in order; earlier ones still pending never will.
                self._pending = {k: v for k, v in self._pending.items() if v > frames}

    def played_frames(self, written: int) -> int:
        """Frames up to the last acknowledged mark."""
        with self._lock:
            return min(self._played, written)


@dataclass(slots=True)
class _Span:
    """Output frames ``[start, start + length)`` carried ``item_id`` from sample ``offset``."""

    start: int
    length: int
    item_id: str
    offset: int


@dataclass(slots=True)
class _Queued:
    item_id: str
    samples: NDArray[np.int16]


class AudioPlayer:
    """Queues the assistant's audio per item, feeds a sink, and knows what has been heard.

    Args:
        clock: How the sink reports playback (default: ``LatencyClock(0)``, written is heard).

    Audio is 24 kHz mono PCM16, the API's rate: positions are sample counts at that rate.

    Example::

        player = AudioPlayer()
        player.enqueue("item_1", samples)
        block = player.read(480)         # what the sink plays next
        player.position()                # PlayedPosition("item_1", 480, finished=False)
    """

    sample_rate = SAMPLE_RATE

    def __init__(self, clock: PlaybackClock | None = None) -> None:
        self.clock: PlaybackClock = clock or LatencyClock()
        self._lock = threading.Lock()
        self._queue: deque[_Queued] = deque()
        self._written = 0  # output frames handed out, silence included
        self._spans: deque[_Span] = deque()  # what recent output frames carried
        self._received: dict[str, int] = {}  # samples queued per item, kept until cleared
        self._item_offset: dict[str, int] = {}  # samples of each item handed out
        self._last_item: str | None = None
        self._stopped_items: set[str] = set()
        self._cut: PlayedPosition | None = None  # where the last stop() cut
        self._stop_listeners: list[Callable[[], None]] = []

    @property
    def frames_written(self) -> int:
        """Output frames handed to the sink so far (silence included)."""
        return self._written

    def enqueue(self, item_id: str, samples: NDArray[np.int16]) -> None:
        """Queue more of ``item_id``'s audio after everything queued before.

        Audio of an item cut by :meth:`stop` is dropped: its later deltas were never meant to
        be heard.
        """
        if not len(samples):
            return
        with self._lock:
            if item_id in self._stopped_items:
                return
            self._queue.append(_Queued(item_id, np.asarray(samples, dtype=np.int16)))
            self._received[item_id] = self._received.get(item_id, 0) + len(samples)
            self._item_offset.setdefault(item_id, 0)

    def read(self, frames: int) -> NDArray[np.int16]:
        """The next ``frames`` output frames: queued audio, then silence."""
        out = np.zeros(frames, dtype=np.int16)
        with self._lock:
            filled = 0
            while filled < frames and self._queue:
                head = self._queue[0]
                take = min(frames - filled, len(head.samples))
                out[filled : filled + take] = head.samples[:take]
                offset = self._item_offset[head.item_id]
                self._spans.append(_Span(self._written + filled, take, head.item_id, offset))
                self._item_offset[head.item_id] = offset + take
                self._last_item = head.item_id
                filled += take
                if take == len(head.samples):
                    self._queue.popleft()
                else:
                    head.samples = head.samples[take:]
            self._written += frames
            # What has played will not be asked about again: keep the span list short.
            self._forget_spans_before(self.clock.played_frames(self._written))
        return out

    def pending_samples(self) -> int:
        """Samples queued and not yet handed to the sink."""
        with self._lock:
            return sum(len(q.samples) for q in self._queue)

    def is_playing(self) -> bool:
        """Audio is queued, or handed out and not yet heard."""
        return self.pending_samples() > 0 or self._unheard() > 0

    def _unheard(self) -> int:
        with self._lock:
            if not self._spans:
                return 0
            last = self._spans[-1]
            end = last.start + last.length
            written = self._written
        return max(0, end - self.clock.played_frames(written))

    def position(self) -> PlayedPosition | None:
        """The item heard last and how many of its samples have played (``None``: none yet).

        An item whose first frame has been handed out but not yet heard reports 0 samples.
        """
        with self._lock:
            written = self._written
            spans = list(self._spans)
            last_item = self._last_item
        if last_item is None:
            return None
        played = self.clock.played_frames(written)
        heard: tuple[str, int] | None = None
        for span in spans:
            if span.start >= played:
                break
            heard = (span.item_id, span.offset + min(span.length, played - span.start))
        if heard is None:
            if not spans:
                # Nothing handed out since the last stop(): that cut is still what was heard.
                return self._cut
            # Nothing of the handed-out spans has played yet: the first of them is at 0.
            heard = (spans[0].item_id, spans[0].offset)
        item_id, samples = heard
        with self._lock:
            done = samples >= self._received.get(item_id, 0) and not any(
                q.item_id == item_id for q in self._queue
            )
            self._forget_spans_before(played)
        return PlayedPosition(item_id, samples, done)

    def _forget_spans_before(self, played: int) -> None:
        # Keep the span holding `played`: position() must still map it next time.
        while len(self._spans) > 1 and self._spans[1].start <= played:
            self._spans.popleft()

    def on_stop(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each :meth:`stop` (a sink drops the frames it holds)."""
        self._stop_listeners.append(listener)

    def stop(self) -> PlayedPosition | None:
        """Stop at once: drop queued audio and report what was heard (the truncation point).

        The items cut stay cut: their further audio is ignored by :meth:`enqueue`. Frames
        already handed to the sink are the sink's to drop (a device sink aborts its stream).

        Returns:
            The position heard, or ``None`` when no audio was ever handed out.
        """
        heard = self.position()
        with self._lock:
            self._stopped_items.update(q.item_id for q in self._queue)
            if heard is not None and not heard.finished:
                self._stopped_items.add(heard.item_id)
            self._queue.clear()
            # Frames handed out after the heard one will not play (the sink drops them).
            self._spans.clear()
            self._cut = heard
        for listener in self._stop_listeners:
            listener()
        return heard

    def handed_out_samples(self, item_id: str) -> int:
        """Samples of ``item_id`` handed to the sink (more than were heard, by the latency)."""
        with self._lock:
            return self._item_offset.get(item_id, 0)

    def received_samples(self, item_id: str) -> int:
        """Samples of ``item_id`` queued so far (what the player was given)."""
        with self._lock:
            return self._received.get(item_id, 0)
