"""Call control for SIP and WebRTC calls: accept, reject, refer, hang up, create.

A phone call reaches OpenAI over SIP; OpenAI tells your server with a signed
``realtime.call.incoming`` webhook (see :mod:`openai_realtime.webhooks`), and your server
answers through these REST endpoints. Once accepted, the call's media flows between the caller
and OpenAI; your server watches and steers the session over a *sideband* WebSocket,
``RealtimeClient(call_id=...)``.

======================================  =================================================
method                                  request
======================================  =================================================
:meth:`RealtimeCalls.accept`            ``POST /v1/realtime/calls/{id}/accept`` (session)
:meth:`RealtimeCalls.reject`            ``POST /v1/realtime/calls/{id}/reject``
:meth:`RealtimeCalls.refer`             ``POST /v1/realtime/calls/{id}/refer`` (transfer)
:meth:`RealtimeCalls.hangup`            ``POST /v1/realtime/calls/{id}/hangup``
:meth:`RealtimeCalls.create`            ``POST /v1/realtime/calls`` (WebRTC SDP offer)
======================================  =================================================

Credentials follow the rules of :class:`~openai_realtime.api.RealtimeAPI`: ``OPENAI_API_KEY``
is read only when ``base_url`` is OpenAI's host, a key never goes over plain ``http://`` to a
host that is not loopback, and no request follows a redirect to another origin.

Usage::

    async with RealtimeCalls() as calls:
        await calls.accept(call_id, instructions="You answer the phone for Acme.")
"""

from __future__ import annotations

import json
import os
from typing import Any, Final, Self, Unpack

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from openai_realtime.api import USER_AGENT
from openai_realtime.credentials import redact_url, require_secure_transport, same_origin_only
from openai_realtime.errors import CallError, ConfigurationError
from openai_realtime.protocol.session_options import validate_session
from openai_realtime.types.params import RealtimeSessionCreateRequestFields

__all__ = ["DEFAULT_BASE_URL", "CallAnswer", "RealtimeCalls"]

DEFAULT_BASE_URL: Final = "https://api.openai.com/v1"
_OPENAI_HOST: Final = "api.openai.com"
_DEFAULT_TIMEOUT: Final = 30.0
# SIP final responses a call may be rejected with: 4xx, 5xx and 6xx.
_MIN_STATUS, _MAX_STATUS = 400, 699


class CallAnswer:
    """What ``create`` returns: the SDP answer and the new call's id.

    Attributes:
        sdp: The SDP answer, for ``setRemoteDescription``.
        call_id: The call's id (from the ``Location`` header), for a sideband and call control.
    """

    __slots__ = ("call_id", "sdp")

    def __init__(self, sdp: str, call_id: str) -> None:
        self.sdp = sdp
        self.call_id = call_id

    def __repr__(self) -> str:
        return f"CallAnswer(call_id={self.call_id!r}, sdp=<{len(self.sdp)} chars>)"


