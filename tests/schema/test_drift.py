"""Drift check: everything the upstream GA unions describe exists in our models, compatibly.

The walk starts at the upstream client and server unions of both channels (``/v1/realtime`` and
the translation channel), the Realtime REST bodies and the webhook events, and follows every
field into the shared objects. For each upstream field it asks our *generated
pydantic model* (not our schema), so the whole chain importer -> schema -> generator is checked
against the upstream document: a field missing, a type narrowed, or an enum value we would reject
is reported with its path.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from typing_extensions import TypeAliasType

from codegen.import_openapi import CHANNELS, rest_operations, webhook_events
from openai_realtime.types import CLIENT_EVENTS, SERVER_EVENTS
from openai_realtime.types.rest import REST_OPERATIONS, WEBHOOK_EVENTS
from openai_realtime.types.translation import (
    TRANSLATION_CLIENT_EVENTS,
    TRANSLATION_SERVER_EVENTS,
)

# Our registries per upstream union, for every channel the importer knows.
REGISTRIES: dict[str, dict[str, Any]] = {
    CHANNELS[0].client_union: CLIENT_EVENTS,
    CHANNELS[0].server_union: SERVER_EVENTS,
    CHANNELS[1].client_union: TRANSLATION_CLIENT_EVENTS,
    CHANNELS[1].server_union: TRANSLATION_SERVER_EVENTS,
}

_PRIMITIVES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (float, int),
    "boolean": (bool,),
}


def _members(annotation: Any) -> list[Any]:
    """Flatten unions, ``Annotated``, aliases and ``Optional`` into their member types."""
    if isinstance(annotation, TypeAliasType):
        return _members(annotation.__value__)
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _members(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in _members(arg)]
    return [annotation]


def _literal_values(annotation: Any) -> set[Any]:
    return {v for m in _members(annotation) if get_origin(m) is Literal for v in get_args(m)}


class _Checker:
    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.problems: list[str] = []
        self.seen: set[tuple[str, int]] = set()

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.schemas[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def accepts(self, node: dict[str, Any], annotation: Any, path: str) -> bool:
        """True when ``annotation`` accepts every value ``node`` allows (reports the first gap)."""
        node = self.resolve(node)
        members = _members(annotation)
        if Any in members:
            return True
        branches = node.get("anyOf") or node.get("oneOf")
        if branches:
            return all(
                self.accepts(branch, annotation, f"{path}|{i}") for i, branch in enumerate(branches)
            )
        kind = node.get("type")
        if kind == "null":
            return self._report(type(None) in members, path, "null not accepted")
        values = node.get("enum") or ([node["const"]] if "const" in node else None)
        if kind in _PRIMITIVES or values is not None:
            return self._scalar(kind, values, members, path)
        if kind == "array":
            lists = [m for m in members if get_origin(m) is list]
            return self._report(bool(lists), path, "array not accepted") and self.accepts(
                node.get("items", {}),
                get_args(lists[0])[0] if get_args(lists[0]) else Any,
                path + "[]",
            )
        if kind == "object" or "properties" in node:
            return self._object(node, members, path)
        return True

    def _scalar(
        self, kind: str | None, values: list[Any] | None, members: list[Any], path: str
    ) -> bool:
        plain = _PRIMITIVES.get(kind or "", ())
        if any(m in plain for m in members):
            return True
        if values is not None:
            accepted = {v for m in members if get_origin(m) is Literal for v in get_args(m)}
            missing = [v for v in values if v not in accepted]
            return self._report(not missing, path, f"values {missing} not accepted")
        return self._report(False, path, f"{kind} not accepted by {members}")

    def _object(self, node: dict[str, Any], members: list[Any], path: str) -> bool:
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        properties: dict[str, Any] = node.get("properties", {})
        if not properties:
            dicts = [m for m in members if get_origin(m) is dict or m is dict]
            return self._report(bool(dicts or models), path, "free-form object not accepted")
        # Among the union's models, the match carries the upstream tag values (`type`, `role`);
        # when several do, the one sharing most field names is the counterpart.
        candidates = [m for m in models if self._tags_match(node, m)]
        if not candidates:
            return self._report(False, path, f"no model among {members} has the same tags")
        model = max(candidates, key=lambda m: len(set(properties) & set(m.model_fields)))
        key = (path, id(model))
        if key in self.seen:
            return True
        self.seen.add(key)
        for name, prop in properties.items():
            field = model.model_fields.get(name)
            if field is None:
                self._report(False, f"{path}.{name}", f"missing in {model.__name__}")
                continue
            self.accepts(prop, field.annotation, f"{path}.{name}")
        return True

    def _tags_match(self, node: dict[str, Any], model: type[BaseModel]) -> bool:
        for tag in ("type", "role"):
            prop = self.resolve(node.get("properties", {}).get(tag, {}))
            values = prop.get("enum") or ([prop["const"]] if "const" in prop else [])
            if len(values) == 1:
                field = model.model_fields.get(tag)
                if field is None or values[0] not in _literal_values(field.annotation):
                    return False
        return True

    def _report(self, ok: bool, path: str, message: str) -> bool:
        if not ok:
            self.problems.append(f"{path}: {message}")
        return ok


def _union_events(schemas: dict[str, Any], union: str) -> dict[str, str]:
    """``{event type: upstream schema name}`` for one upstream union."""
    events = {}
    for branch in schemas[union]["anyOf"]:
        name = branch["$ref"].rsplit("/", 1)[-1]
        type_node = schemas[name]["properties"]["type"]
        events[type_node.get("const") or type_node["enum"][0]] = name
    return events


def test_every_upstream_event_is_generated(upstream_schemas: dict[str, Any]) -> None:
    unions = {c.client_union for c in CHANNELS} | {c.server_union for c in CHANNELS}
    assert set(REGISTRIES) == unions
    for union, registry in REGISTRIES.items():
        upstream = _union_events(upstream_schemas, union)
        assert len(upstream) == len(upstream_schemas[union]["anyOf"]), union
        assert set(upstream) == set(registry), union


def test_every_upstream_field_is_compatible(upstream_schemas: dict[str, Any]) -> None:
    checker = _Checker(upstream_schemas)
    for union, registry in REGISTRIES.items():
        for event_type, name in _union_events(upstream_schemas, union).items():
            checker.accepts({"$ref": f"#/{name}"}, registry[event_type], f"{union}:{event_type}")
    assert checker.problems == []
    # The walk must have reached deep shared objects, not stopped at the events.
    assert len(checker.seen) > 150


def test_rest_bodies_and_webhooks_are_generated_and_compatible(
    upstream_spec: dict[str, Any], upstream_schemas: dict[str, Any]
) -> None:
    checker = _Checker(upstream_schemas)
    upstream_operations = rest_operations(upstream_spec)
    assert set(REST_OPERATIONS) == set(upstream_operations)
    bodies = 0
    for operation_id, entry in upstream_operations.items():
        ours = REST_OPERATIONS[operation_id]
        assert (ours.method, ours.path) == (entry["method"], entry["path"])
        for part, model in (("request", ours.request), ("response", ours.response)):
            upstream_body = entry.get(part)
            if upstream_body is None or upstream_body["schema"] is None:
                assert model is None, f"{operation_id} {part}"
                continue
            assert model is not None, f"{operation_id} {part}"
            checker.accepts({"$ref": f"#/{upstream_body['schema']}"}, model, operation_id)
            bodies += 1
    webhooks = webhook_events(upstream_spec)
    assert set(WEBHOOK_EVENTS) == set(webhooks)
    for event_type, name in webhooks.items():
        checker.accepts({"$ref": f"#/{name}"}, WEBHOOK_EVENTS[event_type], event_type)
    assert checker.problems == []
    assert bodies == sum(
        1
        for entry in upstream_operations.values()
        for part in ("request", "response")
        if entry.get(part, {}).get("schema")
    )


def test_checker_reports_drift(upstream_schemas: dict[str, Any]) -> None:
    """The checker itself must notice a field we lack and an enum value we reject."""
    checker = _Checker(upstream_schemas)
    fake = {
        "type": "object",
        "properties": {
            "type": {"const": "response.done"},
            "brand_new_field": {"type": "string"},
        },
    }
    checker.accepts(fake, SERVER_EVENTS["response.done"], "fake")
    narrowed = {"type": "string", "enum": ["text", "audio", "smell"]}
    checker.accepts(narrowed, Literal["text", "audio"], "modality")
    assert checker.problems == [
        "fake.brand_new_field: missing in ResponseDoneEvent",
        "modality: values ['smell'] not accepted",
    ]
