"""Verify (and, for tests, sign) the webhooks OpenAI sends, such as ``realtime.call.incoming``.

OpenAI signs webhooks the Standard Webhooks way. Each request carries three headers:

================== ==========================================================================
header             meaning
================== ==========================================================================
webhook-id         a unique id of the delivery (the same on retries)
webhook-timestamp  Unix seconds when it was sent
webhook-signature  space-separated ``v1,<base64 HMAC-SHA256>`` signatures (several while a
                   secret is being rotated)
================== ==========================================================================

The HMAC key is the secret shown when the webhook endpoint was created (``whsec_`` followed by
base64), and the signed text is ``"{webhook-id}.{webhook-timestamp}." + body``, over the body
bytes exactly as received: verify before parsing, never a re-serialised copy.

Usage::

    from openai_realtime.webhooks import verify_webhook

    event = verify_webhook(await request.read(), request.headers, secret)
    if isinstance(event, WebhookRealtimeCallIncoming):
        await calls.accept(event.data.call_id, instructions="Be brief.")

:func:`verify_webhook` checks the signature, then parses the body into the typed event of its
``type`` (:data:`~openai_realtime.types.rest.WEBHOOK_EVENTS`). A signed event of a type this
version does not know is not an error (OpenAI adds event types without notice, and an endpoint
must still answer 2xx to them): it comes back as an :class:`UnknownWebhookEvent` holding the
parsed JSON. A signed body that is not a JSON event object, or a known type whose payload does
not validate, raises :class:`~openai_realtime.errors.WebhookVerificationError` like a bad
signature: nothing in it can be acted on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from pydantic import ValidationError

from openai_realtime._models import RealtimeModel
from openai_realtime.errors import ConfigurationError, WebhookVerificationError
from openai_realtime.types.rest import WEBHOOK_EVENTS

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "UnknownWebhookEvent",
    "WebhookEvent",
    "WebhookSecret",
    "sign_webhook",
    "verify_webhook",
    "verify_webhook_signature",
]

DEFAULT_TOLERANCE_SECONDS = 300.0
"""How far a ``webhook-timestamp`` may be from now, either way, before it is refused."""

_SECRET_PREFIX = "whsec_"
_SIGNATURE_VERSION = "v1"

WebhookSecret = str | bytes
"""A ``whsec_...`` secret (or its base64 part) as text, or the raw HMAC key as bytes."""


def _key(secret: WebhookSecret) -> bytes:
    """The HMAC key of one secret.

    Raises:
        ConfigurationError: The secret is empty or its text is not base64. The message never
            repeats the secret.
    """
    if isinstance(secret, bytes):
        key = secret
    else:
        encoded = secret.removeprefix(_SECRET_PREFIX)
        try:
            # Secrets are sometimes shown without their base64 padding.
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise ConfigurationError(
                "the webhook secret is not 'whsec_' followed by base64 text"
            ) from None
    if not key:
        raise ConfigurationError("the webhook secret is empty")
    return key


def _keys(secret: WebhookSecret | Sequence[WebhookSecret]) -> list[bytes]:
    secrets = [secret] if isinstance(secret, str | bytes) else list(secret)
    if not secrets:
        raise ConfigurationError("no webhook secret given")
    return [_key(one) for one in secrets]


def _signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    signed = b"%s.%s.%s" % (webhook_id.encode(), timestamp.encode(), body)
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _body_bytes(body: bytes | bytearray | memoryview | str) -> bytes:
    return body.encode() if isinstance(body, str) else bytes(body)


def _header(headers: Mapping[str, str], name: str) -> str:
    # Header names are case-insensitive; plain dicts from frameworks keep whatever case arrived.
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if not value:
        raise WebhookVerificationError(f"missing header {name!r}")
    return value


def _check_timestamp(text: str, tolerance: float, now: float) -> None:
    try:
        sent = int(text)
    except ValueError:
        raise WebhookVerificationError(
            "webhook-timestamp is not a whole number of seconds"
        ) from None
    if sent < now - tolerance:
        raise WebhookVerificationError(
            f"webhook-timestamp is {now - sent:.0f} s old, more than the {tolerance:g} s allowed"
        )
    if sent > now + tolerance:
        raise WebhookVerificationError(
            f"webhook-timestamp is {sent - now:.0f} s in the future, more than the "
            f"{tolerance:g} s allowed"
        )


def verify_webhook_signature(
    body: bytes | bytearray | memoryview | str,
    headers: Mapping[str, str],
    secret: WebhookSecret | Sequence[WebhookSecret],
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Check that a webhook request was signed by OpenAI with one of your secrets.

    Args:
        body: The request body exactly as received (a ``str`` is taken as its UTF-8 bytes).
        headers: The request headers (any mapping; names are matched case-insensitively).
        secret: The endpoint's secret, or several while rotating: a match with any of them
            passes.
        tolerance: Seconds a ``webhook-timestamp`` may differ from ``now``, either way.
        now: The current Unix time (defaults to the system clock; for tests).

    Raises:
        WebhookVerificationError: A header is missing, the timestamp is not a number or is
            outside the tolerance, or no signature matches.
        ConfigurationError: A secret is empty or not valid ``whsec_`` base64, or none is given.
    """
    keys = _keys(secret)
    webhook_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    _check_timestamp(timestamp, tolerance, time.time() if now is None else now)
    payload = _body_bytes(body)
    offered = [
        value
        for version, _, value in (entry.partition(",") for entry in signatures.split())
        if version == _SIGNATURE_VERSION
    ]
    for key in keys:
        expected = _signature(key, webhook_id, timestamp, payload).encode()
        # Compare with every offered signature, in constant time, without stopping early.
        if any([hmac.compare_digest(expected, value.encode()) for value in offered]):
            return
    raise WebhookVerificationError("no webhook-signature matches the body and secret")


