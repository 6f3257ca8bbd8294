"""Where credentials may go, and how URLs appear in logs: shared by the client and the relay."""

from __future__ import annotations

import ipaddress

from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse
from yarl import URL

from openai_realtime.errors import CredentialRedirectError, InsecureTransportError

__all__ = [
    "is_loopback_host",
    "redact_url",
    "require_secure_transport",
    "same_origin_only",
]


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` names this machine (``localhost``, ``127.0.0.0/8``, ``::1``).

    It never resolves a name: an unresolved name is not loopback.

    Args:
        host: A host name or IP address, without brackets.

    Returns:
        ``True`` for loopback, ``False`` for anything else.
    """
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_secure_transport(url: URL, *, allow_insecure: bool) -> None:
    """Refuse to send credentials in clear text to anything but this machine.

    Call it before any connection attempt, only when credentials would be sent. It looks at
    the URL alone, so it never triggers a DNS lookup.

    Args:
        url: Where the credentials would go.
        allow_insecure: Skip the check (e.g. a plain-text relay on a trusted private network).

    Raises:
        InsecureTransportError: ``url`` is ``ws://`` or ``http://`` to a host that is not loopback.
    """
    if allow_insecure or url.scheme in ("wss", "https") or is_loopback_host(url.host):
        return
    raise InsecureTransportError(
        f"refusing to send credentials over unencrypted {url.scheme}:// to {url.host}; "
        "use wss:// / https://, or pass allow_insecure=True"
    )


def redact_url(url: URL) -> str:
    """The URL as logs and reprs show it: no user info, no query (a token may sit there).

    Args:
        url: Any URL.

    Returns:
        Scheme, host, port and path only.
    """
    cleaned = url.with_query(None).with_fragment(None)
    return str(cleaned.with_user(None) if cleaned.host else cleaned)


def _origin(url: URL) -> tuple[bool, str | None, int | None]:
    # A WebSocket URL and its HTTP handshake URL are the same origin.
    return url.scheme in ("https", "wss"), url.host, url.port


def same_origin_only(target: URL) -> ClientMiddlewareType:
    """An aiohttp client middleware that refuses any request to an origin other than ``target``'s.

    aiohttp follows redirects, and drops only the ``Authorization`` header when one leads to
    another origin: an ``api-key`` header (Azure) or any other credential would go along.
    With this middleware a redirect to another origin fails before anything is sent there;
    redirects within the origin still work.

    Args:
        target: The URL the credentials are meant for.

    Returns:
        The middleware, for ``ClientSession(middlewares=...)`` or a request's ``middlewares=``.
    """
    allowed = _origin(target)

    async def refuse_other_origins(
        request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        if _origin(request.url) != allowed:
            raise CredentialRedirectError(
                f"refusing to follow a redirect from {redact_url(target)} to "
                f"{redact_url(request.url)}: credentials stay with their origin"
            )
        return await handler(request)

    return refuse_other_origins
