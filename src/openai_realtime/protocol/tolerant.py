"""The tolerant reader: a known server event whose payload did not validate, rebuilt.

The live API changes faster than the published schema (a new variant, a new enum value, ``null``
where an object was documented, a field that is no longer sent). Dropping such an event would
lose a ``session.created`` or a ``response.done`` for a detail the application may not even read,
so :func:`rebuild_event` builds the event's own class anyway:

* every field that validates is typed as usual;
* a field that does not is rebuilt one level down when it is an object whose model can still be
  told (its tags agree with exactly one model of the field's type), or a list or map (element by
  element); whatever cannot be rebuilt is the smallest failing subtree and is kept as the raw
  JSON value;
* a missing required field is ``None`` and left out of ``model_fields_set``, so
  ``model_dump(exclude_unset=True)`` writes what the wire had;
* each raw subtree or missing field is one :class:`~openai_realtime._models.ValidationIssue` in
  the event's ``validation_issues``, logged once per event type and path at WARNING.

Nothing here special-cases an event or a field: the rules follow the models' annotations, so
they hold for every event of the union.
"""

from __future__ import annotations

import json
import logging
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Final, Literal, TypeVar, Union, cast, get_args, get_origin

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from typing_extensions import TypeAliasType

from openai_realtime._models import RealtimeModel, ValidationIssue

__all__ = ["issue_touching", "rebuild_event", "rebuilt_to_json"]

# The codec's logger: these warnings are about decoding, wherever the code lives.
logger = logging.getLogger("openai_realtime.protocol.codec")

_Model = TypeVar("_Model", bound=RealtimeModel)
_Loc = tuple[str | int, ...]

_MESSAGE_LIMIT: Final = 300
# (event type, path with list indices as "*") pairs already logged. Bounded: past the limit the
# set starts over, so a server that keeps inventing paths costs some repeated lines, not memory.
_LOGGED_LIMIT: Final = 1024
_logged: set[tuple[str, tuple[str, ...]]] = set()


class _Raw:
    """Marks a value no model could be rebuilt for (it stays raw)."""


_RAW: Final = _Raw()


@dataclass(frozen=True, slots=True)
class _Shape:
    """How to validate a value of one annotation, and how to look inside it when that fails."""

    adapter: TypeAdapter[Any]
    models: tuple[type[BaseModel], ...]
    """The models a JSON object of this annotation may be (the union's members)."""
    discriminators: frozenset[str]
    """The tags that tell those models apart (``type``, and ``role`` for messages)."""
    sole_model: type[BaseModel] | None
    """The model, when it is the only alternative besides ``null``."""
    element: Any
    """The element annotation when a list is allowed, else ``None``."""
    value: Any
    """The value annotation when a string-keyed map is allowed, else ``None``."""


def _members(annotation: Any, discriminators: set[str]) -> list[Any]:
    """The alternatives of an annotation, through type aliases, ``Annotated`` and nested unions.

    The discriminators met on the way are added to ``discriminators``.
    """
    if isinstance(annotation, TypeAliasType):
        return _members(annotation.__value__, discriminators)
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        for entry in metadata:
            if isinstance(entry, FieldInfo) and isinstance(entry.discriminator, str):
                discriminators.add(entry.discriminator)
        return _members(inner, discriminators)
    if origin in (Union, types.UnionType):
        return [
            member
            for argument in get_args(annotation)
            for member in _members(argument, discriminators)
        ]
    return [annotation]


@cache
def _shape(annotation: Any) -> _Shape:
    discriminators: set[str] = set()
    members = _members(annotation, discriminators)
    models = tuple(m for m in members if isinstance(m, type) and issubclass(m, BaseModel))
    lists = [get_args(m)[0] for m in members if get_origin(m) is list]
    maps = [get_args(m)[1] for m in members if get_origin(m) is dict]
    alternatives = [m for m in members if m is not type(None)]
    sole_model = alternatives[0] if len(alternatives) == 1 and alternatives[0] in models else None
    return _Shape(
        TypeAdapter(annotation),
        models,
        frozenset(discriminators),
        sole_model,
        lists[0] if lists else None,
        maps[0] if maps else None,
    )


