"""Client frames in, typed events or a service-shaped rejection out.

The service answers a bad client event with an ``error`` event (``invalid_request_error``,
naming the offending ``event_id``) and keeps the connection open; :class:`InvalidRequest` is
that answer before it is sent. Besides schema validation, unknown parameters are rejected like
the service does, which catches beta-era fields (``session.modalities``, ``voice`` at the top
level, ...) sent to the GA interface.
"""

from __future__ import annotations

import json
from typing import Any

from openai_realtime._models import RealtimeModel
from openai_realtime.errors import ProtocolError
from openai_realtime.protocol.codec import decode_client_event
from openai_realtime.types import ClientEvent, ErrorEvent, RealtimeErrorDetails

__all__ = ["InvalidRequest", "parse_client_frame"]


class InvalidRequest(Exception):
    """A client event the fake server refuses, to be reported as an ``error`` event.

    Args:
        message: What is wrong, in words a developer can act on.
        code: The service-style error code (e.g. ``"item_not_found"``).
        param: The offending parameter path, if one is to blame.
        event_id: The ``event_id`` of the client event, when it had one.
        error_type: The error ``type``; ``invalid_request_error`` unless the server failed.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        param: str | None = None,
        event_id: str | None = None,
        error_type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.event_id = event_id
        self.error_type = error_type

    def to_event(self, event_id: str) -> ErrorEvent:
        """Build the ``error`` event that reports this rejection.

        Args:
            event_id: The server event id to give the ``error`` event.

        Returns:
            The event.
        """
        return ErrorEvent(
            event_id=event_id,
            error=RealtimeErrorDetails(
                type=self.error_type,
                code=self.code,
                message=self.message,
                param=self.param,
                event_id=self.event_id,
            ),
        )


def parse_client_frame(frame: str) -> ClientEvent:
    """Validate one client text frame.

    Args:
        frame: The frame's text.

    Returns:
        The typed client event.

    Raises:
        InvalidRequest: The frame is not a valid client event, or has parameters the
            interface does not define.
    """
    try:
        event = decode_client_event(frame)
    except ProtocolError as error:
        raise InvalidRequest(
            f"Invalid client event: {_first_problem(error)}",
            code="invalid_event",
            param=_first_param(error),
            event_id=_lenient_event_id(frame),
        ) from None
    unknown = _unknown_parameter(event, "")
    if unknown is not None:
        raise InvalidRequest(
            f"Unknown parameter: '{unknown}'.",
            code="unknown_parameter",
            param=unknown,
            event_id=event.event_id,
        )
    return event


def _first_problem(error: ProtocolError) -> str:
    detail_lines = [line.strip() for line in error.detail.splitlines() if line.strip()]
    summary = str(error).split(":", 1)[0]
    return f"{summary}; {detail_lines[0]}" if detail_lines else summary


def _first_param(error: ProtocolError) -> str | None:
    for line in error.detail.splitlines():
        location = line.strip().split(":", 1)[0]
        if location and location != "<frame>":
            return location
    return None


def _lenient_event_id(frame: str) -> str | None:
    """The frame's ``event_id`` if it is readable at all, so the error can point back to it."""
    try:
        data = json.loads(frame)
    except ValueError:
        return None
    event_id = data.get("event_id") if isinstance(data, dict) else None
    return event_id if isinstance(event_id, str) else None


def _unknown_parameter(value: Any, path: str) -> str | None:
    """The dotted path of the first field no model declares, or ``None``."""
    if isinstance(value, RealtimeModel):
        if value.model_extra:
            return _join(path, next(iter(value.model_extra)))
        for name in value.model_fields_set:
            found = _unknown_parameter(getattr(value, name), _join(path, name))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, element in enumerate(value):
            found = _unknown_parameter(element, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
