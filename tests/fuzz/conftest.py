"""The fuzz profile (registered before hypothesis needs it) and its longer time limit."""

from __future__ import annotations

from pathlib import Path

import pytest

# Imported first for its side effect: `--hypothesis-profile=fuzz` is resolved when pytest
# configures, and this conftest is loaded before that when pytest is given tests/fuzz.
from fuzz_budget import FUZZ_TEST_TIMEOUT, is_long_run

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under the fuzz profile, give the tests of this folder the long run's time limit."""
    if not is_long_run():
        return
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(pytest.mark.timeout(FUZZ_TEST_TIMEOUT))
