"""Hypothesis strategies for wire events, derived from the generated pydantic models.

:func:`wire_data` reads a model's fields (annotation, constraints, required or not) and draws
the JSON-ready ``dict`` of a valid instance; nested models, lists, unions, literals and type
aliases are followed. :func:`valid_server_frames` wraps that into frames of any server event,
and :func:`mutated_frames` breaks frames in the ways a faulty or hostile peer would.

Field values can be steered with overrides, by field name or by ``(model, field)``: the
conversation fuzzer uses them to draw ids from a small pool, so events refer to each other.
"""

from __future__ import annotations

import base64
import json
import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeAlias, Union, get_args, get_origin

import annotated_types
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from typing_extensions import TypeAliasType

from openai_realtime.types import CLIENT_EVENTS, SERVER_EVENTS

__all__ = [
    "Overrides",
    "audio_base64",
    "json_values",
    "mutated_frames",
    "valid_client_frames",
    "valid_server_frames",
    "wire_data",
]

Overrides: TypeAlias = Mapping[str | tuple[type[BaseModel], str], st.SearchStrategy[Any]]
"""Strategies that replace the derived one, for a field name or a ``(model, field)`` pair."""

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    # JSON has no NaN or Infinity (Python's json writes them, but no peer should).
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
"""Any JSON value, small."""


