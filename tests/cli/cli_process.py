"""Helpers for the CLI tests: the command run as a real process, WAV files in and out.

Every process gets an environment without ``OPENAI_API_KEY``, so nothing can reach OpenAI,
and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tests.support import WAIT

PROCESS_TIMEOUT = 60.0
"""Upper bound for a whole command run; the fake server makes each take seconds."""
SAMPLE_RATE = 24_000
_URL = re.compile(r"(?:ws|http)://\S+")


def offline_environment() -> dict[str, str]:
    """This process's environment without an OpenAI key (and with unbuffered output)."""
    environment = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    environment["PYTHONUNBUFFERED"] = "1"
    return environment


def run_cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m openai_realtime <arguments>`` to completion.

    Args:
        *arguments: The command line after the program name.
        cwd: Working directory of the process.

    Returns:
        The finished process with its captured stdout and stderr.
    """
    return subprocess.run(
        [sys.executable, "-m", "openai_realtime", *arguments],
        cwd=cwd,
        env=offline_environment(),
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
        check=False,
    )


class ServerProcess:
    """A server command running in a child process, with the URL it printed first."""

    def __init__(self, process: asyncio.subprocess.Process, url: str, first_line: str) -> None:
        self.process = process
        self.url = url
        self.first_line = first_line

    async def interrupt(self) -> tuple[int, str, str]:
        """Send SIGINT (Ctrl-C) and wait for the exit.

        Returns:
            The exit code, and the rest of stdout and stderr.
        """
        self.process.send_signal(signal.SIGINT)
        async with asyncio.timeout(WAIT):
            stdout, stderr = await self.process.communicate()
        assert self.process.returncode is not None
        return self.process.returncode, stdout.decode(), stderr.decode()


@asynccontextmanager
async def server_process(*arguments: str, cwd: Path) -> AsyncIterator[ServerProcess]:
    """Start a server command and wait until it prints its URL; it is killed if still running.

    Args:
        *arguments: The command line after the program name.
        cwd: Working directory of the process.

    Yields:
        The running server.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "openai_realtime",
        *arguments,
        cwd=cwd,
        env=offline_environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(WAIT):
            first_line = (await process.stdout.readline()).decode()
        found = _URL.search(first_line)
        assert found, f"no URL in {first_line!r}"
        yield ServerProcess(process, found.group(), first_line)
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()


def write_test_wav(path: Path, samples: NDArray[np.int16], *, rate: int, channels: int) -> None:
    """Write int16 samples (repeated on every channel) as a PCM WAV file with stdlib ``wave``."""
    interleaved = np.repeat(samples.astype("<i2"), channels)
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(interleaved.tobytes())


def tone(seconds: float, *, rate: int = SAMPLE_RATE, frequency: float = 220.0) -> NDArray[np.int16]:
    """A loud sine tone: speech as far as energy-based VAD is concerned."""
    time = np.arange(round(seconds * rate)) / rate
    return (9000 * np.sin(2 * np.pi * frequency * time)).astype(np.int16)


def read_reply_wav(path: Path) -> NDArray[np.int16]:
    """Read a WAV the CLI wrote, asserting it is mono, 24 kHz, 16-bit, non-empty, not silent.

    Returns:
        Its samples.
    """
    with wave.open(str(path), "rb") as reader:
        shape = (reader.getnchannels(), reader.getframerate(), reader.getsampwidth())
        frames = reader.readframes(reader.getnframes())
    assert shape == (1, SAMPLE_RATE, 2)
    samples = np.frombuffer(frames, dtype="<i2")
    assert len(samples) > 0
    assert np.any(samples != 0)
    return samples
