"""Ephemeral client secrets: how an untrusted device connects without the real API key.

A server that holds the API key mints a short-lived secret (``ek_...``) bound to a session
configuration, and hands only that secret to the browser, phone or kiosk. The device connects
with it exactly as with a key; once it expires it can open no new session, and the real key
never leaves the server::

    # on the server
    secret = await create_client_secret(
        session={"model": "gpt-realtime", "instructions": "Be brief."},
        expires_after_seconds=600,
    )
    # hand secret.value to the device, which connects with
    api = RealtimeAPI(api_key=secret.value)

This calls ``POST {base_url}/realtime/client_secrets``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Annotated, Any, Final, TypeAlias, TypeVar

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from yarl import URL

from openai_realtime._models import validation_summary
from openai_realtime.api import USER_AGENT
from openai_realtime.credentials import redact_url, require_secure_transport, same_origin_only
from openai_realtime.errors import (
    ClientSecretError,
    ConfigurationError,
    RealtimeConnectionError,
    RealtimeTimeoutError,
)
from openai_realtime.types import (
    RealtimeSessionCreateRequest,
    RealtimeSessionCreateResponse,
    RealtimeTranscriptionSessionCreateRequest,
    RealtimeTranscriptionSessionCreateResponse,
    RealtimeTranslationClientSecretCreateResponse,
    RealtimeTranslationSessionCreateRequest,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "ClientSecret",
    "ClientSecretError",
    "SessionConfig",
    "create_client_secret",
    "create_translation_client_secret",
]

DEFAULT_BASE_URL: Final = "https://api.openai.com/v1"
# The range the endpoint accepts for `expires_after.seconds`.
_MIN_SECONDS: Final = 10
_MAX_SECONDS: Final = 7200
_REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=60)

SessionConfig: TypeAlias = RealtimeSessionCreateRequest | RealtimeTranscriptionSessionCreateRequest
"""A typed session configuration for a client secret: a realtime or a transcription session."""

_SESSION_CONFIG: Final = TypeAdapter[SessionConfig](
    Annotated[SessionConfig, Field(discriminator="type")]
)


class ClientSecret(BaseModel):
    """A minted client secret.

    Its ``repr`` leaves the value out: it is a credential, if a short-lived one.

    Attributes:
        value: The secret (``ek_...``), used by the device as its API key.
        expires_at: When it stops working for new sessions, in seconds since the epoch.
        session: The effective session configuration the secret is bound to.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    value: str = Field(repr=False)
    expires_at: int
    session: Annotated[
        RealtimeSessionCreateResponse | RealtimeTranscriptionSessionCreateResponse,
        Field(discriminator="type"),
    ]


def _session_json(session: Mapping[str, Any] | SessionConfig) -> dict[str, Any]:
    """The session as wire JSON; a mapping is validated first (``type`` defaults to realtime)."""
    if isinstance(session, BaseModel):
        return session.model_dump(mode="json", exclude_unset=True)
    try:
        typed = _SESSION_CONFIG.validate_python({"type": "realtime", **session})
    except ValidationError as error:
        raise ConfigurationError(
            f"invalid session configuration: {validation_summary(error)}"
        ) from None
    return typed.model_dump(mode="json", exclude_unset=True)