@cache
def _field_shape(model: type[BaseModel], name: str) -> _Shape:
    return _shape(_field_annotation(model.model_fields[name]))


def _field_annotation(field: FieldInfo) -> Any:
    """The field's annotation with its constraints and discriminator, as one type."""
    extras: list[Any] = list(field.metadata)
    if field.discriminator is not None:
        extras.append(Field(discriminator=field.discriminator))
    return Annotated[(field.annotation, *extras)] if extras else field.annotation


@cache
def _tags(model: type[BaseModel]) -> dict[str, Any]:
    """The model's constant fields (``type``, a message's ``role``) by wire name."""
    tags: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        values = get_args(field.annotation)
        if get_origin(field.annotation) is Literal and len(values) == 1:
            tags[field.alias or name] = values[0]
    return tags


def _pick(shape: _Shape, data: Mapping[str, Any]) -> type[BaseModel] | None:
    """The model to rebuild an object as, or ``None`` when that cannot be told.

    A field of one model type is that model whatever the object holds. Among alternatives, the
    object must agree with exactly one model: in a discriminated union on its discriminators
    (``type``, and ``role`` for messages), which it must carry; otherwise on the constants it
    carries. An object that names a variant we do not know is kept raw as a whole.
    """
    if shape.sole_model is not None:
        return shape.sole_model
    matching = [model for model in shape.models if _agrees(model, data, shape.discriminators)]
    return matching[0] if len(matching) == 1 else None


def _agrees(
    model: type[BaseModel], data: Mapping[str, Any], discriminators: frozenset[str]
) -> bool:
    for key, constant in _tags(model).items():
        if discriminators and key not in discriminators:
            continue
        if key not in data:
            if key in discriminators:
                return False
        elif type(data[key]) is not type(constant) or data[key] != constant:
            return False
    return True


def _message(error: ValidationError) -> str:
    """Pydantic's messages, without the input value (a log line must not quote the payload)."""
    messages: dict[str, None] = {}
    for detail in error.errors(include_url=False, include_input=False):
        if detail["type"] == "union_tag_invalid":
            # Its message quotes the tag the server sent: name the discriminator instead.
            context = detail.get("ctx", {})
            text = (
                f"unknown {context.get('discriminator', 'tag')}, expected one of "
                f"{context.get('expected_tags', '?')}"
            )
        else:
            text = detail["msg"]
        messages[text] = None
    text = "; ".join(messages)
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 3] + "..."


def _lenient(shape: _Shape, value: Any, loc: _Loc, issues: list[ValidationIssue]) -> Any:
    """The value validated, rebuilt around what fails, or raw."""
    try:
        return shape.adapter.validate_python(value)
    except ValidationError as error:
        found = len(issues)
        rebuilt = _look_inside(shape, value, loc, issues)
        if isinstance(rebuilt, _Raw) or len(issues) == found:
            # Nothing inside failed on its own (or nothing inside can be told): the failure is
            # this value's, so this is the smallest subtree to keep raw.
            issues.append(ValidationIssue(loc, _message(error)))
            return value
        return rebuilt


def _look_inside(shape: _Shape, value: Any, loc: _Loc, issues: list[ValidationIssue]) -> Any:
    if isinstance(value, dict):
        model = _pick(shape, value)
        if model is not None:
            return _build(model, value, loc, issues)
        if shape.value is not None:
            inner = _shape(shape.value)
            return {key: _lenient(inner, item, (*loc, key), issues) for key, item in value.items()}
    elif isinstance(value, list) and shape.element is not None:
        inner = _shape(shape.element)
        return [_lenient(inner, item, (*loc, index), issues) for index, item in enumerate(value)]
    return _RAW


