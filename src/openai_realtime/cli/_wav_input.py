"""The WAV files of the commands that stream one (``talk``, ``transcribe``, ``translate``).

The input is read as 24 kHz mono PCM16 (any rate or channel count is converted) and appended in
:data:`CHUNK_MS` chunks, as fast as possible or at the pace of speech.
"""

from __future__ import annotations

import argparse
import asyncio
import wave
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from openai_realtime.audio import SAMPLE_RATE, read_wav
from openai_realtime.cli._common import CommandError, Progress

__all__ = [
    "CHUNK_MS",
    "add_output_wav_option",
    "add_pace_option",
    "read_input",
    "stream_chunks",
]

CHUNK_MS: Final = 100
"""Audio per ``input_audio_buffer.append``."""


def add_pace_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--realtime``: stream at the pace of speech (read by :func:`stream_chunks`).

    Args:
        parser: The command's parser.
    """
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="stream at the pace of speech instead of as fast as possible",
    )


def add_output_wav_option(parser: argparse.ArgumentParser, *, default: str, what: str) -> None:
    """Add ``--out OUT.wav``: where the speech the command gets back is written.

    Args:
        parser: The command's parser.
        default: The file written when ``--out`` is not given.
        what: What is written, for ``--help``.
    """
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(default),
        metavar="OUT.wav",
        help=f"where to write {what} (default: {default})",
    )


def read_input(path: Path) -> NDArray[np.int16]:
    """The WAV file as 24 kHz mono PCM16.

    Raises:
        CommandError: Not a PCM WAV file this can read.
        OSError: The file cannot be read.
    """
    try:
        return read_wav(path)
    except (wave.Error, EOFError, ValueError) as error:
        reason = str(error) or type(error).__name__
        raise CommandError(f"{path}: not a PCM WAV file this command can read ({reason})") from None


async def stream_chunks(
    append: Callable[[NDArray[np.int16]], Awaitable[None]],
    samples: NDArray[np.int16],
    progress: Progress,
    *,
    realtime: bool,
) -> None:
    """Append ``samples`` in :data:`CHUNK_MS` chunks, showing the progress after each.

    Args:
        append: Sends one chunk (a session's ``append_input_audio``).
        samples: 24 kHz mono PCM16.
        progress: Shows the seconds sent so far.
        realtime: Wait a chunk's duration after each one instead of sending at once.
    """
    step = SAMPLE_RATE * CHUNK_MS // 1000
    for start in range(0, len(samples), step):
        await append(samples[start : start + step])
        progress.update(min(len(samples), start + step) / SAMPLE_RATE)
        if realtime:
            await asyncio.sleep(CHUNK_MS / 1000)
