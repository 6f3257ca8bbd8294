"""The PortAudio stream of a :class:`~openai_realtime.microphone.Microphone` or a
:class:`~openai_realtime.player.DeviceSink`: mono int16 at the session's rate."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, Literal

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.audio import SAMPLE_RATE

__all__ = ["open_device_stream"]


def open_device_stream(
    sd: ModuleType,
    direction: Literal["input", "output"],
    device: int | str | None,
    block_frames: int,
    latency: float,
    callback: Callable[..., None],
) -> Any:
    """Open (not start) a mono int16 stream at 24 kHz that calls ``callback`` per block.

    Args:
        sd: The ``sounddevice`` module (from :func:`~openai_realtime.player.import_sounddevice`).
        direction: ``input`` for a microphone, ``output`` for speakers.
        device: The PortAudio device (index or name); ``None`` for the default.
        block_frames: Frames per callback.
        latency: Seconds of latency asked of PortAudio.
        callback: PortAudio's block callback.

    Returns:
        The ``sounddevice`` stream.

    Raises:
        ConfigurationError: The device cannot be opened so; the message names it.
    """
    stream_class = sd.InputStream if direction == "input" else sd.OutputStream
    try:
        return stream_class(
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="int16",
            blocksize=block_frames,
            latency=latency,
            device=device,
            callback=callback,
        )
    except (sd.PortAudioError, ValueError) as error:
        raise ConfigurationError(f"cannot open {direction} device {device!r}: {error}") from None
