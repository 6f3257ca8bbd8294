"""The importer: idempotent, keeps our names and descriptions, reports what changed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from codegen.import_openapi import (
    CHANNELS,
    DEFAULT_OVERLAY,
    DEFAULT_SCHEMA,
    PLACEHOLDER,
    build_document,
    dump_yaml,
    event_class_name,
    load_yaml,
    pascal,
    rest_operations,
    webhook_events,
)


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return load_yaml(DEFAULT_SCHEMA)


@pytest.fixture(scope="module")
def overlay() -> dict[str, Any]:
    return load_yaml(DEFAULT_OVERLAY)


def _union_size(upstream_spec: dict[str, Any], union: str) -> int:
    return len(upstream_spec["components"]["schemas"][union]["anyOf"])


def test_committed_schema_is_a_fixed_point(
    upstream_spec: dict[str, Any], committed: dict[str, Any], overlay: dict[str, Any]
) -> None:
    """Re-importing the spec over our schema writes the very same bytes: idempotent."""
    document, report = build_document(upstream_spec, committed, overlay)
    assert dump_yaml(document) == DEFAULT_SCHEMA.read_text(encoding="utf-8")
    assert (report.added, report.removed, report.changed) == ([], [], [])
    assert len(report.overlay_applied) == len(overlay["entries"])
    assert report.overlay_obsolete == []


def test_overlay_entries_are_documented_and_modelled(
    upstream_spec: dict[str, Any], overlay: dict[str, Any]
) -> None:
    """Every entry carries evidence; without the overlay the custom voice is not modelled."""
    assert all(len(entry["evidence"].split()) >= 10 for entry in overlay["entries"])
    with_overlay, _ = build_document(upstream_spec, {}, overlay)
    without, _ = build_document(upstream_spec, {})
    voice = "RealtimeSessionCreateResponseAudioOutput"
    assert with_overlay["components"]["schemas"][voice]["properties"]["voice"] == {
        "$ref": "#/components/schemas/VoiceIdsOrCustomVoice"
    }
    assert without["components"]["schemas"][voice]["properties"]["voice"] == {
        "$ref": "#/components/schemas/VoiceIdsShared"
    }
    # The upstream document itself is never changed by applying the overlay.
    assert without == build_document(upstream_spec, {})[0]


def test_overlay_reports_obsolete_entries_and_rejects_unknown_targets(
    upstream_spec: dict[str, Any],
) -> None:
    already = {
        "target": "RealtimeResponse/properties/status_details/properties/error/properties/code",
        "schema": {"type": "string"},
        "evidence": "upstream has had it all along",
    }
    _, report = build_document(upstream_spec, {}, {"entries": [already]})
    assert report.overlay_obsolete == [already["target"]]
    assert any("obsolete" in line for line in report.lines())
    missing = {"target": "NoSuchComponent/properties/x", "schema": {"type": "string"}}
    with pytest.raises(ValueError, match="NoSuchComponent"):
        build_document(upstream_spec, {}, {"entries": [missing]})


def test_rest_operations_and_webhooks_come_from_the_spec(
    upstream_spec: dict[str, Any], committed: dict[str, Any]
) -> None:
    operations = rest_operations(upstream_spec)
    paths = {entry["path"] for entry in operations.values()}
    assert {
        "/realtime/client_secrets",
        "/realtime/translations/client_secrets",
        "/realtime/calls",
        "/realtime/calls/{call_id}/accept",
        "/realtime/calls/{call_id}/reject",
        "/realtime/calls/{call_id}/refer",
        "/realtime/calls/{call_id}/hangup",
    } <= paths
    assert set(committed["x-rest-operations"]) == set(operations)
    assert set(committed["x-webhooks"]) == set(webhook_events(upstream_spec))
    assert "realtime.call.incoming" in committed["x-webhooks"]
    schemas = committed["components"]["schemas"]
    for entry in committed["x-rest-operations"].values():
        for part in ("request", "response"):
            if "payload" in entry.get(part, {}):
                assert entry[part]["payload"]["$ref"].rsplit("/", 1)[-1] in schemas


def test_every_description_is_ours(committed: dict[str, Any]) -> None:
    schemas = committed["components"]["schemas"]
    undescribed = [name for name, body in schemas.items() if body["description"] == PLACEHOLDER]
    assert undescribed == []


def test_schema_documents_every_event_of_every_channel(
    upstream_spec: dict[str, Any], committed: dict[str, Any]
) -> None:
    operations = committed["operations"]
    for channel in CHANNELS:
        send, receive = operations[channel.send_operation], operations[channel.receive_operation]
        assert len(send["messages"]) == _union_size(upstream_spec, channel.client_union)
        assert len(receive["messages"]) == _union_size(upstream_spec, channel.server_union)
        assert (send["action"], receive["action"]) == ("send", "receive")
        assert committed["channels"][channel.key]["address"] == channel.address


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
    upstream_spec: dict[str, Any], committed: dict[str, Any], overlay: dict[str, Any]
) -> None:
    previous = copy.deepcopy(committed)
    schemas = previous["components"]["schemas"]
    del schemas["ResponseCancelEvent"]
    schemas["ObsoleteThing"] = {"description": "gone upstream", "x-upstream": "Nope"}
    schemas["ErrorEvent"]["properties"]["error"] = {"type": "string"}
    _, report = build_document(upstream_spec, previous, overlay)
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
