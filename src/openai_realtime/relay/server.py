"""The relay's aiohttp server: admits clients, dials the upstream, runs one bridge per client."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Final

import aiohttp
from aiohttp import hdrs, web
from aiohttp.abc import AbstractAccessLogger
from yarl import URL

from openai_realtime._async_with import StartsOnEnter, require_started
from openai_realtime.api import DEFAULT_MODEL, DEFAULT_URL
from openai_realtime.credentials import is_loopback_host, redact_url, same_origin_only
from openai_realtime.errors import ConfigurationError, CredentialRedirectError
from openai_realtime.relay._admission import AdmissionGate
from openai_realtime.relay._bridge import RelayBridge, logger
from openai_realtime.relay._handshake import (
    choose_subprotocol,
    normalize_origins,
    origin_allowed,
    presented_tokens,
    resolve_upstream,
    split_subprotocols,
    token_matches,
)
from openai_realtime.relay.policy import ClientEventPolicy
from openai_realtime.relay.tools import RelayTool, RelayToolRunner

__all__ = ["DEFAULT_MAX_FRAME_SIZE", "RELAY_PATH", "RealtimeRelay", "serve_relay"]

RELAY_PATH: Final = "/v1/realtime"
"""Where the relay serves its WebSocket: the same path as the Realtime API's."""

DEFAULT_MAX_FRAME_SIZE: Final = 16 * 1024 * 1024
"""A little above the 15 MiB an ``input_audio_buffer.append`` may carry."""

# An upstream that does not answer within this time is treated as unreachable (HTTP 502).
_UPSTREAM_CONNECT_TIMEOUT: Final = 30.0


