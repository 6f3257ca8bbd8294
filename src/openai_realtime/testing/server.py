"""The fake server itself: an aiohttp application serving the Realtime WebSocket locally."""

from __future__ import annotations

import asyncio
import hmac
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, Final

from aiohttp import web

from openai_realtime._loopback_server import LoopbackServer
from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.testing.call_routes import CallRoutes
from openai_realtime.testing.calls import CallRegistry
from openai_realtime.testing.client_secrets import SECRET_PREFIX, ClientSecretStore
from openai_realtime.testing.clock import FakeClock
from openai_realtime.testing.connection import Connection, ConnectionOptions, TranscriptionOrder
from openai_realtime.testing.default_responder import DefaultResponder
from openai_realtime.testing.faults import Fault
from openai_realtime.testing.phone import PhoneCall, PhoneLine
from openai_realtime.testing.record import ConnectionRecord
from openai_realtime.testing.responder import Responder, ResponderFunction, as_responder
from openai_realtime.testing.seeds import seed_from_environment
from openai_realtime.testing.session import DEFAULT_MODEL, SessionState
from openai_realtime.testing.streaming import StreamOptions
from openai_realtime.testing.synth import DEFAULT_MS_PER_CHAR
from openai_realtime.testing.transcription import TranscriptionConnection
from openai_realtime.testing.translation import TRANSLATION_ADDRESS
from openai_realtime.testing.translation_routes import TRANSLATION_SECRETS_PATH, TranslationEndpoint

if TYPE_CHECKING:
    from openai_realtime.testing.webrtc import WebRTCCalls

__all__ = ["FakeRealtimeServer", "serve"]

logger = logging.getLogger("openai_realtime.testing")

CLIENT_SECRETS_PATH: Final = "/v1/realtime/client_secrets"
_KEY_SUBPROTOCOL: Final = "openai-insecure-api-key."
_SUBPROTOCOLS: Final = ("realtime",)

# One append may carry 15 MiB of base64; leave room for the JSON around it.
_MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 64 * 1024


