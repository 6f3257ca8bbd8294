"""The one benchmark server: a process of its own that writes pre-built frames.

Every side of every row (our client, the official ``openai`` SDK, the bare aiohttp reader)
talks to the same server, so they receive the very same bytes. All frames are built before the
server reports its port; while measuring it only writes them (and, for the latency row, appends
the send time). The first path segment picks what ``response.create`` gets:

* ``/stream/v1/realtime``: the end-to-end answer, written as fast as the socket takes it;
* ``/stall/v1/realtime``: the long answer, paced at ``stall_events_per_second``;
* ``/latency/v1/realtime``: 20 ms audio deltas, one frame every 20 ms, each stamped with
  ``time.monotonic_ns()`` (one clock for every process on Linux) as field ``bench_sent_ns``;
* ``/sessions/v1/realtime``: a long answer paced in real time (100 ms of audio per 100 ms);
* ``/turns/v1/realtime``: the next turn's answer as fast as possible; ``input_audio_buffer.commit``
  gets the committed user item of that turn.

Every connection starts with ``session.created``. Other client events are read and dropped.
Run as a script it prints its port on one line and serves until its standard input closes (so it
also ends with its parent); :class:`ServerProcess` starts and stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aiohttp import WSMsgType, web

sys.path.insert(0, str(Path(__file__).parent))

from bench_frames import answer_frames, session_created_frame, user_turn_frames
from bench_sizes import Sizes

__all__ = ["LATENCY_CHUNK_MS", "STAMP", "ServerProcess"]

STAMP = "bench_sent_ns"
LATENCY_CHUNK_MS = 20
_START_TIMEOUT = 120.0
_STOP_TIMEOUT = 10.0
_BATCH_SECONDS = 0.01
_AUDIO_DELTA = '"type": "response.output_audio.delta"'


@dataclass(frozen=True)
class _Answer:
    """Frames, and when to write each (seconds after the first; ``None``: as fast as possible)."""

    frames: list[str]
    due: list[float] | None = None
    stamped: bool = False


class ServerProcess:
    """Runs this module as a script and knows where it listens.

    Args:
        sizes: The sizes of the answers to build.
    """

    def __init__(self, sizes: Sizes) -> None:
        self._sizes = sizes
        self._process: asyncio.subprocess.Process | None = None
        self.port = 0

    def url(self, mode: str) -> str:
        """The WebSocket URL serving ``mode``, for our client and the bare reader."""
        return f"ws://127.0.0.1:{self.port}/{mode}/v1/realtime"

    def websocket_base_url(self, mode: str) -> str:
        """The base the ``openai`` SDK appends ``/realtime`` to."""
        return f"ws://127.0.0.1:{self.port}/{mode}/v1"

    async def __aenter__(self) -> ServerProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__)),
            self._sizes.to_json(),
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


def _answers(sizes: Sizes) -> dict[str, Callable[[int], _Answer]]:
    """For each mode, the answer to the n-th ``response.create`` of a connection."""
    stream = _Answer(answer_frames(sizes.stream_seconds))
    stall_frames = answer_frames(sizes.stall_seconds)
    per_batch = max(1, round(sizes.stall_events_per_second * _BATCH_SECONDS))
    stall = _Answer(
        stall_frames, [index // per_batch * _BATCH_SECONDS for index in range(len(stall_frames))]
    )
    latency_frames = answer_frames(sizes.latency_seconds, chunk_ms=LATENCY_CHUNK_MS)
    latency = _Answer(
        latency_frames,
        [index * LATENCY_CHUNK_MS / 1000 for index in range(len(latency_frames))],
        stamped=True,
    )
    session_frames = answer_frames(sizes.session_answer_seconds)
    session_due, audio_so_far = [], 0
    for text in session_frames:
        session_due.append(audio_so_far * 0.1)
        audio_so_far += _AUDIO_DELTA in text
    sessions = _Answer(session_frames, session_due)
    turns = [
        _Answer(answer_frames(sizes.turn_seconds, answer=turn)) for turn in range(sizes.turns + 1)
    ]
    return {
        "stream": lambda _: stream,
        "stall": lambda _: stall,
        "latency": lambda _: latency,
        "sessions": lambda _: sessions,
        "turns": lambda turn: turns[turn % len(turns)],
    }


async def _write(websocket: web.WebSocketResponse, answer: _Answer) -> None:
    if answer.due is None:
        for text in answer.frames:
            await websocket.send_str(text)
        return
    loop = asyncio.get_running_loop()
    start = loop.time()
    for text, due in zip(answer.frames, answer.due, strict=True):
        delay = start + due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if answer.stamped:
            text = f'{text[:-1]}, "{STAMP}": {time.monotonic_ns()}}}'
        await websocket.send_str(text)


def _application(sizes: Sizes) -> web.Application:
    answers = _answers(sizes)
    session_created = session_created_frame()
    turn_frames = [user_turn_frames(turn) for turn in range(sizes.turns + 1)]

    async def handle(request: web.Request) -> web.WebSocketResponse:
        answer_for = answers[request.match_info["mode"]]
        websocket = web.WebSocketResponse(max_msg_size=0)
        await websocket.prepare(request)
        await websocket.send_str(session_created)
        writing: asyncio.Task[None] | None = None
        responses = commits = 0
        try:
            async for message in websocket:
                if message.type is not WSMsgType.TEXT:
                    continue
                # Appends are most of what clients send; base64 has no '.', so this cannot
                # match inside the audio.
                if "input_audio_buffer.append" in message.data:
                    continue
                kind = json.loads(message.data).get("type")
                if kind == "input_audio_buffer.commit":
                    for text in turn_frames[commits % len(turn_frames)]:
                        await websocket.send_str(text)
                    commits += 1
                elif kind == "response.create":
                    if writing is not None:
                        await writing
                    writing = asyncio.create_task(_write(websocket, answer_for(responses)))
                    responses += 1
        finally:
            if writing is not None:
                writing.cancel()
                await asyncio.gather(writing, return_exceptions=True)
        return websocket

    application = web.Application()
    application.router.add_get("/{mode}/v1/realtime", handle)
    return application


async def _serve(sizes: Sizes) -> None:
    runner = web.AppRunner(_application(sizes), handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    try:
        print(runner.addresses[0][1], flush=True)
        await asyncio.to_thread(sys.stdin.read)
    finally:
        await runner.cleanup()


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", help="the Sizes as JSON")
    asyncio.run(_serve(Sizes.from_json(parser.parse_args().sizes)))


if __name__ == "__main__":
    _main()
