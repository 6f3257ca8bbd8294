"""A FakeRealtimeServer in a process of its own, for benchmarks that measure the client alone.

The end-to-end, concurrency and memory benchmarks must not share an event loop, a CPU or a heap
with the server that feeds them. Run as a script, this module starts a FakeRealtimeServer on
127.0.0.1 whose every response is one spoken answer of ``--answer-seconds`` seconds, prints the
port on one line and serves until its standard input closes (so it also ends with its parent).
:class:`ServerProcess` starts and stops it from a test::

    async with ServerProcess(answer_seconds=600) as server:
        client = RealtimeClient(url=server.url)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.testing import FakeRealtimeServer, Reply, ResponseContext
from openai_realtime.testing.synth import DEFAULT_MS_PER_CHAR, samples_per_char

__all__ = ["ServerProcess", "answer_samples", "answer_text"]

_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 10.0
_NO_VAD = {"audio": {"input": {"turn_detection": None}}}


def answer_text(seconds: float) -> str:
    """Words that the fake server speaks in ``seconds`` seconds (at its default speaking rate)."""
    characters = round(seconds * 1000 / DEFAULT_MS_PER_CHAR)
    words = "the quick brown fox jumps over a lazy dog and keeps talking for a while "
    return (words * (characters // len(words) + 1))[:characters]


def answer_samples(seconds: float) -> int:
    """How many samples of audio the answer of ``seconds`` seconds has (whole characters)."""
    return len(answer_text(seconds)) * samples_per_char(SAMPLE_RATE, DEFAULT_MS_PER_CHAR)


class ServerProcess:
    """Runs this module as a script and knows where it listens.

    Args:
        answer_seconds: Length of every spoken answer.
        pace: ``None`` streams answers as fast as possible, 1.0 in real time.
        vad: Keep server VAD on (``False`` starts sessions with turn detection off, so audio the
            clients append never interrupts an answer).
    """

    def __init__(
        self, *, answer_seconds: float, pace: float | None = None, vad: bool = True
    ) -> None:
        self._arguments = [
            f"--answer-seconds={answer_seconds}",
            f"--pace={pace if pace is not None else 'none'}",
            *([] if vad else ["--no-vad"]),
        ]
        self._process: asyncio.subprocess.Process | None = None
        self.port = 0

    @property
    def pid(self) -> int:
        """The server's process id (for reading its memory use)."""
        assert self._process is not None, "the server process is not running"
        return self._process.pid

    @property
    def url(self) -> str:
        """The WebSocket URL of the server."""
        return f"ws://127.0.0.1:{self.port}/v1/realtime"

    @property
    def http_url(self) -> str:
        """The API base URL, for SDKs that derive the WebSocket URL themselves."""
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> ServerProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__)),
            *self._arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self._process = process
        assert process.stdout is not None
        try:
            async with asyncio.timeout(_START_TIMEOUT):
                self.port = int(await process.stdout.readline())
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._stop()

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()  # the server's cue to stop
        try:
            async with asyncio.timeout(_STOP_TIMEOUT):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


async def _serve(answer_seconds: float, pace: float | None, vad: bool) -> None:
    text = answer_text(answer_seconds)

    def answer(context: ResponseContext) -> Reply:
        return Reply(audio_text=text)

    options: dict[str, Any] = {} if vad else {"session": _NO_VAD}
    async with FakeRealtimeServer(
        responder=answer, pace=pace, record_frames=0, **options
    ) as server:
        print(server.port, flush=True)
        await asyncio.to_thread(sys.stdin.read)


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answer-seconds", type=float, required=True)
    parser.add_argument("--pace", default="none")
    parser.add_argument("--no-vad", action="store_true")
    arguments = parser.parse_args()
    pace = None if arguments.pace == "none" else float(arguments.pace)
    asyncio.run(_serve(arguments.answer_seconds, pace, vad=not arguments.no_vad))


if __name__ == "__main__":
    _main()