def _build(
    model: type[BaseModel], data: Mapping[str, Any], loc: _Loc, issues: list[ValidationIssue]
) -> BaseModel:
    """An instance of ``model`` with every field that validates typed and the rest raw."""
    values: dict[str, Any] = {}
    fields_set: set[str] = set()
    known: set[str] = set()
    for name, field in model.model_fields.items():
        key = field.alias or name
        known.add(key)
        if key in data:
            fields_set.add(name)
            values[name] = _lenient(_field_shape(model, name), data[key], (*loc, key), issues)
        elif field.is_required():
            issues.append(ValidationIssue((*loc, key), "Field required"))
            values[name] = None
    instance = model.model_construct(fields_set, **values)
    if instance.__pydantic_extra__ is not None:
        # Unknown fields are kept as they came, as validation would keep them.
        instance.__pydantic_extra__.update(
            (key, value) for key, value in data.items() if key not in known
        )
    return instance


def rebuild_event(model: type[_Model], data: Mapping[str, Any]) -> _Model:
    """Build a server event of ``model`` from a payload that failed validation.

    Args:
        model: The event's class, chosen by its ``type``.
        data: The decoded frame (a JSON object).

    Returns:
        An instance of ``model`` whose ``validation_issues`` name every part kept raw; each
        issue is logged once per event type and path at WARNING.
    """
    issues: list[ValidationIssue] = []
    event = cast(_Model, _build(model, data, (), issues))
    # Not a field: stored beside the fields, so dumps and equality ignore it.
    object.__setattr__(event, "validation_issues", tuple(issues))
    _log(str(data.get("type")), issues)
    return event


def issue_touching(
    event: RealtimeModel, reads: Iterable[tuple[str, ...]], *, within: Iterable[_Loc] = ()
) -> ValidationIssue | None:
    """The first issue of a rebuilt event that lies at or above a location a consumer reads.

    Code that reads known parts of events (the conversation store, the client's bookkeeping)
    declares them and leaves a rebuilt event alone when one of them, or an object holding it, was
    kept raw; issues elsewhere do not concern it.

    Args:
        event: A decoded event.
        reads: Wire locations the consumer reads, from the event's root.
        within: Lists the consumer walks entry by entry, skipping entries that are not typed: an
            issue inside one of their entries concerns only that entry.

    Returns:
        The issue, or ``None`` when every location read validated.
    """
    lists = tuple(within)
    for issue in event.validation_issues:
        loc = issue.loc
        if any(loc[: len(walked)] == walked and len(loc) > len(walked) for walked in lists):
            continue
        if any(read[: len(loc)] == loc for read in reads):
            return issue
    return None


def rebuilt_to_json(event: RealtimeModel) -> str:
    """The wire JSON of a rebuilt event: its set fields and extras, raw parts as they came.

    Pydantic's serialiser cannot always write a raw value where its model expects another kind
    (a tagged union fails on an unhashable tag), so rebuilt events are written by walking them.
    """
    return json.dumps(_wire_value(event), ensure_ascii=False, separators=(",", ":"))


def _wire_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        fields_set = value.model_fields_set
        wire = {
            field.alias or name: _wire_value(getattr(value, name))
            for name, field in type(value).model_fields.items()
            if name in fields_set
        }
        wire.update((key, _wire_value(item)) for key, item in (value.model_extra or {}).items())
        return wire
    if isinstance(value, list):
        return [_wire_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _wire_value(item) for key, item in value.items()}
    return value


def _log(event_type: str, issues: list[ValidationIssue]) -> None:
    for issue in issues:
        key = (event_type, tuple("*" if isinstance(part, int) else part for part in issue.loc))
        if key in _logged:
            continue
        if len(_logged) >= _LOGGED_LIMIT:
            _logged.clear()
        _logged.add(key)
        logger.warning(
            "%s: %s does not match the schema and is kept as sent: %s",
            event_type,
            issue.path or "<event>",
            issue.message,
        )
