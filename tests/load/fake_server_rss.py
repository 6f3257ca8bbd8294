"""The CLI's fake server under a stream of short sessions: its memory must stay flat.

Run from the project root (``make load`` runs it after the client load)::

    python -m tests.load.fake_server_rss --seconds 60

It starts ``openai-realtime fake-server --port 0`` in its own process (so closed connections are
forgotten and frame records bounded, as the command's defaults say), opens batches of concurrent
sessions that each ask for one text answer, and prints the server's RSS every few seconds. A
server that kept every closed connection's frames would grow with the session count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

__all__ = ["main"]

_URL = re.compile(r"(ws://127\.0\.0\.1:\d+/v1/realtime)")
_BATCH = 20
_SAMPLE_EVERY = 5.0


async def _one_session(http: aiohttp.ClientSession, url: str) -> None:
    async with http.ws_connect(url) as ws:
        await ws.send_json(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "hello there"}],
                },
            }
        )
        await ws.send_json({"type": "response.create", "response": {"output_modalities": ["text"]}})
        async for message in ws:
            if json.loads(message.data)["type"] == "response.done":
                return


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def _run(seconds: float) -> list[tuple[float, int, float]]:
    command = [sys.executable, "-m", "openai_realtime", "fake-server", "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        url = None
        while url is None:
            line = server.stdout.readline()
            if not line:
                raise RuntimeError("the fake server ended before printing its URL")
            found = _URL.search(line)
            url = found.group(1) if found else None
        samples: list[tuple[float, int, float]] = []
        started = next_sample = time.monotonic()
        sessions = 0
        async with aiohttp.ClientSession() as http:
            while (now := time.monotonic()) - started < seconds:
                await asyncio.gather(*(_one_session(http, url) for _ in range(_BATCH)))
                sessions += _BATCH
                if now >= next_sample:
                    samples.append((now - started, sessions, _rss_mib(server.pid)))
                    next_sample = now + _SAMPLE_EVERY
        samples.append((time.monotonic() - started, sessions, _rss_mib(server.pid)))
        return samples
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    """Run the load and print the fake server's RSS over time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    samples = asyncio.run(_run(args.seconds))
    print("fake-server RSS under short sessions (time s, sessions so far, RSS MiB):")
    for elapsed, sessions, rss in samples:
        print(f"  {elapsed:6.1f}  {sessions:7d}  {rss:7.1f}")
    warm = samples[1][2] if len(samples) > 1 else samples[0][2]
    print(f"growth after the first sample: {samples[-1][2] - warm:+.1f} MiB")


if __name__ == "__main__":
    main()
