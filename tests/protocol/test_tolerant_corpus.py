"""The tolerant reader as a property of the whole server union.

Every server event class gets one complete, valid payload (every field set; a list holds one
element of each variant it allows), built from the generated models. Then every field path of
it is mutated, one at a time, in each way the live API surprises us: an object of a new variant,
a value of the wrong JSON type, ``null``, the field missing. For each mutated frame:

* ``decode_server_event`` returns the event's own class (it is never dropped);
* when the frame still validates, nothing is reported; otherwise ``validation_issues`` names the
  mutated path (or something inside it), or its parent object when a tag that picks the
  object's variant (``type``, ``role``) was mutated, and nothing else;
* everything outside the mutated subtree has the same class and value as in the valid event;
* a conversation store fed the event raises at most its documented errors, stays consistent,
  and then applies the next well-formed event.

No cap: all paths of all events are mutated (a few thousand frames, a few seconds).
"""

from __future__ import annotations

import contextlib
import json
import types
import typing
from collections.abc import Iterator
from typing import Any, Final

import annotated_types
import numpy as np
import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from typing_extensions import TypeAliasType

from openai_realtime.errors import ConversationError, ProtocolError
from openai_realtime.protocol import decode_server_event
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.types import SERVER_EVENTS

Loc = tuple[str | int, ...]

# Every free string is this: valid base64 of 16-bit PCM (two samples), so audio fields decode,
# and one shared id, so events refer to the item and the response the store was primed with.
TEXT: Final = "AAAAAA=="
PATTERN_EXAMPLES: Final = {"^tunnel_[a-z0-9]{32}$": "tunnel_" + "0" * 32}
NEW_VARIANT: Final = {"type": "x_new_variant", "x_new_field": 1}
MUTATIONS: Final = ("new variant", "wrong type", "null", "missing")
# Keys whose value picks the variant of the object holding them.
TAGS: Final = ("type", "role")


def constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for entry in metadata:
        if isinstance(entry, FieldInfo):
            found.update(constraints(list(entry.metadata)))
        for name in ("ge", "gt", "le", "min_length", "pattern"):
            if getattr(entry, name, None) is not None:
                found[name] = getattr(entry, name)
        if isinstance(entry, annotated_types.MinLen):
            found["min_length"] = entry.min_length
    return found


def alternatives(annotation: Any) -> list[Any]:
    """The members of a union (through aliases and ``Annotated``), ``None`` left out."""
    if isinstance(annotation, TypeAliasType):
        return alternatives(annotation.__value__)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return alternatives(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in alternatives(a)]
    return [] if annotation is type(None) else [annotation]


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def full_value(annotation: Any, metadata: list[Any]) -> Any:
    """A valid JSON value for the annotation, as complete as the annotation allows."""
    if isinstance(annotation, TypeAliasType):
        return full_value(annotation.__value__, metadata)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return full_value(inner, [*metadata, *extra])
    if origin in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(annotation) if m is not type(None)]
        with_model = [m for m in members if any(is_model(a) for a in alternatives(m))]
        return full_value((with_model or members)[0], metadata)
    bounds = constraints(metadata)
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin is list:
        # One element of each variant, so every variant's paths get mutated too.
        element = typing.get_args(annotation)[0]
        variants = alternatives(element)
        if len(variants) > 1 and all(is_model(v) for v in variants):
            return [full_payload(variant) for variant in variants]
        return [full_value(element, [])]
    if origin is dict:
        return {"key": full_value(typing.get_args(annotation)[1], [])}
    if is_model(annotation):
        return full_payload(annotation)
    if annotation is bool:
        return True
    if annotation in (int, float):
        low = bounds.get("ge", bounds.get("gt", 1))
        return annotation(low + 1 if "gt" in bounds else low)
    if annotation is str:
        if "pattern" in bounds:
            return PATTERN_EXAMPLES[bounds["pattern"]]
        return TEXT * max(1, bounds.get("min_length", 1))
    if annotation in (Any, object):
        return {"free": [TEXT, 1]}
    raise AssertionError(f"no value for {annotation!r}: extend full_value")


def full_payload(model: type[BaseModel]) -> dict[str, Any]:
    return {
        field.alias or name: full_value(field.annotation, list(field.metadata))
        for name, field in model.model_fields.items()
    }


def paths(value: Any, loc: Loc = ()) -> Iterator[Loc]:
    """Every location inside a JSON value (its keys and list indices, depth first)."""
    if isinstance(value, dict | list):
        children: Any = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            if loc or key != "type":  # the event's own `type` is what makes it known
                yield (*loc, key)
                yield from paths(child, (*loc, key))