def _request_body(
    session: Mapping[str, Any] | SessionConfig | None, expires_after_seconds: int | None
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if session is not None:
        body["session"] = _session_json(session)
    if expires_after_seconds is not None:
        if not _MIN_SECONDS <= expires_after_seconds <= _MAX_SECONDS:
            raise ConfigurationError(
                f"expires_after_seconds must be between {_MIN_SECONDS} and {_MAX_SECONDS}, "
                f"got {expires_after_seconds}"
            )
        body["expires_after"] = {"anchor": "created_at", "seconds": expires_after_seconds}
    return body


def _error_message(body: str, fallback: str, api_key: str) -> str:
    """The server's ``error.message`` if it sent one, never containing the key."""
    try:
        message = json.loads(body)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = fallback
    return str(message).replace(api_key, "<api key>")


_ParsedT = TypeVar("_ParsedT", bound=BaseModel)


def _parse(model: type[_ParsedT], reply: tuple[int, str, str, str]) -> _ParsedT:
    status, reason, body, api_key = reply
    if not 200 <= status < 300:
        message = _error_message(body, reason, api_key)
        raise ClientSecretError(f"client secret refused: HTTP {status}: {message}", status=status)
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        # No input values in the message: the body holds the new secret.
        fields = ", ".join(
            ".".join(str(part) for part in detail["loc"]) or "<body>"
            for detail in error.errors(include_url=False, include_input=False)
        )
        raise ClientSecretError(
            f"unreadable client secret response (fields: {fields})", status=status
        ) from None


async def create_client_secret(
    *,
    api_key: str | None = None,
    session: Mapping[str, Any] | SessionConfig | None = None,
    expires_after_seconds: int | None = None,
    base_url: str = DEFAULT_BASE_URL,
    organization: str | None = None,
    project: str | None = None,
    http_session: aiohttp.ClientSession | None = None,
    allow_insecure: bool = False,
) -> ClientSecret:
    """Mint an ephemeral client secret for a device that must not hold the API key.

    Args:
        api_key: The real API key; defaults to ``OPENAI_API_KEY``.
        session: The session configuration the secret is bound to: a typed
            ``RealtimeSessionCreateRequest`` / ``RealtimeTranscriptionSessionCreateRequest``, or
            a mapping (validated; ``type`` defaults to ``realtime``). ``None``: server defaults.
        expires_after_seconds: Lifetime from creation, 10 to 7200 s; ``None``: the server's
            default (600 s).
        base_url: The REST API root.
        organization: Sent as ``OpenAI-Organization``.
        project: Sent as ``OpenAI-Project``.
        http_session: An aiohttp session to use (left open); without one a session is opened
            and closed for this call.
        allow_insecure: Allow sending the key over plain ``http://`` to a host that is not
            loopback.

    Returns:
        The secret, its expiry and the effective session.

    Raises:
        ConfigurationError: No API key, a bad ``base_url``, an invalid session mapping or an
            out-of-range lifetime; nothing is sent.
        InsecureTransportError: ``base_url`` is plain ``http://`` to a host that is not loopback.
        ClientSecretError: The server refused (its HTTP status is on the error) or answered
            with something that is not a client secret.
        RealtimeConnectionError: The server could not be reached.
        RealtimeTimeoutError: The request timed out.
    """
    body = _request_body(session, expires_after_seconds)
    text = await _post(
        "/realtime/client_secrets",
        body,
        api_key=api_key,
        base_url=base_url,
        organization=organization,
        project=project,
        http_session=http_session,
        allow_insecure=allow_insecure,
    )
    return _parse(ClientSecret, text)


async def create_translation_client_secret(
    *,
    session: Mapping[str, Any] | RealtimeTranslationSessionCreateRequest,
    api_key: str | None = None,
    expires_after_seconds: int | None = None,
    base_url: str = DEFAULT_BASE_URL,
    organization: str | None = None,
    project: str | None = None,
    http_session: aiohttp.ClientSession | None = None,
    allow_insecure: bool = False,
) -> RealtimeTranslationClientSecretCreateResponse:
    """Mint an ephemeral client secret for a translation session.

    It calls ``POST {base_url}/realtime/translations/client_secrets``; the device then opens a
    :class:`~openai_realtime.translator.RealtimeTranslator` with ``api_key=secret.value``.

    Args:
        session: The translation session: ``model`` (required) and ``audio`` settings, as a
            mapping or a typed ``RealtimeTranslationSessionCreateRequest``.
        api_key: See :func:`create_client_secret`.
        expires_after_seconds: See :func:`create_client_secret`.
        base_url: See :func:`create_client_secret`.
        organization: See :func:`create_client_secret`.
        project: See :func:`create_client_secret`.
        http_session: See :func:`create_client_secret`.
        allow_insecure: See :func:`create_client_secret`.

    Returns:
        The secret, its expiry and the translation session it opens.

    Raises:
        ConfigurationError: As for :func:`create_client_secret`, or an invalid session.
        InsecureTransportError: As for :func:`create_client_secret`.
        ClientSecretError: The server refused, or answered with something else.
        RealtimeConnectionError: The server could not be reached.
        RealtimeTimeoutError: The request timed out.
    """
    if isinstance(session, BaseModel):
        session_json = session.model_dump(mode="json", exclude_unset=True)
    else:
        try:
            typed = RealtimeTranslationSessionCreateRequest.model_validate(session)
        except ValidationError as error:
            raise ConfigurationError(
                f"invalid translation session: {validation_summary(error)}"
            ) from None
        session_json = typed.model_dump(mode="json", exclude_unset=True)
    body = {**_request_body(None, expires_after_seconds), "session": session_json}
    text = await _post(
        "/realtime/translations/client_secrets",
        body,
        api_key=api_key,
        base_url=base_url,
        organization=organization,
        project=project,
        http_session=http_session,
        allow_insecure=allow_insecure,
    )
    return _parse(RealtimeTranslationClientSecretCreateResponse, text)


async def _post(
    path: str,
    body: dict[str, Any],
    *,
    api_key: str | None,
    base_url: str,
    organization: str | None,
    project: str | None,
    http_session: aiohttp.ClientSession | None,
    allow_insecure: bool,
) -> tuple[int, str, str, str]:
    """POST ``body`` to ``base_url + path`` with the key; the status, reason, text and key."""
    key = api_key or os.environ.get("OPENAI_API_KEY")
    if not key:
        raise ConfigurationError("no API key: pass api_key= or set OPENAI_API_KEY")
    url = URL(base_url.rstrip("/") + path)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url must be an https:// URL, got {redact_url(url)!r}")
    require_secure_transport(url, allow_insecure=allow_insecure)
    headers = {"Authorization": f"Bearer {key}", "User-Agent": USER_AGENT}
    if organization is not None:
        headers["OpenAI-Organization"] = organization
    if project is not None:
        headers["OpenAI-Project"] = project
    owned_session: aiohttp.ClientSession | None = None
    if http_session is None:
        client = owned_session = aiohttp.ClientSession()
    else:
        client = http_session
    try:
        async with client.post(
            url,
            json=body,
            headers=headers,
            timeout=_REQUEST_TIMEOUT,
            middlewares=(same_origin_only(url),),
        ) as reply:
            status, reason, text = reply.status, reply.reason or "", await reply.text()
    except TimeoutError as error:
        raise RealtimeTimeoutError(f"timed out minting a client secret at {url}") from error
    except (aiohttp.ClientError, OSError) as error:
        raise RealtimeConnectionError(f"could not reach {url}: {error}") from error
    finally:
        if owned_session is not None:
            await owned_session.close()
    return status, reason, text, key
