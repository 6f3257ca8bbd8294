"""The fake server itself: an aiohttp application serving the Realtime WebSocket locally."""

from __future__ import annotations

import asyncio
import hmac
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Final

from aiohttp import web

from openai_realtime._loopback_server import LoopbackServer
from openai_realtime.testing.client_secrets import SECRET_PREFIX, ClientSecretStore
from openai_realtime.testing.clock import FakeClock
from openai_realtime.testing.connection import Connection, ConnectionOptions, TranscriptionOrder
from openai_realtime.testing.default_responder import DefaultResponder
from openai_realtime.testing.faults import Fault
from openai_realtime.testing.lifetime import (
    DEFAULT_MAX_SESSION_SECONDS,
    valid_max_session_seconds,
)
from openai_realtime.testing.record import ConnectionRecord
from openai_realtime.testing.rejections import InvalidRequest
from openai_realtime.testing.responder import Responder, ResponderFunction, as_responder
from openai_realtime.testing.seeds import seed_from_environment
from openai_realtime.testing.session import DEFAULT_MODEL, SessionState
from openai_realtime.testing.streaming import StreamOptions
from openai_realtime.testing.synth import DEFAULT_MS_PER_CHAR

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
    and MCP tool responses, cancellation and truncation; and it mints client secrets at
    ``POST /v1/realtime/client_secrets``. What the "model" says is decided by a responder (by
    default :class:`~openai_realtime.testing.DefaultResponder`).

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
        max_session_seconds: Each session's maximum duration on the server's clock, 3600 as
            live: then the server sends an ``error`` (``session_expired``) and closes with 1001
            "Your session hit the maximum duration of 60 minutes."; ``None`` never ends one.

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
        max_session_seconds: float | None = DEFAULT_MAX_SESSION_SECONDS,
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
            max_session_seconds=valid_max_session_seconds(max_session_seconds),
        )
        self.seed = seed_from_environment() if seed is None else seed
        """Seeds every choice the service may make either way (see :data:`SEED_VARIABLE`)."""
        self._client_secrets = ClientSecretStore(session)
        self._keep_closed = keep_closed_connections
        self._connection_count = 0
        self.connections: list[ConnectionRecord] = []
        """Every connection so far, oldest first, including closed ones (as many as
        ``keep_closed_connections`` allows)."""

    @property
    def http_url(self) -> str:
        """The API base URL, ``http://host:port/v1``, for clients that derive the WebSocket URL."""
        return f"http://{self._url_host}:{self.port}/v1"

    label: ClassVar[str] = "fake Realtime server"
    log: ClassVar[logging.Logger] = logger

    def _add_routes(self, app: web.Application) -> None:
        super()._add_routes(app)
        app.router.add_post(CLIENT_SECRETS_PATH, self._mint_client_secret)

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
        token = _bearer_token(request) or _subprotocol_key(request)
        options = self._options
        model = request.query.get("model")
        if token.startswith(SECRET_PREFIX):
            secret = self._client_secrets.valid(token)
            if secret is None:
                return _unauthorized("The client secret is unknown or has expired.")
            options = replace(options, session_overrides=secret.session)
            model = secret.model  # the secret binds the session, model included
        elif not self._key_matches(token):
            return _unauthorized()
        websocket = web.WebSocketResponse(max_msg_size=_MAX_MESSAGE_BYTES, protocols=_SUBPROTOCOLS)
        await websocket.prepare(request)
        record = ConnectionRecord(model=model or DEFAULT_MODEL, limit=options.record_limit)
        self.connections.append(record)
        self._connection_count += 1
        number = self._connection_count
        self._open.add(websocket)
        logger.debug("connection %d opened (model %s)", number, record.model)
        try:
            rng = random.Random(f"{self.seed}:{number}")
            connection = Connection(websocket, request, record, self._responder, options, rng)
            await connection.run()
        finally:
            self._open.discard(websocket)
            await websocket.close()
            self._forget_closed()
            logger.debug("connection %d closed", number)
        return websocket

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
