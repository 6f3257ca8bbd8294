"""The importer: idempotent, keeps our names and descriptions, reports what changed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from codegen.import_openapi import (
    DEFAULT_SCHEMA,
    PLACEHOLDER,
    build_document,
    dump_yaml,
    event_class_name,
    load_yaml,
    pascal,
)


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return load_yaml(DEFAULT_SCHEMA)


def test_committed_schema_is_a_fixed_point(
    upstream_spec: dict[str, Any], committed: dict[str, Any]
) -> None:
    """Re-importing the spec over our schema writes the very same bytes: idempotent."""
    document, report = build_document(upstream_spec, committed)
    assert dump_yaml(document) == DEFAULT_SCHEMA.read_text(encoding="utf-8")
    assert (report.added, report.removed, report.changed) == ([], [], [])


def test_every_description_is_ours(committed: dict[str, Any]) -> None:
    schemas = committed["components"]["schemas"]
    undescribed = [name for name, body in schemas.items() if body["description"] == PLACEHOLDER]
    assert undescribed == []


def test_schema_documents_all_57_events(committed: dict[str, Any]) -> None:
    operations = committed["operations"]
    assert len(operations["sendClientEvent"]["messages"]) == 11
    assert len(operations["receiveServerEvent"]["messages"]) == 46
    assert operations["sendClientEvent"]["action"] == "send"
    assert operations["receiveServerEvent"]["action"] == "receive"


def test_descriptions_and_renames_survive(
    upstream_spec: dict[str, Any], committed: dict[str, Any]
) -> None:
    previous = copy.deepcopy(committed)
    schemas = previous["components"]["schemas"]
    schemas["ResponseDoneEvent"]["description"] = "Our own words."
    schemas["ResponseDoneEvent"]["properties"]["response"]["description"] = "Field words."
    # Rename a shared object: the new name must stick, found again through x-upstream.
    schemas["VoiceChoice"] = schemas.pop("CustomVoice")
    document, report = build_document(upstream_spec, previous)
    new = document["components"]["schemas"]
    assert new["ResponseDoneEvent"]["description"] == "Our own words."
    assert new["ResponseDoneEvent"]["properties"]["response"]["description"] == "Field words."
    assert "VoiceChoice" in new and "CustomVoice" not in new
    assert report.added == [] and report.removed == []


def test_report_lists_added_removed_and_changed(
    upstream_spec: dict[str, Any], committed: dict[str, Any]
) -> None:
    previous = copy.deepcopy(committed)
    schemas = previous["components"]["schemas"]
    del schemas["ResponseCancelEvent"]
    schemas["ObsoleteThing"] = {"description": "gone upstream", "x-upstream": "Nope"}
    schemas["ErrorEvent"]["properties"]["error"] = {"type": "string"}
    _, report = build_document(upstream_spec, previous)
    assert report.added == ["ResponseCancelEvent"]
    assert report.removed == ["ObsoleteThing"]
    assert report.changed == ["ErrorEvent"]
    assert report.undescribed == ["ResponseCancelEvent"]


def test_first_import_normalises_upstream_hazards(upstream_spec: dict[str, Any]) -> None:
    document, report = build_document(upstream_spec, {})
    schemas = document["components"]["schemas"]
    # Single-value enums become constants (Literal in Python).
    assert schemas["SessionUpdateEvent"]["properties"]["type"]["const"] == "session.update"
    # The three message variants share type "message": grouped and discriminated on role.
    item = schemas["RealtimeConversationItem"]
    assert item["discriminator"] == "type"
    group = schemas[item["oneOf"][0]["$ref"].rsplit("/", 1)[-1]]
    assert group["discriminator"] == "role" and len(group["oneOf"]) == 3
    # Nullable turn detection: an explicit null branch beside the tagged union.
    audio_input = schemas["RealtimeSessionCreateRequestAudioInput"]["properties"]
    assert {"type": "null"} in audio_input["turn_detection"]["anyOf"]
    # `default: null` objects become nullable and are hoisted under a stable name.
    noise = audio_input["noise_reduction"]["anyOf"]
    assert noise[0] == {
        "$ref": "#/components/schemas/RealtimeSessionCreateRequestAudioInputNoiseReduction"
    }
    # Every component of a first import waits for our own description.
    assert len(report.undescribed) == len(schemas)
    assert not any(name[-1].isdigit() for name in schemas)


def test_naming_rule() -> None:
    assert event_class_name("response.output_audio.delta") == "ResponseOutputAudioDeltaEvent"
    assert event_class_name("session.update") == "SessionUpdateEvent"
    assert pascal("Server VAD") == "ServerVAD"
