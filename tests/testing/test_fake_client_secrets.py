"""POST /v1/realtime/client_secrets on the fake: ek_ secrets that open sessions, then expire."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
import pytest
from fake_wire import connect

from openai_realtime.secrets import ClientSecretError, create_client_secret
from openai_realtime.testing import FakeRealtimeServer, clock
from openai_realtime.types import SessionCreatedEvent

KEY = "sk-fake-real-key"


async def mint(server: FakeRealtimeServer, body: Any, key: str = KEY) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{server.http_url}/realtime/client_secrets",
            data=json.dumps(body),
            headers={"Authorization": f"Bearer {key}"},
        ) as reply,
    ):
        return reply.status, await reply.json()


async def refused_status(server: FakeRealtimeServer, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
            await http.ws_connect(server.url, headers=headers)
    return caught.value.status


async def test_a_minted_secret_opens_a_session_with_its_configuration() -> None:
    async with FakeRealtimeServer(api_key=KEY) as server:
        before = int(time.time())
        secret = await create_client_secret(
            api_key=KEY,
            base_url=server.http_url,
            session={"model": "gpt-realtime-mini", "instructions": "Be brief."},
            expires_after_seconds=60,
        )
        headers = {"Authorization": f"Bearer {secret.value}"}
        async with connect(server, headers=headers, greet=False) as client:
            created = await client.expect(SessionCreatedEvent)

    assert secret.value.startswith("ek_")
    assert before + 60 <= secret.expires_at <= int(time.time()) + 60
    assert secret.session.model_dump(mode="json")["instructions"] == "Be brief."
    session = created.session.model_dump(mode="json")
    assert (session["model"], session["instructions"]) == ("gpt-realtime-mini", "Be brief.")


async def test_browsers_may_send_the_secret_as_a_subprotocol() -> None:
    async with FakeRealtimeServer(api_key=KEY) as server:
        status, body = await mint(server, {})
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(
                server.url, protocols=("realtime", f"openai-insecure-api-key.{body['value']}")
            ) as websocket,
        ):
            first = await websocket.receive_json(timeout=10)

    assert status == 200
    assert body["session"]["type"] == "realtime"
    assert first["type"] == "session.created"
    assert websocket.protocol == "realtime"


async def test_an_expired_or_unknown_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeRealtimeServer() as server:
        _, body = await mint(server, {"expires_after": {"anchor": "created_at", "seconds": 10}})
        headers = {"Authorization": f"Bearer {body['value']}"}
        async with connect(server, headers=headers):
            pass  # valid for now
        now = time.time()
        monkeypatch.setattr(clock, "wall_time", lambda: now + 10)
        expired = await refused_status(server, headers)
        unknown = await refused_status(server, {"Authorization": "Bearer ek_nobody"})

    assert (expired, unknown) == (401, 401)


async def test_minting_needs_the_real_key() -> None:
    async with FakeRealtimeServer(api_key=KEY) as server:
        wrong, _ = await mint(server, {}, key="sk-wrong")
        _, secret = await mint(server, {})
        by_secret, _ = await mint(server, {}, key=secret["value"])
        with pytest.raises(ClientSecretError) as caught:
            await create_client_secret(api_key="sk-wrong", base_url=server.http_url)

    assert (wrong, by_secret, caught.value.status) == (401, 401, 401)


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"expires_after": {"seconds": 5}}, "integer_below_min_value", "expires_after.seconds"),
        ({"expires_after": {"seconds": 7201}}, "integer_above_max_value", "expires_after.seconds"),
        ({"expires_after": {"anchor": "now"}}, "invalid_value", "expires_after.anchor"),
        ({"session": {"type": "realtime", "mood": "calm"}}, "unknown_parameter", "session.mood"),
        (
            {"session": {"type": "realtime", "audio": {"output": {"voice": 1}}}},
            "invalid_type",
            "session.audio.output.voice",
        ),
        ({"lifetime": 5}, "unknown_parameter", "lifetime"),
    ],
)
async def test_bad_requests_are_refused_as_live(body: Any, code: str, param: str) -> None:
    async with FakeRealtimeServer() as server:
        status, answer = await mint(server, body)

    assert status == 400
    assert (answer["error"]["code"], answer["error"]["param"]) == (code, param)
