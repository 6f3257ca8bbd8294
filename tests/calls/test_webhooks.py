"""Webhook verification, checked against the reference Standard Webhooks implementation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import standardwebhooks

from openai_realtime.errors import ConfigurationError, WebhookVerificationError
from openai_realtime.webhooks import sign_webhook, verify_webhook_signature
from tests.support.calls import BODY, NOW, OTHER_SECRET, SECRET


def _reference_headers(
    body: bytes = BODY, secret: str = SECRET, timestamp: int = NOW
) -> dict[str, str]:
    """Headers as the reference library signs them (not our signer)."""
    signature = standardwebhooks.Webhook(secret).sign(
        "msg_1", datetime.fromtimestamp(timestamp, tz=UTC), body
    )
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def test_a_reference_signature_verifies() -> None:
    verify_webhook_signature(BODY, _reference_headers(), SECRET, now=NOW)


def test_our_signature_is_the_reference_signature() -> None:
    headers = sign_webhook(BODY, SECRET, webhook_id="msg_9", timestamp=NOW)
    expected = standardwebhooks.Webhook(SECRET).sign(
        "msg_9", datetime.fromtimestamp(NOW, tz=UTC), BODY
    )
    assert headers == {
        "webhook-id": "msg_9",
        "webhook-timestamp": str(NOW),
        "webhook-signature": expected,
    }
    # The reference verifier checks against the real clock: sign with the current time.
    fresh = sign_webhook(BODY, SECRET, webhook_id="msg_9")
    assert standardwebhooks.Webhook(SECRET).verify(BODY, fresh) == json.loads(BODY)


def test_header_names_are_matched_in_any_case() -> None:
    headers = {name.upper(): value for name, value in _reference_headers().items()}
    verify_webhook_signature(BODY, headers, SECRET, now=NOW)


def test_a_str_body_is_verified_as_its_utf8_bytes() -> None:
    verify_webhook_signature(BODY.decode(), _reference_headers(), SECRET, now=NOW)


def test_any_of_several_signatures_may_match_during_rotation() -> None:
    headers = _reference_headers()
    rotated = _reference_headers(secret=OTHER_SECRET)["webhook-signature"]
    headers["webhook-signature"] = f"v1,bm90IHRoaXMgb25l {rotated}"
    verify_webhook_signature(BODY, headers, OTHER_SECRET, now=NOW)


def test_any_of_several_secrets_may_sign_during_rotation() -> None:
    headers = _reference_headers(secret=OTHER_SECRET)
    verify_webhook_signature(BODY, headers, [SECRET, OTHER_SECRET], now=NOW)
    with pytest.raises(WebhookVerificationError, match="no webhook-signature matches"):
        verify_webhook_signature(BODY, headers, [SECRET], now=NOW)


def test_a_secret_without_its_prefix_or_padding_and_a_raw_key_work() -> None:
    bare = SECRET.removeprefix("whsec_").rstrip("=")
    raw = base64.b64decode(SECRET.removeprefix("whsec_"))
    verify_webhook_signature(BODY, _reference_headers(), bare, now=NOW)
    verify_webhook_signature(BODY, _reference_headers(), raw, now=NOW)


@pytest.mark.parametrize(
    "tampered",
    [
        BODY.replace(b"rtc_1", b"rtc_2"),
        json.dumps(json.loads(BODY), indent=2).encode(),  # same JSON, other bytes
        BODY + b"\n",
    ],
)
def test_a_changed_body_is_refused(tampered: bytes) -> None:
    with pytest.raises(WebhookVerificationError, match="no webhook-signature matches"):
        verify_webhook_signature(tampered, _reference_headers(), SECRET, now=NOW)


def test_the_wrong_secret_is_refused() -> None:
    with pytest.raises(WebhookVerificationError, match="no webhook-signature matches"):
        verify_webhook_signature(BODY, _reference_headers(), OTHER_SECRET, now=NOW)


def test_a_signature_of_another_version_is_ignored() -> None:
    headers = _reference_headers()
    headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v1a,")
    with pytest.raises(WebhookVerificationError, match="no webhook-signature matches"):
        verify_webhook_signature(BODY, headers, SECRET, now=NOW)


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (NOW + 301, "301 s old, more than the 300 s allowed"),
        (NOW - 301, "301 s in the future, more than the 300 s allowed"),
    ],
)
def test_a_timestamp_outside_the_tolerance_is_refused(now: int, message: str) -> None:
    with pytest.raises(WebhookVerificationError, match=message):
        verify_webhook_signature(BODY, _reference_headers(), SECRET, now=now)
    # The same request passes at the edge of the window, and with a wider tolerance.
    verify_webhook_signature(BODY, _reference_headers(), SECRET, now=NOW + 300)
    verify_webhook_signature(BODY, _reference_headers(), SECRET, now=now, tolerance=400)


def test_the_reference_library_agrees_on_stale_requests() -> None:
    stale = _reference_headers(timestamp=NOW)  # long before the real clock's now
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(SECRET).verify(BODY, stale)
    with pytest.raises(WebhookVerificationError, match="s old"):
        verify_webhook_signature(BODY, stale, SECRET)


def test_a_timestamp_that_is_not_a_number_is_refused() -> None:
    headers = _reference_headers()
    headers["webhook-timestamp"] = "yesterday"
    with pytest.raises(WebhookVerificationError, match="not a whole number"):
        verify_webhook_signature(BODY, headers, SECRET, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_named(missing: str) -> None:
    headers = _reference_headers()
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match=f"missing header '{missing}'"):
        verify_webhook_signature(BODY, headers, SECRET, now=NOW)


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("whsec_not base64!", "not 'whsec_' followed by base64"),
        ("whsec_", "empty"),
        (b"", "empty"),
        ([], "no webhook secret"),
    ],
)
def test_a_bad_secret_is_a_configuration_error_that_does_not_echo_it(
    secret: str | bytes | list[str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message) as raised:
        verify_webhook_signature(BODY, _reference_headers(), secret, now=NOW)
    assert "base64!" not in str(raised.value)


def test_no_error_message_contains_the_secret_or_the_body() -> None:
    failures: list[str] = []
    for headers in (
        {},
        {**_reference_headers(), "webhook-signature": "v1,AAAA"},
        {**_reference_headers(), "webhook-timestamp": "1"},
    ):
        with pytest.raises(WebhookVerificationError) as raised:
            verify_webhook_signature(BODY, headers, SECRET, now=NOW)
        failures.append(str(raised.value))
    key_text = SECRET.removeprefix("whsec_")
    for message in failures:
        assert key_text not in message and "rtc_1" not in message
