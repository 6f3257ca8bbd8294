"""The fake server's translation routes: the WebSocket and its client secrets.

* ``GET /v1/realtime/translations?model=...``: a translation session
  (:class:`~openai_realtime.testing.translation.TranslationConnection`), with the API key or
  a translation client secret;
* ``POST /v1/realtime/translations/client_secrets``: mints an ``ek_`` secret bound to a
  translation session (a realtime secret does not open a translation session, nor the reverse).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, MutableSet
from typing import Any, Final

from aiohttp import web
from pydantic import ValidationError

from openai_realtime.protocol.client_frames import refuse_unknown_parameters, validation_rejection
from openai_realtime.protocol.rejections import InvalidRequest, json_request_body
from openai_realtime.testing import clock
from openai_realtime.testing.client_secrets import (
    SECRET_PREFIX,
    MintedSecret,
    _lifetime,
)
from openai_realtime.testing.clock import FakeClock
from openai_realtime.testing.ids import IdFactory
from openai_realtime.testing.outbox import Outbox
from openai_realtime.testing.record import ConnectionRecord
from openai_realtime.testing.translation import (
    DEFAULT_TRANSLATION_MODEL,
    TranslationConnection,
    TranslationSessionConfig,
)
from openai_realtime.testing.translation_engine import Transcriber
from openai_realtime.types import RealtimeTranslationClientSecretCreateRequest

__all__ = ["TRANSLATION_SECRETS_PATH", "TranslationEndpoint"]

TRANSLATION_SECRETS_PATH: Final = "/v1/realtime/translations/client_secrets"
# One append may carry 15 MiB of base64, as on the realtime channel.
_MAX_MESSAGE_BYTES: Final = 16 * 1024 * 1024 + 64 * 1024

ErrorResponse = Callable[[InvalidRequest, int], web.Response]


class TranslationEndpoint:
    """Serves translation sessions for one fake server.

    Args:
        authorized: Whether a bearer token is the server's key.
        transcribe: The responder's transcriber.
        fake_clock: The server's clock.
        chunk_ms: Audio per output delta.
        pace: Streaming pace of the translated speech (see ``FakeRealtimeServer(pace=)``).
        open_sockets: The server's open WebSockets (closed when it stops).
        records: The server's connection records.
        error_response: Builds a live-shaped HTTP error.
    """

    def __init__(
        self,
        *,
        authorized: Callable[[str], bool],
        transcribe: Transcriber,
        fake_clock: FakeClock,
        chunk_ms: int,
        pace: float | None,
        open_sockets: MutableSet[web.WebSocketResponse],
        records: list[ConnectionRecord],
        error_response: ErrorResponse,
    ) -> None:
        self._authorized = authorized
        self._transcribe = transcribe
        self._clock = fake_clock
        self._chunk_ms = chunk_ms
        self._pace = pace
        self._open = open_sockets
        self._records = records
        self._error = error_response
        self._secrets: dict[str, MintedSecret] = {}

    async def handle(self, request: web.Request, token: str) -> web.StreamResponse:
        """Serve one translation WebSocket."""
        model = request.query.get("model") or DEFAULT_TRANSLATION_MODEL
        overrides: dict[str, Any] = {}
        if token.startswith(SECRET_PREFIX):
            secret = self._secrets.get(token)
            if secret is None or clock.wall_time() >= secret.expires_at:
                return self._unauthorized("The client secret is unknown or has expired.")
            model, overrides = secret.model, dict(secret.session)
        elif not self._authorized(token):
            return self._unauthorized("Incorrect or missing API key.")
        websocket = web.WebSocketResponse(max_msg_size=_MAX_MESSAGE_BYTES, protocols=("realtime",))
        await websocket.prepare(request)
        record = ConnectionRecord(model=model)
        self._records.append(record)
        self._open.add(websocket)
        ids = IdFactory()
        try:
            session = TranslationSessionConfig(ids.make("sess"), model, overrides)
            outbox = Outbox(websocket, request, record, ids, self._clock)
            connection = TranslationConnection(
                websocket,
                outbox,
                record,
                session,
                self._transcribe,
                self._chunk_ms,
                self._clock,
                self._pace,
            )
            await connection.run()
        finally:
            self._open.discard(websocket)
            await websocket.close()
        return websocket

    async def mint_secret(self, request: web.Request, token: str) -> web.Response:
        """``POST /v1/realtime/translations/client_secrets``."""
        if token.startswith(SECRET_PREFIX) or not self._authorized(token):
            return self._unauthorized("Incorrect or missing API key.")
        try:
            body = self._mint(await request.text())
        except InvalidRequest as rejection:
            return self._error(rejection, 400)
        return web.json_response(body)

    def _mint(self, text: str) -> dict[str, Any]:
        data = json_request_body(text)
        try:
            typed = RealtimeTranslationClientSecretCreateRequest.model_validate(data)
        except ValidationError as error:
            raise validation_rejection(data, error.errors(include_url=False)) from None
        refuse_unknown_parameters(typed, "")
        seconds = _lifetime(data.get("expires_after") or {})
        changes = typed.session.model_dump(mode="json", exclude_unset=True)
        model = str(changes.pop("model"))
        session_id = "sess_" + secrets.token_hex(10)
        snapshot = TranslationSessionConfig(session_id, model, changes).snapshot()
        secret = MintedSecret.mint(seconds, model, changes)
        self._secrets[secret.value] = secret
        return {
            "value": secret.value,
            "expires_at": secret.expires_at,
            "session": snapshot.model_dump(mode="json"),
        }

    def _unauthorized(self, message: str) -> web.Response:
        return self._error(InvalidRequest(message, code="invalid_api_key"), 401)