class FakeRealtimeServer(LoopbackServer):
    """A local, protocol-faithful Realtime API server for tests, demos and offline work.

    It speaks the GA Realtime protocol over a real WebSocket at ``/v1/realtime``: sessions,
    partial ``session.update``, the conversation, the input audio buffer with server VAD
    emulation and its idle timeout, input transcription, streamed text, audio, function-call
    and MCP tool responses, cancellation and truncation; it mints client secrets at
    ``POST /v1/realtime/client_secrets``, and with the ``webrtc`` extra it answers WebRTC calls
    at ``POST /v1/realtime/calls`` (audio on media tracks, events on the ``oai-events`` data
    channel, sidebands at ``/v1/realtime?call_id=``; see :mod:`~openai_realtime.testing.webrtc`).
    What the "model" says is decided by a responder (by default
    :class:`~openai_realtime.testing.DefaultResponder`).

    Args:
        host: Interface to bind; loopback unless told otherwise.
        port: TCP port; 0 picks a free one (read it back from :attr:`port` or :attr:`url`).
        api_key: When set, connections must send ``Authorization: Bearer <api_key>`` (or the
            browser subprotocol ``openai-insecure-api-key.<api_key>``) or are refused with HTTP
            401 before the upgrade; when ``None`` any client is accepted. Either way a client
            secret (``ek_…``) minted at ``POST /v1/realtime/client_secrets`` is accepted until
            it expires, and the connection starts with the session it was minted with.
        responder: A :class:`~openai_realtime.testing.Responder` or a function of the
            :class:`~openai_realtime.testing.ResponseContext` returning a
            :class:`~openai_realtime.testing.Reply`. One responder serves every connection.
        pace: ``None`` streams responses as fast as possible; 1.0 sends audio at the speed of
            speech on the server's clock; other values are multiples of that.
        audio_chunk_ms: Audio per ``response.output_audio.delta``.
        ms_per_char: Speaking rate of synthesised answers (audio length per character).
        faults: Faults injected on every connection, counted from its first frame.
        session: Changes to the default session, merged like a ``session.update`` (e.g.
            ``{"audio": {"input": {"turn_detection": None}}}`` to start without VAD).
        record_frames: Frames kept per direction per connection in :attr:`connections`
            (counts are always complete); 0 keeps none, which long benchmarks want.
        keep_closed_connections: How many closed connections :attr:`connections` keeps (the
            oldest are dropped first); ``None`` keeps all. A long-running server sets a
            number, so its memory does not grow with every connection.
        time_scale: Real seconds per second of server time (see
            :mod:`~openai_realtime.testing.clock`): 1.0 is real time; 0.05 runs pacing and
            timers twenty times faster, with the same events in the same order and the same
            audio-time fields.
        seed: Seeds the choices the live service may make either way (such as whether an
            input transcript finishes before or after ``response.created``); ``None`` reads
            the ``OPENAI_REALTIME_FAKE_SEED`` environment variable, else picks one at random.
            Read it back from :attr:`seed` to rerun a failure exactly.
        transcription_order: ``"before_response"`` or ``"after_response"`` fixes when input
            transcripts finish; ``None`` (the default, as live) lets the seed choose per turn.

    Raises:
        ConfigurationError: ``time_scale`` is not a positive finite number.
        ValueError: ``session`` does not produce a valid session, or a number is out of range.

    Example::

        async with FakeRealtimeServer() as server:
            async with aiohttp.ClientSession() as http:
                async with http.ws_connect(server.url + "?model=gpt-realtime") as ws:
                    print(await ws.receive_json())  # session.created
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str | None = None,
        responder: Responder | ResponderFunction | None = None,
        pace: float | None = None,
        audio_chunk_ms: int = 100,
        ms_per_char: float = DEFAULT_MS_PER_CHAR,
        faults: Sequence[Fault] = (),
        session: Mapping[str, Any] | None = None,
        record_frames: int = 1000,
        keep_closed_connections: int | None = None,
        time_scale: float = 1.0,
        seed: int | None = None,
        transcription_order: TranscriptionOrder | None = None,
    ) -> None:
        self.clock = FakeClock(time_scale)
        """The server's clock; tests pace their own audio on it (``clock.real_seconds``)."""
        if pace is not None and pace < 0:
            raise ValueError(f"pace must be None or at least 0, got {pace}")
        if audio_chunk_ms <= 0 or ms_per_char <= 0 or record_frames < 0:
            raise ValueError("audio_chunk_ms and ms_per_char must be positive, record_frames >= 0")
        if keep_closed_connections is not None and keep_closed_connections < 0:
            raise ValueError("keep_closed_connections must be None or at least 0")
        SessionState("sess_check", DEFAULT_MODEL, session)  # fail here, not on each connection
        super().__init__(host, port)
        self._api_key = api_key
        self._responder = as_responder(responder if responder is not None else DefaultResponder())
        self._options = ConnectionOptions(
            stream=StreamOptions(pace=pace, audio_chunk_ms=audio_chunk_ms, ms_per_char=ms_per_char),
            session_overrides=session,
            faults=tuple(faults),
            record_limit=record_frames,
            clock=self.clock,
            transcription_order=transcription_order,
        )
        self.seed = seed_from_environment() if seed is None else seed
        """Seeds every choice the service may make either way (see :data:`SEED_VARIABLE`)."""
        self._client_secrets = ClientSecretStore(session)
        self._keep_closed = keep_closed_connections
        self._connection_count = 0
        self._webrtc_calls: WebRTCCalls | None = None
        self.connections: list[ConnectionRecord] = []
        """Every connection so far, oldest first, including closed ones (as many as
        ``keep_closed_connections`` allows)."""
        self.calls = CallRegistry()
        """Every SIP and WebRTC call so far, by id (see :mod:`~openai_realtime.testing.calls`)."""
        self.phone = PhoneLine(self.calls, self._responder, self._options, self.seed)
        """The SIP side: places calls, starts call sessions (see ``place_call``)."""
        self._call_routes = CallRoutes(
            self.phone, lambda request: self._key_matches(_bearer_token(request)), _unauthorized
        )
        self._translation = TranslationEndpoint(
            authorized=self._key_matches,
            transcribe=self._responder.transcribe,
            fake_clock=self.clock,
            chunk_ms=audio_chunk_ms,
            pace=pace,
            open_sockets=self._open,
            records=self.connections,
            error_response=lambda rejection, status: web.json_response(
                _error_body(rejection), status=status
            ),
        )

    @property
    def http_url(self) -> str:
        """The API base URL, ``http://host:port/v1``, for clients that derive the WebSocket URL."""
        return f"http://{self._url_host}:{self.port}/v1"

    label: ClassVar[str] = "fake Realtime server"
    log: ClassVar[logging.Logger] = logger

    def _add_routes(self, app: web.Application) -> None:
        super()._add_routes(app)
        app.router.add_post(CLIENT_SECRETS_PATH, self._mint_client_secret)
        self._call_routes.add_to(app)
        # Imported here: the WebRTC answering needs the `webrtc` extra only when a call comes.
        from openai_realtime.testing.webrtc import WebRTCCalls

        self._webrtc_calls = WebRTCCalls(self)
        self._webrtc_calls.add_routes(app)
        app.router.add_get(TRANSLATION_ADDRESS, self._handle_translation)
        app.router.add_post(TRANSLATION_SECRETS_PATH, self._mint_translation_secret)

    async def _handle_translation(self, request: web.Request) -> web.StreamResponse:
        return await self._translation.handle(request, _request_token(request))

    async def _mint_translation_secret(self, request: web.Request) -> web.StreamResponse:
        return await self._translation.mint_secret(request, _bearer_token(request))

    def _webrtc(self) -> WebRTCCalls:
        if self._webrtc_calls is None:
            raise RuntimeError("the server is not running")
        return self._webrtc_calls

    async def place_call(self, webhook_url: str, *, secret: str, **options: Any) -> PhoneCall:
        """Simulate a phone call to the application at ``webhook_url``.

        See :meth:`PhoneLine.place_call <openai_realtime.testing.phone.PhoneLine.place_call>`
        for the options (caller number, SIP headers, caller audio, DTMF digits, answer
        timeout) and :mod:`~openai_realtime.testing.phone` for what happens.

        Returns:
            The call, once its webhook was delivered.
        """
        return await self.phone.place_call(webhook_url, secret=secret, **options)

    async def stop(self) -> None:
        """End every call, close every connection (code 1001) and stop listening."""
        await self.phone.close()
        await self.calls.close()
        await super().stop()

    async def _mint_client_secret(self, request: web.Request) -> web.StreamResponse:
        # Secrets are minted with the real key; a secret cannot mint another.
        token = _bearer_token(request)
        if token.startswith(SECRET_PREFIX) or not self._key_matches(token):
            return _unauthorized()
        try:
            body = self._client_secrets.mint(await request.text())
        except InvalidRequest as rejection:
            return web.json_response(_error_body(rejection), status=400)
        return web.json_response(body)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        call_id = request.query.get("call_id")
        if call_id is not None:
            # A sideband joins the call's own session instead of opening one: a SIP call of the
            # phone line, else a WebRTC call (which answers an unknown id).
            if self.calls.find(call_id) is None:
                return await self._webrtc().attach_sideband(request, call_id)
            authorized = self.authorize(request, None)
            if isinstance(authorized, web.Response):
                return authorized
            return await self._call_routes.serve_sideband(request, call_id)
        authorized = self.authorize(request, request.query.get("model"))
        if isinstance(authorized, web.Response):
            return authorized
        options, model = authorized
        # A transcription session: asked for by intent, or bound by a transcription secret.
        bound = (options.session_overrides or {}).get("type")
        transcription = bound == "transcription" or (
            bound is None and request.query.get("intent") == "transcription"
        )
        websocket = web.WebSocketResponse(max_msg_size=_MAX_MESSAGE_BYTES, protocols=_SUBPROTOCOLS)
        await websocket.prepare(request)
        await self.serve_connection(websocket, request, options, model, transcription=transcription)
        return websocket

    def authorize(
        self, request: web.Request, model: str | None
    ) -> tuple[ConnectionOptions, str | None] | web.Response:
        """Check a request's key or client secret.

        Args:
            request: The request, with its ``Authorization`` header or key subprotocol.
            model: The model the request asks for.

        Returns:
            The options and model of the connection to open, or the 401 response to send.
        """
        token = _request_token(request)
        options = self._options
        if token.startswith(SECRET_PREFIX):
            secret = self._client_secrets.valid(token)
            if secret is None:
                return _unauthorized("The client secret is unknown or has expired.")
            # The secret binds the session, model included.
            return replace(options, session_overrides=secret.session), secret.model
        if not self._key_matches(token):
            return _unauthorized()
        return options, model

    async def serve_connection(
        self,
        websocket: web.WebSocketResponse,
        request: web.Request,
        options: ConnectionOptions,
        model: str | None,
        started: Callable[[Connection], object] | None = None,
        *,
        transcription: bool = False,
    ) -> None:
        """Serve one prepared connection until it ends.

        Args:
            websocket: The prepared connection (or an object that behaves like one).
            request: The request that opened it.
            options: Its options, from :meth:`authorize`.
            model: Its model, from :meth:`authorize`.
            started: Called with the connection before it starts serving.
            transcription: Serve a transcription session (no responses) instead.
        """
        record = ConnectionRecord(model=model or DEFAULT_MODEL, limit=options.record_limit)
        self.connections.append(record)
        self._connection_count += 1
        number = self._connection_count
        self._open.add(websocket)
        logger.debug("connection %d opened (model %s)", number, record.model)
        rng = random.Random(f"{self.seed}:{number}")
        kind = TranscriptionConnection if transcription else Connection
        connection = kind(websocket, request, record, self._responder, options, rng)
        if started is not None:
            started(connection)
        try:
            await connection.run()
        finally:
            self._open.discard(websocket)
            await websocket.close()
            self._forget_closed()
            logger.debug("connection %d closed", number)

    def _forget_closed(self) -> None:
        if self._keep_closed is None:
            return
        closed = [record for record in self.connections if record.closed]
        for record in closed[: max(0, len(closed) - self._keep_closed)]:
            self.connections.remove(record)

    def _key_matches(self, token: str) -> bool:
        if self._api_key is None:
            return True
        # Constant-time comparison, so response timing says nothing about the key.
        return hmac.compare_digest(token.encode(), self._api_key.encode())


