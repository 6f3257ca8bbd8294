"""The fake server's WebRTC calls: ``POST /v1/realtime/calls`` and sidebands by call id.

A caller posts its SDP offer, either raw (``Content-Type: application/sdp``, usually with an
ephemeral ``ek_`` client secret whose session it gets) or as ``multipart/form-data`` with an
``sdp`` part and a ``session`` part (JSON, as a client secret would be minted with). The answer
is ``201 Created`` with the SDP answer as the body and ``/v1/realtime/calls/{call_id}`` in
``Location``. From then on the call is served by the same connection a WebSocket client gets
(see :mod:`~openai_realtime.testing.webrtc_channel` for what differs on a call), and a server
may attach to it with a WebSocket at ``/v1/realtime?call_id={call_id}`` using the API key.

The endpoint answers CORS preflights and sets ``Access-Control-Allow-Origin``, so a page served
from another local port can call it. Answering needs the ``webrtc`` extra (aiortc), imported
when the first call arrives; without it the endpoint answers 501 naming the extra.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final, cast

from aiohttp import BodyPartReader, web

from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.testing.calls import call_not_found
from openai_realtime.testing.client_secrets import _session_changes
from openai_realtime.testing.session import deep_merge

if TYPE_CHECKING:
    from openai_realtime.testing.connection import ConnectionOptions
    from openai_realtime.testing.server import FakeRealtimeServer
    from openai_realtime.testing.webrtc_call import FakeCall

__all__ = ["CALLS_PATH", "WebRTCCalls"]

logger = logging.getLogger("openai_realtime.testing")

CALLS_PATH: Final = "/v1/realtime/calls"

_CHANNEL_TIMEOUT_SECONDS: Final = 20.0
_FORM_PARTS: Final = frozenset({"sdp", "session"})
_CORS_HEADERS: Final = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Expose-Headers": "Location",
}


class WebRTCCalls:
    """The calls of one fake server: the create route and the sideband attachments.

    Args:
        server: The fake server whose credentials, options and connections the calls use.
    """

    def __init__(self, server: FakeRealtimeServer) -> None:
        self._server = server
        self._calls: dict[str, FakeCall] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def add_routes(self, app: web.Application) -> None:
        """Register ``POST /v1/realtime/calls`` and its CORS preflight."""
        app.router.add_post(CALLS_PATH, self._create)
        app.router.add_route("OPTIONS", CALLS_PATH, self._preflight)
        app.on_shutdown.append(self._shut_down)

    @property
    def call_ids(self) -> list[str]:
        """The ids of the calls in progress, oldest first."""
        return list(self._calls)

    def call(self, call_id: str) -> FakeCall:
        """The call in progress with this id.

        Raises:
            KeyError: No such call is in progress.
        """
        return self._calls[call_id]

    async def attach_sideband(self, request: web.Request, call_id: str) -> web.StreamResponse:
        """Serve a sideband WebSocket for a call (``/v1/realtime?call_id=``)."""
        authorized = self._server.authorize(request, None)
        if isinstance(authorized, web.Response):
            return authorized
        call = self._calls.get(call_id)
        if call is None or call.socket is None:
            refused = call_not_found(call_id)
            return _error(404, refused.message, refused.code)
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        await call.socket.serve_sideband(websocket)
        return websocket

    async def _preflight(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers=_CORS_HEADERS)

    async def _create(self, request: web.Request) -> web.Response:
        try:
            offer, session = await _read_offer(request)
        except InvalidRequest as rejection:
            return _error(400, rejection.message, rejection.code, rejection.param)
        model = session.pop("model", None) if session is not None else None
        authorized = self._server.authorize(request, model)
        if isinstance(authorized, web.Response):
            authorized.headers.update(_CORS_HEADERS)
            return authorized
        options, model = authorized
        if session is not None:
            merged = deep_merge(options.session_overrides or {}, session)
            options = replace(options, session_overrides=merged)
        try:
            from openai_realtime.testing.webrtc_call import FakeCall
        except ImportError:
            return _error(
                501,
                "Answering WebRTC calls needs the webrtc extra: "
                "pip install 'openai-realtime[webrtc]'.",
                "webrtc_unavailable",
            )
        call = FakeCall("rtc_" + secrets.token_hex(12), self._server.clock)
        try:
            answer = await call.answer(offer)
        except ValueError as error:
            await call.hang_up()
            return _error(400, f"The SDP offer could not be answered: {error}", "invalid_offer")
        self._calls[call.call_id] = call
        task = asyncio.create_task(self._serve(call, request, options, model))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        headers = {**_CORS_HEADERS, "Location": f"{CALLS_PATH}/{call.call_id}"}
        return web.Response(
            status=201, text=answer, content_type="application/sdp", headers=headers
        )

    async def _serve(
        self, call: FakeCall, request: web.Request, options: ConnectionOptions, model: str | None
    ) -> None:
        try:
            socket = await call.open_socket(
                self._server.clock.real_seconds(_CHANNEL_TIMEOUT_SECONDS)
            )
        except TimeoutError:
            logger.info("call %s: the events channel never opened", call.call_id)
            await call.hang_up()
            self._calls.pop(call.call_id, None)
            return
        try:
            # The connection serves the call's socket exactly as it would a WebSocket.
            websocket = cast(web.WebSocketResponse, socket)
            await self._server.serve_connection(websocket, request, options, model, call.start)
        finally:
            self._calls.pop(call.call_id, None)
            await call.hang_up()

    async def _shut_down(self, app: web.Application) -> None:
        for call in list(self._calls.values()):
            if call.socket is not None:
                await call.socket.close()
            else:
                await call.hang_up()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def _read_offer(request: web.Request) -> tuple[str, dict[str, Any] | None]:
    """The SDP offer and the session changes (multipart only) of a create request."""
    if request.content_type == "application/sdp":
        return await request.text(), None
    if request.content_type != "multipart/form-data":
        raise InvalidRequest(
            "Send the offer as application/sdp, or as multipart/form-data with 'sdp' and "
            "'session' parts.",
            code="unsupported_content_type",
        )
    parts: dict[str, str] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if isinstance(part, BodyPartReader) and part.name in _FORM_PARTS:
            parts[part.name] = await part.text()
    sdp = parts.get("sdp", "")
    if not sdp.strip():
        raise InvalidRequest(
            "Missing required parameter: 'sdp'.", code="missing_required_parameter", param="sdp"
        )
    raw_session = parts.get("session")
    if raw_session is None:
        return sdp, None
    try:
        session = json.loads(raw_session)
    except ValueError as error:
        raise InvalidRequest(
            f"We could not parse the JSON of 'session': {error}.",
            code="invalid_json",
            param="session",
        ) from None
    return sdp, _session_changes(session)


def _error(status: int, message: str, code: str, param: str | None = None) -> web.Response:
    body = {
        "error": {"type": "invalid_request_error", "code": code, "message": message, "param": param}
    }
    return web.json_response(body, status=status, headers=_CORS_HEADERS)