def sign_webhook(
    body: bytes | bytearray | memoryview | str,
    secret: WebhookSecret,
    *,
    webhook_id: str,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The Standard Webhooks headers OpenAI would send with ``body`` (for tests and fakes).

    Args:
        body: The exact body that will be sent.
        secret: The secret to sign with (as for :func:`verify_webhook_signature`).
        webhook_id: The delivery id.
        timestamp: Unix seconds (defaults to now).

    Returns:
        The ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers.

    Raises:
        ConfigurationError: The secret is empty or not valid ``whsec_`` base64.
    """
    sent = str(int(time.time()) if timestamp is None else timestamp)
    signature = _signature(_key(secret), webhook_id, sent, _body_bytes(body))
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": sent,
        "webhook-signature": f"{_SIGNATURE_VERSION},{signature}",
    }


@dataclass(frozen=True)
class UnknownWebhookEvent:
    """A correctly signed webhook of a type this version has no model for.

    Attributes:
        type: The event's ``type``.
        id: The event's ``id``, if it has one.
        raw: The whole parsed body.
    """

    type: str
    id: str | None
    raw: dict[str, Any] = field(repr=False)


WebhookEvent: TypeAlias = RealtimeModel | UnknownWebhookEvent
"""What :func:`verify_webhook` returns: a model of ``WEBHOOK_EVENTS`` (today
``WebhookRealtimeCallIncoming``; tell them apart with ``isinstance``) or an unknown event."""


def verify_webhook(
    body: bytes | bytearray | memoryview | str,
    headers: Mapping[str, str],
    secret: WebhookSecret | Sequence[WebhookSecret],
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> WebhookEvent:
    """Verify a webhook request and return its typed event.

    Args:
        body: The request body exactly as received.
        headers: The request headers.
        secret: The endpoint's secret, or several while rotating.
        tolerance: Seconds a ``webhook-timestamp`` may differ from ``now``, either way.
        now: The current Unix time (defaults to the system clock; for tests).

    Returns:
        The typed event (``WebhookRealtimeCallIncoming`` for ``realtime.call.incoming``), or an
        :class:`UnknownWebhookEvent` for a signed event of a type not known here.

    Raises:
        WebhookVerificationError: The signature checks fail (see
            :func:`verify_webhook_signature`), or the signed body is not a JSON object with a
            ``type``, or a known type's payload does not match its model.
        ConfigurationError: A secret is empty or not valid ``whsec_`` base64, or none is given.
    """
    verify_webhook_signature(body, headers, secret, tolerance=tolerance, now=now)
    try:
        parsed = json.loads(_body_bytes(body))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WebhookVerificationError("the webhook body is not JSON") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
        raise WebhookVerificationError("the webhook body is not an event object with a 'type'")
    event_type: str = parsed["type"]
    model = WEBHOOK_EVENTS.get(event_type)
    if model is None:
        event_id = parsed.get("id")
        return UnknownWebhookEvent(
            event_type, event_id if isinstance(event_id, str) else None, parsed
        )
    try:
        event: RealtimeModel = model.model_validate(parsed)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, issue['loc'])) or '<body>'}: {issue['msg']}"
            for issue in error.errors()
        )
        raise WebhookVerificationError(
            f"the {event_type} webhook is malformed: {problems}"
        ) from None
    return event
