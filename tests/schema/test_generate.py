"""`make generate` refuses to run while a placeholder description remains in the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from codegen.generate import SCHEMA, PlaceholderError, generate
from codegen.import_openapi import PLACEHOLDER, dump_yaml, load_yaml


def test_a_placeholder_stops_generation(tmp_path: Path) -> None:
    document = load_yaml(SCHEMA)
    document["components"]["schemas"]["ResponseDoneEvent"]["properties"]["response"][
        "description"
    ] = PLACEHOLDER
    document["channels"]["translation"]["description"] = PLACEHOLDER
    schema = tmp_path / "schema.yaml"
    schema.write_text(dump_yaml(document), encoding="utf-8")
    with pytest.raises(PlaceholderError) as caught:
        generate(tmp_path / "out", schema=schema)
    message = str(caught.value)
    assert message.startswith("2 description(s)")
    assert "/components/schemas/ResponseDoneEvent/properties/response/description" in message
    assert "/channels/translation/description" in message
    assert not (tmp_path / "out").exists(), "nothing is written before the check passes"


def test_the_committed_schema_has_no_placeholder() -> None:
    assert PLACEHOLDER not in SCHEMA.read_text(encoding="utf-8")
    # The reference page and docstrings come from these descriptions: none may be empty.
    schemas = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))["components"]["schemas"]
    assert all(body.get("description", "").strip() for body in schemas.values())
