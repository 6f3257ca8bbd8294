"""Our schema is real AsyncAPI 3.0: it validates against the official JSON Schema."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from codegen.import_openapi import DEFAULT_SCHEMA, load_yaml
from codegen.validate_asyncapi import load_official_schema, validate
from tests.support import require_binary


@pytest.fixture(scope="module")
def official() -> dict[str, Any]:
    require_binary("npm")  # fetches the official schema package on first use
    return load_official_schema()


def test_schema_is_valid_asyncapi(official: dict[str, Any]) -> None:
    assert validate(load_yaml(DEFAULT_SCHEMA), official) == []


def test_validator_catches_violations(official: dict[str, Any]) -> None:
    document = copy.deepcopy(load_yaml(DEFAULT_SCHEMA))
    document["operations"]["sendClientEvent"]["action"] = "publish"  # AsyncAPI 2 vocabulary
    del document["info"]["version"]
    problems = validate(document, official)
    assert any(line.startswith("operations/sendClientEvent") for line in problems)
    assert any(line.startswith("info") for line in problems)
