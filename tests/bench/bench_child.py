"""What the benchmarks run in fresh interpreters: start-up to ``session.created``, and memory.

Run as ``python bench_child.py <check> <side> <url> [turns turn_seconds]``, or
``python bench_child.py decode <sizes as JSON> <round>``:

* ``start``: connect and wait for ``session.created``, then print ``time.monotonic_ns()`` (the
  parent took the same clock before starting this interpreter);
* ``decode``: one round of every decoder on every frame set (``bench_decode``), as JSON;
* ``memory``: a session of ``turns`` turns, each ``turn_seconds`` of input audio appended in
  100 ms chunks, committed, and an answer of ``turn_seconds`` of audio received; prints the
  resident set size (RSS, after a full collection) after a first turn and after the rest, and the
  audio the client holds, as JSON.

``side`` is ``ours`` (``RealtimeClient``), ``openai`` (the ``openai`` SDK, which keeps
nothing) or, for ``start`` only, ``bare`` (aiohttp alone: connect and read the first frame).
The imports sit inside the functions so that ``start`` pays exactly what a program using that
side pays.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

__all__: list[str] = []

WAIT = 120.0
_CHUNK_SAMPLES = 2400
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


async def _start_ours(url: str) -> None:
    from openai_realtime import RealtimeClient

    async with RealtimeClient(url=url) as client:
        await client.wait_for_session_created(timeout=WAIT)
        print(time.monotonic_ns(), flush=True)


def _openai_client(url: str) -> Any:
    # Imported by name: the `openai` SDK comes from the bench extra, which type checks lack.
    openai = importlib.import_module("openai")
    return openai.AsyncOpenAI(
        api_key="sk-bench", base_url="http://127.0.0.1:9/v1", websocket_base_url=url
    )


async def _start_bare(url: str) -> None:
    import aiohttp

    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{url}?model=gpt-realtime") as websocket,
    ):
        message = await websocket.receive()
        assert "session.created" in message.data
        print(time.monotonic_ns(), flush=True)


async def _start_openai(url: str) -> None:
    sdk = _openai_client(url)
    async with sdk.realtime.connect(model="gpt-realtime") as connection:
        event = await connection.recv()
        assert event.type == "session.created"
        print(time.monotonic_ns(), flush=True)
    await sdk.close()


def _resident() -> int:
    gc.collect()
    return int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE_SIZE


def _microphone() -> Any:
    import numpy as np

    return np.random.default_rng(7).integers(-3000, 3000, size=_CHUNK_SAMPLES, dtype=np.int16)


async def _memory_ours(url: str, turns: int, turn_seconds: float) -> dict[str, int]:
    from openai_realtime import RealtimeClient

    chunk = _microphone()
    chunks = round(turn_seconds * 24000 / _CHUNK_SAMPLES)
    client = RealtimeClient(url=url)

    async def turn() -> None:
        for _ in range(chunks):
            await client.append_input_audio(chunk)
        done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=WAIT))
        await client.create_response()  # commits the input first: turn detection is off
        await done

    def held() -> int:
        return 2 * sum(len(item.formatted.audio) for item in client.conversation.get_items())

    async with client:
        await client.wait_for_session_created(timeout=WAIT)
        await turn()  # one-time costs (first validations, buffers) before the baseline
        before, held_before = _resident(), held()
        for _ in range(turns):
            await turn()
        after, held_after = _resident(), held()
    expected = turns * 2 * chunks * _CHUNK_SAMPLES * 2  # input and output, PCM16
    assert held_after - held_before == expected, (held_after - held_before, expected)
    return {"before": before, "after": after, "audio_held": held_after - held_before}


async def _memory_openai(url: str, turns: int, turn_seconds: float) -> dict[str, int]:
    import base64

    chunk = _microphone()
    chunks = round(turn_seconds * 24000 / _CHUNK_SAMPLES)
    sdk = _openai_client(url)

    async def turn(connection: Any) -> None:
        for _ in range(chunks):
            audio = base64.b64encode(chunk.tobytes()).decode("ascii")
            await connection.input_audio_buffer.append(audio=audio)
        await connection.input_audio_buffer.commit()
        await connection.response.create()
        async for event in connection:
            if event.type == "response.done":
                return

    async with sdk.realtime.connect(model="gpt-realtime") as connection:
        await connection.recv()  # session.created
        await turn(connection)
        before = _resident()
        for _ in range(turns):
            await turn(connection)
        after = _resident()
    await sdk.close()
    return {"before": before, "after": after, "audio_held": 0}


def _main() -> None:
    check = sys.argv[1]
    if check == "decode":
        from bench_decode import measure_in_process
        from bench_sizes import Sizes

        sizes, first = Sizes.from_json(sys.argv[2]), int(sys.argv[3])
        print(json.dumps(measure_in_process(sizes, first)), flush=True)
        return
    side, url = sys.argv[2:4]
    if check == "start":
        start = {"ours": _start_ours, "openai": _start_openai, "bare": _start_bare}[side]
        asyncio.run(start(url))
        return
    turns, turn_seconds = int(sys.argv[4]), float(sys.argv[5])
    memory = _memory_ours if side == "ours" else _memory_openai
    print(json.dumps(asyncio.run(memory(url, turns, turn_seconds))), flush=True)


if __name__ == "__main__":
    _main()
