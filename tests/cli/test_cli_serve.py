"""``openai-realtime serve``: the voice page with the built-in fake server, in a child process."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
from cli_process import run_cli, server_process
from yarl import URL

from tests.support import WAIT


async def test_serve_prints_a_url_whose_page_reaches_the_relay_with_its_tool(
    tmp_path: Path,
) -> None:
    async with server_process("serve", "--port", "0", cwd=tmp_path) as server:
        page = URL(server.url)
        async with aiohttp.ClientSession() as http:
            async with http.get(page) as response:
                assert response.status == 200
                assert '<script type="module" src="app.js">' in await response.text()
            async with http.get(page / "playback-worklet.js") as response:
                assert response.status == 200
                assert response.content_type in {"text/javascript", "application/javascript"}
            async with http.get(page / "config.json") as response:
                relay_url = (await response.json())["relay_url"]
            origin = str(page.origin())
            async with http.ws_connect(relay_url, headers={"Origin": origin}) as socket:
                events = [json.loads((await socket.receive(timeout=WAIT)).data)]
                while events[-1]["type"] != "session.updated":
                    events.append(json.loads((await socket.receive(timeout=WAIT)).data))
        code, _, _ = await server.interrupt()

    assert server.first_line.startswith("voice page: http://127.0.0.1:")
    assert events[0]["type"] == "session.created"
    session = events[-1]["session"]
    assert [tool["name"] for tool in session["tools"]] == ["get_current_time"]
    assert session["audio"]["input"]["transcription"]["model"]
    assert code in (0, 130)


def test_serve_live_without_a_key_says_what_is_missing(tmp_path: Path) -> None:
    finished = run_cli("serve", "--live", "--port", "0", cwd=tmp_path)
    assert finished.returncode == 1
    assert "OPENAI_API_KEY" in finished.stderr
