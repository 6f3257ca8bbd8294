"""Fixtures for the schema tests: the upstream OpenAPI document, when it is present."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codegen.import_openapi import DEFAULT_SPEC, load_yaml

_cache: dict[Path, dict[str, Any]] = {}


@pytest.fixture(scope="session")
def upstream_spec() -> dict[str, Any]:
    """The upstream GA spec (``../shared/openai-spec/openapi.yaml``), parsed once."""
    if not DEFAULT_SPEC.exists():
        pytest.fail(
            f"upstream spec not found at {DEFAULT_SPEC}: the drift checks need ../shared beside "
            "the checkout (CI has it)"
        )
    if DEFAULT_SPEC not in _cache:
        _cache[DEFAULT_SPEC] = load_yaml(DEFAULT_SPEC)
    return _cache[DEFAULT_SPEC]


@pytest.fixture(scope="session")
def upstream_schemas(upstream_spec: dict[str, Any]) -> dict[str, Any]:
    """``components/schemas`` of the upstream spec."""
    schemas: dict[str, Any] = upstream_spec["components"]["schemas"]
    return schemas
