"""The decisions a relay makes before any frame moves: who may connect, and where to.

Pure functions over header values and URLs, so each rule is tested without a socket.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Collection, Iterable, Sequence
from typing import Final

from yarl import URL

from openai_realtime.credentials import redact_url, require_secure_transport
from openai_realtime.errors import ConfigurationError, InsecureTransportError

__all__ = [
    "KEY_SUBPROTOCOL_PREFIX",
    "REALTIME_SUBPROTOCOL",
    "choose_subprotocol",
    "normalize_origins",
    "origin_allowed",
    "presented_tokens",
    "resolve_upstream",
    "split_subprotocols",
    "token_matches",
]

_OPENAI_HOST: Final = "api.openai.com"

KEY_SUBPROTOCOL_PREFIX: Final = "openai-insecure-api-key."
"""Browsers cannot set headers on a WebSocket, so they carry the credential in a subprotocol."""

REALTIME_SUBPROTOCOL: Final = "realtime"
"""The subprotocol the Realtime API selects; browsers offer it next to the credential."""


def resolve_upstream(
    upstream_url: str, api_key: str | None, *, allow_insecure: bool
) -> tuple[URL, str | None]:
    """Check the upstream URL and settle which key, if any, the relay sends to it.

    Args:
        upstream_url: ``ws://`` or ``wss://`` URL of the Realtime endpoint.
        api_key: The server-side key; ``None`` reads ``OPENAI_API_KEY``, but only for OpenAI's
            own host, so a key is never sent to a server it was not meant for.
        allow_insecure: Allow a key over plain ``ws://`` to a host that is not loopback.

    Returns:
        The parsed URL and the key (``None`` when the upstream needs none).

    Raises:
        ConfigurationError: The URL is not a WebSocket URL, a key is empty, or OpenAI's host
            has no key.
        InsecureTransportError: The key would travel unencrypted to a remote host.
    """
    url = URL(upstream_url)
    if url.scheme not in ("ws", "wss") or not url.host:
        raise ConfigurationError(f"upstream must be a ws:// or wss:// URL, got {redact_url(url)!r}")
    if api_key is None and url.host == _OPENAI_HOST:
        api_key = os.environ.get("OPENAI_API_KEY") or None
        if api_key is None:
            raise ConfigurationError("no API key: pass api_key= or set OPENAI_API_KEY")
    if api_key is not None and not api_key:
        raise ConfigurationError("api_key is empty")
    if api_key:
        try:
            require_secure_transport(url, allow_insecure=allow_insecure)
        except InsecureTransportError:
            # Same rule as the client's, but name the relay's own option.
            raise InsecureTransportError(
                f"refusing to send the API key over plain ws:// to {url.host}; use wss:// "
                "or pass allow_insecure_upstream=True"
            ) from None
    return url, api_key


def split_subprotocols(header: str | None) -> list[str]:
    """The subprotocols a client offered, in its order of preference.

    Args:
        header: The ``Sec-WebSocket-Protocol`` request header, if any.

    Returns:
        The offered names, stripped; empty when there was no header.
    """
    if not header:
        return []
    return [name.strip() for name in header.split(",") if name.strip()]


def choose_subprotocol(offered: Sequence[str]) -> str | None:
    """Pick the subprotocol the relay answers with.

    A browser that offers subprotocols fails the handshake unless one is selected, so the relay
    always selects one: ``realtime`` when offered, else the first that carries no credential,
    and only as a last resort the credential one (which merely echoes it to its own sender).

    Args:
        offered: The client's subprotocols, from :func:`split_subprotocols`.

    Returns:
        The name to select, or ``None`` when the client offered none.
    """
    if REALTIME_SUBPROTOCOL in offered:
        return REALTIME_SUBPROTOCOL
    plain = [name for name in offered if not name.startswith(KEY_SUBPROTOCOL_PREFIX)]
    if plain:
        return plain[0]
    return offered[0] if offered else None


def presented_tokens(authorization: str | None, offered: Iterable[str]) -> list[str]:
    """Every relay token a client presented: a bearer header and credential subprotocols.

    Args:
        authorization: The ``Authorization`` request header, if any.
        offered: The client's subprotocols.

    Returns:
        The candidate tokens (possibly empty).
    """
    tokens = [
        name.removeprefix(KEY_SUBPROTOCOL_PREFIX)
        for name in offered
        if name.startswith(KEY_SUBPROTOCOL_PREFIX)
    ]
    if authorization:
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() == "bearer" and credential.strip():
            tokens.append(credential.strip())
    return tokens


def token_matches(expected: str, presented: Iterable[str]) -> bool:
    """Whether any presented token equals the expected one, compared in constant time.

    Args:
        expected: The relay token.
        presented: Candidates from :func:`presented_tokens`.

    Returns:
        ``True`` when one candidate matches.
    """
    expected_bytes = expected.encode()
    # Compare every candidate, so timing reveals neither a prefix nor which form matched.
    matches = [hmac.compare_digest(expected_bytes, token.encode()) for token in presented]
    return any(matches)


def normalize_origins(origins: Collection[str] | None) -> frozenset[str] | None:
    """Put an origin allow-list in the form :func:`origin_allowed` compares.

    Args:
        origins: Allowed ``Origin`` values (``"https://app.example.com"``), or ``None``.

    Returns:
        The lower-cased origins without trailing slashes, or ``None`` (any origin).
    """
    if origins is None:
        return None
    return frozenset(origin.strip().rstrip("/").lower() for origin in origins)


def origin_allowed(origin: str | None, allowed: frozenset[str] | None) -> bool:
    """Whether a request's ``Origin`` passes the allow-list.

    Only browsers send ``Origin``; a request without one (a server, a CLI) always passes, so the
    allow-list guards against other web pages, not against other programs (the token does that).

    Args:
        origin: The ``Origin`` request header, if any.
        allowed: From :func:`normalize_origins`.

    Returns:
        ``True`` when the request may proceed.
    """
    if origin is None or allowed is None:
        return True
    return origin.strip().rstrip("/").lower() in allowed
