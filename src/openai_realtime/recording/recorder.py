"""``Recorder``: write every frame of a connection to a JSON Lines file, off the event loop.

The frame observer runs on the receive path, so it only stamps the frame and puts it in a
bounded queue; a writer thread encodes the lines and writes them in batches (every
``flush_lines`` lines or ``flush_interval`` seconds, whichever comes first). Each batch is one
unbuffered write of whole lines, so a process that dies loses at most the last batch and never
leaves more than one unfinished line, which readers ignore.

When the queue is full (the disk cannot keep up) the recorder drops frames rather than block
the event loop, which would stall the audio of the live session: it counts them
(:attr:`Recorder.dropped_frames`) and writes a gap line (``{"t": ..., "dropped": N}``) where they
are missing, so a reader knows the recording is incomplete there.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Final

from yarl import URL

from openai_realtime.api import RealtimeAPI
from openai_realtime.credentials import redact_url
from openai_realtime.errors import ConfigurationError
from openai_realtime.recording.audio_omission import omit_audio
from openai_realtime.recording.format import (
    AudioMode,
    Direction,
    RecordingHeader,
    encode_frame_line,
    encode_gap_line,
)

__all__ = [
    "DEFAULT_FLUSH_INTERVAL",
    "DEFAULT_FLUSH_LINES",
    "DEFAULT_MAX_PENDING",
    "Recorder",
]

logger = logging.getLogger("openai_realtime")

DEFAULT_MAX_PENDING: Final = 10_000
"""Frames that may wait for the writer; at 10 audio frames a second that is over 15 minutes."""
DEFAULT_FLUSH_LINES: Final = 64
"""Lines written together at most."""
DEFAULT_FLUSH_INTERVAL: Final = 0.05
"""Seconds a line may wait for others before it is written anyway."""


@dataclass(frozen=True, slots=True)
class _Frame:
    t: float
    direction: Direction
    frame: str | bytes


@dataclass(frozen=True, slots=True)
class _Gap:
    t: float
    dropped: int


_Entry = _Frame | _Gap


class Recorder:
    """Records the frames of a connection into a JSON Lines file (see ``recording.format``).

    Usage::

        recorder = Recorder.attach(client.realtime, "session.jsonl")
        ...  # use the connection
        recorder.close()  # or `with Recorder.attach(...) as recorder:`

    The API key is never recorded: frames do not contain it, and the header keeps the URL
    without its query or user info.

    Args:
        path: The file to write; it is created or truncated.
        audio: ``keep`` records audio payloads; ``length`` replaces each by its size.
        model: Written in the header.
        url: Written in the header, without query or user info.
        max_pending: Frames that may wait for the writer before new ones are dropped.
        flush_lines: Lines written together at most.
        flush_interval: Seconds a line may wait for others before it is written.

    Raises:
        ConfigurationError: An unknown ``audio`` mode or a bound below 1.
        OSError: The file cannot be created.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        audio: AudioMode = "keep",
        model: str | None = None,
        url: str | URL | None = None,
        max_pending: int = DEFAULT_MAX_PENDING,
        flush_lines: int = DEFAULT_FLUSH_LINES,
        flush_interval: float = DEFAULT_FLUSH_INTERVAL,
    ) -> None:
        if audio not in ("keep", "length"):
            raise ConfigurationError(f"audio must be 'keep' or 'length', got {audio!r}")
        if max_pending < 1 or flush_lines < 1 or flush_interval <= 0:
            raise ConfigurationError("max_pending, flush_lines and flush_interval must be positive")
        self.path = Path(path)
        self.audio: AudioMode = audio
        self._flush_lines = flush_lines
        self._flush_interval = flush_interval
        self._started = time.monotonic()
        self._queue: queue.Queue[_Entry | None] = queue.Queue(maxsize=max_pending)
        self._unreported_drops = 0
        # Two counters, one per thread that counts, so neither update can lose the other's.
        self._dropped_when_full = 0
        self._dropped_by_failure = 0
        self._closed = False
        self._write_failed = False
        self._detach: Callable[[], None] | None = None
        # Only the owner may read it: a recording holds the whole conversation. Unbuffered:
        # every write() below is whole lines, so the file never ends mid-batch.
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if hasattr(os, "fchmod"):  # an existing file keeps its mode through O_CREAT
            os.fchmod(descriptor, 0o600)
        self._file = open(descriptor, "wb", buffering=0)  # noqa: SIM115 - closed by close()
        header = RecordingHeader(
            started=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            model=model,
            url=redact_url(URL(url)) if url is not None else None,
            audio=audio,
        )
        self._write(header.to_line())
        self._writer = threading.Thread(
            target=self._write_loop, name=f"recorder:{self.path.name}", daemon=True
        )
        self._writer.start()

    @classmethod
    def attach(
        cls,
        api: RealtimeAPI,
        path: str | os.PathLike[str],
        *,
        audio: AudioMode = "keep",
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> Recorder:
        """Start recording every frame ``api`` sends or receives from now on.

        Args:
            api: The connection to record (connected or not yet).
            path: The file to write; it is created or truncated.
            audio: ``keep`` or ``length`` (see :class:`Recorder`).
            max_pending: See :class:`Recorder`.

        Returns:
            The running recorder; :meth:`close` stops it and detaches it from ``api``.

        Raises:
            ConfigurationError: An unknown ``audio`` mode.
            OSError: The file cannot be created.
        """
        recorder = cls(path, audio=audio, model=api.model, url=api.url, max_pending=max_pending)
        recorder._detach = api.observe_frames(recorder.observe)
        return recorder

    def __repr__(self) -> str:
        state = "closed" if self._closed else "recording"
        return f"<Recorder {str(self.path)!r} {state} dropped={self.dropped_frames}>"

    @property
    def dropped_frames(self) -> int:
        """Frames lost because the writer fell behind (or the file could not be written)."""
        return self._dropped_when_full + self._dropped_by_failure

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def observe(self, direction: Direction, frame: str | bytes) -> None:
        """Record one frame; a :data:`~openai_realtime.api.FrameObserver`. Never blocks.

        Args:
            direction: ``client`` (sent) or ``server`` (received).
            frame: The exact frame text or bytes.
        """
        if self._closed:
            return
        t = time.monotonic() - self._started
        if self._unreported_drops and self._offer(_Gap(t, self._unreported_drops)):
            self._unreported_drops = 0
        if not self._offer(_Frame(t, direction, frame)):
            self._unreported_drops += 1
            self._dropped_when_full += 1

    def _offer(self, entry: _Entry) -> bool:
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            return False
        return True

    def close(self) -> None:
        """Stop recording: detach, write what is pending, close the file. Idempotent.

        It waits for the writer thread, which only has the pending lines left to write.
        """
        if self._closed:
            return
        self._closed = True
        if self._detach is not None:
            self._detach()
            self._detach = None
        self._queue.put(None)  # blocks only while the writer frees a slot
        self._writer.join()
        if self._unreported_drops:
            self._write(encode_gap_line(time.monotonic() - self._started, self._unreported_drops))
        self._file.close()

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- the writer thread ------------------------------------------------------------------

    def _write_loop(self) -> None:
        finished = False
        while not finished:
            entry = self._queue.get()
            if entry is None:
                return
            batch = [self._encode(entry)]
            deadline = time.monotonic() + self._flush_interval
            while len(batch) < self._flush_lines:
                try:
                    entry = self._queue.get(timeout=max(deadline - time.monotonic(), 0.0))
                except queue.Empty:
                    break
                if entry is None:
                    finished = True
                    break
                batch.append(self._encode(entry))
            self._write(b"".join(batch), lines=len(batch))

    def _encode(self, entry: _Entry) -> bytes:
        if isinstance(entry, _Gap):
            return encode_gap_line(entry.t, entry.dropped)
        frame = entry.frame
        if self.audio == "length" and isinstance(frame, str):
            frame = omit_audio(frame)
        return encode_frame_line(entry.t, entry.direction, frame)

    def _write(self, data: bytes, *, lines: int = 1) -> None:
        if self._write_failed:
            self._dropped_by_failure += lines
            return
        view = memoryview(data)
        try:
            while view:
                written = self._file.write(view)
                view = view[written:]
        except OSError as error:
            # A full disk must not take the session down: stop writing and count the loss.
            self._write_failed = True
            self._dropped_by_failure += lines
            logger.error("recording to %s stopped: %s", self.path, error)
