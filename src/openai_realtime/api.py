"""``RealtimeAPI``: the event connection: pumps transport -> codec -> state -> emitter, once.

Each received frame is decoded once, handed to the attached state (``RealtimeClient`` attaches
its conversation store and session core: :meth:`RealtimeAPI.attach_state`), then dispatched
once, so every handler sees the state after the event. Frames travel over a
:mod:`~openai_realtime.transports` transport: aiohttp's WebSocket by default, an in-memory pair
in tests.

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
  as dead: it is aborted (code 1006) and the send raises ``ConnectionClosedError``. One timer per
  connection times every send (see :mod:`openai_realtime._send_watchdog`): a send leaves no
  timer behind in the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import secrets
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final, Protocol, Self, TypedDict

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from openai_realtime._async_with import ConnectsOnEnter
from openai_realtime._send_watchdog import SendWatchdog
from openai_realtime._wire_connection import FrameObserver, WireConnection
from openai_realtime.credentials import redact_url, require_secure_transport
from openai_realtime.errors import (
    ConfigurationError,
    ConnectionClosedError,
    ProtocolError,
    RealtimeConnectionError,
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
from openai_realtime.transports import (
    Transport,
    TransportChoice,
    TransportClosed,
    resolve_transport,
)
from openai_realtime.types import CLIENT_EVENTS, ClientEvent, ServerEvent, UnknownServerEvent
from openai_realtime.types.emitter import ApiEventsMixin, ApiSendMixin

__all__ = [
    "DEFAULT_HEARTBEAT",
    "DEFAULT_MAX_MESSAGE_SIZE",
    "DEFAULT_MODEL",
    "DEFAULT_SEND_TIMEOUT",
    "DEFAULT_URL",
    "USER_AGENT",
    "ConnectionOptions",
    "EventState",
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
_ABNORMAL_CLOSURE: Final = 1006
_NORMAL_CLOSURE: Final = 1000
_CLIENT_CLASSES: Final = tuple(CLIENT_EVENTS.values())


class EventState(Protocol):
    """State kept from the events of a connection, applied before any handler runs.

    ``RealtimeClient`` attaches one (its conversation store and session core); see
    :meth:`RealtimeAPI.attach_state`.
    """

    # Read-only attributes rather than methods: a plain object holding two callables (what
    # the client attaches) matches, with no bound-method call in between on the hot path.
    @property
    def received(self) -> Callable[[ServerEvent | UnknownServerEvent], None]:
        """Applies a server event; called before its ``server.<type>`` dispatch."""
        ...

    @property
    def sending(self) -> Callable[[ClientEvent], None]:
        """Accounts for a client event about to be written, in wire order.

        Called before the write completes, since the server's answer may be handled before the
        sender resumes; when the write fails, the connection closes.
        """
        ...


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


class ConnectionOptions(TypedDict, total=False):
    """The keyword options of :class:`RealtimeAPI`, for facades that pass them through.

    ``RealtimeClient(**options)`` is typed with it; a test keeps its keys equal to the
    constructor's keyword parameters.
    """

    organization: str | None
    project: str | None
    headers: Mapping[str, str] | None
    session: aiohttp.ClientSession | None
    max_message_size: int
    heartbeat: float | None
    allow_insecure: bool
    send_timeout: float | None
    max_pending_handlers: int
    strict: bool
    transport: TransportChoice | None
    call_id: str | None


class RealtimeAPI(ConnectsOnEnter, WireConnection, ApiSendMixin, ApiEventsMixin, EventEmitter):
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
        heartbeat: Seconds of quiet after which the connection is pinged (``None``: no pings);
            a ping unanswered for half that closes it with code 1006.
        allow_insecure: Allow credentials over ``ws://`` to a host that is not loopback.
        send_timeout: Seconds one ``send()`` may wait (for earlier sends, then for the write
            buffer to drain) before the connection is aborted; ``None`` waits forever. Raise it
            when sending very large frames over a slow link.
        max_pending_handlers: Async handler tasks that may be pending before the receive loop
            stops reading (see the module docstring).
        strict: Treat a server event that fails validation as an invalid frame (an ``error``,
            not dispatched) instead of delivering it with the failing parts raw and listed in
            ``validation_issues`` (see :mod:`openai_realtime.protocol.codec`). For tests.
        transport: ``"websocket"`` (the default: aiohttp's WebSocket), ``"webrtc"`` (a WebRTC
            call: ``WebRTCConnector()``, needs the ``webrtc`` extra), or a
            :class:`~openai_realtime.transports.Connector` to connect with (e.g.
            ``MemoryConnector()`` in tests). ``max_message_size`` and ``heartbeat`` configure
            the WebSocket only; ``session`` is used by both named transports. With anything
            but the WebSocket, no API key is required for OpenAI's host: the connector decides
            where frames go.
        call_id: Attach to an existing SIP or WebRTC call as its *sideband* control connection
            (``?call_id=<id>``): the URL then carries no ``model`` (the call's session already
            has one) and ``model`` is ignored. See ``docs/guides/calls.md`` for what differs.

    TLS: ``wss://`` connections verify the server's certificate and host name with the
    system's trust store (aiohttp's default); there is deliberately no option to turn that off.
    To trust a private CA, pass a ``session`` whose connector carries your ``ssl.SSLContext``.

    Raises:
        ConfigurationError: ``url`` is not a ``ws://`` or ``wss://`` URL with a host, a
            limit is out of range, ``transport`` is an unknown name, or it is ``"webrtc"``
            without the ``webrtc`` extra.
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
        strict: bool = False,
        transport: TransportChoice | None = None,
        call_id: str | None = None,
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
        if call_id is not None:
            if not call_id:
                raise ConfigurationError("call_id must not be empty")
            # A sideband joins a session that already has its model: the URL names the call only.
            target = target.without_query_params("model").update_query(call_id=call_id)
        elif model is not None:
            target = target.update_query(model=model)
        is_openai = target.host == _OPENAI_HOST
        if api_key is None and is_openai:
            api_key = os.environ.get("OPENAI_API_KEY") or None
        # The key lives only inside these headers: never in an attribute a repr or log could show.
        self._headers = self._handshake_headers(api_key, organization, project, headers)
        has_credentials = any(name.lower() in _CREDENTIAL_HEADERS for name in self._headers)
        if has_credentials:
            require_secure_transport(target, allow_insecure=allow_insecure)
        self._connector = resolve_transport(
            transport, session=session, max_message_size=max_message_size, heartbeat=heartbeat
        )
        self._missing_api_key = (
            is_openai and not has_credentials and transport in (None, "websocket")
        )
        self._url = target
        self._send_timeout = send_timeout
        self._watchdog = (
            None
            if send_timeout is None
            else SendWatchdog(send_timeout, lambda: self._abort(self._transport, self._late()))
        )
        self._strict = strict
        self._send_lock = asyncio.Lock()
        self._transport = None
        self._abort_reason: str | None = None
        self._receive_task: asyncio.Task[None] | None = None
        self._connecting = False
        self._close_requested = False
        self._last_close = None
        self._state: EventState | None = None

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
    def call_id(self) -> str | None:
        """The call this connection is the sideband of, or ``None`` for a session of its own."""
        return self._url.query.get("call_id")

    def __repr__(self) -> str:
        return (
            f"<RealtimeAPI url={redact_url(self._url)!r} model={self.model!r} "
            f"connected={self.is_connected}>"
        )

    def attach_state(self, state: EventState | None) -> None:
        """Apply every event to ``state`` before it is dispatched (one state at a time).

        Args:
            state: The state to keep current, or ``None`` to detach the current one.

        Raises:
            ConfigurationError: Another state is already attached.
        """
        if state is not None and self._state is not None and self._state is not state:
            raise ConfigurationError("another state is already attached to this RealtimeAPI")
        self._state = state

    async def connect(self) -> None:
        """Open the connection and start the receive loop.

        Raises:
            ConfigurationError: OpenAI's host and no API key.
            RealtimeConnectionError: Already connected or connecting, or the server refused or was
                unreachable (the message carries the HTTP status of a refused handshake).
            RealtimeTimeoutError: The connection attempt timed out.
        """
        if self._transport is not None or self._connecting:
            raise RealtimeConnectionError("already connected or connecting")
        if self._missing_api_key:
            raise ConfigurationError(
                f"no API key for {_OPENAI_HOST}: pass api_key= or set OPENAI_API_KEY"
            )
        logger.debug("connecting to %s", redact_url(self._url))
        self._connecting = True
        try:
            transport = await self._connector(self._url, self._headers)
        finally:
            self._connecting = False
        self._transport = transport
        self._abort_reason = None
        self._close_requested = False
        self._last_close = None
        self._receive_task = asyncio.create_task(self._receive_loop(transport))
        logger.debug("connected to %s", redact_url(self._url))

    async def disconnect(self) -> None:
        """Close the connection (code 1000) and wait until ``close`` has been dispatched.

        Also waits for async handlers still running, unless called from one of them. Does
        nothing when not connected.
        """
        transport, receive_task = self._transport, self._receive_task
        if transport is None or receive_task is None:
            return
        # A close the server already started is not ours: `requested` stays false for it.
        if not transport.closed:
            self._close_requested = True
        await transport.close()
        # Shielded: a caller giving up must not cut the loop short before `close` is dispatched.
        await asyncio.shield(receive_task)
        if not self._in_handler_task():
            await self.drain()

    async def _send(
        self, event: ClientEvent | str, data: Mapping[str, Any] | None = None, /
    ) -> ClientEvent:
        """Send one client event, then dispatch it as ``client.<type>`` (what ``send`` runs).

        ``send`` itself comes from the generated ``ApiSendMixin``: one typed overload per
        client event type, so a misspelt type or a wrong field is a type error.

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
        transport = self._open_connection()
        typed, frame = self._prepare(event, data)
        watchdog = self._watchdog
        pending = watchdog.start() if watchdog is not None else None
        try:
            # Awaiting the write is what passes back-pressure on to the caller.
            async with self._send_lock:
                if self._state is not None:
                    # Before the write: the answer may be handled before this resumes.
                    self._state.sending(typed)
                await transport.send_text(frame)
        except asyncio.CancelledError:
            if pending is None or not pending.expired:
                raise
            # The watchdog cancelled this send (and aborted the connection): not a cancellation
            # of the caller, so take it back, as asyncio.timeout does.
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            raise ConnectionClosedError(_ABNORMAL_CLOSURE, self._late()) from None
        finally:
            if watchdog is not None and pending is not None:
                watchdog.finish(pending)
        logger.debug("sent %s", typed.type)
        for observer in self._frame_observers:
            observer("client", frame)
        self.dispatch(client_event_name(typed.type), typed)
        if not self._in_handler_task():
            await self._wait_for_handler_room()
        return typed

    def _late(self) -> str:
        return f"a send did not complete within {self._send_timeout} s"

    def _abort(self, transport: Transport | None, reason: str) -> None:
        """Cut a connection whose peer stopped reading, without waiting for the peer.

        The pending write and the receive loop then fail at once, and the receive loop
        finishes the close with code 1006.
        """
        if transport is None or transport is not self._transport:
            return  # that connection has already ended
        logger.warning("aborting the connection: %s", reason)
        self._abort_reason = reason
        transport.abort()

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

    async def _receive_loop(self, transport: Transport) -> None:
        code: int | None = _ABNORMAL_CLOSURE
        reason = "connection lost"
        try:
            while True:
                message = await transport.receive()
                if isinstance(message, TransportClosed):
                    code, reason = message.code, message.reason
                    break
                for observer in self._frame_observers:
                    observer("server", message)
                if isinstance(message, str):
                    self._receive_text(message)
                else:
                    self._receive_invalid(ProtocolError("server sent a binary frame", raw=message))
                if self._handlers_full:
                    await self._wait_for_handler_room()
        finally:
            # Normally a no-op (the transport has ended); after a failure here, it releases it.
            await transport.close()
            if self._abort_reason is not None:
                reason = self._abort_reason
            self._finish(code, reason)

    def _receive_text(self, frame: str) -> None:
        try:
            event = decode_server_event(frame, strict=self._strict)
        except ProtocolError as error:
            self._receive_invalid(error)
            return
        logger.debug("received %s", event.type)
        state = self._state
        if state is not None:
            try:
                state.received(event)
            except Exception as error:
                # A bug in the state must not kill the receive loop: say so, dispatch anyway.
                logger.exception("applying %s failed", event.type)
                self.dispatch("error", LocalErrorEvent(str(error), error, event_name=event.type))
        self.dispatch(server_event_name(event.type), event)

    def _receive_invalid(self, error: ProtocolError) -> None:
        logger.warning("ignored an invalid server frame: %s", error)
        self.dispatch("error", LocalErrorEvent(str(error), error, raw=error.raw))

    def _finish(self, code: int | None, reason: str) -> None:
        """The connection is over: record it, dispatch ``close``, release every waiter."""
        self._transport = None
        self._receive_task = None
        self._last_close = (code, reason)
        if self._watchdog is not None:
            self._watchdog.stop()
        requested = self._close_requested
        if requested or code == _NORMAL_CLOSURE:
            logger.debug("connection closed (code %s)", code)
        else:
            logger.warning("connection closed (code %s): %s", code, reason or "no reason given")
        self.dispatch("close", CloseEvent(code, reason, requested))
        self.release_waiters(ConnectionClosedError(code, reason))
