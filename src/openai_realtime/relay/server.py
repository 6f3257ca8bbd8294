"""The relay's aiohttp server: admits clients, dials the upstream, runs one bridge per client."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from types import TracebackType
from typing import Final

import aiohttp
from aiohttp import hdrs, web
from yarl import URL

from openai_realtime.api import DEFAULT_MODEL, DEFAULT_URL
from openai_realtime.credentials import is_loopback_host, redact_url
from openai_realtime.errors import ConfigurationError, NotConnectedError
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

__all__ = ["DEFAULT_MAX_FRAME_SIZE", "RELAY_PATH", "RealtimeRelay", "serve_relay"]

RELAY_PATH: Final = "/v1/realtime"
"""Where the relay serves its WebSocket: the same path as the Realtime API's."""

DEFAULT_MAX_FRAME_SIZE: Final = 16 * 1024 * 1024
"""A little above the 15 MiB an ``input_audio_buffer.append`` may carry."""

# An upstream that does not answer within this time is treated as unreachable (HTTP 502).
_UPSTREAM_CONNECT_TIMEOUT: Final = 30.0


class RealtimeRelay:
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

    Admission, in order: not a WebSocket upgrade -> 400; ``Origin`` present and not allowed
    -> 403; relay token configured and not presented -> 401 (before upgrading); more than
    ``max_connections_per_client`` open connections from the client's IP -> 429; upstream
    unreachable -> 502. Clients behind one proxy share an IP, and so share the cap.

    Args:
        upstream_url: The Realtime endpoint (``ws://`` or ``wss://``).
        api_key: Key sent upstream as ``Authorization: Bearer``; defaults to ``OPENAI_API_KEY``
            only when the upstream is OpenAI's host. ``None`` for other upstreams sends none.
        model: The model sent upstream in the ``model`` query parameter.
        allow_model_override: Let a client choose the model with its own ``?model=``.
        relay_token: Token clients must present; ``None`` admits any client.
        allowed_origins: ``Origin`` values browsers may connect from; ``None`` allows any.
        allowed_client_events: Client event types forwarded; ``None`` forwards every type.
        denied_session_fields: Session fields clients may not set, as dotted paths
            (``{"instructions", "tools"}``); see :class:`ClientEventPolicy`.
        max_frame_size: Largest client frame in bytes; a larger one closes the client with
            1009 and is not forwarded.
        max_connections_per_client: Open connections allowed from one client IP.
        host: Interface to bind; loopback unless you mean to expose the relay.
        port: Port to bind; 0 picks a free one (read it from :attr:`url`).
        allow_insecure_upstream: Allow the key over plain ``ws://`` to a non-loopback host.
        client_session: aiohttp session for upstream connections; the relay makes (and
            closes) its own when ``None``.

    Raises:
        ConfigurationError: An argument cannot work: the upstream is not a WebSocket URL, a key
            or token is empty, OpenAI's host has no key, a limit is below 1, or an event type
            or session field is unknown.
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
        host: str = "127.0.0.1",
        port: int = 0,
        allow_insecure_upstream: bool = False,
        client_session: aiohttp.ClientSession | None = None,
    ) -> None:
        if relay_token is not None and not relay_token:
            raise ConfigurationError("relay_token is empty; pass None to admit any client")
        if max_frame_size < 1 or max_connections_per_client < 1:
            raise ConfigurationError("max_frame_size and max_connections_per_client must be >= 1")
        self._upstream_url, self._api_key = resolve_upstream(
            upstream_url, api_key, allow_insecure=allow_insecure_upstream
        )
        self.model = model
        self.allow_model_override = allow_model_override
        self._relay_token = relay_token
        self._allowed_origins = normalize_origins(allowed_origins)
        self.policy = ClientEventPolicy(allowed_client_events, denied_session_fields)
        self.max_frame_size = max_frame_size
        self.max_connections_per_client = max_connections_per_client
        self.host = host
        self.port = port
        self._given_session = client_session
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._connections: Counter[str] = Counter()
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
        if self._url is None:
            raise NotConnectedError("the relay is not running; call start() first")
        return self._url

    @property
    def active_connections(self) -> int:
        """How many clients are connected (or being connected) right now."""
        return sum(self._connections.values())

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
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._stopping = False
        self._session = self._given_session or aiohttp.ClientSession()
        bound_host, bound_port = runner.addresses[0][:2]
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
        if runner is None:
            return
        await runner.cleanup()
        if self._session is not None and self._session is not self._given_session:
            await self._session.close()
        self._session = None
        self._url = None
        logger.info("relay stopped")

    async def __aenter__(self) -> RealtimeRelay:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

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
        client = web.WebSocketResponse(
            protocols=() if selected is None else (selected,), max_msg_size=self.max_frame_size
        )
        if not client.can_prepare(request):
            raise web.HTTPBadRequest(text="this endpoint accepts WebSocket upgrades only")
        peer = request.remote or "unknown"
        self._admit(request, offered, peer)
        self._connections[peer] += 1
        try:
            upstream = await self._connect_upstream(request.query.get("model"), peer)
            try:
                await client.prepare(request)
                await self._run_bridge(RelayBridge(client, upstream, self.policy, peer=peer))
            finally:
                # The bridge closes the upstream, unless the upgrade failed before it ran.
                await upstream.close()
        finally:
            self._connections[peer] -= 1
            if self._connections[peer] <= 0:
                del self._connections[peer]
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
            raise web.HTTPForbidden(text="origin not allowed")
        if self._relay_token is not None and not token_matches(
            self._relay_token, presented_tokens(request.headers.get(hdrs.AUTHORIZATION), offered)
        ):
            logger.info("relay refused %s: missing or wrong relay token", peer)
            raise web.HTTPUnauthorized(
                text="missing or wrong relay token", headers={hdrs.WWW_AUTHENTICATE: "Bearer"}
            )
        if self._connections[peer] >= self.max_connections_per_client:
            logger.info("relay refused %s: connection limit reached", peer)
            raise web.HTTPTooManyRequests(text="too many connections from this client")

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
                return await self._session.ws_connect(url, headers=headers, max_msg_size=0)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
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
        raise web.HTTPBadGateway(text="the upstream Realtime server is unreachable")


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
