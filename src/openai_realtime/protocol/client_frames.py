"""Client frames in, typed events or a live-shaped rejection out (no I/O).

The service answers a bad client event with an ``error`` event (``invalid_request_error``,
naming the offending ``event_id``) and keeps the connection open; :class:`InvalidRequest` is
that answer before it is sent. Rejections copy the live service's shape: its error codes
(``invalid_value``, ``missing_required_parameter``, ``invalid_type``, ``unknown_parameter``),
its message wording, and a ``param`` path relative to the event in the live form
(``item.content[0].type``), never the validator's internal union-branch path. Unknown
parameters are refused like the service does, which catches beta-era fields
(``session.modalities``, ``voice`` at the top level, ...) sent to the GA interface.
"""

from __future__ import annotations

import re
import typing
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from openai_realtime._models import RealtimeModel
from openai_realtime.protocol.item_rules import check_item
from openai_realtime.protocol.rejections import (
    InvalidRequest,
    invalid_value,
    missing_parameter,
    out_of_range,
    parse_json,
    unknown_parameter_error,
)
from openai_realtime.types import ClientEvent, ConversationItemCreateEvent

__all__ = [
    "CLIENT_EVENT_TYPES",
    "InvalidRequest",
    "parse_client_frame",
    "refuse_unknown_parameters",
    "unknown_parameter",
    "validate_client_fields",
    "validation_rejection",
]

_CLIENT: Final = TypeAdapter[ClientEvent](ClientEvent)

CLIENT_EVENT_TYPES: Final[tuple[str, ...]] = tuple(
    typing.get_args(event_class.model_fields["type"].annotation)[0]
    for event_class in typing.get_args(typing.get_args(ClientEvent)[0])
)
"""The ``type`` of every client event the interface defines, in the schema's order."""


_TYPE_NAMES: Final = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "an array",
}
_BOUNDS: Final = (
    ("ge", True, True),
    ("gt", True, False),
    ("le", False, True),
    ("lt", False, False),
)
_QUOTED: Final = re.compile(r"'([^']*)'")


def parse_client_frame(frame: str) -> ClientEvent:
    """Validate one client text frame.

    Args:
        frame: The frame's text.

    Returns:
        The typed client event.

    Raises:
        InvalidRequest: The frame is not a valid client event, has parameters the interface
            does not define, or breaks a rule the service enforces beyond the schema.
    """
    data = parse_json(frame)
    if not isinstance(data, dict):
        raise InvalidRequest(
            f"Invalid type for event: expected an object, but got {_json_kind(data)} instead.",
            code="invalid_type",
        )
    return validate_client_fields(data)


def validate_client_fields(data: dict[str, Any]) -> ClientEvent:
    """Validate a client event already parsed from JSON, as the service would.

    Args:
        data: The event's JSON object.

    Returns:
        The typed client event.

    Raises:
        InvalidRequest: As :func:`parse_client_frame`, with the event's ``event_id``.
    """
    event_id = data.get("event_id") if isinstance(data.get("event_id"), str) else None
    try:
        event = _validate(data)
    except InvalidRequest as rejection:
        rejection.event_id = event_id
        raise
    refuse_unknown_parameters(event, "", event_id=event_id)
    if isinstance(event, ConversationItemCreateEvent):
        try:
            check_item(event.item, "item")
        except InvalidRequest as rejection:
            rejection.event_id = event_id
            raise
    return event


def _validate(data: dict[str, Any]) -> ClientEvent:
    event_type = data.get("type")
    if event_type is None:
        raise missing_parameter("type")
    if not isinstance(event_type, str):
        raise InvalidRequest(
            f"Invalid type for 'type': expected a string, but got {_json_kind(event_type)} "
            "instead.",
            code="invalid_type",
            param="type",
        )
    if event_type not in CLIENT_EVENT_TYPES:
        raise invalid_value("type", event_type, CLIENT_EVENT_TYPES)
    try:
        return _CLIENT.validate_python(data)
    except ValidationError as error:
        raise validation_rejection(data, error.errors(include_url=False)) from None


