"""Every upstream example of a GA Realtime event validates into our models and round-trips.

Both channels (the main one through the codec, the translation one through its union), the
webhook events and the REST bodies the spec shows (curl request bodies, JSON responses) are
covered.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import TypeAdapter

from codegen.import_openapi import rest_operations, webhook_events
from openai_realtime.protocol.codec import decode_client_event, decode_server_event
from openai_realtime.types import ServerEvent, UnknownServerEvent
from openai_realtime.types.rest import REST_OPERATIONS, WEBHOOK_EVENTS
from openai_realtime.types.translation import TranslationClientEvent, TranslationServerEvent

# Upstream examples that contradict the upstream schema itself. Each is skipped for a reason.
KNOWN_BAD_EXAMPLES = {
    # Several snippets separated by `//` comments: not one JSON document.
    "RealtimeClientEventResponseCreate": "several commented snippets",
    # The `type` value has a stray leading space: " input_audio_buffer.dtmf_event_received".
    "RealtimeServerEventInputAudioBufferDtmfEventReceived": "type with a leading space",
    # Assistant content parts use `"type": "audio"`, which the schema does not allow for
    # assistant messages (it lists `output_text` and `output_audio`).
    "RealtimeServerEventConversationItemRetrieved": "assistant content type 'audio'",
    "RealtimeServerEventResponseOutputItemDone": "assistant content type 'audio'",
}

_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _examples(schemas: dict[str, Any], union: str) -> list[tuple[str, str]]:
    found = []
    for branch in schemas[union]["anyOf"]:
        name = branch["$ref"].rsplit("/", 1)[-1]
        example = schemas[name].get("x-oaiMeta", {}).get("example")
        if example:
            found.append((name, example))
    return found


def decode_server_event_strictly(frame: str) -> ServerEvent | UnknownServerEvent:
    # Strict: a tolerant decode would deliver a deviating example instead of failing on it.
    return decode_server_event(frame, strict=True)


def _as_json(example: str) -> str:
    # Several upstream examples end objects with a trailing comma; that is not the event's fault.
    return _TRAILING_COMMA.sub(r"\1", example)


@pytest.mark.parametrize("direction", ["client", "server"])
def test_upstream_examples_round_trip(upstream_schemas: dict[str, Any], direction: str) -> None:
    union = "RealtimeClientEvent" if direction == "client" else "RealtimeServerEvent"
    decode = decode_client_event if direction == "client" else decode_server_event_strictly
    examples = _examples(upstream_schemas, union)
    assert len(examples) >= 10, "the upstream spec should carry examples"
    checked = 0
    for name, example in examples:
        if name in KNOWN_BAD_EXAMPLES:
            continue
        text = _as_json(example)
        event = decode(text)
        assert type(event).__name__ != "UnknownServerEvent", name
        assert event.model_dump(mode="json", exclude_unset=True) == json.loads(text), name
        checked += 1
    assert checked == len(examples) - len(set(KNOWN_BAD_EXAMPLES) & {n for n, _ in examples})


def test_allow_list_entries_still_fail(upstream_schemas: dict[str, Any]) -> None:
    """An allow-listed example that starts to pass should leave the list."""
    examples = dict(
        _examples(upstream_schemas, "RealtimeClientEvent")
        + _examples(upstream_schemas, "RealtimeServerEvent")
    )
    for name in KNOWN_BAD_EXAMPLES:
        decode = decode_client_event if "ClientEvent" in name else decode_server_event_strictly
        with pytest.raises(Exception) as caught:  # any failure counts
            event = decode(_as_json(examples[name]))
            if type(event).__name__ == "UnknownServerEvent":
                raise ValueError("decoded as an unknown event")
        assert caught.value is not None


@pytest.mark.parametrize(
    ("union", "adapter"),
    [
        ("RealtimeTranslationClientEvent", TypeAdapter(TranslationClientEvent)),
        ("RealtimeTranslationServerEvent", TypeAdapter(TranslationServerEvent)),
    ],
)
def test_translation_examples_round_trip(
    upstream_schemas: dict[str, Any], union: str, adapter: TypeAdapter[Any]
) -> None:
    examples = _examples(upstream_schemas, union)
    assert len(examples) == len(upstream_schemas[union]["anyOf"]), "one example per event"
    for name, example in examples:
        text = _as_json(example)
        event = adapter.validate_json(text)
        assert event.model_dump(mode="json", exclude_unset=True) == json.loads(text), name


def test_webhook_examples_round_trip(
    upstream_spec: dict[str, Any], upstream_schemas: dict[str, Any]
) -> None:
    webhooks = webhook_events(upstream_spec)
    assert webhooks, "the upstream spec should describe the realtime webhooks"
    for event_type, name in webhooks.items():
        text = _as_json(upstream_schemas[name]["x-oaiMeta"]["example"])
        event = WEBHOOK_EVENTS[event_type].model_validate_json(text)
        assert event.model_dump(mode="json", exclude_unset=True) == json.loads(text), name


_CURL_BODY = re.compile(r"-d '(\{.*\})'", re.DOTALL)


def _rest_examples(upstream_spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(operation id, request or response, JSON text)`` for every REST example with a body."""
    found = []
    for operation_id, entry in rest_operations(upstream_spec).items():
        operation = upstream_spec["paths"][entry["path"]][entry["method"].lower()]
        examples = operation.get("x-oaiMeta", {}).get("examples", {})
        body = _CURL_BODY.search(examples.get("request", {}).get("curl", ""))
        if body is not None and entry.get("request", {}).get("schema"):
            found.append((operation_id, "request", body[1]))
        response = examples.get("response")
        if isinstance(response, str) and entry.get("response", {}).get("schema"):
            found.append((operation_id, "response", response))
    return found


def test_rest_examples_round_trip(upstream_spec: dict[str, Any]) -> None:
    examples = _rest_examples(upstream_spec)
    # The spec shows bodies for client secrets (both kinds, both ways) and the call operations.
    assert {(op, part) for op, part, _ in examples} >= {
        ("create-realtime-client-secret", "request"),
        ("create-realtime-client-secret", "response"),
        ("create-realtime-translation-client-secret", "request"),
        ("create-realtime-translation-client-secret", "response"),
        ("accept-realtime-call", "request"),
        ("refer-realtime-call", "request"),
        ("reject-realtime-call", "request"),
    }
    for operation_id, part, example in examples:
        operation = REST_OPERATIONS[operation_id]
        model = operation.request if part == "request" else operation.response
        assert model is not None, (operation_id, part)
        text = _as_json(example)
        value = model.model_validate_json(text)
        assert value.model_dump(mode="json", exclude_unset=True) == json.loads(text), operation_id
