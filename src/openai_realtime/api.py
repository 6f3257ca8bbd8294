"""``RealtimeAPI``: the WebSocket transport, its receive loop, and dispatch of every frame.

What it dispatches:

==========================  ==========================================================
name                        payload
==========================  ==========================================================
``server.<type>``           each received event (``UnknownServerEvent`` for new types)
``server.*``                the same events, after the specific handlers
``client.<type>``           each event this side sent, once it is on the wire
``client.*``                the same events, after the specific handlers
``error``                   ``LocalErrorEvent``: a malformed or binary frame, a failing handler
``close``                   ``CloseEvent``: the connection ended (pending waits then fail)
==========================  ==========================================================

Flow control, both ways:

* receiving: async handlers run as tasks; once ``max_pending_handlers`` of them are pending,
  the receive loop stops reading until one finishes. Unread frames then wait in aiohttp's
  bounded reader queue and the kernel's socket buffers, so a slow handler slows the server down
  instead of growing memory (see :mod:`openai_realtime.events`);
* sending: concurrent ``send()`` calls are serialised (one frame is written at a time, in call
  order) and each returns once aiohttp's bounded write buffer has accepted its frame. A server
  that stops reading makes sends wait; after ``send_timeout`` seconds the connection is treated
  as dead: it is aborted (code 1006) and the send raises ``ConnectionClosedError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import platform
import secrets
import socket
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final, Literal, Protocol, Self, TypeAlias, TypeVar, overload

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from openai_realtime.credentials import redact_url, require_secure_transport
from openai_realtime.errors import (
    ConfigurationError,
    ConnectionClosedError,
    NotConnectedError,
    ProtocolError,
    RealtimeConnectionError,
    RealtimeTimeoutError,
)
from openai_realtime.events import (
    DEFAULT_MAX_PENDING_HANDLERS,
    EventEmitter,
    client_event_name,
    server_event_name,
)
from openai_realtime.local_events import CloseEvent, LocalErrorEvent
from openai_realtime.protocol.codec import (
    decode_server_event,
    encode_client_event,
    validate_client_event,
)
from openai_realtime.types import CLIENT_EVENTS, ClientEvent
from openai_realtime.types.emitter import ApiEventsMixin

__all__ = [
    "DEFAULT_HEARTBEAT",
    "DEFAULT_MAX_MESSAGE_SIZE",
    "DEFAULT_MODEL",
    "DEFAULT_SEND_TIMEOUT",
    "DEFAULT_URL",
    "USER_AGENT",
    "FrameObserver",
    "RealtimeAPI",
]

DEFAULT_URL: Final = "wss://api.openai.com/v1/realtime"
DEFAULT_MODEL: Final = "gpt-realtime"
DEFAULT_MAX_MESSAGE_SIZE: Final = 32 * 1024 * 1024
"""Largest frame accepted, in bytes. aiohttp's 4 MiB is too small for a retrieved audio item."""
DEFAULT_HEARTBEAT: Final = 20.0
"""Seconds between pings; a missing pong closes the connection instead of hanging on it."""
DEFAULT_SEND_TIMEOUT: Final = 30.0
"""Seconds one ``send()`` may wait for the socket before the connection is deemed dead."""

logger = logging.getLogger("openai_realtime")

_OPENAI_HOST: Final = "api.openai.com"
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "api-key"})
_ABNORMAL_CLOSURE: Final = int(aiohttp.WSCloseCode.ABNORMAL_CLOSURE)
# Dispatch names are built once, so receiving and sending do no string work per event.
_CLIENT_CLASSES: Final = tuple(CLIENT_EVENTS.values())
_DATA_FRAMES: Final = (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY)

FrameObserver: TypeAlias = Callable[[Literal["client", "server"], str | bytes], None]
"""Called with the direction and the exact text (or bytes) of every frame sent or received."""

_ClientEventT = TypeVar("_ClientEventT", bound=ClientEvent)


def _user_agent() -> str:
    try:
        package_version = version("openai-realtime")
    except PackageNotFoundError:
        package_version = "unknown"
    return (
        f"openai-realtime/{package_version} Python/{platform.python_version()} "
        f"aiohttp/{aiohttp.__version__}"
    )