def validation_rejection(
    data: dict[str, Any], errors: list[ErrorDetails], root: str = ""
) -> InvalidRequest:
    """The live-shaped answer to the most specific validation problem.

    Args:
        data: The JSON that was validated, wrapped so ``root`` names where validation began.
        errors: Pydantic's errors.
        root: The key of ``data`` the validated value sits under (``""``: ``data`` itself).

    Returns:
        The rejection, with ``param`` in the live form.
    """
    prefix: tuple[int | str, ...] = (root,) if root else ()
    placed = [(_live_path(data, prefix + tuple(error["loc"])), error) for error in errors]
    (path, value), error = max(placed, key=lambda entry: len(entry[0][0]))
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "missing":
        return missing_parameter(_join(path, str(error["loc"][-1])))
    if kind == "union_tag_not_found":
        return missing_parameter(_join(path, _unquote(context.get("discriminator", "'type'"))))
    if kind == "union_tag_invalid":
        param = _join(path, _unquote(context.get("discriminator", "'type'")))
        return invalid_value(param, context.get("tag"), _QUOTED.findall(context["expected_tags"]))
    if kind in ("literal_error", "enum"):
        return invalid_value(path, value, _QUOTED.findall(str(context.get("expected", ""))))
    if kind in _TYPE_NAMES:
        return InvalidRequest(
            f"Invalid type for '{path}': expected {_TYPE_NAMES[kind]}, but got "
            f"{_json_kind(value)} instead.",
            code="invalid_type",
            param=path,
        )
    if kind in ("string_too_long", "string_too_short"):
        limit = context.get("max_length", context.get("min_length"))
        side, bound_name = (
            ("above", "maximum") if kind == "string_too_long" else ("below", "minimum")
        )
        return InvalidRequest(
            f"Invalid '{path}': string too {kind.rsplit('_', 1)[1]}. Expected a string with "
            f"{bound_name} length {limit}, but got a string with length {len(str(value))} "
            "instead.",
            code=f"string_{side}_{bound_name[:3]}_length",
            param=path,
        )
    for bound, below, inclusive in _BOUNDS:
        if bound in context:
            return out_of_range(path, value, context[bound], below=below, inclusive=inclusive)
    return InvalidRequest(
        f"Invalid value for '{path}': {error['msg']}.", code="invalid_value", param=path
    )


def _live_path(data: Any, location: tuple[int | str, ...]) -> tuple[str, Any]:
    """Follow a validator location through the frame, keeping only the steps the frame has.

    Locations name union branches and validators (``message``, ``user``, ``str``) between
    real keys; those never match a key of the JSON at that point, so they drop out.
    """
    path, node = "", data
    for step in location:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            path, node = f"{path}[{step}]", node[step]
        elif isinstance(step, str) and isinstance(node, dict) and step in node:
            path, node = _join(path, step), node[step]
    return path, node


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _unquote(text: str) -> str:
    return text.strip("'")


def unknown_parameter(value: Any, path: str) -> str | None:
    """The live path of the first field no model declares, or ``None``.

    Args:
        value: A validated model (or list of them).
        path: Where ``value`` sits, for the returned path.
    """
    if isinstance(value, RealtimeModel):
        for name in value.model_extra or {}:
            return _join(path, name)
        for name in value.model_fields_set:
            found = unknown_parameter(getattr(value, name), _join(path, name))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, element in enumerate(value):
            found = unknown_parameter(element, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def refuse_unknown_parameters(value: Any, path: str, *, event_id: str | None = None) -> None:
    """Refuse ``value`` as live does when a field in it is one no model declares.

    Args:
        value: A validated model (or list of them).
        path: Where ``value`` sits, for the rejection's ``param``.
        event_id: The ``event_id`` of the client event refused, if any.

    Raises:
        InvalidRequest: ``unknown_parameter``, naming the first such field (see
            :func:`unknown_parameter`).
    """
    unknown = unknown_parameter(value, path)
    if unknown is not None:
        raise unknown_parameter_error(unknown, event_id)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
