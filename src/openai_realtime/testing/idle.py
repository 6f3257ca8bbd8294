"""Server VAD's idle timeout (``turn_detection.idle_timeout_ms``) on the input audio timeline.

The service starts the idle countdown when the last response's audio would have finished
playing: at ``response.done`` plus that audio's duration. Here that moment is a position on the
input audio timeline (input received so far, plus the output audio's length), and the timeout
fires once the input reaches it plus ``idle_timeout_ms`` with nobody speaking. Counting input
audio rather than wall time makes the timeout exact and independent of how fast a test streams:
five seconds of silence appended at once trigger it at once.
"""

from __future__ import annotations

from openai_realtime.testing.audio_format import AudioFormat

__all__ = ["IdleTimer"]


class IdleTimer:
    """When the idle countdown started, if it is running."""

    def __init__(self) -> None:
        self._armed_at: int | None = None
        self._playback_seconds = 0.0

    def arm(self, input_position: int, playback_seconds: float) -> None:
        """Start counting after a response: from ``input_position`` plus its audio's playback.

        Args:
            input_position: Input timeline position (samples) when the response finished.
            playback_seconds: Duration of the audio the response produced.
        """
        self._armed_at = input_position
        self._playback_seconds = playback_seconds

    def disarm(self) -> None:
        """Stop counting (speech started, or a response started)."""
        self._armed_at = None

    def due(self, audio_format: AudioFormat, timeout_ms: int, input_end: int) -> int | None:
        """The position the silent stretch started at, if the timeout has run out by ``input_end``.

        Args:
            audio_format: The input format (positions are samples at its rate).
            timeout_ms: ``idle_timeout_ms``.
            input_end: The newest input position.

        Returns:
            Where the idle stretch began (after playback), or ``None`` when not due or not armed.
        """
        if self._armed_at is None:
            return None
        start = self._armed_at + round(self._playback_seconds * audio_format.rate)
        if input_end - start < audio_format.samples_for_ms(timeout_ms):
            return None
        return start
