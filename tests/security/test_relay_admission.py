"""Relay admission details the relay's own tests leave out.

A relay token in the URL query is not accepted (URLs end up in access logs, browser history and
proxies), the refusal does not echo it, and no upstream connection is made for it.
"""

from __future__ import annotations

import aiohttp
import pytest

from openai_realtime.relay import RealtimeRelay
from openai_realtime.testing import FakeRealtimeServer

RELAY_TOKEN = "relay-query-SENTINEL-5d4c3b2a"


@pytest.mark.parametrize("parameter", ["token", "relay_token", "api_key", "access_token"])
async def test_a_token_in_the_url_query_is_refused_and_not_echoed(parameter: str) -> None:
    async with (
        FakeRealtimeServer() as upstream,
        RealtimeRelay(upstream.url, relay_token=RELAY_TOKEN) as relay,
        aiohttp.ClientSession() as http,
    ):
        url = f"{relay.url}?{parameter}={RELAY_TOKEN}"
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url)
    assert refused.value.status == 401
    assert RELAY_TOKEN not in f"{refused.value.message} {refused.value.headers}"
    assert upstream.connections == []  # refused before any upstream connection
