"""The microphone as an async stream of 24 kHz PCM16 blocks (PortAudio via ``sounddevice``).

Needs the ``voice`` extra (``pip install 'openai-realtime[voice]'``) and the PortAudio library.

Example::

    async with Microphone() as microphone:
        async for block in microphone:
            await client.append_input_audio(block)
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openai_realtime._device_stream import open_device_stream
from openai_realtime.player import DEFAULT_BLOCK_FRAMES, DEFAULT_LATENCY, import_sounddevice

__all__ = ["Microphone", "level_dbfs"]

_SILENCE_DBFS = -96.0
_MAX_QUEUED_BLOCKS = 500  # 10 s of 20 ms blocks: a stalled reader drops the oldest, not memory


def level_dbfs(block: NDArray[np.int16]) -> float:
    """The RMS level of a block in dBFS (-96 for digital silence)."""
    if not len(block):
        return _SILENCE_DBFS
    rms = float(np.sqrt(np.mean(block.astype(np.float64) ** 2)))
    return max(_SILENCE_DBFS, 20 * math.log10(rms / 32768)) if rms else _SILENCE_DBFS


class Microphone:
    """Records from an input device; iterate it (``async for``) for blocks of samples.

    Args:
        device: A PortAudio input device (index or name substring); ``None``: the default.
        block_frames: Frames per block.
        latency: Input latency to ask for, in seconds (PortAudio's "high" default lost input
            and took most of a second to start on PulseAudio).

    Raises:
        ConfigurationError: ``sounddevice`` / PortAudio missing, or the device cannot be opened.
    """

    def __init__(
        self,
        *,
        device: int | str | None = None,
        block_frames: int = DEFAULT_BLOCK_FRAMES,
        latency: float = DEFAULT_LATENCY,
    ) -> None:
        sd = import_sounddevice()
        self._blocks: asyncio.Queue[NDArray[np.int16] | None] = asyncio.Queue(_MAX_QUEUED_BLOCKS)
        self._loop = asyncio.get_running_loop()
        self.level = _SILENCE_DBFS
        """The level of the latest block, in dBFS (for a meter)."""
        self._stream: Any = open_device_stream(
            sd, "input", device, block_frames, latency, self._callback
        )

    def _callback(self, data: Any, frames: int, time: Any, status: Any) -> None:
        block = np.array(data[:, 0], dtype=np.int16)
        self._loop.call_soon_threadsafe(self._put, block)

    def _put(self, block: NDArray[np.int16] | None) -> None:
        if block is not None:
            self.level = level_dbfs(block)
        if self._blocks.full():
            self._blocks.get_nowait()
        self._blocks.put_nowait(block)

    async def __aenter__(self) -> Microphone:
        self._stream.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop recording; iteration ends after the blocks already recorded."""
        if not self._stream.closed:
            self._stream.abort()
            self._stream.close()
            self._put(None)

    async def __aiter__(self) -> AsyncIterator[NDArray[np.int16]]:
        while (block := await self._blocks.get()) is not None:
            yield block
