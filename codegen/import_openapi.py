"""Import the structure of OpenAI's Realtime events from an OpenAPI document into our schema.

Usage::

    python -m codegen.import_openapi [SPEC] [--schema schema/realtime.asyncapi.yaml]
        [--overlay schema/overlay.yaml]

The upstream document is reference data. We take *structure* from it (event names, field names,
types, enums, required, nullability, discriminators) and write it into our AsyncAPI document. We
never take its prose: every description in ``schema/`` is ours, and a re-import keeps the
descriptions and class names already present for the upstream paths it finds again. Each of our
components records where it came from in ``x-upstream`` (an upstream component name, optionally
followed by a JSON-pointer-like path into it); that key is how a re-import recognises it.

The known upstream hazards are normalised on the way in:

* a single-value ``enum`` is a constant: it becomes ``const`` (and a ``Literal`` in Python);
* inline objects are hoisted into named components, so generated classes get stable names;
* ``anyOf``/``oneOf`` whose object variants all carry a constant ``type`` get
  ``discriminator: type``; variants that share a ``type`` (the three ``message`` items) are
  grouped under a nested union discriminated on ``role``;
* ``oneOf`` that is not tagged becomes ``anyOf`` (upstream variants overlap, e.g. a free string
  beside an enum of strings, which ``oneOf`` would reject);
* ``nullable: true`` and ``default: null`` become an explicit ``null`` branch; other defaults are
  dropped, so an unset field in our models means "not sent, the server decides";
* ``additionalProperties: false`` is dropped (our models keep unknown fields: forward
  compatible), and so is ``format`` (``uri`` would turn multi-megabyte ``data:`` image URLs into
  normalised URL objects; the wire value is a plain string).

Beyond the two event unions of the main channel, the document holds the rest of the Realtime
surface, each part found from the upstream document rather than listed by hand:

* the translation channel (``/v1/realtime/translations``), with its own client and server unions;
  its event classes carry a ``Translation`` prefix, since its ``session.created`` and friends
  differ from the main channel's (a component shared with it, such as ``error``, is shared);
* the REST bodies of ``/realtime/client_secrets``, ``/realtime/translations/client_secrets`` and
  ``/realtime/calls`` (create, accept, reject, refer, hangup), as components plus an
  ``x-rest-operations`` table (AsyncAPI has no vocabulary for request/response pairs);
* the webhook events (``realtime.call.incoming``), as components plus an ``x-webhooks`` table.

Before converting, the importer applies ``schema/overlay.yaml``: what the live API is known to send
beyond the published spec, each entry with its evidence. The report lists every entry applied,
and an entry upstream has caught up with (its target already equal) is reported as obsolete.

The importer is idempotent: running it twice on the same spec writes the same bytes.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import yaml

__all__ = [
    "CHANNELS",
    "DEFAULT_OVERLAY",
    "DEFAULT_SCHEMA",
    "DEFAULT_SPEC",
    "Channel",
    "ImportReport",
    "apply_overlay",
    "build_document",
    "main",
    "rest_operations",
    "webhook_events",
]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT.parent / "shared" / "openai-spec" / "openapi.yaml"
DEFAULT_SCHEMA = ROOT / "schema" / "realtime.asyncapi.yaml"
DEFAULT_OVERLAY = ROOT / "schema" / "overlay.yaml"

PLACEHOLDER = "TODO: describe in our own words."


class Channel(NamedTuple):
    """One WebSocket interface: its address, its two upstream unions and our names for them."""

    key: str
    address: str
    client_union: str
    server_union: str
    class_prefix: str
    send_operation: str
    receive_operation: str


CHANNELS = (
    Channel(
        "realtime",
        "/v1/realtime",
        "RealtimeClientEvent",
        "RealtimeServerEvent",
        "",
        "sendClientEvent",
        "receiveServerEvent",
    ),
    Channel(
        "translation",
        "/v1/realtime/translations",
        "RealtimeTranslationClientEvent",
        "RealtimeTranslationServerEvent",
        "Translation",
        "sendTranslationClientEvent",
        "receiveTranslationServerEvent",
    ),
)
CHANNEL = CHANNELS[0].key
CLIENT_UNION = CHANNELS[0].client_union
SERVER_UNION = CHANNELS[0].server_union

# The REST operations and webhooks we model: every upstream path below these prefixes, and every
# upstream webhook whose payload type starts with "realtime.".
REST_PREFIXES = ("/realtime/client_secrets", "/realtime/translations/", "/realtime/calls")
WEBHOOK_PREFIX = "realtime."
# Body media types we model, in the order they are preferred; SDP is plain text, not a schema.
JSON_MEDIA = ("application/json", "multipart/form-data")

# Keys that carry structure. Everything else upstream (prose, examples, vendor keys) is left out.
STRUCTURAL_KEYS = (
    "type",
    "const",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
)

Node = dict[str, Any]


def pascal(text: str) -> str:
    """Turn ``response.output_audio.delta`` or ``Server VAD`` into ``ResponseOutputAudioDelta``."""
    words = re.split(r"[^0-9A-Za-z]+", text)
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def event_class_name(event_type: str) -> str:
    """The one naming rule for events: the wire ``type`` in PascalCase plus ``Event``."""
    return pascal(event_type) + "Event"


def shared_class_name(upstream_name: str) -> str:
    """Default name for a shared upstream component: the upstream name without its ``GA`` tag."""
    return upstream_name.removesuffix("GA")


class ImportReport:
    """What a re-import added, removed and changed, for the maintainer to read."""

    def __init__(self) -> None:
        self.added: list[str] = []
        self.removed: list[str] = []
        self.changed: list[str] = []
        self.undescribed: list[str] = []
        self.overlay_applied: list[str] = []
        self.overlay_obsolete: list[str] = []

    def lines(self) -> Iterator[str]:
        """Yield the report as human-readable lines."""
        for title, names in (
            ("added", self.added),
            ("removed", self.removed),
            ("changed", self.changed),
            ("needs a description", self.undescribed),
            ("overlay applied", self.overlay_applied),
            ("overlay obsolete (upstream has it now: remove the entry)", self.overlay_obsolete),
        ):
            yield f"{title}: {len(names)}"
            for name in names:
                yield f"  {name}"


class _Converter:
    """Walks the upstream closure and builds our components, hoisting and normalising."""

    def __init__(self, upstream: Node, previous: Node) -> None:
        self.upstream = upstream
        previous_schemas: Node = previous.get("components", {}).get("schemas", {})
        self.previous = previous_schemas
        # Our names for upstream paths that were imported before: they survive re-imports.
        self.known_names: dict[str, str] = {
            schema["x-upstream"]: name
            for name, schema in previous_schemas.items()
            if "x-upstream" in schema
        }
        self.components: dict[str, Node] = {}
        self.names_by_origin: dict[str, str] = {}
        # Per channel key: (client event components, server event components).
        self.events: dict[str, tuple[list[str], list[str]]] = {}

    # -- naming -----------------------------------------------------------------------------

    def _claim(self, origin: str, default: str, fallback: str) -> str:
        """Pick the component name for an upstream path, stable across imports."""
        if origin in self.names_by_origin:
            return self.names_by_origin[origin]
        name = self.known_names.get(origin)
        if name is None:
            name = default
            taken = set(self.names_by_origin.values()) | {
                n for o, n in self.known_names.items() if o != origin
            }
            if name in taken:
                name = fallback
            suffix = 2
            while name in taken:
                name = f"{fallback}{suffix}"
                suffix += 1
        self.names_by_origin[origin] = name
        return name

    # -- entry points -----------------------------------------------------------------------

    def import_union(self, union_name: str, sink: list[str], prefix: str = "") -> None:
        for branch in self.upstream[union_name].get("anyOf") or self.upstream[union_name]["oneOf"]:
            upstream_name = branch["$ref"].rsplit("/", 1)[-1]
            event_type = self._const_of(self.upstream[upstream_name]["properties"]["type"])
            default = prefix + event_class_name(event_type)
            name = self._claim(upstream_name, default, upstream_name)
            sink.append(name)
            if self.components.get(name):
                continue  # shared with a channel imported before (the `error` event)
            self._component(name, upstream_name, self.upstream[upstream_name], event=True)

    def ref(self, upstream_name: str) -> Node:
        """A ``$ref`` to our component for an upstream component, importing it on first use.

        An upstream component that is only "X or null" becomes the component X, and the null
        moves to each place that refers to it: the class keeps the upstream name.
        """
        default = shared_class_name(upstream_name)
        name = self._claim(upstream_name, default, default + "Model")
        source = self.upstream[upstream_name]
        inner, nullable = self._split_null(source)
        if name not in self.components:
            self.components[name] = {}  # reserve: breaks reference cycles
            self._component(name, upstream_name, inner, event=False)
        ref: Node = {"$ref": f"#/components/schemas/{name}"}
        return self._with_null(ref) if nullable else ref

    @staticmethod
    def _split_null(node: Node) -> tuple[Node, bool]:
        """``anyOf [X, null]`` -> ``(X, True)``; anything else -> ``(node, False)``."""
        for key in ("anyOf", "oneOf"):
            branches = node.get(key)
            if not branches:
                continue
            real = [b for b in branches if not _is_null(b)]
            if len(real) == 1 and len(real) < len(branches):
                return real[0], True
        return node, False

    # -- conversion -------------------------------------------------------------------------

    def _component(self, name: str, origin: str, source: Node, *, event: bool) -> None:
        body = self._convert(source, name, origin, top=True)
        if event:
            type_schema = body["properties"]["type"]
            type_schema["default"] = type_schema["const"]
        previous = self.previous.get(name, {})
        component: Node = {
            "description": previous.get("description", PLACEHOLDER),
            "x-upstream": origin,
        }
        component.update(body)
        self._keep_property_descriptions(component, previous)
        self.components[name] = component

    @staticmethod
    def _keep_property_descriptions(component: Node, previous: Node) -> None:
        old_properties = previous.get("properties", {})
        for key, prop in component.get("properties", {}).items():
            old = old_properties.get(key, {})
            if "description" in old:
                prop["description"] = old["description"]

    @staticmethod
    def _const_of(node: Node) -> Any:
        if "const" in node:
            return node["const"]
        values = node.get("enum") or []
        return values[0] if len(values) == 1 else None

    def _resolve(self, node: Node) -> Node:
        while "$ref" in node:
            node = self.upstream[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def _convert(
        self, node: Node, owner: str, origin: str, *, top: bool = False, fallback: str = ""
    ) -> Node:
        """Convert one upstream schema node.

        ``owner`` is the class name an inline object here would get, ``fallback`` the name to
        use when ``owner`` is already taken by another upstream path.
        """
        if "$ref" in node:
            converted = self.ref(node["$ref"].rsplit("/", 1)[-1])
            return self._with_null(converted) if self._nullable(node) else converted
        for key in ("anyOf", "oneOf"):
            if key in node:
                return self._union(node, key, owner, origin, fallback=fallback)
        if "allOf" in node and len(node["allOf"]) == 1:
            return self._convert(node["allOf"][0], owner, origin, top=top)

        out: Node = {}
        for key in STRUCTURAL_KEYS:
            if key in node:
                out[key] = copy.deepcopy(node[key])
        const = self._const_of(node)
        if const is not None and node.get("type") != "object":
            out.pop("enum", None)
            out["const"] = const
        if node.get("type") == "object" or "properties" in node:
            out["type"] = "object"
            if "properties" in node and not top:
                ref = self._hoist(node, owner, origin, fallback or owner + "Object")
                return self._with_null(ref) if self._nullable(node) else ref
            if "properties" in node:
                out["properties"] = {
                    key: self._convert(value, owner + pascal(key), f"{origin}/properties/{key}")
                    for key, value in node["properties"].items()
                }
                if node.get("required"):
                    out["required"] = list(node["required"])
            extra = node.get("additionalProperties")
            if isinstance(extra, dict):
                out["additionalProperties"] = self._convert(extra, owner + "Value", origin + "/*")
        if node.get("type") == "array" and "items" in node:
            out["items"] = self._convert(node["items"], owner + "Item", origin + "/items")
        return self._with_null(out) if self._nullable(node) and not top else out

    @staticmethod
    def _nullable(node: Node) -> bool:
        return bool(node.get("nullable")) or ("default" in node and node["default"] is None)

    @staticmethod
    def _with_null(node: Node) -> Node:
        if any(branch == {"type": "null"} for branch in node.get("anyOf", [])):
            return node
        return {"anyOf": [node, {"type": "null"}]}

    def _hoist(self, node: Node, owner: str, origin: str, fallback: str) -> Node:
        name = self._claim(origin, owner, fallback)
        if name not in self.components:
            self.components[name] = {}
            self._component(name, origin, node, event=False)
        return {"$ref": f"#/components/schemas/{name}"}

    def _union(self, node: Node, key: str, owner: str, origin: str, *, fallback: str) -> Node:
        branches: list[Node] = []
        has_null = self._nullable(node)
        real = [(i, b) for i, b in enumerate(node[key]) if not _is_null(b)]
        has_null = has_null or len(real) < len(node[key])
        for index, branch in real:
            branch_origin = f"{origin}/{key}/{index}"
            if len(real) == 1:
                branches.append(self._convert(branch, owner, branch_origin, fallback=fallback))
            else:
                name, alternative = self._variant_names(branch, owner)
                branches.append(self._convert(branch, name, branch_origin, fallback=alternative))
        # Flatten a nested nullable union (`anyOf [oneOf [...], null]`) into one level.
        result = branches[0] if len(branches) == 1 else self._tag(branches, owner, origin)
        return self._with_null(result) if has_null else result

    def _variant_names(self, branch: Node, owner: str) -> tuple[str, str]:
        """Preferred and fallback class names for an inline union variant."""
        if "title" in branch:
            return pascal(branch["title"]), owner + pascal(branch["title"])
        tag = self._const_of(branch.get("properties", {}).get("type", {}))
        if tag is not None:
            return owner + pascal(str(tag)), owner + pascal(str(tag)) + "Variant"
        return owner + "Variant", owner + "Variant"

    def _tag_of(self, branch: Node, prop: str) -> Any:
        """The constant value of ``prop`` in a converted branch (following our refs)."""
        if "$ref" in branch:
            target = self.components.get(branch["$ref"].rsplit("/", 1)[-1], {})
            if "oneOf" in target and target.get("discriminator") == "role":
                # A role-discriminated group shares one `type` tag: read it from a member.
                return self._tag_of(target["oneOf"][0], prop)
            branch = target
        return self._const_of(branch.get("properties", {}).get(prop, {}))

    def _tag(self, branches: list[Node], owner: str, origin: str) -> Node:
        tags = [self._tag_of(branch, "type") for branch in branches]
        if None in tags:
            return {"anyOf": branches}
        grouped: list[Node] = []
        for tag in dict.fromkeys(tags):
            members = [b for b, t in zip(branches, tags, strict=True) if t == tag]
            if len(members) == 1:
                grouped.append(members[0])
                continue
            roles = [self._tag_of(member, "role") for member in members]
            if None in roles or len(set(roles)) != len(roles):
                return {"anyOf": branches}
            group_origin = f"{origin}#{tag}"
            group_name = owner + pascal(str(tag))
            name = self._claim(group_origin, group_name, group_name + "Group")
            previous = self.previous.get(name, {})
            self.components[name] = {
                "description": previous.get("description", PLACEHOLDER),
                "x-upstream": group_origin,
                "oneOf": members,
                "discriminator": "role",
            }
            grouped.append({"$ref": f"#/components/schemas/{name}"})
        return {"oneOf": grouped, "discriminator": "type"}


def _is_null(node: Node) -> bool:
    return node.get("type") == "null"


def _message_name(schema_name: str) -> str:
    return schema_name.removesuffix("Event")


def _schema_name(node: Node) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _body_schema(content: Node) -> tuple[str | None, str | None]:
    """``(media type, upstream component)`` of a request or response body."""
    for media in JSON_MEDIA:
        if media in content:
            return media, _schema_name(content[media].get("schema", {}))
    for media in content:
        return media, None  # a plain-text body (SDP): no schema to model
    return None, None


def rest_operations(upstream_spec: Node) -> dict[str, Node]:
    """The Realtime REST operations of the upstream document, by operation id.

    Each entry has ``method``, ``path`` and, when present, ``request`` / ``response`` with the
    media type and the upstream component of the body.
    """
    operations: dict[str, Node] = {}
    for path, item in upstream_spec.get("paths", {}).items():
        if not path.startswith(REST_PREFIXES):
            continue
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            entry: Node = {"method": method.upper(), "path": path}
            media, schema = _body_schema(operation.get("requestBody", {}).get("content", {}))
            if media is not None:
                entry["request"] = {"contentType": media, "schema": schema}
            for status, response in sorted(operation.get("responses", {}).items()):
                if str(status).startswith("2"):
                    media, schema = _body_schema(response.get("content", {}))
                    if media is not None:
                        entry["response"] = {"contentType": media, "schema": schema}
                    break
            operations[operation["operationId"]] = entry
    return dict(sorted(operations.items()))


def webhook_events(upstream_spec: Node) -> dict[str, str]:
    """``{webhook event type: upstream component}`` for the Realtime webhooks."""
    schemas = upstream_spec["components"]["schemas"]
    events: dict[str, str] = {}
    for item in upstream_spec.get("webhooks", {}).values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {})
            name = _schema_name(content.get("application/json", {}).get("schema", {}))
            if name is None:
                continue
            event_type = _Converter._const_of(schemas[name].get("properties", {}).get("type", {}))
            if isinstance(event_type, str) and event_type.startswith(WEBHOOK_PREFIX):
                events[event_type] = name
    return dict(sorted(events.items()))


def apply_overlay(upstream_spec: Node, overlay: Node, report: ImportReport) -> Node:
    """Return a copy of ``upstream_spec`` with the overlay's entries applied.

    Each entry's ``target`` is an upstream component name followed by a path of keys into it;
    ``schema`` is what goes there (an upstream-style schema). The parent of the target must
    exist: an entry never invents an object, it only adds to or widens what upstream has.

    Raises:
        ValueError: An entry's target does not exist upstream.
    """
    spec = copy.deepcopy(upstream_spec)
    schemas = spec["components"]["schemas"]
    for entry in overlay.get("entries", []):
        component, *keys = entry["target"].split("/")
        parent = schemas.get(component)
        for key in keys[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or not keys:
            raise ValueError(f"overlay target not found upstream: {entry['target']}")
        current = parent.get(keys[-1])
        wanted = entry["schema"]
        if current is not None and _structure(current) == _structure(wanted):
            report.overlay_obsolete.append(entry["target"])
        else:
            report.overlay_applied.append(entry["target"])
        parent[keys[-1]] = copy.deepcopy(wanted)
    return spec


def build_document(
    upstream_spec: Node, previous: Node, overlay: Node | None = None
) -> tuple[Node, ImportReport]:
    """Build our AsyncAPI document from an upstream OpenAPI document.

    Args:
        upstream_spec: The parsed upstream OpenAPI document (not changed).
        previous: Our current AsyncAPI document (``{}`` on a first import); its names and
            descriptions are kept for every upstream path found again.
        overlay: The parsed ``schema/overlay.yaml`` (``None``: no overlay).

    Returns:
        The new document and a report of what changed against ``previous``.
    """
    overlay_report = ImportReport()
    spec = apply_overlay(upstream_spec, overlay or {}, overlay_report)
    converter = _Converter(spec["components"]["schemas"], previous)
    for channel in CHANNELS:
        client: list[str] = []
        server: list[str] = []
        converter.import_union(channel.client_union, client, channel.class_prefix)
        converter.import_union(channel.server_union, server, channel.class_prefix)
        converter.events[channel.key] = (client, server)

    rest: Node = {}
    for operation_id, entry in rest_operations(spec).items():
        out: Node = {"method": entry["method"], "path": entry["path"]}
        for part in ("request", "response"):
            if part in entry:
                body: Node = {"contentType": entry[part]["contentType"]}
                if entry[part]["schema"] is not None:
                    body["payload"] = converter.ref(entry[part]["schema"])
                out[part] = body
        rest[operation_id] = out
    webhooks = {
        event_type: {"payload": converter.ref(name)}
        for event_type, name in webhook_events(spec).items()
    }

    events = {n for pair in converter.events.values() for names in pair for n in names}
    schemas = {name: converter.components[name] for name in sorted(converter.components)}
    ordered = {name: schemas[name] for name in sorted(events)}
    ordered.update({name: body for name, body in schemas.items() if name not in events})

    messages: Node = {}
    for name in sorted(events):
        event_type = ordered[name]["properties"]["type"]["const"]
        messages[_message_name(name)] = {
            "name": event_type,
            "title": event_type,
            "summary": ordered[name]["description"],
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }

    def operation(action: str, key: str, names: list[str], summary: str) -> Node:
        return {
            "action": action,
            "summary": summary,
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [
                {"$ref": f"#/channels/{key}/messages/{_message_name(n)}"} for n in sorted(names)
            ],
        }

    old_channels: Node = previous.get("channels", {})
    channels: Node = {}
    operations: Node = {}
    for channel in CHANNELS:
        client, server = converter.events[channel.key]
        channels[channel.key] = {
            "address": channel.address,
            "description": old_channels.get(channel.key, {}).get("description", PLACEHOLDER),
            "messages": {
                _message_name(n): {"$ref": f"#/components/messages/{_message_name(n)}"}
                for n in sorted(set(client) | set(server))
            },
            "bindings": {
                "ws": {
                    "query": {
                        "type": "object",
                        "properties": {"model": {"type": "string"}},
                    }
                }
            },
        }
        where = f" on {channel.address}"
        operations[channel.send_operation] = operation(
            "send", channel.key, client, "Events the client sends to the server" + where + "."
        )
        operations[channel.receive_operation] = operation(
            "receive", channel.key, server, "Events the server sends to the client" + where + "."
        )

    old_info: Node = previous.get("info", {})
    document: Node = {
        "asyncapi": "3.0.0",
        "info": old_info
        or {
            "title": "OpenAI Realtime API (GA)",
            "version": "1.0.0",
            "description": PLACEHOLDER,
        },
        "defaultContentType": "application/json",
        "servers": {
            "openai": {
                "host": "api.openai.com",
                "pathname": "/v1/realtime",
                "protocol": "wss",
                "description": previous.get("servers", {})
                .get("openai", {})
                .get("description", PLACEHOLDER),
                "security": [{"$ref": "#/components/securitySchemes/bearer"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key or an ephemeral client secret (ek_...).",
                }
            },
            "messages": messages,
            "schemas": ordered,
        },
        "x-rest-operations": rest,
        "x-webhooks": webhooks,
    }
    report = _compare(previous.get("components", {}).get("schemas", {}), ordered)
    report.overlay_applied = overlay_report.overlay_applied
    report.overlay_obsolete = overlay_report.overlay_obsolete
    return document, report


def _structure(schema: Node) -> Any:
    """A schema without our prose, for change detection."""
    if isinstance(schema, dict):
        return {k: _structure(v) for k, v in schema.items() if k not in ("description",)}
    if isinstance(schema, list):
        return [_structure(v) for v in schema]
    return schema


def _compare(old: Node, new: Node) -> ImportReport:
    report = ImportReport()
    report.added = sorted(set(new) - set(old))
    report.removed = sorted(set(old) - set(new))
    report.changed = sorted(
        name for name in set(old) & set(new) if _structure(old[name]) != _structure(new[name])
    )
    report.undescribed = sorted(n for n, s in new.items() if s.get("description") == PLACEHOLDER)
    return report


def dump_yaml(document: Node) -> str:
    """Serialise deterministically (key order as built, fixed width) for byte-stable output."""
    header = (
        "# Our AsyncAPI description of the OpenAI Realtime API (GA).\n"
        "# Structure is imported by codegen/import_openapi.py; descriptions are ours and are\n"
        "# kept across re-imports. Run `make schema` to re-import and `make generate` after.\n"
    )
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def load_yaml(path: Path) -> Node:
    """Load a YAML file with the C loader when available (the upstream spec is ~3 MB)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        data: Node = yaml.load(handle, Loader=loader)  # a safe loader: CSafeLoader or SafeLoader
    return data


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA)
    parser.add_argument("--overlay", type=Path, default=DEFAULT_OVERLAY)
    args = parser.parse_args(argv)
    if not args.spec.exists():
        print(f"error: upstream spec not found: {args.spec}", file=sys.stderr)
        return 2
    previous = load_yaml(args.schema) if args.schema.exists() else {}
    overlay = load_yaml(args.overlay) if args.overlay.exists() else {}
    document, report = build_document(load_yaml(args.spec), previous, overlay)
    args.schema.parent.mkdir(parents=True, exist_ok=True)
    args.schema.write_text(dump_yaml(document), encoding="utf-8")
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
