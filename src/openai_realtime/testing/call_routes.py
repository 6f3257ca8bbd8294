"""The fake server's call-control endpoints and sideband WebSockets, answering as live does.

============================================  ============================================
request                                       answer
============================================  ============================================
``POST /v1/realtime/calls/{id}/accept``       200; 400 for a malformed session (JSON, a
                                              missing ``type``, unknown or invalid fields),
                                              ``call_already_accepted``, ``call_ended``
``POST /v1/realtime/calls/{id}/reject``       200; 400 for a ``status_code`` that is not a
                                              SIP error status (400-699)
``POST /v1/realtime/calls/{id}/refer``        200; 400 for a missing or non ``tel:`` /
                                              ``sip:`` ``target_uri``, ``call_not_active``
``POST /v1/realtime/calls/{id}/hangup``       200; 400 ``call_not_active`` / ``call_ended``
``GET /v1/realtime?call_id={id}`` (upgrade)   the sideband; 404 ``call_id_not_found`` for
                                              an unknown, ringing or ended call
============================================  ============================================

Any request naming an unknown call gets 404 ``call_id_not_found``. Errors have OpenAI's REST
shape, ``{"error": {"type", "code", "message", "param"}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from aiohttp import web
from pydantic import TypeAdapter, ValidationError

from openai_realtime.protocol.client_frames import refuse_unknown_parameters, validation_rejection
from openai_realtime.protocol.rejections import (
    InvalidRequest,
    integer_in_range,
    json_request_body,
    missing_parameter,
)
from openai_realtime.testing.calls import CallOutcome, FakeCall, call_not_found
from openai_realtime.testing.phone import SIP_SESSION, PhoneLine
from openai_realtime.testing.session import deep_merge
from openai_realtime.types import RealtimeSessionCreateRequest

__all__ = ["CALLS_PATH", "CallRoutes", "error_response"]

CALLS_PATH: Final = "/v1/realtime/calls"
_SESSION: Final = TypeAdapter[RealtimeSessionCreateRequest](RealtimeSessionCreateRequest)
_MIN_SIP_STATUS, _MAX_SIP_STATUS = 400, 699
_MAX_MESSAGE_BYTES: Final = 16 * 1024 * 1024 + 64 * 1024


def error_response(rejection: InvalidRequest, status: int = 400) -> web.Response:
    """A REST error answer in OpenAI's shape."""
    body = {
        "error": {
            "type": rejection.error_type,
            "code": rejection.code,
            "message": rejection.message,
            "param": rejection.param,
        }
    }
    return web.json_response(body, status=status)


class CallRoutes:
    """The handlers; the server registers them and checks credentials first.

    Args:
        phone: The server's phone line (its calls and how to start their sessions).
        authorized: Whether a request carries credentials this server accepts.
        unauthorized: The 401 answer.
    """

    def __init__(
        self,
        phone: PhoneLine,
        authorized: Callable[[web.Request], bool],
        unauthorized: Callable[[], web.Response],
    ) -> None:
        self._phone = phone
        self._authorized = authorized
        self._unauthorized = unauthorized

    def add_to(self, app: web.Application) -> None:
        """Register the call-control routes (the sideband shares the Realtime route)."""
        for action, handler in (
            ("accept", self._accept),
            ("reject", self._reject),
            ("refer", self._refer),
            ("hangup", self._hangup),
        ):
            app.router.add_post(f"{CALLS_PATH}/{{call_id}}/{action}", self._guarded(handler))

    async def serve_sideband(self, request: web.Request, call_id: str) -> web.StreamResponse:
        """Attach a sideband WebSocket to an active call (credentials already checked)."""
        try:
            call = self._phone.registry.get(call_id)
        except InvalidRequest as rejection:
            return error_response(rejection, 404)
        if call.state != "active" or call.session is None:
            return error_response(call_not_found(call_id), 404)
        websocket = web.WebSocketResponse(max_msg_size=_MAX_MESSAGE_BYTES, protocols=("realtime",))
        await websocket.prepare(request)
        await call.session.line.serve_sideband(websocket)
        return websocket

    def _guarded(
        self, handler: Callable[[FakeCall, dict[str, Any], web.Request], Any]
    ) -> Callable[[web.Request], Any]:
        async def route(request: web.Request) -> web.StreamResponse:
            if not self._authorized(request):
                return self._unauthorized()
            call_id = request.match_info["call_id"]
            try:
                call = self._phone.registry.get(call_id)
            except InvalidRequest as rejection:
                return error_response(rejection, 404)
            try:
                await handler(call, json_request_body(await request.text()), request)
            except InvalidRequest as rejection:
                return error_response(rejection)
            return web.Response(status=200)

        return route

    async def _accept(self, call: FakeCall, body: dict[str, Any], request: web.Request) -> None:
        call.check_ringing()
        session = _accepted_session(body)
        base = SIP_SESSION if call.kind == "sip" else {}
        try:
            call_session = self._phone.new_session(request, call.call_id, deep_merge(base, session))
        except ValueError as error:
            raise InvalidRequest(f"Invalid session: {error}", code="invalid_value") from None
        call.activate(call_session)

    async def _reject(self, call: FakeCall, body: dict[str, Any], request: web.Request) -> None:
        status = integer_in_range(
            "status_code", body.get("status_code", 603), _MIN_SIP_STATUS, _MAX_SIP_STATUS
        )
        call.check_ringing()
        await call.end(CallOutcome("rejected", sip_status=status))

    async def _refer(self, call: FakeCall, body: dict[str, Any], request: web.Request) -> None:
        target = body.get("target_uri")
        if target is None:
            raise missing_parameter("target_uri")
        if not isinstance(target, str) or not target.startswith(("tel:", "sip:", "sips:")):
            raise InvalidRequest(
                f"Invalid 'target_uri': {target!r} is not a tel: or sip: URI.",
                code="invalid_value",
                param="target_uri",
            )
        call.check_active()
        await call.end(CallOutcome("referred", refer_target=target))

    async def _hangup(self, call: FakeCall, body: dict[str, Any], request: web.Request) -> None:
        call.check_active()
        await call.end(CallOutcome("hung_up"))


def _accepted_session(body: dict[str, Any]) -> dict[str, Any]:
    """The session of an ``/accept`` body, checked as strictly as a ``session.update``.

    Live once answered 200 to a malformed accept and the call failed afterwards; refusing here
    makes an app find its mistake where it made it.
    """
    if "type" not in body:
        raise missing_parameter("type")
    try:
        typed = _SESSION.validate_python(body)
    except ValidationError as error:
        raise validation_rejection(body, error.errors(include_url=False)) from None
    refuse_unknown_parameters(typed, "")
    session = typed.model_dump(mode="json", exclude_unset=True)
    session.pop("type", None)
    return session
