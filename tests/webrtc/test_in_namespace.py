"""Each module of ``in_namespace/`` runs in a child pytest inside a fresh network namespace."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.netns import run_in_network_namespace

_ROOT = Path(__file__).resolve().parents[2]
_MODULES = sorted((Path(__file__).parent / "in_namespace").glob("test_*.py"))


def test_the_namespace_modules_exist() -> None:
    assert [module.name for module in _MODULES] == ["test_call.py"]


@pytest.mark.parametrize("module", _MODULES, ids=lambda module: module.stem)
def test_module_passes_inside_its_own_network_namespace(module: Path) -> None:
    finished = run_in_network_namespace(
        [sys.executable, "-m", "pytest", str(module), "-q", "-p", "no:cacheprovider"],
        timeout=50,
        cwd=str(_ROOT),
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, f"{module.name} failed inside the namespace:\n{output}"
    assert " passed" in finished.stdout and "skipped" not in finished.stdout, output
