"""``verify_webhook``: the typed event of a signed request, or WebhookVerificationError."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import standardwebhooks

from openai_realtime.errors import WebhookVerificationError
from openai_realtime.types import WebhookRealtimeCallIncoming
from openai_realtime.webhooks import UnknownWebhookEvent, sign_webhook, verify_webhook
from tests.support.calls import BODY, NOW, OTHER_SECRET, SECRET

OLD_SECRET = OTHER_SECRET


def _signed(body: bytes, *, secret: str = SECRET, timestamp: int = NOW) -> dict[str, str]:
    return sign_webhook(body, secret, webhook_id="msg_1", timestamp=timestamp)


def test_an_incoming_call_comes_back_typed() -> None:
    event = verify_webhook(BODY, _signed(BODY), SECRET, now=NOW)
    assert isinstance(event, WebhookRealtimeCallIncoming)
    assert event.data.call_id == "rtc_1"
    assert [(h.name, h.value) for h in event.data.sip_headers] == [
        ("From", "sip:+15550100@example.test")
    ]


def test_a_reference_signature_and_a_rotated_secret_verify() -> None:
    signature = standardwebhooks.Webhook(OLD_SECRET).sign(
        "msg_1", datetime.fromtimestamp(NOW, tz=UTC), BODY
    )
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(NOW), "webhook-signature": signature}
    event = verify_webhook(BODY, headers, [SECRET, OLD_SECRET], now=NOW)
    assert isinstance(event, WebhookRealtimeCallIncoming)


def _without(name: str) -> dict[str, str]:
    return {key: value for key, value in _signed(BODY).items() if key != name}


@pytest.mark.parametrize(
    ("body", "headers", "now", "message"),
    [
        (BODY, _signed(BODY, secret=OTHER_SECRET), NOW, "no webhook-signature matches"),
        (BODY.replace(b"rtc_1", b"rtc_2"), _signed(BODY), NOW, "no webhook-signature matches"),
        (BODY, _signed(BODY), NOW + 301, "s old"),
        (BODY, _signed(BODY), NOW - 301, "in the future"),
        (BODY, _without("webhook-id"), NOW, "missing header 'webhook-id'"),
        (BODY, _without("webhook-timestamp"), NOW, "missing header 'webhook-timestamp'"),
        (BODY, _without("webhook-signature"), NOW, "missing header 'webhook-signature'"),
        (b"not json", _signed(b"not json"), NOW, "not JSON"),
        (b"\xff\xfe", _signed(b"\xff\xfe"), NOW, "not JSON"),
        (b"[1, 2]", _signed(b"[1, 2]"), NOW, "not an event object"),
        (b'{"id": "evt_1"}', _signed(b'{"id": "evt_1"}'), NOW, "not an event object"),
    ],
)
def test_every_verification_failure_is_a_webhook_verification_error(
    body: bytes, headers: dict[str, str], now: int, message: str
) -> None:
    with pytest.raises(WebhookVerificationError, match=message) as raised:
        verify_webhook(body, headers, SECRET, now=now)
    assert SECRET not in str(raised.value) and SECRET.removeprefix("whsec_") not in str(
        raised.value
    )


def test_a_known_type_with_a_malformed_payload_is_refused() -> None:
    body = json.dumps({"type": "realtime.call.incoming", "id": "evt_1", "data": {}}).encode()
    with pytest.raises(WebhookVerificationError, match="malformed") as raised:
        verify_webhook(body, _signed(body), SECRET, now=NOW)
    assert "data.call_id" in str(raised.value)


def test_a_signed_event_of_an_unknown_type_is_returned_raw() -> None:
    payload = {"type": "realtime.call.ended", "id": "evt_9", "data": {"call_id": "rtc_1"}}
    body = json.dumps(payload).encode()
    event = verify_webhook(body, _signed(body), SECRET, now=NOW)
    assert event == UnknownWebhookEvent("realtime.call.ended", "evt_9", payload)


def test_an_unknown_type_with_a_bad_signature_is_still_refused() -> None:
    body = json.dumps({"type": "something.new"}).encode()
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, _signed(body, secret=OTHER_SECRET), SECRET, now=NOW)