class RealtimeCalls:
    """An async client of the call-control endpoints.

    Args:
        api_key: Sent as ``Authorization: Bearer``. Defaults to ``OPENAI_API_KEY``, but only when
            ``base_url`` is OpenAI's host.
        base_url: The API base, ``https://api.openai.com/v1`` by default (the fake server's
            :attr:`~openai_realtime.testing.FakeRealtimeServer.http_url` in tests).
        organization: Sent as ``OpenAI-Organization``.
        project: Sent as ``OpenAI-Project``.
        headers: Extra request headers (they override the ones above).
        session: An aiohttp session to use (left open by :meth:`close`).
        allow_insecure: Allow credentials over ``http://`` to a host that is not loopback.
        timeout: Seconds one request may take.

    Raises:
        ConfigurationError: ``base_url`` is not an http(s) URL with a host.
        InsecureTransportError: Credentials would go over plain ``http://`` to a remote host.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | URL = DEFAULT_BASE_URL,
        organization: str | None = None,
        project: str | None = None,
        headers: dict[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
        allow_insecure: bool = False,
        timeout: float = _DEFAULT_TIMEOUT,
    ) -> None:
        base = URL(str(base_url).rstrip("/"))
        if base.scheme not in ("http", "https") or not base.host:
            raise ConfigurationError(
                f"base_url must be an http:// or https:// URL, got {redact_url(base)!r}"
            )
        if api_key is None and base.host == _OPENAI_HOST:
            api_key = os.environ.get("OPENAI_API_KEY") or None
        # The key lives only in these headers, never in an attribute a repr could show.
        self._headers = CIMultiDict[str]({"User-Agent": USER_AGENT})
        if api_key is not None:
            self._headers["Authorization"] = f"Bearer {api_key}"
        if organization is not None:
            self._headers["OpenAI-Organization"] = organization
        if project is not None:
            self._headers["OpenAI-Project"] = project
        self._headers.update(headers or {})
        if any(name.lower() in ("authorization", "api-key") for name in self._headers):
            require_secure_transport(base, allow_insecure=allow_insecure)
        elif base.host == _OPENAI_HOST:
            raise ConfigurationError("no API key: pass api_key= or set OPENAI_API_KEY")
        self._base = base
        self._session = session
        self._own_session: aiohttp.ClientSession | None = None
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    def __repr__(self) -> str:
        return f"<RealtimeCalls base_url={redact_url(self._base)!r}>"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session this client opened (a session passed in stays open)."""
        if self._own_session is not None:
            await self._own_session.close()
            self._own_session = None

    async def accept(
        self, call_id: str, **session: Unpack[RealtimeSessionCreateRequestFields]
    ) -> None:
        """Answer an incoming call and start its session.

        Args:
            call_id: The id from the ``realtime.call.incoming`` webhook.
            **session: The session to run (``instructions``, ``tools``, ``audio``, ...);
                ``type: "realtime"`` is added. Leave ``audio.*.format`` out on a SIP call to
                keep the G.711 format the call negotiated.

        Raises:
            ConfigurationError: The session does not match the schema (nothing is sent).
            CallError: The call is unknown, already answered, or the request was refused.
        """
        body = validate_session(dict(session)).model_dump(mode="json", exclude_unset=True)
        await self._post(f"calls/{call_id}/accept", json_body=body)

    async def reject(self, call_id: str, *, status_code: int | None = None) -> None:
        """Decline an incoming call.

        Args:
            call_id: The call.
            status_code: The SIP status to answer with (4xx-6xx, e.g. 486 Busy Here); ``None``
                lets the service choose (603 Decline).

        Raises:
            ConfigurationError: ``status_code`` is not a SIP error status.
            CallError: The call is unknown or already answered.
        """
        body: dict[str, Any] = {}
        if status_code is not None:
            if isinstance(status_code, bool) or not _MIN_STATUS <= status_code <= _MAX_STATUS:
                raise ConfigurationError(
                    f"status_code must be a SIP error status (400-699), got {status_code!r}"
                )
            body["status_code"] = status_code
        await self._post(f"calls/{call_id}/reject", json_body=body)

    async def refer(self, call_id: str, target_uri: str) -> None:
        """Transfer the call (SIP REFER) to another number or SIP address.

        Args:
            call_id: The call.
            target_uri: Where to, e.g. ``tel:+14155550123`` or ``sip:desk@example.com``.

        Raises:
            ConfigurationError: ``target_uri`` is not a ``tel:`` or ``sip(s):`` URI.
            CallError: The call is unknown or over.
        """
        if not target_uri.startswith(("tel:", "sip:", "sips:")):
            raise ConfigurationError(
                f"target_uri must be a tel:, sip: or sips: URI, got {target_uri!r}"
            )
        await self._post(f"calls/{call_id}/refer", json_body={"target_uri": target_uri})

    async def hangup(self, call_id: str) -> None:
        """End the call (SIP or WebRTC).

        Raises:
            CallError: The call is unknown or already over.
        """
        await self._post(f"calls/{call_id}/hangup", json_body={})

    async def create(
        self, sdp: str, *, session: RealtimeSessionCreateRequestFields | None = None
    ) -> CallAnswer:
        """Start a WebRTC call from a browser's (or aiortc's) SDP offer.

        Args:
            sdp: The SDP offer.
            session: The session to start the call with; ``None`` uses the defaults.

        Returns:
            The SDP answer and the call id.

        Raises:
            ConfigurationError: The session does not match the schema.
            CallError: The offer was refused, or the answer has no call id.
        """
        form = aiohttp.FormData()
        form.add_field("sdp", sdp, content_type="application/sdp")
        if session is not None:
            body = validate_session(dict(session)).model_dump(mode="json", exclude_unset=True)
            form.add_field("session", json.dumps(body), content_type="application/json")
        answer, location = await self._post("calls", form=form)
        call_id = URL(location).name if location else ""
        if not call_id:
            raise CallError("the call was created but its Location header is missing", status=201)
        return CallAnswer(answer, call_id)

    async def _post(
        self,
        path: str,
        *,
        json_body: dict[str, Any] | None = None,
        form: aiohttp.FormData | None = None,
    ) -> tuple[str, str | None]:
        url = self._url(path)
        http = self._http()
        async with http.post(
            url,
            json=json_body,
            data=form,
            headers=self._headers,
            timeout=self._timeout,
            middlewares=(same_origin_only(url),),
        ) as response:
            text = await response.text()
            if response.status >= 300:
                raise _call_error(response.status, text, path)
            return text, response.headers.get("Location")

    def _url(self, path: str) -> URL:
        url = self._base / "realtime"
        for segment in path.split("/"):
            url = url / segment
        return url

    def _http(self) -> aiohttp.ClientSession:
        if self._session is not None:
            return self._session
        if self._own_session is None:
            self._own_session = aiohttp.ClientSession()
        return self._own_session


def _call_error(status: int, text: str, path: str) -> CallError:
    """The typed error of a refused request; the message quotes OpenAI's, never our headers."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = error.get("message") or "no message"
        return CallError(
            f"POST {path} failed with HTTP {status}: {message}", status=status, error=error
        )
    return CallError(f"POST {path} failed with HTTP {status}", status=status)
