"""``RealtimeCalls``: requests, typed errors and where its credentials may go."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from openai_realtime.calls import RealtimeCalls
from openai_realtime.errors import (
    CallError,
    ConfigurationError,
    CredentialRedirectError,
    InsecureTransportError,
)
from openai_realtime.testing import FakeRealtimeServer
from tests.support.calls import API_KEY, SECRET, WebhookEndpoint, serve_on_loopback
from tests.support.waiting import WAIT


def _catch_all(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, list[web.Request], list[bytes]]]:
    """A server that answers every request like ``POST /v1/realtime/calls`` would."""
    seen: list[web.Request] = []
    bodies: list[bytes] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(request)
        bodies.append(await request.read())
        if request.path.endswith("/calls"):
            return web.Response(
                status=201,
                text="v=0\r\nanswer",
                content_type="application/sdp",
                headers={"Location": "/v1/realtime/calls/rtc_created"},
            )
        return web.Response(status=200)

    async with serve_on_loopback(_catch_all(answer)) as base_url:
        yield f"{base_url}/v1", seen, bodies


def test_the_environment_key_is_used_only_for_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    assert "Authorization" in RealtimeCalls()._headers
    assert "Authorization" not in RealtimeCalls(base_url="http://127.0.0.1:9/v1")._headers
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ConfigurationError, match="no API key"):
        RealtimeCalls()


def test_a_key_never_goes_over_plain_http_to_another_machine() -> None:
    with pytest.raises(InsecureTransportError) as raised:
        RealtimeCalls(API_KEY, base_url="http://calls.example.test/v1")
    assert API_KEY not in str(raised.value)
    RealtimeCalls(API_KEY, base_url="http://calls.example.test/v1", allow_insecure=True)
    assert API_KEY not in repr(RealtimeCalls(API_KEY, base_url="http://127.0.0.1:9/v1"))


async def test_a_redirect_to_another_origin_is_not_followed() -> None:
    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect(f"http://localhost:{request.url.port}/elsewhere")

    async with (
        serve_on_loopback(_catch_all(redirect)) as base_url,
        RealtimeCalls(API_KEY, base_url=f"{base_url}/v1") as calls,
    ):
        with pytest.raises(CredentialRedirectError) as raised:
            await calls.hangup("rtc_1")
    assert API_KEY not in str(raised.value)


async def test_requests_carry_the_documented_bodies(
    recorder: tuple[str, list[web.Request], list[bytes]],
) -> None:
    url, seen, bodies = recorder
    async with RealtimeCalls(API_KEY, base_url=url) as calls:
        await calls.accept("rtc_1", instructions="Hi", output_modalities=["audio"])
        await calls.reject("rtc_1", status_code=486)
        await calls.refer("rtc_1", "sip:desk@example.test")
        await calls.hangup("rtc_1")
        answer = await calls.create("v=0\r\noffer", session={"instructions": "Hi"})
    assert [request.path for request in seen] == [
        "/v1/realtime/calls/rtc_1/accept",
        "/v1/realtime/calls/rtc_1/reject",
        "/v1/realtime/calls/rtc_1/refer",
        "/v1/realtime/calls/rtc_1/hangup",
        "/v1/realtime/calls",
    ]
    assert (
        bodies[0] == b'{"type": "realtime", "output_modalities": ["audio"], "instructions": "Hi"}'
    )
    assert bodies[1] == b'{"status_code": 486}'
    assert bodies[2] == b'{"target_uri": "sip:desk@example.test"}'
    assert b"v=0\r\noffer" in bodies[4] and b'"instructions": "Hi"' in bodies[4]
    assert (answer.call_id, answer.sdp) == ("rtc_created", "v=0\r\nanswer")
    assert all(r.headers["Authorization"] == f"Bearer {API_KEY}" for r in seen)


async def test_bad_arguments_fail_before_anything_is_sent(
    recorder: tuple[str, list[web.Request], list[bytes]],
) -> None:
    url, seen, _ = recorder
    async with RealtimeCalls(API_KEY, base_url=url) as calls:
        with pytest.raises(ConfigurationError, match="invalid session"):
            await calls.accept("rtc_1", instructions=7)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="400-699"):
            await calls.reject("rtc_1", status_code=200)
        with pytest.raises(ConfigurationError, match="tel:"):
            await calls.refer("rtc_1", "https://example.test")
    assert seen == []


async def test_no_credential_in_errors_or_logs(
    caplog: pytest.LogCaptureFixture, webhook: WebhookEndpoint
) -> None:
    caplog.set_level(logging.DEBUG)
    async with (
        FakeRealtimeServer(api_key=API_KEY, time_scale=0.02) as server,
        RealtimeCalls(API_KEY, base_url=server.http_url) as calls,
    ):
        call = await server.place_call(webhook.url, secret=SECRET)
        await calls.accept(call.call_id)
        errors: list[CallError] = []
        for attempt in (calls.accept(call.call_id), calls.hangup("rtc_nope")):
            with pytest.raises(CallError) as raised:
                await attempt
            errors.append(raised.value)
        await calls.hangup(call.call_id)
        await call.ended(WAIT)
    shown = caplog.text + "".join(f"{e}{e.error}{e!r}" for e in errors)
    assert API_KEY not in shown
    assert SECRET not in shown and SECRET.removeprefix("whsec_") not in shown
