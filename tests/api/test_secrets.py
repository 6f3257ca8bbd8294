"""Tests for openai_realtime.secrets against a local client-secrets endpoint on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from scripted_server import SENTINEL_KEY

from openai_realtime.api import USER_AGENT
from openai_realtime.errors import (
    ConfigurationError,
    InsecureTransportError,
    RealtimeConnectionError,
)
from openai_realtime.secrets import ClientSecret, ClientSecretError, create_client_secret
from openai_realtime.types import (
    RealtimeSessionCreateRequest,
    RealtimeSessionCreateResponse,
    RealtimeTranscriptionSessionCreateResponse,
)
from tests.support import WAIT

SECRET_VALUE = "ek_test_0123456789"


@dataclass
class SecretsEndpoint:
    """``POST /v1/realtime/client_secrets``: records requests, answers as scripted."""

    base_url: str = ""
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    reply: str | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        self.requests.append((dict(request.headers), body))
        if self.reply is not None:
            return web.Response(status=self.status, text=self.reply)
        session = body.get("session", {"type": "realtime"})
        echoed = {**session, "id": "sess_1", "object": "realtime.session"}
        seconds = body.get("expires_after", {}).get("seconds", 600)
        reply = {"value": SECRET_VALUE, "expires_at": 1_700_000_000 + seconds, "session": echoed}
        return web.json_response(reply, status=self.status)


@pytest.fixture
async def endpoint() -> AsyncIterator[SecretsEndpoint]:
    scripted = SecretsEndpoint()
    app = web.Application()
    app.router.add_post("/v1/realtime/client_secrets", scripted.handle)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    scripted.base_url = f"http://{host}:{port}/v1"
    try:
        yield scripted
    finally:
        await runner.cleanup()


async def mint(endpoint: SecretsEndpoint, **options: Any) -> ClientSecret:
    options.setdefault("api_key", SENTINEL_KEY)
    options.setdefault("base_url", endpoint.base_url)
    return await asyncio.wait_for(create_client_secret(**options), WAIT)


async def test_mints_a_secret_with_session_and_lifetime(endpoint: SecretsEndpoint) -> None:
    secret = await mint(
        endpoint,
        session={"model": "gpt-realtime", "instructions": "Be brief."},
        expires_after_seconds=120,
        organization="org_1",
        project="proj_1",
    )
    [(headers, body)] = endpoint.requests
    assert headers["Authorization"] == f"Bearer {SENTINEL_KEY}"
    assert headers["User-Agent"] == USER_AGENT
    assert headers["OpenAI-Organization"] == "org_1"
    assert headers["OpenAI-Project"] == "proj_1"
    assert body == {
        "session": {"type": "realtime", "model": "gpt-realtime", "instructions": "Be brief."},
        "expires_after": {"anchor": "created_at", "seconds": 120},
    }
    assert secret.value == SECRET_VALUE
    assert secret.expires_at == 1_700_000_120
    assert isinstance(secret.session, RealtimeSessionCreateResponse)
    assert secret.session.instructions == "Be brief."
    assert SECRET_VALUE not in repr(secret)


async def test_a_typed_or_transcription_session_and_no_options(
    endpoint: SecretsEndpoint,
) -> None:
    await mint(endpoint, session=RealtimeSessionCreateRequest(instructions="typed"))
    transcription = await mint(endpoint, session={"type": "transcription"})
    await mint(endpoint)
    bodies = [body for _, body in endpoint.requests]
    assert bodies == [
        {"session": {"type": "realtime", "instructions": "typed"}},
        {"session": {"type": "transcription"}},
        {},
    ]
    assert isinstance(transcription.session, RealtimeTranscriptionSessionCreateResponse)


async def test_the_key_comes_from_the_environment(
    endpoint: SecretsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    await asyncio.wait_for(create_client_secret(base_url=endpoint.base_url), WAIT)
    assert endpoint.requests[0][0]["Authorization"] == "Bearer sk-from-env"


async def test_bad_arguments_fail_before_any_request(
    endpoint: SecretsEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        await create_client_secret(base_url=endpoint.base_url)
    with pytest.raises(ConfigurationError, match="session"):
        await mint(endpoint, session={"type": "realtime", "output_modalities": "loud"})
    with pytest.raises(ConfigurationError, match="between 10 and 7200"):
        await mint(endpoint, expires_after_seconds=5)
    with pytest.raises(ConfigurationError, match="https://"):
        await mint(endpoint, base_url="ftp://example.invalid/v1")
    assert endpoint.requests == []


async def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(InsecureTransportError) as caught:
        await create_client_secret(api_key=SENTINEL_KEY, base_url="http://example.invalid/v1")
    assert SENTINEL_KEY not in str(caught.value)


async def test_a_refusal_carries_the_status_but_never_the_key(endpoint: SecretsEndpoint) -> None:
    endpoint.status = 401
    endpoint.reply = json.dumps({"error": {"message": f"Incorrect API key: {SENTINEL_KEY}"}})
    with pytest.raises(ClientSecretError, match="HTTP 401: Incorrect API key") as caught:
        await mint(endpoint)
    assert caught.value.status == 401
    assert SENTINEL_KEY not in str(caught.value)


async def test_an_unreadable_answer_does_not_leak_the_secret(endpoint: SecretsEndpoint) -> None:
    endpoint.reply = json.dumps({"value": SECRET_VALUE, "expires_at": "soon", "session": {}})
    with pytest.raises(ClientSecretError, match="expires_at") as caught:
        await mint(endpoint)
    assert SECRET_VALUE not in str(caught.value)
    endpoint.reply = "<html>gateway error</html>"
    endpoint.status = 502
    with pytest.raises(ClientSecretError, match="HTTP 502"):
        await mint(endpoint)


async def test_a_given_http_session_is_used_and_left_open(endpoint: SecretsEndpoint) -> None:
    async with aiohttp.ClientSession(headers={"X-Shared": "yes"}) as http_session:
        await mint(endpoint, http_session=http_session)
        assert not http_session.closed
    assert endpoint.requests[0][0]["X-Shared"] == "yes"


async def test_an_unreachable_endpoint_is_a_connection_error() -> None:
    # Nothing listens on port 1 of loopback.
    with pytest.raises(RealtimeConnectionError, match="could not reach"):
        await asyncio.wait_for(
            create_client_secret(api_key=SENTINEL_KEY, base_url="http://127.0.0.1:1/v1"), WAIT
        )