def mutated(payload: dict[str, Any], loc: Loc, mutation: str) -> dict[str, Any] | None:
    """A deep copy of the payload with the value at ``loc`` mutated (``None``: not applicable)."""
    copy: dict[str, Any] = json.loads(json.dumps(payload))
    parent: Any = copy
    for part in loc[:-1]:
        parent = parent[part]
    key = loc[-1]
    if mutation == "missing":
        if not isinstance(parent, dict):
            return None
        del parent[key]
    elif mutation == "new variant":
        parent[key] = dict(NEW_VARIANT)
    elif mutation == "null":
        parent[key] = None
    else:
        parent[key] = 12345 if isinstance(parent[key], str) else "wrong"
    return copy


def same_outside(actual: Any, expected: Any, loc: Loc, skipped: Loc) -> None:
    """``actual`` has the classes and values of ``expected`` everywhere but under ``skipped``."""
    if loc == skipped:
        return
    if isinstance(expected, BaseModel):
        assert type(actual) is type(expected), f"{loc}: {type(actual)} is not typed"
        for name in expected.model_fields_set:
            field = type(expected).model_fields[name]
            key = field.alias or name
            same_outside(getattr(actual, name), getattr(expected, name), (*loc, key), skipped)
        for key, value in (expected.model_extra or {}).items():
            same_outside((actual.model_extra or {}).get(key), value, (*loc, key), skipped)
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), loc
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            same_outside(got, want, (*loc, index), skipped)
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), loc
        for key, want in expected.items():
            same_outside(actual[key], want, (*loc, key), skipped)
    else:
        assert type(actual) is type(expected) and actual == expected, loc


def assert_consistent(store: RealtimeConversation) -> None:
    items = store.get_items()
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)), f"duplicate items: {ids}"
    for item in items:
        assert isinstance(item.id, str)
        assert store.get_item(item.id) is item
        assert item.formatted.audio.dtype == np.int16
        assert isinstance(item.formatted.text, str) and isinstance(item.formatted.transcript, str)
        if item.response_id is not None:
            assert store.get_response(item.response_id) is not None
    assert 0 <= store.retained_input_samples <= store.input_audio_samples


PAYLOADS: Final = {name: full_payload(model) for name, model in SERVER_EVENTS.items()}
NEXT_ITEM: Final = {
    "type": "conversation.item.added",
    "event_id": "event_next",
    "previous_item_id": None,
    "item": {
        "id": "item_next",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "still here"}],
    },
}


def primed_store() -> RealtimeConversation:
    """A store that knows the item and the response every payload refers to."""
    store = RealtimeConversation()
    for event_type in ("response.created", "conversation.item.added"):
        store.process_event(decode_server_event(json.dumps(PAYLOADS[event_type]), strict=True))
    return store


def check_store(frame: str) -> None:
    store = primed_store()
    # Its documented refusals (the store is then unchanged) are the only errors allowed.
    with contextlib.suppress(ConversationError, ProtocolError):
        store.process_event(decode_server_event(frame))
    assert_consistent(store)
    item, _ = store.process_event(decode_server_event(json.dumps(NEXT_ITEM), strict=True))
    assert item is not None and item.formatted.text == "still here"
    assert_consistent(store)


@pytest.mark.parametrize("event_type", sorted(SERVER_EVENTS))
def test_the_complete_payload_of_every_event_is_valid(event_type: str) -> None:
    event = decode_server_event(json.dumps(PAYLOADS[event_type]), strict=True)
    assert type(event) is SERVER_EVENTS[event_type]
    assert event.validation_issues == ()
    check_store(json.dumps(PAYLOADS[event_type]))


@pytest.mark.parametrize("event_type", sorted(SERVER_EVENTS))
@pytest.mark.usefixtures("fresh_log_memory")
def test_no_mutation_of_any_path_drops_the_event_or_spreads(
    event_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    payload = PAYLOADS[event_type]
    valid = decode_server_event(json.dumps(payload), strict=True)
    tolerated = 0
    for loc in paths(payload):
        for mutation in MUTATIONS:
            changed = mutated(payload, loc, mutation)
            if changed is None:
                continue
            frame = json.dumps(changed)
            event = decode_server_event(frame)
            where = f"{event_type} {'.'.join(map(str, loc))} ({mutation})"
            assert type(event) is SERVER_EVENTS[event_type], where
            try:
                strict = decode_server_event(frame, strict=True)
            except ProtocolError:
                strict = None
            if strict is not None:
                assert event.validation_issues == () and event == strict, where
                continue
            tolerated += 1
            issue_locs = [issue.loc for issue in event.validation_issues]
            tag_of_parent = isinstance(loc[-1], str) and loc[-1] in TAGS
            raw_at = loc[:-1] if loc[:-1] in issue_locs and tag_of_parent else loc
            assert issue_locs, where
            assert all(found[: len(raw_at)] == raw_at for found in issue_locs), (where, issue_locs)
            same_outside(event, valid, (), raw_at)
            check_store(frame)
    assert tolerated > 0
    logged = {record.getMessage() for record in caplog.records if record.levelname == "WARNING"}
    assert logged, "tolerated events are logged"
