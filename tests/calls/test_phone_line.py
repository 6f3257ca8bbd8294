"""The fake server's phone line: calls placed, answered or not, and their sessions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import numpy as np
import pytest
import standardwebhooks
from aiohttp import web

from openai_realtime import RealtimeClient
from openai_realtime.audio import write_wav
from openai_realtime.calls import RealtimeCalls
from openai_realtime.errors import CallError, RealtimeConnectionError
from openai_realtime.local_events import CallEndedEvent
from openai_realtime.testing import FakeRealtimeServer
from tests.support.calls import (
    API_KEY,
    SECRET,
    WebhookEndpoint,
    serve_on_loopback,
    webhook_endpoint,
)
from tests.support.waiting import WAIT, until

pytestmark = pytest.mark.asyncio


def _tone(seconds: float, rate: int = 24000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 440 * t) * 12000).astype(np.int16)


def _sideband(server: FakeRealtimeServer, call_id: str) -> RealtimeClient:
    return RealtimeClient(server.url, API_KEY, call_id=call_id)


async def test_the_webhook_is_signed_and_names_the_call(
    server: FakeRealtimeServer, webhook: WebhookEndpoint
) -> None:
    call = await server.place_call(
        webhook.url, secret=SECRET, caller="+15550111", sip_headers={"X-Account": "42"}
    )
    assert call.webhook_status == 200
    assert await webhook.call_ids.get() == call.call_id
    assert call.state == "ringing"


async def test_a_rejected_call_ends_with_the_sip_status(
    server: FakeRealtimeServer, webhook: WebhookEndpoint, calls: RealtimeCalls
) -> None:
    call = await server.place_call(webhook.url, secret=SECRET)
    await calls.reject(call.call_id, status_code=486)
    outcome = await call.ended(WAIT)
    assert (outcome.how, outcome.sip_status) == ("rejected", 486)
    with pytest.raises(CallError) as raised:
        await calls.accept(call.call_id)
    assert (raised.value.status, raised.value.code) == (400, "call_ended")


async def test_an_unanswered_call_times_out_on_the_server_clock(
    server: FakeRealtimeServer, webhook: WebhookEndpoint, calls: RealtimeCalls
) -> None:
    # 5 s of server time at time_scale 0.02: a tenth of a real second.
    call = await server.place_call(webhook.url, secret=SECRET, answer_timeout=5.0)
    outcome = await call.ended(WAIT)
    assert outcome.how == "unanswered"
    with pytest.raises(CallError) as raised:
        await calls.accept(call.call_id)
    assert raised.value.code == "call_ended"


async def test_the_default_answer_timeout_is_thirty_seconds_of_server_time() -> None:
    loop = asyncio.get_running_loop()
    async with FakeRealtimeServer(time_scale=0.005) as fast, webhook_endpoint() as endpoint:
        started = loop.time()
        call = await fast.place_call(endpoint.url, secret=SECRET)
        assert (await call.ended(WAIT)).how == "unanswered"
        elapsed = loop.time() - started
    # The call waited its 30 s of server time (0.15 real seconds at this scale) before giving up.
    assert elapsed >= fast.clock.real_seconds(30) * 0.95


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ("not json", "invalid_json", None),
        ("[]", "invalid_type", None),
        (json.dumps({"instructions": "hi"}), "missing_required_parameter", "type"),
        (json.dumps({"type": "realtime", "voice_name": "x"}), "unknown_parameter", "voice_name"),
        (json.dumps({"type": "realtime", "instructions": 7}), "invalid_type", "instructions"),
    ],
)
async def test_a_malformed_accept_is_refused_and_the_call_still_rings(
    server: FakeRealtimeServer,
    webhook: WebhookEndpoint,
    calls: RealtimeCalls,
    body: str,
    code: str,
    param: str | None,
) -> None:
    call = await server.place_call(webhook.url, secret=SECRET)
    url = f"{server.http_url}/realtime/calls/{call.call_id}/accept"
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        answer = await r.json()
    assert r.status == 400
    assert answer["error"]["code"] == code
    assert answer["error"]["param"] == param
    assert call.state == "ringing"
    await calls.accept(call.call_id)  # a correct accept still works
    assert call.state == "active"


async def test_call_control_errors_are_live_shaped(
    server: FakeRealtimeServer, webhook: WebhookEndpoint, calls: RealtimeCalls
) -> None:
    with pytest.raises(CallError) as unknown:
        await calls.hangup("rtc_unknown")
    assert (unknown.value.status, unknown.value.code) == (404, "call_id_not_found")
    assert unknown.value.error["message"] == "Call with id 'rtc_unknown' not found."
    call = await server.place_call(webhook.url, secret=SECRET)
    with pytest.raises(CallError) as ringing:
        await calls.refer(call.call_id, "tel:+15550123")
    assert ringing.value.code == "call_not_active"
    await calls.accept(call.call_id, instructions="Be brief.")
    with pytest.raises(CallError) as again:
        await calls.accept(call.call_id)
    assert (again.value.status, again.value.code) == (400, "call_already_accepted")
    url = f"{server.http_url}/realtime/calls/{call.call_id}"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.post(f"{url}/refer", json={"target_uri": "http://x"}) as bad_uri:
            assert (await bad_uri.json())["error"]["code"] == "invalid_value"
        async with http.post(f"{url}/refer", json={}) as no_uri:
            assert (await no_uri.json())["error"]["param"] == "target_uri"
    await calls.hangup(call.call_id)
    assert (await call.ended(WAIT)).how == "hung_up"


async def test_a_reject_with_a_bad_status_code_is_refused(
    server: FakeRealtimeServer, webhook: WebhookEndpoint
) -> None:
    call = await server.place_call(webhook.url, secret=SECRET)
    url = f"{server.http_url}/realtime/calls/{call.call_id}/reject"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        for status, code in ((200, "integer_below_min_value"), (700, "integer_above_max_value")):
            async with http.post(url, json={"status_code": status}) as answer:
                assert answer.status == 400
                assert (await answer.json())["error"]["code"] == code
    assert call.state == "ringing"


async def test_call_control_needs_the_key(
    server: FakeRealtimeServer, webhook: WebhookEndpoint
) -> None:
    call = await server.place_call(webhook.url, secret=SECRET)
    async with RealtimeCalls("sk-wrong", base_url=server.http_url) as wrong:
        with pytest.raises(CallError) as raised:
            await wrong.accept(call.call_id)
    assert raised.value.status == 401
    assert "sk-wrong" not in str(raised.value)


async def test_sidebands_share_the_session_keep_g711_and_see_the_end(
    server: FakeRealtimeServer, webhook: WebhookEndpoint, calls: RealtimeCalls
) -> None:
    call = await server.place_call(webhook.url, secret=SECRET, audio=_tone(0.6), dtmf=[(3.0, "7")])
    await calls.accept(call.call_id, instructions="Answer the phone.")
    first, second = _sideband(server, call.call_id), _sideband(server, call.call_id)
    assert "call_id=" in first.realtime.url and "model=" not in first.realtime.url
    ended: list[CallEndedEvent] = []
    first.on("call.ended", ended.append)
    digits: list[str] = []
    second.on("server.input_audio_buffer.dtmf_event_received", lambda e: digits.append(e.event))
    async with first, second:
        await first.update_session(instructions="Answer the phone briefly.")
        updated = await first.wait_for_next("server.session.updated", timeout=WAIT)
        both = [
            client.wait_for_next("server.output_audio_buffer.stopped", timeout=WAIT)
            for client in (first, second)
        ]
        await asyncio.gather(*both)
        await until(lambda: digits == ["7"])
        await calls.hangup(call.call_id)
        await until(lambda: bool(ended) and not second.is_connected)
    audio = updated.session.model_dump(mode="json")["audio"]
    assert audio["input"]["format"] == audio["output"]["format"] == {"type": "audio/pcmu"}
    assert call.record is not None
    sent = [json.loads(frame) for frame in call.record.received if '"session.update"' in frame]
    assert sent and all(event["session"]["type"] == "realtime" for event in sent)
    assert all("format" not in json.dumps(event) for event in sent)
    assert ended == [CallEndedEvent(call.call_id, 1000, "call ended: hung up")]
    assert call.heard_transcripts and call.heard_audio.size > 0 and call.heard_rate == 8000


async def test_a_sideband_to_an_unknown_ringing_or_ended_call_gets_404(
    server: FakeRealtimeServer, webhook: WebhookEndpoint, calls: RealtimeCalls
) -> None:
    call = await server.place_call(webhook.url, secret=SECRET)
    for call_id in ("rtc_unknown", call.call_id):
        with pytest.raises(RealtimeConnectionError, match="404"):
            await _sideband(server, call_id).connect()
    await calls.accept(call.call_id)
    await call.hang_up()
    assert (await call.ended(WAIT)).how == "caller_hung_up"
    client = _sideband(server, call.call_id)
    with pytest.raises(RealtimeConnectionError, match="404") as raised:
        await client.connect()
    assert API_KEY not in str(raised.value)
    url = f"{server.url}?call_id={call.call_id}"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as answer:
        assert answer.status == 404
        assert (await answer.json())["error"]["code"] == "call_id_not_found"


async def test_output_audio_buffer_clear_stops_what_the_caller_hears(
    server: FakeRealtimeServer, webhook: WebhookEndpoint, calls: RealtimeCalls
) -> None:
    call = await server.place_call(webhook.url, secret=SECRET)
    await calls.accept(call.call_id)
    async with _sideband(server, call.call_id) as client:
        started = asyncio.ensure_future(
            client.wait_for_next("server.output_audio_buffer.started", timeout=WAIT)
        )
        await client.create_response(instructions='say "one two three four five six"')
        event = await started
        await client.realtime.send("output_audio_buffer.clear", {})
        cleared = await client.wait_for_next("server.output_audio_buffer.cleared", timeout=WAIT)
        await calls.hangup(call.call_id)
    assert cleared.response_id == event.response_id
    assert call.heard_transcripts == []


async def test_the_fake_webhook_verifies_with_the_reference_library(
    server: FakeRealtimeServer,
) -> None:
    delivered: asyncio.Future[tuple[bytes, dict[str, str]]] = asyncio.Future()

    async def capture(request: web.Request) -> web.Response:
        delivered.set_result((await request.read(), dict(request.headers)))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/webhook", capture)
    async with serve_on_loopback(app) as base_url:
        call = await server.place_call(
            f"{base_url}/webhook", secret=SECRET, caller="+15550111", sip_headers={"X-A": "1"}
        )
    body, headers = await delivered
    payload = standardwebhooks.Webhook(SECRET).verify(body, headers)
    assert call.webhook_status == 204
    assert payload["type"] == "realtime.call.incoming"
    assert payload["data"]["call_id"] == call.call_id
    sip = {header["name"]: header["value"] for header in payload["data"]["sip_headers"]}
    assert sip["X-A"] == "1" and "+15550111" in sip["From"]


async def test_caller_audio_from_a_wav_file_goes_through_vad(
    server: FakeRealtimeServer, webhook: WebhookEndpoint, calls: RealtimeCalls, tmp_path: Path
) -> None:
    wav = tmp_path / "caller.wav"
    write_wav(wav, _tone(0.8, rate=16000), rate=16000)
    call = await server.place_call(webhook.url, secret=SECRET, audio=wav, sample_rate=16000)
    await calls.accept(call.call_id)
    await until(lambda: len(call.heard_transcripts) == 1)
    await calls.hangup(call.call_id)
    assert call.record is not None
    assert call.record.sent_types["input_audio_buffer.speech_started"] == 1
    assert call.record.sent_types["input_audio_buffer.committed"] == 1
    # The turn VAD committed: the 0.8 s of tone plus the silence VAD waited for.
    (answer,) = call.heard_transcripts
    seconds = float(answer.removeprefix("I heard ").removesuffix(" seconds of audio."))
    assert 0.8 <= seconds <= 1.5


async def test_a_session_update_without_its_type_is_ignored_on_a_call(
    server: FakeRealtimeServer, webhook: WebhookEndpoint, calls: RealtimeCalls
) -> None:
    call = await server.place_call(webhook.url, secret=SECRET)
    await calls.accept(call.call_id, instructions="Before.")
    url = f"{server.url}?call_id={call.call_id}"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with aiohttp.ClientSession() as http, http.ws_connect(url, headers=headers) as ws:
        assert (await ws.receive_json())["type"] == "session.created"
        await ws.send_json({"type": "session.update", "session": {"instructions": "Ignored."}})
        typed = {"type": "realtime", "instructions": "After."}
        await ws.send_json({"type": "session.update", "session": typed})
        kinds = []
        while (event := await ws.receive_json(timeout=WAIT))["type"] != "session.updated":
            kinds.append(event["type"])
    assert event["session"]["instructions"] == "After."
    assert "error" not in kinds
    await calls.hangup(call.call_id)
