"""Server VAD's idle timeout (``turn_detection.idle_timeout_ms``), on the clock and on the audio.

The service starts the idle countdown when the last response's audio would have finished
playing: at ``response.done`` plus that audio's duration. It then waits ``idle_timeout_ms`` of
time with nobody speaking; ``audio_start_ms`` / ``audio_end_ms`` of the
``input_audio_buffer.timeout_triggered`` it sends mark the input audio written from the end of
that playback up to the moment the timeout fired.

The service counts time, and a client streaming a microphone writes input audio at the same
pace, so live the two measures agree. The fake server counts both and fires on whichever runs
out first:

* on the server's :class:`~openai_realtime.testing.FakeClock`: ``idle_timeout_ms`` after the
  playback end, so a client that sends nothing at all times out, and
  ``FakeRealtimeServer(time_scale=...)`` makes that fast;
* on the input timeline: once the audio appended since the response (after the playback's
  length of it) reaches ``idle_timeout_ms``, so five seconds of silence appended at once trigger
  the timeout at once, whatever the clock says.

``audio_start_ms`` is the input position the playback ended at, or the newest input position
when less audio than the playback arrived (a silent client's start and end are then equal);
``audio_end_ms`` is the newest input position. The buffer is then committed as a user audio
item (even when empty) and a response starts, as the spec describes. Speech or a new response
stops the countdown; the next response that ends with nobody speaking starts it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from openai_realtime.testing.audio_format import AudioFormat
from openai_realtime.testing.clock import FakeClock

__all__ = ["IdleTimer"]


class IdleTimer:
    """When the idle countdown started, if it is running, and its deadline on the clock.

    Args:
        clock: The server's clock.
        on_expiry: Called (from the event loop) when the countdown runs out on the clock; it
            then checks :meth:`due`, which tells whether the timeout still applies.
    """

    def __init__(self, clock: FakeClock, on_expiry: Callable[[], object]) -> None:
        self._clock = clock
        self._on_expiry = on_expiry
        self._timeout_ms: int | None = None
        self._armed_at: int | None = None
        self._playback_seconds = 0.0
        self._playback_end = 0.0
        self._expired = False
        self._alarm: asyncio.TimerHandle | None = None

    def configure(self, timeout_ms: int | None) -> None:
        """Follow the session's ``idle_timeout_ms`` (``None`` when it has none, or no server VAD).

        A running countdown keeps its start and moves its deadline to the new timeout.
        """
        if timeout_ms == self._timeout_ms:
            return
        self._timeout_ms = timeout_ms
        self._schedule()

    def arm(self, input_position: int, playback_seconds: float) -> None:
        """Start counting after a response: from ``input_position`` plus its audio's playback.

        Args:
            input_position: Input timeline position (samples) when the response finished.
            playback_seconds: Duration of the audio the response produced.
        """
        self._armed_at = input_position
        self._playback_seconds = playback_seconds
        self._playback_end = self._clock.now() + playback_seconds
        self._schedule()

    def disarm(self) -> None:
        """Stop counting (speech started, or a response started)."""
        self._armed_at = None
        self._schedule()

    def due(self, audio_format: AudioFormat, input_end: int) -> int | None:
        """The position the silent stretch started at, if the timeout has run out.

        Args:
            audio_format: The input format (positions are samples at its rate).
            input_end: The newest input position.

        Returns:
            Where the idle stretch began (after playback, never beyond ``input_end``), or
            ``None`` when no timeout is configured, the countdown is not running, or neither
            the clock nor the input audio has reached the timeout.
        """
        if self._armed_at is None or self._timeout_ms is None:
            return None
        start = self._armed_at + round(self._playback_seconds * audio_format.rate)
        heard_enough = input_end - start >= audio_format.samples_for_ms(self._timeout_ms)
        if not (self._expired or heard_enough):
            return None
        return min(start, input_end)

    def _schedule(self) -> None:
        """Set the alarm for the countdown's deadline on the clock (or none)."""
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None
        self._expired = False
        if self._armed_at is None or self._timeout_ms is None:
            return
        deadline = self._playback_end + self._timeout_ms / 1000
        self._alarm = self._clock.call_later(deadline - self._clock.now(), self._expire)

    def _expire(self) -> None:
        self._alarm = None
        self._expired = True
        self._on_expiry()
