"""The voice page's server over plain HTTP: what it serves and what it refuses (no browser)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from browser_conversation import API_KEY
from yarl import URL

from openai_realtime.errors import ConfigurationError
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.web import STATIC_DIR, VoiceServer


@pytest.fixture
async def page() -> AsyncIterator[URL]:
    async with (
        FakeRealtimeServer(api_key=API_KEY) as fake,
        VoiceServer(fake.url, api_key=API_KEY) as server,
    ):
        yield URL(server.url)


async def test_every_page_file_is_served_and_nothing_else(page: URL) -> None:
    names = sorted(path.name for path in STATIC_DIR.iterdir())
    async with aiohttp.ClientSession() as http:
        for name in names:
            async with http.get(page / name) as response:
                assert response.status == 200, name
                assert response.headers["Cache-Control"] == "no-store"
        for name in ("../server.py", "server.py", "%2e%2e/server.py", "secret.txt"):
            async with http.get(f"{page}{name}") as response:
                assert response.status == 404, name


async def test_a_client_secret_is_minted_per_call_and_the_key_stays_here(page: URL) -> None:
    async with aiohttp.ClientSession() as http, http.post(page / "session") as response:
        body = await response.json()
    assert body["client_secret"].startswith("ek_")
    assert body["calls_url"].endswith("/v1/realtime/calls")
    assert API_KEY not in str(body)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"call_id": 7}', b'{"call_id": "x"}'])
async def test_a_sideband_request_without_a_call_id_is_refused(page: URL, body: bytes) -> None:
    async with aiohttp.ClientSession() as http, http.post(page / "sideband", data=body) as response:
        assert response.status == 400


def test_an_upstream_that_is_not_a_websocket_url_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="ws://"):
        VoiceServer("http://127.0.0.1:1/v1/realtime", api_key=API_KEY)
