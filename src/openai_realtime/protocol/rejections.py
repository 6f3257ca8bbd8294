"""How the live service refuses a client event: :class:`InvalidRequest`, worded as live.

The helpers build the rejections the live service sends most often, with its codes and message
wording (the testing guide's table of live errors says where each comes from). The fake server
answers with them, and the relay refuses with them before anything reaches the upstream.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from openai_realtime.types import ErrorEvent, RealtimeErrorDetails

__all__ = [
    "InvalidRequest",
    "integer_in_range",
    "invalid_type",
    "invalid_value",
    "json_request_body",
    "missing_parameter",
    "out_of_range",
    "parse_json",
    "supported_values",
    "unknown_parameter_error",
]


class InvalidRequest(Exception):
    """A client event the service refuses, to be reported as an ``error`` event.

    Args:
        message: What is wrong, in words a developer can act on.
        code: The service's error code (e.g. ``"item_not_found"``).
        param: The offending parameter path, relative to the event, if one is to blame.
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


def supported_values(values: Sequence[str]) -> str:
    """List allowed values as the service does: ``'a', 'b', and 'c'``."""
    quoted = [f"'{value}'" for value in values]
    if len(quoted) < 3:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def missing_parameter(param: str) -> InvalidRequest:
    """``missing_required_parameter``: "Missing required parameter: '<param>'."."""
    return InvalidRequest(
        f"Missing required parameter: '{param}'.",
        code="missing_required_parameter",
        param=param,
    )


def unknown_parameter_error(param: str, event_id: str | None = None) -> InvalidRequest:
    """``unknown_parameter``: "Unknown parameter: '<param>'."."""
    return InvalidRequest(
        f"Unknown parameter: '{param}'.", code="unknown_parameter", param=param, event_id=event_id
    )


def invalid_value(param: str, value: Any, allowed: Sequence[str]) -> InvalidRequest:
    """``invalid_value``: "Invalid value: '<value>'. Supported values are: ..."."""
    return InvalidRequest(
        f"Invalid value: '{value}'. Supported values are: {supported_values(allowed)}.",
        code="invalid_value",
        param=param,
    )


def out_of_range(
    param: str, value: float, limit: float, *, below: bool, inclusive: bool = True
) -> InvalidRequest:
    """``integer_below_min_value`` and its kin: a number outside its allowed range.

    Args:
        param: The parameter.
        value: What was sent.
        limit: The bound it broke.
        below: True when under a minimum, False when over a maximum.
        inclusive: Whether the bound itself is allowed.
    """
    number = "integer" if isinstance(value, int) else "decimal"
    side, bound = ("below", "min") if below else ("above", "max")
    sign = (">" if below else "<") + ("=" if inclusive else "")
    return InvalidRequest(
        f"Invalid '{param}': {number} {side} {bound}imum value. Expected a value {sign} "
        f"{limit}, but got {value} instead.",
        code=f"{number}_{side}_{bound}_value",
        param=param,
    )


def invalid_type(param: str, expected: str) -> InvalidRequest:
    """``invalid_type``: "Invalid type for '<param>': expected <expected>."."""
    return InvalidRequest(
        f"Invalid type for '{param}': expected {expected}.", code="invalid_type", param=param
    )


def integer_in_range(param: str, value: object, low: int, high: int) -> int:
    """The value of an integer parameter that must lie from ``low`` to ``high``.

    Args:
        param: The parameter.
        value: What was sent.
        low: The least value allowed.
        high: The greatest value allowed.

    Returns:
        The value.

    Raises:
        InvalidRequest: ``invalid_type`` for anything but an integer (``true`` is not one), or
            the :func:`out_of_range` rejection.
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_type(param, "an integer")
    if value < low:
        raise out_of_range(param, value, low, below=True)
    if value > high:
        raise out_of_range(param, value, high, below=False)
    return value


def parse_json(text: str | bytes) -> Any:
    """The JSON value of a client frame or a request body.

    Raises:
        InvalidRequest: ``invalid_json``: it is not JSON.
    """
    try:
        return json.loads(text)
    except ValueError as error:
        raise InvalidRequest(
            f"We could not parse the JSON body of your request: {error}.", code="invalid_json"
        ) from None


def json_request_body(text: str) -> dict[str, Any]:
    """The JSON object a REST request carries; an empty body is an empty object.

    Raises:
        InvalidRequest: ``invalid_json``, or ``invalid_type`` for JSON that is not an object.
    """
    data = parse_json(text) if text.strip() else {}
    if not isinstance(data, dict):
        raise InvalidRequest("The request body must be a JSON object.", code="invalid_type")
    return data