USER_AGENT: Final = _user_agent()
"""The ``User-Agent`` sent with every connection and HTTP request."""


def _new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


class _Socket(Protocol):
    """The part of the transport's socket (``ws.get_extra_info("socket")``) used here."""

    def shutdown(self, how: int, /) -> None: ...


def _shut_down(sock: _Socket | None) -> None:
    """Shut a socket down both ways; pending writes and reads then fail at once."""
    if sock is None:
        return
    # An OSError means it is already closed or disconnected: nothing is left to cut.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class RealtimeAPI(ApiEventsMixin, EventEmitter):
    """A thin client of the Realtime WebSocket: connect, send events, dispatch what arrives.

    Usage::

        async with RealtimeAPI() as api:  # the key comes from OPENAI_API_KEY
            api.on("server.response.output_text.delta", lambda event: print(event.delta))
            await api.send("conversation.item.create", {"item": {...}})
            await api.send(ResponseCreateEvent())
            done = await api.wait_for_next("server.response.done", timeout=60)

    The typed ``on``, ``once`` and ``wait_for_next`` come from the generated ``ApiEventsMixin``;
    ``off``, ``dispatch`` and ``drain`` from :class:`~openai_realtime.events.EventEmitter`.

    Args:
        url: WebSocket URL; defaults to OpenAI's. Query parameters already in it are kept.
        api_key: Sent as ``Authorization: Bearer``. Defaults to ``OPENAI_API_KEY``, but only when
            ``url`` is OpenAI's host: a relay or a local server gets a key only if one is passed.
            An ephemeral client secret (``ek_...``, see ``create_client_secret``) works too.
        model: Put in the ``model`` query parameter, replacing one already in ``url``; ``None``
            leaves the query as given (for a URL that names the model or deployment itself).
        organization: Sent as ``OpenAI-Organization``.
        project: Sent as ``OpenAI-Project``.
        headers: Extra handshake headers; they override the ones above (case-insensitively).
        session: An aiohttp session to connect with; it stays open after ``disconnect()``.
            Without one, each connection has its own session, closed with it.
        max_message_size: Largest frame accepted, in bytes (0: no limit). A larger frame closes
            the connection with code 1009.
        heartbeat: Seconds between WebSocket pings (``None``: no pings).
        allow_insecure: Allow credentials over ``ws://`` to a host that is not loopback.
        send_timeout: Seconds one ``send()`` may wait (for earlier sends, then for the write
            buffer to drain) before the connection is aborted; ``None`` waits forever. Raise it
            when sending very large frames over a slow link.
        max_pending_handlers: Async handler tasks that may be pending before the receive loop
            stops reading (see the module docstring).

    TLS: ``wss://`` connections verify the server's certificate and host name with the
    system's trust store (aiohttp's default); there is deliberately no option to turn that off.
    To trust a private CA, pass a ``session`` whose connector carries your ``ssl.SSLContext``.

    Raises:
        ConfigurationError: ``url`` is not a ``ws://`` or ``wss://`` URL with a host, or a
            limit is out of range.
        InsecureTransportError: Credentials would go over plain ``ws://`` to a remote host; raised
            here, before any connection attempt or DNS lookup.
    """

    def __init__(
        self,
        url: str | URL | None = None,
        api_key: str | None = None,
        *,
        model: str | None = DEFAULT_MODEL,
        organization: str | None = None,
        project: str | None = None,
        headers: Mapping[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        heartbeat: float | None = DEFAULT_HEARTBEAT,
        allow_insecure: bool = False,
        send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
        max_pending_handlers: int = DEFAULT_MAX_PENDING_HANDLERS,
    ) -> None:
        if max_pending_handlers < 1:
            raise ConfigurationError(
                f"max_pending_handlers must be at least 1, got {max_pending_handlers}"
            )
        if send_timeout is not None and not send_timeout > 0:
            raise ConfigurationError(f"send_timeout must be positive or None, got {send_timeout}")
        super().__init__(max_pending_handlers=max_pending_handlers)
        target = URL(url if url is not None else DEFAULT_URL)
        if target.scheme not in ("ws", "wss") or not target.host:
            raise ConfigurationError(
                f"url must be a ws:// or wss:// URL, got {redact_url(target)!r}"
            )
        if model is not None:
            target = target.update_query(model=model)
        is_openai = target.host == _OPENAI_HOST
        if api_key is None and is_openai:
            api_key = os.environ.get("OPENAI_API_KEY") or None
        # The key lives only inside these headers: never in an attribute a repr or log could show.
        self._headers = self._handshake_headers(api_key, organization, project, headers)
        has_credentials = any(name.lower() in _CREDENTIAL_HEADERS for name in self._headers)
        if has_credentials:
            require_secure_transport(target, allow_insecure=allow_insecure)
        self._missing_api_key = is_openai and not has_credentials
        self._url = target
        self._session = session
        self._max_message_size = max_message_size
        self._heartbeat = heartbeat
        self._send_timeout = send_timeout
        self._send_lock = asyncio.Lock()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        # Kept from connect(): once aiohttp has closed a connection it no longer exposes it,
        # and the socket is what lets a stuck connection be aborted (see _abort).
        self._socket: _Socket | None = None
        self._abort_reason: str | None = None
        self._receive_task: asyncio.Task[None] | None = None
        self._connecting = False
        self._close_requested = False
        self._last_close: tuple[int | None, str] | None = None
        self._frame_observers: tuple[FrameObserver, ...] = ()

    @classmethod
    def azure(
        cls,
        endpoint: str,
        deployment: str,
        *,
        api_key: str | None = None,
        token: str | None = None,
        api_version: str | None = None,
        headers: Mapping[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        heartbeat: float | None = DEFAULT_HEARTBEAT,
        allow_insecure: bool = False,
        send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
        max_pending_handlers: int = DEFAULT_MAX_PENDING_HANDLERS,
    ) -> Self:
        """Connect to an Azure OpenAI (Microsoft Foundry) realtime deployment.

        Without ``api_version`` this uses Azure's v1 API, which needs no version:
        ``wss://<host>/openai/v1/realtime?model=<deployment>``. With one it uses the dated API:
        ``wss://<host>/openai/realtime?api-version=<api_version>&deployment=<deployment>``.

        Example::

            api = RealtimeAPI.azure("https://my-resource.openai.azure.com", "gpt-realtime")

        Args:
            endpoint: The resource endpoint, e.g. ``https://my-resource.openai.azure.com``; only
                its scheme, host and port are used (``https`` becomes ``wss``).
            deployment: The name of the model deployment.
            api_key: Sent as the ``api-key`` header; defaults to ``AZURE_OPENAI_API_KEY``.
            token: A Microsoft Entra ID access token, sent as ``Authorization: Bearer``; use it
                instead of ``api_key``.
            api_version: A dated API version such as ``2025-08-28``; ``None`` uses the v1 API.
            headers: Extra handshake headers.
            session: See :class:`RealtimeAPI`.
            max_message_size: See :class:`RealtimeAPI`.
            heartbeat: See :class:`RealtimeAPI`.
            allow_insecure: See :class:`RealtimeAPI`.
            send_timeout: See :class:`RealtimeAPI`.
            max_pending_handlers: See :class:`RealtimeAPI`.

        Returns:
            A ``RealtimeAPI`` for that deployment, not yet connected.

        Raises:
            ConfigurationError: Both or neither of ``api_key`` and ``token`` (and no
                ``AZURE_OPENAI_API_KEY``), or ``endpoint`` is not an http(s)/ws(s) URL.
            InsecureTransportError: The endpoint is plain text and not loopback.
        """
        if api_key is not None and token is not None:
            raise ConfigurationError("pass either api_key or token, not both")
        if token is not None:
            credential = {"Authorization": f"Bearer {token}"}
        else:
            key = api_key or os.environ.get("AZURE_OPENAI_API_KEY")
            if not key:
                raise ConfigurationError("pass api_key= or token=, or set AZURE_OPENAI_API_KEY")
            credential = {"api-key": key}
        base = URL(endpoint)
        schemes = {"https": "wss", "wss": "wss", "http": "ws", "ws": "ws"}
        if base.scheme not in schemes or not base.host:
            raise ConfigurationError(f"endpoint must be an https:// URL, got {redact_url(base)!r}")
        origin = base.origin().with_scheme(schemes[base.scheme])
        if api_version is None:
            url, model = origin.with_path("/openai/v1/realtime"), deployment
        else:
            query = {"api-version": api_version, "deployment": deployment}
            url, model = origin.with_path("/openai/realtime").with_query(query), None
        return cls(
            url,
            model=model,
            headers={**(headers or {}), **credential},
            session=session,
            max_message_size=max_message_size,
            heartbeat=heartbeat,
            allow_insecure=allow_insecure,
            send_timeout=send_timeout,
            max_pending_handlers=max_pending_handlers,
        )

    @staticmethod
    def _handshake_headers(
        api_key: str | None,
        organization: str | None,
        project: str | None,
        extra: Mapping[str, str] | None,
    ) -> CIMultiDict[str]:
        headers = CIMultiDict[str]({"User-Agent": USER_AGENT})
        if api_key is not None:
            headers["Authorization"] = f"Bearer {api_key}"
        if organization is not None:
            headers["OpenAI-Organization"] = organization
        if project is not None:
            headers["OpenAI-Project"] = project
        headers.update(extra or {})
        return headers

    @property
    def url(self) -> str:
        """The WebSocket URL connected to, including its query."""
        return str(self._url)

    @property
    def model(self) -> str | None:
        """The ``model`` query parameter of the URL, if any."""
        return self._url.query.get("model")

    @property
    def is_connected(self) -> bool:
        """True from a successful ``connect()`` until the connection starts closing."""
        return self._ws is not None and not self._ws.closed

    def __repr__(self) -> str:
        return (
            f"<RealtimeAPI url={redact_url(self._url)!r} model={self.model!r} "
            f"connected={self.is_connected}>"
        )

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.disconnect()

    async def connect(self) -> None:
        """Open the WebSocket and start the receive loop.

        Raises:
            ConfigurationError: OpenAI's host and no API key.
            RealtimeConnectionError: Already connected or connecting, or the server refused or was
                unreachable (the message carries the HTTP status of a refused handshake).
            RealtimeTimeoutError: The connection attempt timed out.
        """
        if self._ws is not None or self._connecting:
            raise RealtimeConnectionError("already connected or connecting")
        if self._missing_api_key:
            raise ConfigurationError(
                f"no API key for {_OPENAI_HOST}: pass api_key= or set OPENAI_API_KEY"
            )
        owned_session: aiohttp.ClientSession | None = None
        if self._session is None:
            session = owned_session = aiohttp.ClientSession()
        else:
            session = self._session
        logger.debug("connecting to %s", redact_url(self._url))
        self._connecting = True
        try:
            ws = await self._open(session)
        except BaseException:
            if owned_session is not None:
                await owned_session.close()
            raise
        finally:
            self._connecting = False
        self._ws = ws
        self._socket = ws.get_extra_info("socket")
        self._abort_reason = None
        self._close_requested = False
        self._last_close = None
        self._receive_task = asyncio.create_task(self._receive_loop(ws, owned_session))
        logger.debug("connected to %s", redact_url(self._url))

    async def _open(self, session: aiohttp.ClientSession) -> aiohttp.ClientWebSocketResponse:
        where = redact_url(self._url)
        try:
            return await session.ws_connect(
                self._url,
                headers=self._headers,
                max_msg_size=self._max_message_size,
                heartbeat=self._heartbeat,
            )
        except aiohttp.ClientResponseError as error:
            # The aiohttp error's request_info holds the request headers, and so the key.
            # Raised below, outside this block, it is not even kept as a suppressed
            # __context__, which error reporters that walk exception chains would show.
            refusal = (
                f"{where} refused the WebSocket handshake: HTTP {error.status} {error.message}"
            )
        except TimeoutError as error:
            raise RealtimeTimeoutError(f"timed out connecting to {where}") from error
        except (aiohttp.ClientError, OSError) as error:
            raise RealtimeConnectionError(f"could not connect to {where}: {error}") from error
        raise RealtimeConnectionError(refusal)

    async def disconnect(self) -> None:
        """Close the connection (code 1000) and wait until ``close`` has been dispatched.

        Also waits for async handlers still running, unless called from one of them. Does
        nothing when not connected.
        """
        ws, receive_task = self._ws, self._receive_task
        if ws is None or receive_task is None:
            return
        # A close the server already started is not ours: `requested` stays false for it.
        if not ws.closed:
            self._close_requested = True
        await ws.close()
        # Shielded: a caller giving up must not cut the loop short before `close` is dispatched.
        await asyncio.shield(receive_task)
        if not self._in_handler_task():
            await self.drain()

    @overload
    async def send(self, event: _ClientEventT, /) -> _ClientEventT: ...
    @overload
    async def send(self, event: str, data: Mapping[str, Any] | None = None, /) -> ClientEvent: ...
    async def send(
        self, event: ClientEvent | str, data: Mapping[str, Any] | None = None, /
    ) -> ClientEvent:
        """Send one client event, then dispatch it as ``client.<type>``.

        Two forms: ``send(ResponseCreateEvent())`` with a typed event, or
        ``send("response.create", {"response": {...}})`` with a type and its fields (validated
        before anything is sent). An ``event_id`` is added when missing; a typed event is
        copied for that, never changed.

        Concurrent sends are written one at a time, in call order. A send returns once the
        frame is in aiohttp's bounded write buffer; when the server stops reading, that buffer
        fills and sends wait. Past ``send_timeout`` the connection is aborted (code 1006, so a
        reconnect policy applies) and the send raises ``ConnectionClosedError``. After the
        dispatch, a send outside a handler also waits while ``max_pending_handlers`` async
        handler tasks are pending.

        Args:
            event: A typed client event, or an event type.
            data: The fields of the event, for the second form.

        Returns:
            The typed event exactly as sent (with its ``event_id``).

        Raises:
            ProtocolError: The type and fields do not make a valid client event.
            TypeError: ``event`` is not a client event, or ``data`` came with a typed event.
            NotConnectedError: ``connect()`` was never called.
            ConnectionClosedError: The connection has closed or is closing, or the send did not
                complete within ``send_timeout``.
        """
        ws = self._open_connection()
        typed, frame = self._prepare(event, data)
        try:
            async with asyncio.timeout(self._send_timeout):
                # Awaiting the write is what passes back-pressure on to the caller.
                async with self._send_lock:
                    await ws.send_str(frame)
        except TimeoutError:
            reason = f"a send did not complete within {self._send_timeout} s"
            self._abort(ws, reason)
            raise ConnectionClosedError(_ABNORMAL_CLOSURE, reason) from None
        except (aiohttp.ClientError, ConnectionError) as error:
            raise ConnectionClosedError(ws.close_code) from error
        logger.debug("sent %s", typed.type)
        for observer in self._frame_observers:
            observer("client", frame)
        self.dispatch(client_event_name(typed.type), typed)
        if not self._in_handler_task():
            await self._wait_for_handler_room()
        return typed

    def _abort(self, ws: aiohttp.ClientWebSocketResponse, reason: str) -> None:
        """Cut a connection whose peer stopped reading, without waiting for the peer.

        ``ws.close()`` would queue a close frame behind the frames already stuck in the write
        buffer and wait; shutting the socket down makes the pending write and the receive loop
        fail at once, and the receive loop then finishes the close with code 1006.
        """
        if ws is not self._ws:
            return  # that connection has already ended
        logger.warning("aborting the connection: %s", reason)
        self._abort_reason = reason
        _shut_down(self._socket)

    def observe_frames(self, observer: FrameObserver) -> Callable[[], None]:
        """Call ``observer`` with every raw frame, both ways, before it is decoded or dispatched.

        This is the hook for recorders and debuggers: frames are the exact wire text. The
        observer runs on the receive path, so it must be quick and must not raise.

        Args:
            observer: ``observer(direction, frame)``.

        Returns:
            A function that removes the observer.
        """
        self._frame_observers = (*self._frame_observers, observer)

        def remove() -> None:
            self._frame_observers = tuple(o for o in self._frame_observers if o is not observer)

        return remove

    def _open_connection(self) -> aiohttp.ClientWebSocketResponse:
        ws = self._ws
        if ws is not None and not ws.closed:
            return ws
        if ws is not None:
            raise ConnectionClosedError(ws.close_code)
        if self._last_close is not None:
            raise ConnectionClosedError(*self._last_close)
        raise NotConnectedError("not connected: call connect() first")

    @staticmethod
    def _prepare(
        event: ClientEvent | str, data: Mapping[str, Any] | None
    ) -> tuple[ClientEvent, str]:
        """Return the typed event to send and its frame, with an ``event_id``."""
        if isinstance(event, str):
            fields = dict(data or {})
            if fields.setdefault("type", event) != event:
                raise ProtocolError(
                    f"send({event!r}, data) got a conflicting type", raw=repr(fields)
                )
            if fields.get("event_id") is None:
                fields["event_id"] = _new_event_id()
            typed = validate_client_event(fields)
            return typed, encode_client_event(typed)
        if data is not None:
            raise TypeError("data goes with send(event_type, data), not with a typed event")
        if not isinstance(event, _CLIENT_CLASSES):
            raise TypeError(f"{type(event).__name__} is not a client event")
        if event.event_id is None:
            event = event.model_copy(update={"event_id": _new_event_id()})
        return event, encode_client_event(event)

    async def _receive_loop(
        self, ws: aiohttp.ClientWebSocketResponse, owned_session: aiohttp.ClientSession | None
    ) -> None:
        code: int | None = _ABNORMAL_CLOSURE
        reason = "connection lost"
        sock = self._socket
        try:
            while True:
                message = await ws.receive()
                if self._frame_observers and message.type in _DATA_FRAMES:
                    for observer in self._frame_observers:
                        observer("server", message.data)
                if message.type is aiohttp.WSMsgType.TEXT:
                    self._receive_text(message.data)
                    if self._handlers_full:
                        await self._wait_for_handler_room()
                elif message.type is aiohttp.WSMsgType.BINARY:
                    self._receive_invalid(
                        ProtocolError("server sent a binary frame", raw=message.data)
                    )
                    if self._handlers_full:
                        await self._wait_for_handler_room()
                elif message.type is aiohttp.WSMsgType.CLOSE:
                    code, reason = message.data, message.extra or ""
                    break
                elif message.type is aiohttp.WSMsgType.ERROR:
                    code, reason = ws.close_code or _ABNORMAL_CLOSURE, str(message.data)
                    break
                else:
                    # CLOSING: disconnect() started the close handshake, finished below.
                    # CLOSED: the TCP connection ended without a close frame.
                    if message.type is aiohttp.WSMsgType.CLOSING:
                        code, reason = None, ""
                    break
        finally:
            await ws.close()
            if code is None:
                code = ws.close_code
            if code == _ABNORMAL_CLOSURE:
                # aiohttp closes a failed connection gracefully, which never completes while
                # unsent frames wait for a peer that stopped reading; this frees the socket.
                _shut_down(sock)
            if self._abort_reason is not None:
                reason = self._abort_reason
            if owned_session is not None:
                await owned_session.close()
            self._finish(code, reason)

    def _receive_text(self, frame: str) -> None:
        try:
            event = decode_server_event(frame)
        except ProtocolError as error:
            self._receive_invalid(error)
            return
        logger.debug("received %s", event.type)
        name = server_event_name(event.type)
        self.dispatch(name, event)

    def _receive_invalid(self, error: ProtocolError) -> None:
        logger.warning("ignored an invalid server frame: %s", error)
        self.dispatch("error", LocalErrorEvent(str(error), error, raw=error.raw))

    def _finish(self, code: int | None, reason: str) -> None:
        """The connection is over: record it, dispatch ``close``, release every waiter."""
        self._ws = None
        self._socket = None
        self._receive_task = None
        self._last_close = (code, reason)
        requested = self._close_requested
        if requested or code == aiohttp.WSCloseCode.OK:
            logger.debug("connection closed (code %s)", code)
        else:
            logger.warning("connection closed (code %s): %s", code, reason or "no reason given")
        self.dispatch("close", CloseEvent(code, reason, requested))
        self.release_waiters(ConnectionClosedError(code, reason))
