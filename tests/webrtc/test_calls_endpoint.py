"""``POST /v1/realtime/calls`` on the fake: CORS, credentials and refusals (no call is placed)."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest

from openai_realtime.testing import FakeRealtimeServer

API_KEY = "sk-test-calls"


@pytest.fixture
async def calls() -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    async with FakeRealtimeServer(api_key=API_KEY) as server, aiohttp.ClientSession() as http:
        yield http, f"{server.http_url}/realtime/calls"


def _form(**parts: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in parts.items():
        form.add_field(name, value, content_type="application/octet-stream")
    return form


async def _error(response: aiohttp.ClientResponse) -> dict[str, object]:
    body = await response.json()
    assert isinstance(body, dict)
    error = body["error"]
    assert isinstance(error, dict)
    return error


async def test_a_page_on_another_port_may_call_it(calls: tuple[aiohttp.ClientSession, str]) -> None:
    http, url = calls
    origin = {"Origin": "http://127.0.0.1:9999", "Access-Control-Request-Method": "POST"}
    async with http.options(url, headers=origin) as preflight:
        assert preflight.status == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
        allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
        assert "authorization" in allowed and "content-type" in allowed
        assert "Location" in preflight.headers["Access-Control-Expose-Headers"]


async def test_a_wrong_key_is_refused_with_cors_headers(
    calls: tuple[aiohttp.ClientSession, str],
) -> None:
    http, url = calls
    headers = {"Authorization": "Bearer sk-wrong", "Content-Type": "application/sdp"}
    async with http.post(url, data="v=0\r\n", headers=headers) as response:
        assert response.status == 401
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert (await _error(response))["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        ("v=0", "text/plain", "unsupported_content_type"),
        ("hello", "application/sdp", "invalid_offer"),
        (None, None, "missing_required_parameter"),
        ("not a session", None, "invalid_json"),
    ],
)
async def test_a_malformed_offer_is_refused(
    calls: tuple[aiohttp.ClientSession, str], body: str | None, content_type: str | None, code: str
) -> None:
    http, url = calls
    headers = {"Authorization": f"Bearer {API_KEY}"}
    data: object
    if content_type is not None:
        headers["Content-Type"] = content_type
        data = body
    elif body is None:
        data = _form(session=json.dumps({"type": "realtime"}))
    else:
        data = _form(sdp="v=0\r\n", session=body)
    async with http.post(url, data=data, headers=headers) as response:
        assert response.status == 400
        assert (await _error(response))["code"] == code


async def test_a_session_part_is_validated_like_a_client_secret_s(
    calls: tuple[aiohttp.ClientSession, str],
) -> None:
    http, url = calls
    session = json.dumps({"type": "realtime", "output_modalities": ["smell"]})
    form = _form(sdp="v=0\r\n", session=session)
    async with http.post(
        url, data=form, headers={"Authorization": f"Bearer {API_KEY}"}
    ) as response:
        assert response.status == 400
        assert "output_modalities" in str((await _error(response))["param"])


async def test_without_the_webrtc_extra_the_endpoint_names_it(
    calls: tuple[aiohttp.ClientSession, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, url = calls
    # What importing the answering module does when aiortc is not installed.
    monkeypatch.setitem(sys.modules, "openai_realtime.testing.webrtc_call", None)
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/sdp"}
    async with http.post(url, data="v=0\r\n", headers=headers) as response:
        assert response.status == 501
        assert "webrtc extra" in str((await _error(response))["message"])


async def test_a_sideband_to_an_unknown_call_is_refused() -> None:
    async with FakeRealtimeServer(api_key=API_KEY) as server, aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(
                f"{server.url}?call_id=rtc_unknown",
                headers={"Authorization": f"Bearer {API_KEY}"},
            )
    assert refused.value.status == 404
