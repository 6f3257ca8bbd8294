"""``fake-server`` and ``relay`` as real processes: connect a client, then Ctrl-C them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from cli_process import ServerProcess, server_process

from openai_realtime import RealtimeClient, RealtimeConnectionError
from tests.support import WAIT

FAKE_KEY = "fake-server-key-0123456789"
RELAY_TOKEN = "relay-token-0123456789"


async def ask(client: RealtimeClient, text: str) -> str:
    """Send a text message and return the text of the answer."""
    await client.update_session(output_modalities=["text"], turn_detection=None)
    done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=WAIT))
    await client.send_user_message_content([{"type": "input_text", "text": text}])
    response = (await done).response
    answer = client.conversation.get_item(response.output[0].id or "")  # type: ignore[index]
    assert answer is not None
    return answer.formatted.text


async def assert_clean_interrupt(server: ServerProcess) -> None:
    code, _, stderr = await server.interrupt()
    assert code == 130
    assert "Traceback" not in stderr
    assert "error" not in stderr


async def test_fake_server_serves_until_ctrl_c(tmp_path: Path) -> None:
    async with server_process("fake-server", "--port", "0", cwd=tmp_path) as server:
        assert server.first_line.startswith("fake Realtime server listening on ws://127.0.0.1:")
        async with RealtimeClient(url=server.url) as client:
            assert await ask(client, "hello") == "You said: hello"
        await assert_clean_interrupt(server)


async def test_fake_server_requires_the_given_key(tmp_path: Path) -> None:
    arguments = ("fake-server", "--port", "0", "--api-key-required", FAKE_KEY)
    async with server_process(*arguments, cwd=tmp_path) as server:
        with pytest.raises(RealtimeConnectionError, match="401"):
            await RealtimeClient(url=server.url).connect()
        async with RealtimeClient(url=server.url, api_key=FAKE_KEY) as client:
            assert await ask(client, "what is 2 + 3?") == "2 + 3 is 5."
        await assert_clean_interrupt(server)


async def test_relay_in_front_of_a_fake_upstream_until_ctrl_c(tmp_path: Path) -> None:
    arguments = ("relay", "--port", "0", "--upstream", "fake", "--token", RELAY_TOKEN)
    async with server_process(*arguments, cwd=tmp_path) as server:
        assert server.first_line.startswith("relay listening on ws://127.0.0.1:")
        with pytest.raises(RealtimeConnectionError, match="401"):
            await RealtimeClient(url=server.url).connect()
        async with RealtimeClient(url=server.url, api_key=RELAY_TOKEN) as client:
            assert await ask(client, "relayed") == "You said: relayed"
        code, stdout, stderr = await server.interrupt()
    assert code == 130
    assert stdout.startswith("upstream: the fake server at ws://127.0.0.1:")
    assert RELAY_TOKEN not in stdout + stderr
    assert "Traceback" not in stderr