def audio_base64(max_samples: int = 2400) -> st.SearchStrategy[str]:
    """Base64 of PCM16 audio (an even number of bytes), up to ``max_samples`` samples."""
    return st.binary(max_size=2 * max_samples).map(
        lambda raw: base64.b64encode(raw[: len(raw) // 2 * 2]).decode()
    )


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    """The numeric and length constraints pydantic keeps in a field's metadata."""
    found: dict[str, Any] = {}
    for entry in metadata:
        if isinstance(entry, FieldInfo):
            # `Annotated[..., Field(...)]` inside a type alias: its constraints sit one level down.
            found.update(_bounds(list(entry.metadata)))
            continue
        for name in ("ge", "le", "gt", "lt", "min_length", "max_length", "pattern"):
            value = getattr(entry, name, None)
            if value is not None:
                found[name] = value
        if isinstance(entry, annotated_types.MaxLen):
            found["max_length"] = entry.max_length
        if isinstance(entry, annotated_types.MinLen):
            found["min_length"] = entry.min_length
    return found


def _number(kind: type, bounds: dict[str, Any]) -> st.SearchStrategy[Any]:
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    if kind is int:
        return st.integers(min_value=low, max_value=high)
    return st.floats(
        min_value=low,
        max_value=high,
        exclude_min="gt" in bounds,
        exclude_max="lt" in bounds,
        allow_nan=False,
        allow_infinity=False,
    )


def _for_type(annotation: Any, metadata: list[Any], overrides: Overrides) -> st.SearchStrategy[Any]:
    if isinstance(annotation, TypeAliasType):
        return _for_type(annotation.__value__, metadata, overrides)
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        return _for_type(inner, [*metadata, *extra], overrides)
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin in (Union, types.UnionType):
        return st.one_of([_for_type(arg, metadata, overrides) for arg in get_args(annotation)])
    bounds = _bounds(metadata)
    if origin is list:
        (element,) = get_args(annotation)
        return st.lists(
            _for_type(element, [], overrides),
            min_size=bounds.get("min_length", 0),
            max_size=max(bounds.get("min_length", 0), 3),
        )
    if origin is dict:
        _, value = get_args(annotation)
        return st.dictionaries(st.text(max_size=6), _for_type(value, [], overrides), max_size=3)
    if annotation is type(None):
        return st.none()
    if annotation is Any or annotation is object:
        return json_values
    if annotation is bool:
        return st.booleans()
    if annotation in (int, float):
        return _number(annotation, bounds)
    if annotation is str:
        if "pattern" in bounds:
            return st.from_regex(bounds["pattern"], fullmatch=True)
        return st.text(min_size=bounds.get("min_length", 0), max_size=bounds.get("max_length", 24))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return wire_data(annotation, overrides)
    raise TypeError(f"no strategy for {annotation!r}")


def wire_data(
    model: type[BaseModel], overrides: Overrides | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """The JSON-ready fields of a valid ``model`` instance.

    Required fields and constant tags are always drawn; other optional ones are left out about
    half the time, so that both the minimal and the full shape occur.

    Args:
        model: A generated wire model.
        overrides: Strategies replacing the derived ones.

    Returns:
        A strategy of dicts that ``model.model_validate`` accepts.
    """
    overrides = overrides or {}
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        chosen = overrides.get((model, name), overrides.get(name))
        strategy = (
            chosen
            if chosen is not None
            else st.deferred(_deferred(field.annotation, list(field.metadata), overrides))
        )
        # Tags (`type`, a message's `role`) are always on the wire: unions are told apart by them.
        always = field.is_required() or name in getattr(model, "__constant_fields__", ())
        (required if always else optional)[key] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def _deferred(
    annotation: Any, metadata: list[Any], overrides: Overrides
) -> Callable[[], st.SearchStrategy[Any]]:
    # Deferred, so building the strategy of a model does not build every nested one up front.
    return lambda: _for_type(annotation, metadata, overrides)


def _frames(
    registry: Mapping[str, type[BaseModel]], overrides: Overrides | None
) -> st.SearchStrategy[str]:
    events = st.one_of([wire_data(model, overrides) for model in registry.values()])
    return st.tuples(events, st.booleans()).map(
        lambda pair: json.dumps(pair[0], ensure_ascii=pair[1])
    )


def valid_server_frames(overrides: Overrides | None = None) -> st.SearchStrategy[str]:
    """Frames of valid server events of every known type."""
    return _frames(SERVER_EVENTS, overrides)


def valid_client_frames(overrides: Overrides | None = None) -> st.SearchStrategy[str]:
    """Frames of valid client events of every known type."""
    return _frames(CLIENT_EVENTS, overrides)


def _without_a_field(event: dict[str, Any], index: int) -> dict[str, Any]:
    keys = [key for key in event if key != "type"] or list(event)
    removed = keys[index % len(keys)]
    return {key: value for key, value in event.items() if key != removed}


def _with_wrong_type(event: dict[str, Any], index: int, value: Any) -> dict[str, Any]:
    keys = list(event)
    return {**event, keys[index % len(keys)]: value}


def _deeply_nested(depth: int) -> str:
    return (
        '{"type": "response.done", "event_id": "e", "response": ' + "[" * depth + "]" * depth + "}"
    )


def mutated_frames(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str | bytes]:
    """Frames broken the ways a faulty or hostile peer breaks them.

    Truncated JSON, a field removed, a field of the wrong type, an unknown ``type``, no
    ``type``, non-object JSON, huge strings, deep nesting, lone surrogates, invalid UTF-8 and
    arbitrary bytes (bytes stand for binary frames, which a WebSocket may carry).
    """
    events = valid.map(json.loads)
    wrong_values = st.one_of(
        st.integers(), st.text(max_size=5), st.none(), st.lists(st.integers(), max_size=2)
    )
    return st.one_of(
        st.tuples(valid, st.integers(0, 10_000)).map(
            lambda pair: pair[0][: pair[1] % max(len(pair[0]), 1)]
        ),
        st.tuples(events, st.integers(0, 50)).map(lambda pair: json.dumps(_without_a_field(*pair))),
        st.tuples(events, st.integers(0, 50), wrong_values).map(
            lambda triple: json.dumps(_with_wrong_type(*triple))
        ),
        st.tuples(events, st.text(max_size=30)).map(
            lambda pair: json.dumps({**pair[0], "type": pair[1]})
        ),
        events.map(lambda event: json.dumps({k: v for k, v in event.items() if k != "type"})),
        json_values.map(json.dumps),
        st.tuples(events, st.integers(10_000, 1_000_000)).map(
            lambda pair: json.dumps({**pair[0], "event_id": "x" * pair[1]})
        ),
        st.integers(100, 100_000).map(_deeply_nested),
        valid.map(lambda frame: frame.replace('"event_id": "', '"event_id": "\\ud800', 1)),
        valid.map(lambda frame: frame.encode() + b"\xff\xfe"),
        st.binary(max_size=64),
        st.text(max_size=64),
    )
