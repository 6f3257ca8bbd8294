"""Every upstream example of a GA Realtime event validates into our models and round-trips."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from openai_realtime.protocol.codec import decode_client_event, decode_server_event
from openai_realtime.types import ServerEvent, UnknownServerEvent

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
