"""Recording and metrics, attached only when asked for (the recording package is imported then)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openai_realtime.api import RealtimeAPI
    from openai_realtime.recording import AudioMode, MetricsCollector, Recorder, SessionMetrics

__all__ = ["Observability"]


class Observability:
    """The recorder and the metrics collector of one client's ``RealtimeAPI``, if any."""

    def __init__(self, realtime: RealtimeAPI) -> None:
        self._realtime = realtime
        self._collector: MetricsCollector | None = None
        self._recorder: Recorder | None = None

    def collect_metrics(self) -> MetricsCollector:
        """The collector, attached now if it was not yet (from then on it sees every event)."""
        if self._collector is None:
            from openai_realtime.recording import MetricsCollector

            self._collector = MetricsCollector.attach(self._realtime)
        return self._collector

    def metrics(self) -> SessionMetrics:
        """The metrics so far; collecting starts now if it had not."""
        return self.collect_metrics().session()

    def start_recording(self, path: str | os.PathLike[str], audio: AudioMode) -> Recorder:
        """Record every frame from now on, after stopping a recording already running."""
        from openai_realtime.recording import Recorder

        self.stop_recording()
        self._recorder = Recorder.attach(self._realtime, path, audio=audio)
        return self._recorder

    def stop_recording(self) -> None:
        """Stop the recording, if one is running, and flush it to its file."""
        if self._recorder is not None:
            self._recorder.close()
            self._recorder = None
