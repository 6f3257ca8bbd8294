"""The load test's server: a FakeRealtimeServer in its own process, reporting what it sent.

Run as ``python -m tests.load.server_process [--port N]`` from the project root. It prints
``LISTENING <port>`` once it accepts connections, serves until a line (or end of file) arrives
on standard input, then stops and prints ``TOTALS <json>``: frames sent and received over all
connections, and the number of connections.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from openai_realtime.testing import FakeRealtimeServer

__all__ = ["main", "serve_until_told"]

LISTENING = "LISTENING"
TOTALS = "TOTALS"


async def serve_until_told(port: int) -> dict[str, int]:
    """Serve real-time paced answers until standard input has a line; return the totals.

    Args:
        port: Port to bind on 127.0.0.1 (0: any free one).

    Returns:
        ``sent``, ``received`` and ``connections`` over the whole run.
    """
    # Real-time pacing, and no frame recording: counts are all a long run needs.
    server = FakeRealtimeServer("127.0.0.1", port, pace=1.0, record_frames=0)
    await server.start()
    print(LISTENING, server.port, flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    finally:
        await server.stop()
    return {
        "sent": sum(record.sent_count for record in server.connections),
        "received": sum(record.received_count for record in server.connections),
        "connections": len(server.connections),
    }


def main(argv: list[str] | None = None) -> None:
    """Parse ``--port``, serve, print the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args(argv)
    totals = asyncio.run(serve_until_told(arguments.port))
    print(TOTALS, json.dumps(totals), flush=True)


if __name__ == "__main__":
    main()
