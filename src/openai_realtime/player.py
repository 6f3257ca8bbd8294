"""Play the assistant's audio and know what the listener heard: :class:`AudioPlayer` and sinks.

The player itself (:mod:`openai_realtime.protocol.playback`) is pure: a queue per assistant
item and a clock. A sink pulls blocks from it and tells its clock how playback goes:

* :class:`DeviceSink`: the sound card, through PortAudio (``pip install
  'openai-realtime[voice]'``, and ``libportaudio2`` on Debian). Its clock is the output
  stream's own: each callback reports when its first frame reaches the DAC;
* :class:`WavFileSink`: writes what would play to a WAV file (played = written);
* your own: call :meth:`AudioPlayer.read` for each block you play, and give the player a clock
  that matches your sink (:class:`LatencyClock`, :class:`DeviceClock`, or :class:`MarkClock`
  for telephony sinks whose far end acknowledges marks).

Attach the player to a client (``RealtimeClient(player=player)`` or
``client.attach_player(player)``): the assistant's audio is queued as it arrives, and in
server-VAD mode an interruption stops playback at once and truncates the item at the sample
the listener heard (see :mod:`openai_realtime._client.playback`).
"""

from __future__ import annotations

import importlib
import os
import threading
import wave
from types import ModuleType, TracebackType
from typing import Any

from openai_realtime._device_stream import open_device_stream
from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.audio import SAMPLE_RATE, pcm16_to_bytes
from openai_realtime.protocol.playback import (
    AudioPlayer,
    DeviceClock,
    LatencyClock,
    MarkClock,
    PlaybackClock,
    PlayedPosition,
)

__all__ = [
    "DEFAULT_BLOCK_FRAMES",
    "DEFAULT_LATENCY",
    "AudioPlayer",
    "DeviceClock",
    "DeviceSink",
    "LatencyClock",
    "MarkClock",
    "PlaybackClock",
    "PlayedPosition",
    "WavFileSink",
    "import_sounddevice",
]

DEFAULT_BLOCK_FRAMES = 480
"""Frames per device callback: 20 ms at 24 kHz, the precision of a truncation."""

DEFAULT_LATENCY = 0.02
"""Seconds of output latency asked of PortAudio. Its default ("high") took most of a second
to start on PulseAudio and lost input; 20 ms keeps an interruption prompt."""


def import_sounddevice() -> ModuleType:
    """``sounddevice``, or a :class:`ConfigurationError` saying how to install it.

    Raises:
        ConfigurationError: ``sounddevice`` or the PortAudio library is missing.
    """
    try:
        return importlib.import_module("sounddevice")
    except ImportError:
        raise ConfigurationError(
            "audio devices need the voice extra: pip install 'openai-realtime[voice]'"
        ) from None
    except OSError as error:  # the module is there, the PortAudio library is not
        raise ConfigurationError(
            f"PortAudio is missing ({error}); on Debian: apt-get install libportaudio2"
        ) from None


class DeviceSink:
    """Plays an :class:`AudioPlayer` on a sound card, on the output stream's clock.

    The player's clock becomes a :class:`DeviceClock` of this stream. When the player is
    stopped (an interruption), the stream is aborted, which drops the frames the device still
    held, so what the clock reports as heard is what the listener heard; it restarts at once
    for the next answer.

    Args:
        player: The player to play.
        device: A PortAudio output device (index or name substring); ``None``: the default.
        block_frames: Frames per callback.
        latency: Output latency to ask for, in seconds.

    Raises:
        ConfigurationError: ``sounddevice`` / PortAudio missing, or the device cannot be opened.
    """

    def __init__(
        self,
        player: AudioPlayer,
        *,
        device: int | str | None = None,
        block_frames: int = DEFAULT_BLOCK_FRAMES,
        latency: float = DEFAULT_LATENCY,
    ) -> None:
        sd = import_sounddevice()
        self.player = player
        self._lock = threading.Lock()
        self._stream: Any = open_device_stream(
            sd, "output", device, block_frames, latency, self._callback
        )
        self.clock = DeviceClock(SAMPLE_RATE, lambda: float(self._stream.time))
        player.clock = self.clock
        player.on_stop(self._drop_buffered)

    def _callback(self, out: Any, frames: int, time: Any, status: Any) -> None:
        self.clock.block_timing(self.player.frames_written, float(time.outputBufferDacTime))
        out[:, 0] = self.player.read(frames)

    def _drop_buffered(self) -> None:
        with self._lock:
            if self._stream.active:
                self._stream.abort()
                self.clock.reset()
                self._stream.start()

    def start(self) -> None:
        """Start playing (silence until audio is queued)."""
        with self._lock:
            self._stream.start()

    def close(self) -> None:
        """Stop and release the device."""
        with self._lock:
            self._stream.abort()
            self._stream.close()

    def __enter__(self) -> DeviceSink:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class WavFileSink:
    """Writes what the player would play to a WAV file; written counts as heard.

    Call :meth:`drain` when audio has been queued (e.g. after each response); the file holds
    the assistant's audio back to back, as a listener with no gaps would hear it.

    Args:
        player: The player to drain (its clock becomes ``LatencyClock(0)``).
        path: The WAV file to create (24 kHz mono PCM16).
    """

    def __init__(self, player: AudioPlayer, path: str | os.PathLike[str]) -> None:
        self.player = player
        player.clock = LatencyClock(0)
        # Open for the sink's life (closed by close()), like a device stream.
        self._file = wave.open(os.fspath(path), "wb")  # noqa: SIM115
        self._file.setnchannels(1)
        self._file.setsampwidth(2)
        self._file.setframerate(SAMPLE_RATE)

    def drain(self) -> int:
        """Write everything queued; returns the number of frames written."""
        frames = self.player.pending_samples()
        if frames:
            self._file.writeframes(pcm16_to_bytes(self.player.read(frames)))
        return frames

    def close(self) -> None:
        """Write what is queued and close the file."""
        self.drain()
        self._file.close()
