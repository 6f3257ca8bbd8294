"""Render ``types/params.py``: ``TypedDict`` types for what a client writes.

For every client event of every channel, every REST request body, and every object reachable
from them (session configs, audio formats, turn detection, tools, tool choice, content parts,
``response.create`` overrides, ...), a ``<Name>Param``: a ``TypedDict`` for an object (its
required keys ``Required``), a ``Literal`` for an enum, a union alias for a union. Each client
event also gets a ``<Name>Fields``: the same keys without ``type``, the form
``RealtimeAPI.send("<type>", {...})`` takes; so do the objects a client event holds under a
``type`` tag (session configs, items). Arrays are ``Sequence`` (a list or a tuple), free
objects ``Mapping``.

Union aliases are written as strings: the module never evaluates a reference to a class defined
further down. Nothing here is imported by ``openai_realtime.types``, so it costs nothing unless
used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codegen.render_common import EventSpec, header

__all__ = ["param_name", "reachable", "render_params"]

_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def param_name(component: str) -> str:
    """The ``Param`` type of a component: its name plus ``Param``."""
    return component + "Param"


def _ref_name(node: dict[str, Any]) -> str:
    return str(node["$ref"].rsplit("/", 1)[-1])


def reachable(schemas: dict[str, Any], roots: Iterable[str]) -> list[str]:
    """Every component reachable from ``roots`` through ``$ref``, sorted."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if "$ref" in node:
                    stack.append(_ref_name(node))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(schemas[name])
    return sorted(seen)


def _type(node: dict[str, Any]) -> str:
    """The Python type text of a schema node, in Param terms."""
    if "$ref" in node:
        return param_name(_ref_name(node))
    for key in ("anyOf", "oneOf"):
        if key in node:
            members = list(dict.fromkeys(_type(branch) for branch in node[key]))
            return " | ".join(members)
    if "const" in node:
        return f"Literal[{node['const']!r}]".replace("'", '"')
    if "enum" in node:
        values = ", ".join(f'"{v}"' if isinstance(v, str) else repr(v) for v in node["enum"])
        return f"Literal[{values}]"
    kind = node.get("type")
    if kind == "null":
        return "None"
    if kind == "array":
        return f"Sequence[{_type(node.get('items', {}))}]"
    if kind == "object" or "properties" in node:
        extra = node.get("additionalProperties")
        value = _type(extra) if isinstance(extra, dict) else "object"
        return f"Mapping[str, {value}]"
    return _PRIMITIVES.get(str(kind), "object")


def _doc(text: str, indent: str) -> str:
    text = " ".join(text.split()).replace('"""', "'''").replace("\\", "\\\\")
    return f'{indent}"""{text}"""\n'


def _typed_dict(name: str, schema: dict[str, Any], skip: frozenset[str] = frozenset()) -> str:
    required = set(schema.get("required", []))
    lines = [
        f"class {name}(TypedDict, total=False):\n",
        _doc(schema.get("description", ""), "    "),
    ]
    fields = [(k, v) for k, v in schema.get("properties", {}).items() if k not in skip]
    if fields:
        lines.append("\n")
    for key, prop in fields:
        text = _type(prop)
        lines.append(f"    {key}: {f'Required[{text}]' if key in required else text}\n")
    return "".join(lines)


def _component(name: str, schema: dict[str, Any]) -> str:
    if "properties" in schema:
        return _typed_dict(param_name(name), schema)
    text = _type(schema)
    # An alias naming a Param class is a string: that class may be defined further down.
    value = f"'{text}'" if "Param" in text else text
    return f"{param_name(name)}: TypeAlias = {value}\n" + _doc(schema.get("description", ""), "")


def render_params(
    schemas: dict[str, Any], client_events: list[EventSpec], request_bodies: list[str]
) -> str:
    """Render ``types/params.py``."""
    roots = [spec.class_name for spec in client_events] + request_bodies
    names = reachable(schemas, roots)
    events = sorted({spec.class_name for spec in client_events})
    with_fields = sorted(set(events) | set(_tagged_members(schemas, events)))
    exports = sorted([param_name(n) for n in names] + [f"{n}Fields" for n in with_fields])
    parts = [
        header(),
        '"""``TypedDict`` parameter types for client events, REST requests and their objects.\n\n',
        "Generated from the same schema as the models: a dict that type-checks as a\n",
        "``<Name>Param`` validates as ``<Name>``. ``<Name>Fields`` is an event (or a tagged\n",
        "object of one) without its ``type``: what ``RealtimeAPI.send(type, fields)`` takes.\n",
        '"""\n\n',
        "from __future__ import annotations\n\n",
        "from collections.abc import Mapping, Sequence\n",
        "from typing import Literal, Required, TypeAlias, TypedDict\n\n",
        "__all__ = [\n" + "".join(f'    "{name}",\n' for name in exports) + "]\n",
    ]
    for name in names:
        parts += ["\n\n", _component(name, schemas[name])]
    for name in sorted(set(events) | set(_tagged_members(schemas, events))):
        parts += ["\n\n", _typed_dict(f"{name}Fields", schemas[name], frozenset({"type"}))]
    return "".join(parts)


def _tagged_members(schemas: dict[str, Any], events: list[str]) -> list[str]:
    """The objects a client event holds through a union tagged on ``type`` (the session
    configs of ``session.update``, the items of ``conversation.item.create``): their
    ``Fields`` form lets hand-written option types extend them without the tag."""
    members: list[str] = []
    for event in events:
        for prop in schemas[event].get("properties", {}).values():
            target = schemas[_ref_name(prop)] if "$ref" in prop else prop
            if target.get("discriminator") == "type":
                members += [_ref_name(b) for b in target.get("oneOf", []) if "$ref" in b]
    return [m for m in members if "properties" in schemas[m]]