class _AccessLogWithoutQuery(AbstractAccessLogger):
    """aiohttp's access log line, but the path without its query: tokens never reach a log."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %.3fs',
            request.remote,
            request.method,
            request.path,
            response.status,
            time,
        )


_access_logger = logging.getLogger("openai_realtime.relay.access")


def _refusal(error: web.HTTPException) -> web.HTTPException:
    """A refusal that also ends the socket: a refused client must not keep a slot open."""
    error.force_close()
    return error


class RealtimeRelay(StartsOnEnter):
    """A WebSocket relay that keeps the API key on the server.

    Clients (browsers, phones) connect to the relay with no API key; the relay opens the
    upstream Realtime connection with its own key and forwards frames both ways, checking each
    client frame first. It keeps no conversation or session state of its own.

    Usage::

        relay = RealtimeRelay(relay_token="s3cret", allowed_origins=["https://app.example"])
        async with relay:
            print(relay.url)  # ws://127.0.0.1:<port>/v1/realtime
            ...

    A client authenticates with ``Authorization: Bearer <relay_token>`` or, from a browser, by
    offering the subprotocols ``realtime`` and ``openai-insecure-api-key.<relay_token>``.

    Model precedence: the relay's ``model`` is sent upstream; a client's ``?model=`` query
    parameter replaces it only when ``allow_model_override`` is true.

    Admission, in order: more than ``max_connections_per_client`` open sockets from the
    client's IP, counted from the TCP accept -> 429; no complete request within
    ``handshake_timeout`` -> the socket is dropped; not a WebSocket upgrade -> 400; ``Origin``
    present and not allowed -> 403; relay token configured and not presented -> 401 (before
    upgrading); upstream unreachable -> 502. Clients behind one proxy share an IP, and so
    share the cap.

    Limits, each an argument (aiohttp style, safe defaults):

    ====================  ========  ===================================================
    argument              default   what happens past it
    ====================  ========  ===================================================
    handshake_timeout     10 s      a socket without a complete upgrade request is dropped
    idle_timeout          300 s     a session with no frame either way is closed (1001)
    ping_interval         20 s      both sockets are pinged; a peer that does not answer
                                    is closed
    send_timeout          30 s      a client that stops reading is dropped when a frame
                                    for it waits this long, and its upstream closed
    max_frame_size        16 MiB    a larger client frame closes the client with 1009
    ====================  ========  ===================================================

    Args:
        upstream_url: The Realtime endpoint (``ws://`` or ``wss://``).
        api_key: Key sent upstream as ``Authorization: Bearer``; defaults to ``OPENAI_API_KEY``
            only when the upstream is OpenAI's host. ``None`` for other upstreams sends none.
        model: The model sent upstream in the ``model`` query parameter.
        allow_model_override: Let a client choose models: the session's with its own
            ``?model=``, and any field called ``model`` in its events (the transcription
            model too). When false, the relay alone chooses and such events are rejected.
        relay_token: Token clients must present; ``None`` admits any client.
        allowed_origins: ``Origin`` values browsers may connect from; ``None`` allows any.
        allowed_client_events: Client event types forwarded; ``None`` forwards every type.
        denied_session_fields: Session fields clients may not set, as dotted paths
            (``{"instructions", "tools"}``); see :class:`ClientEventPolicy`.
        max_frame_size: Largest client frame in bytes; a larger one closes the client with
            1009 and is not forwarded.
        max_connections_per_client: Open sockets allowed from one client IP, handshakes in
            progress included.
        handshake_timeout: Seconds from TCP accept to a complete upgrade request.
        idle_timeout: Seconds without a frame in either direction before a session ends.
        ping_interval: Seconds between WebSocket pings on both sockets.
        send_timeout: Seconds a frame for the client may wait for room in its buffer.
        host: Interface to bind; loopback unless you mean to expose the relay.
        port: Port to bind; 0 picks a free one (read it from :attr:`url`).
        allow_insecure_upstream: Allow the key over plain ``ws://`` to a non-loopback host.
        client_session: aiohttp session for upstream connections; the relay makes (and
            closes) its own when ``None``, one that refuses redirects to another origin. A
            session you pass follows redirects as you configured it.
        tools: Function tools the relay runs itself (see :mod:`openai_realtime.relay.tools`):
            declared upstream when each session starts, and answered on the server, so tool
            code and its secrets never reach the client.
        session: Session fields the relay sets upstream when each session starts, before
            any client frame (``instructions``, the transcription model, ...); deny them in
            ``denied_session_fields`` to keep clients from changing them.

    Raises:
        ConfigurationError: An argument cannot work: the upstream is not a WebSocket URL, a key
            or token is empty, OpenAI's host has no key, a limit is below 1, an event type
            or session field is unknown, or two tools share a name.
        InsecureTransportError: The key would travel unencrypted to a remote host.
    """

    def __init__(
        self,
        upstream_url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        model: str = DEFAULT_MODEL,
        allow_model_override: bool = False,
        relay_token: str | None = None,
        allowed_origins: Sequence[str] | None = None,
        allowed_client_events: Collection[str] | None = None,
        denied_session_fields: Collection[str] = (),
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        max_connections_per_client: int = 8,
        handshake_timeout: float = 10.0,
        idle_timeout: float = 300.0,
        ping_interval: float = 20.0,
        send_timeout: float = 30.0,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_insecure_upstream: bool = False,
        client_session: aiohttp.ClientSession | None = None,
        tools: Sequence[RelayTool] = (),
        session: Mapping[str, Any] | None = None,
    ) -> None:
        if relay_token is not None and not relay_token:
            raise ConfigurationError("relay_token is empty; pass None to admit any client")
        if max_frame_size < 1 or max_connections_per_client < 1:
            raise ConfigurationError("max_frame_size and max_connections_per_client must be >= 1")
        if not min(handshake_timeout, idle_timeout, ping_interval, send_timeout) > 0:
            raise ConfigurationError(
                "handshake_timeout, idle_timeout, ping_interval and send_timeout must be > 0"
            )
        self._upstream_url, self._api_key = resolve_upstream(
            upstream_url, api_key, allow_insecure=allow_insecure_upstream
        )
        self.model = model
        self.allow_model_override = allow_model_override
        self._relay_token = relay_token
        self._allowed_origins = normalize_origins(allowed_origins)
        self.policy = ClientEventPolicy(
            allowed_client_events, denied_session_fields, pin_model=not allow_model_override
        )
        self.max_frame_size = max_frame_size
        self.max_connections_per_client = max_connections_per_client
        self.handshake_timeout = handshake_timeout
        self.idle_timeout = idle_timeout
        self.ping_interval = ping_interval
        self.send_timeout = send_timeout
        self.host = host
        self.port = port
        self._given_session = client_session
        self._tools = tuple(tools)
        # Built once: this also fails here on a repeated tool name, not on each connection.
        self._opening = (
            RelayToolRunner(self._tools).session_update(**(session or {}))
            if self._tools or session
            else None
        )
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self._gate: AdmissionGate | None = None
        self._url: str | None = None
        self._bridges: set[RelayBridge] = set()
        self._stopping = False

    def __repr__(self) -> str:
        state = self._url or "stopped"
        return (
            f"RealtimeRelay(upstream={redact_url(self._upstream_url)!r}, model={self.model!r}, "
            f"url={state!r}, connections={self.active_connections})"
        )

    @property
    def url(self) -> str:
        """The relay's WebSocket URL, ``ws://host:port/v1/realtime``.

        Raises:
            NotConnectedError: The relay is not running.
        """
        return require_started(self._url, "the relay")

    @property
    def active_connections(self) -> int:
        """How many client sockets are open right now, handshakes in progress included."""
        return 0 if self._gate is None else sum(self._gate.open_per_client.values())

    async def start(self) -> None:
        """Bind the port and start accepting clients.

        Raises:
            RuntimeError: The relay is already running.
            OSError: The address cannot be bound.
        """
        if self._runner is not None:
            raise RuntimeError("the relay is already running")
        app = web.Application()
        app.router.add_get(RELAY_PATH, self._handle)
        app.on_shutdown.append(self._shutdown_bridges)
        runner = web.AppRunner(
            app, access_log_class=_AccessLogWithoutQuery, access_log=_access_logger
        )
        await runner.setup()
        assert runner.server is not None, "set up by runner.setup()"
        gate = AdmissionGate(
            runner.server,
            max_per_client=self.max_connections_per_client,
            handshake_timeout=self.handshake_timeout,
        )
        try:
            server = await asyncio.get_running_loop().create_server(
                gate.protocol, self.host, self.port
            )
        except BaseException:
            await runner.cleanup()
            raise
        self._runner, self._server, self._gate = runner, server, gate
        self._stopping = False
        # The relay's own session follows no redirect to another origin (the key stays home).
        self._session = self._given_session or aiohttp.ClientSession(
            middlewares=(same_origin_only(self._upstream_url),)
        )
        bound_host, bound_port = server.sockets[0].getsockname()[:2]
        self._url = str(URL.build(scheme="ws", host=bound_host, port=bound_port, path=RELAY_PATH))
        logger.info("relay listening on %s, upstream %s", self._url, redact_url(self._upstream_url))
        if self._relay_token is None and not is_loopback_host(bound_host):
            logger.warning(
                "relay on %s has no relay_token: anyone who can reach it uses your API key",
                self._url,
            )

    async def stop(self) -> None:
        """Close every client (code 1001) and its upstream, then release the port.

        Safe to call when the relay is not running.
        """
        runner, self._runner = self._runner, None
        server, self._server = self._server, None
        if runner is None or server is None:
            return
        server.close()  # no new sockets; then aiohttp closes the ones it serves
        await runner.cleanup()
        await server.wait_closed()
        if self._session is not None and self._session is not self._given_session:
            await self._session.close()
        self._session = None
        self._url = None
        logger.info("relay stopped")

    async def _shutdown_bridges(self, _app: web.Application) -> None:
        # Runs as the app shuts down; handshakes still in flight see the flag and close at once.
        self._stopping = True
        # One client failing to close must not keep the others (or the port) open.
        await asyncio.gather(
            *(bridge.shutdown() for bridge in list(self._bridges)), return_exceptions=True
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        offered = split_subprotocols(request.headers.get(hdrs.SEC_WEBSOCKET_PROTOCOL))
        # Always select one offered subprotocol: browsers require it, and aiohttp would
        # otherwise log the offered list, credential subprotocol included.
        selected = choose_subprotocol(offered)
        assert self._gate is not None, "handlers only run while the relay is started"
        self._gate.handshake_arrived(request.transport)
        client = web.WebSocketResponse(
            protocols=() if selected is None else (selected,),
            max_msg_size=self.max_frame_size,
            heartbeat=self.ping_interval,
        )
        if not client.can_prepare(request):
            raise _refusal(web.HTTPBadRequest(text="this endpoint accepts WebSocket upgrades only"))
        peer = request.remote or "unknown"
        self._admit(request, offered, peer)
        upstream = await self._connect_upstream(request.query.get("model"), peer)
        try:
            await client.prepare(request)
            bridge = RelayBridge(
                client,
                upstream,
                self.policy,
                peer=peer,
                client_transport=request.transport,
                idle_timeout=self.idle_timeout,
                send_timeout=self.send_timeout,
                tools=RelayToolRunner(self._tools) if self._tools else None,
                opening=self._opening,
            )
            await self._run_bridge(bridge)
        finally:
            # The bridge closes the upstream, unless the upgrade failed before it ran.
            await upstream.close()
        return client

    async def _run_bridge(self, bridge: RelayBridge) -> None:
        self._bridges.add(bridge)
        try:
            # A client upgraded while stop() was already closing the others is closed at once.
            if self._stopping:
                await bridge.shutdown()
            await bridge.run()
        finally:
            self._bridges.discard(bridge)

    def _admit(self, request: web.Request, offered: Sequence[str], peer: str) -> None:
        """Raise the HTTP error that turns a client away, if any (the token is never logged)."""
        if not origin_allowed(request.headers.get(hdrs.ORIGIN), self._allowed_origins):
            logger.info("relay refused %s: origin not allowed", peer)
            raise _refusal(web.HTTPForbidden(text="origin not allowed"))
        if self._relay_token is not None and not token_matches(
            self._relay_token, presented_tokens(request.headers.get(hdrs.AUTHORIZATION), offered)
        ):
            logger.info("relay refused %s: missing or wrong relay token", peer)
            raise _refusal(
                web.HTTPUnauthorized(
                    text="missing or wrong relay token",
                    headers={hdrs.WWW_AUTHENTICATE: "Bearer"},
                )
            )

    async def _connect_upstream(
        self, requested_model: str | None, peer: str
    ) -> aiohttp.ClientWebSocketResponse:
        model = requested_model if self.allow_model_override and requested_model else self.model
        url = self._upstream_url.update_query(model=model)
        # The key goes in a header only: URLs end up in logs.
        headers = {hdrs.AUTHORIZATION: f"Bearer {self._api_key}"} if self._api_key else {}
        assert self._session is not None, "handlers only run while the relay is started"
        try:
            async with asyncio.timeout(_UPSTREAM_CONNECT_TIMEOUT):
                # Upstream frames are trusted and may be large (whole audio items), so no cap.
                return await self._session.ws_connect(
                    url, headers=headers, max_msg_size=0, heartbeat=self.ping_interval
                )
        except (aiohttp.ClientError, OSError, TimeoutError, CredentialRedirectError) as error:
            status = getattr(error, "status", None)
            logger.warning(
                "relay could not reach upstream %s for %s: %s%s",
                redact_url(self._upstream_url),
                peer,
                type(error).__name__,
                f" (HTTP {status})" if status else "",
            )
        # Raised outside the handler: aiohttp's error holds the request headers (the key), and
        # must not ride along as this exception's context.
        raise _refusal(web.HTTPBadGateway(text="the upstream Realtime server is unreachable"))


async def serve_relay(
    relay: RealtimeRelay, *, on_ready: Callable[[str], object] | None = None
) -> None:
    """Run a relay until the task is cancelled (for the ``openai-realtime relay`` command).

    Usage::

        relay = RealtimeRelay(args.upstream, port=args.port, relay_token=token)
        asyncio.run(serve_relay(relay, on_ready=lambda url: print(f"relay on {url}")))

    Args:
        relay: A configured relay that is not running yet; it is stopped on the way out.
        on_ready: Called with :attr:`RealtimeRelay.url` once clients can connect.

    Raises:
        OSError: The address cannot be bound.
    """
    async with relay:
        if on_ready is not None:
            on_ready(relay.url)
        await asyncio.get_running_loop().create_future()