def _bearer_token(request: web.Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _request_token(request: web.Request) -> str:
    return _bearer_token(request) or _subprotocol_key(request)


def _subprotocol_key(request: web.Request) -> str:
    """The key a browser sends as a WebSocket subprotocol (it cannot set headers)."""
    for protocol in request.headers.get("Sec-WebSocket-Protocol", "").split(","):
        name, _, key = protocol.strip().partition(_KEY_SUBPROTOCOL)
        if not name and key:
            return key
    return ""


def _error_body(rejection: InvalidRequest) -> dict[str, Any]:
    return {
        "error": {
            "type": rejection.error_type,
            "code": rejection.code,
            "message": rejection.message,
            "param": rejection.param,
        }
    }


def _unauthorized(message: str = "Incorrect or missing API key.") -> web.Response:
    return web.json_response(
        _error_body(InvalidRequest(message, code="invalid_api_key")), status=401
    )


async def serve(host: str = "127.0.0.1", port: int = 8765, **options: Any) -> None:
    """Run a fake server until cancelled (for ``openai-realtime fake-server``).

    Args:
        host: Interface to bind.
        port: TCP port.
        **options: Any other :class:`FakeRealtimeServer` keyword argument.

    Raises:
        OSError: The address cannot be bound.
    """
    server = FakeRealtimeServer(host, port, **options)
    await server.start()
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
