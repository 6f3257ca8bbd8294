"""Recorded frames as typed events: the common input of replay, metrics and timelines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from openai_realtime.errors import ProtocolError
from openai_realtime.protocol.codec import decode_client_event, decode_server_event
from openai_realtime.recording.audio_omission import restore_audio
from openai_realtime.recording.format import Direction, RecordedFrame
from openai_realtime.types import ClientEvent, ServerEvent, UnknownServerEvent

__all__ = ["TimedEvent", "decode_frames"]


@dataclass(frozen=True, slots=True)
class TimedEvent:
    """One recorded frame, decoded.

    Attributes:
        t: Seconds since the recording started.
        direction: ``client`` or ``server``.
        server: The typed server event, for a decoded ``server`` frame.
        client: The typed client event, for a decoded ``client`` frame.
        error: Why the frame could not be decoded, when it could not.
    """

    t: float
    direction: Direction
    server: ServerEvent | UnknownServerEvent | None = None
    client: ClientEvent | None = None
    error: ProtocolError | None = None

    @property
    def event(self) -> ServerEvent | UnknownServerEvent | ClientEvent | None:
        """The typed event of either direction, or ``None`` when the frame did not decode."""
        return self.server if self.server is not None else self.client


def _decode(frame: RecordedFrame) -> TimedEvent:
    if isinstance(frame.frame, bytes):
        error = ProtocolError(f"{frame.direction} sent a binary frame", raw=frame.frame)
        return TimedEvent(frame.t, frame.direction, error=error)
    # Omitted audio comes back as silence of its length, so the events validate.
    text = restore_audio(frame.frame)
    try:
        if frame.direction == "server":
            return TimedEvent(frame.t, "server", server=decode_server_event(text))
        return TimedEvent(frame.t, "client", client=decode_client_event(text))
    except ProtocolError as error:
        return TimedEvent(frame.t, frame.direction, error=error)


def decode_frames(frames: Iterable[RecordedFrame]) -> Iterator[TimedEvent]:
    """Decode recorded frames with the SDK's codec, lazily and in order.

    A frame that does not decode (a malformed frame is often what a recording is for) becomes
    a ``TimedEvent`` with ``error`` set instead of stopping the iteration.

    Args:
        frames: Recorded frames, e.g. ``recording.frames``.

    Yields:
        One ``TimedEvent`` per frame.
    """
    for frame in frames:
        yield _decode(frame)
