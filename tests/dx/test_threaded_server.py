"""``FakeServerThread``: the fake on its own thread and loop, serving a loop of the caller's."""

from __future__ import annotations

import asyncio
import threading

import pytest

from openai_realtime import RealtimeClient
from openai_realtime.testing import FakeServerThread, Reply, ScriptedResponder
from tests.support import WAIT


def test_serves_a_client_in_another_loop_and_stops_cleanly() -> None:
    runner = FakeServerThread(responder=ScriptedResponder([Reply(text="From the thread.")]))

    async def ask(url: str) -> str:
        async with RealtimeClient(url=url) as client:
            response = await client.send_user_message_content(
                [{"type": "input_text", "text": "Hi"}]
            )
            await response.done(timeout=WAIT)
            return response.transcript

    with runner as server:
        (thread,) = [t for t in threading.enumerate() if t.name == "fake-realtime-server"]
        assert asyncio.run(ask(server.url)) == "From the thread."
        assert server.connections[0].received_types["conversation.item.create"] == 1
    assert not thread.is_alive()
    runner.stop()  # idempotent


def test_the_server_is_there_only_while_running() -> None:
    runner = FakeServerThread()
    with pytest.raises(RuntimeError, match="not running"):
        _ = runner.server
    with runner as server:
        assert runner.server is server
