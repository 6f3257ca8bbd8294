"""Credentials never follow a redirect to another origin (servers on 127.0.0.1, two ports)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from multidict import CIMultiDictProxy

from openai_realtime.api import RealtimeAPI
from openai_realtime.errors import CredentialRedirectError
from openai_realtime.relay import RealtimeRelay
from openai_realtime.secrets import create_client_secret

SENTINEL_KEY = "sk-redirect-sentinel-5a5a5a5a"


@dataclass
class Hosts:
    """A redirecting origin and a second origin that records every request it gets."""

    redirector: str
    elsewhere: str
    seen_elsewhere: list[CIMultiDictProxy[str]] = field(default_factory=list)
    seen_same_origin: list[CIMultiDictProxy[str]] = field(default_factory=list)


async def _start(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def hosts() -> AsyncIterator[Hosts]:
    record = Hosts("", "")

    async def collect(request: web.Request) -> web.Response:
        record.seen_elsewhere.append(request.headers)
        return web.json_response({"value": "ek_should_never_be_minted", "expires_at": 0})

    other_app = web.Application()
    other_app.router.add_route("*", "/{tail:.*}", collect)
    other_runner, record.elsewhere = await _start(other_app)

    async def redirect_away(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(f"{record.elsewhere}{request.path}")

    async def redirect_home(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/same-origin/realtime/client_secrets")

    async def same_origin(request: web.Request) -> web.Response:
        record.seen_same_origin.append(request.headers)
        return web.json_response({"error": {"message": "reached the same origin"}}, status=418)

    app = web.Application()
    app.router.add_route("*", "/away/{tail:.*}", redirect_away)
    app.router.add_route("*", "/home/{tail:.*}", redirect_home)
    app.router.add_route("*", "/same-origin/{tail:.*}", same_origin)
    runner, record.redirector = await _start(app)
    try:
        yield record
    finally:
        await runner.cleanup()
        await other_runner.cleanup()


async def test_client_secrets_refuse_a_redirect_to_another_origin(hosts: Hosts) -> None:
    with pytest.raises(CredentialRedirectError) as raised:
        await create_client_secret(api_key=SENTINEL_KEY, base_url=f"{hosts.redirector}/away/v1")
    assert hosts.seen_elsewhere == []
    assert SENTINEL_KEY not in str(raised.value)


async def test_client_secrets_follow_a_redirect_within_the_origin(hosts: Hosts) -> None:
    with pytest.raises(Exception, match="reached the same origin"):
        await create_client_secret(api_key=SENTINEL_KEY, base_url=f"{hosts.redirector}/home/v1")
    assert [headers["Authorization"] for headers in hosts.seen_same_origin] == [
        f"Bearer {SENTINEL_KEY}"
    ]


async def test_the_relay_never_takes_its_key_to_another_origin(hosts: Hosts) -> None:
    upstream = hosts.redirector.replace("http://", "ws://") + "/away/v1/realtime"
    async with (
        RealtimeRelay(upstream, api_key=SENTINEL_KEY) as relay,
        aiohttp.ClientSession() as session,
    ):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(relay.url)
    assert refused.value.status == 502
    assert hosts.seen_elsewhere == []


@pytest.mark.parametrize(
    "credentials",
    [{"api_key": SENTINEL_KEY}, {"headers": {"api-key": SENTINEL_KEY}}],
    ids=["bearer", "azure api-key"],
)
async def test_the_client_never_takes_credentials_to_another_origin(
    hosts: Hosts, credentials: dict[str, Any]
) -> None:
    url = hosts.redirector.replace("http://", "ws://") + "/away/v1/realtime"
    api = RealtimeAPI(url, **credentials)
    with pytest.raises(CredentialRedirectError) as raised:
        await api.connect()
    assert hosts.seen_elsewhere == []
    assert SENTINEL_KEY not in str(raised.value)
