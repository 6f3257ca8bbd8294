"""Every public module's ``__all__`` against what it really exports.

A public module is one of ``openai_realtime`` whose dotted name has no part starting with ``_``.
Each name in its ``__all__`` must be importable from it. A package that imports its exports
lazily (``_LAZY_NAMES`` and a module ``__getattr__``) must list in ``__all__`` exactly its eager
public names plus its lazy ones, show the lazy ones to type checkers (``if TYPE_CHECKING``)
exactly as it resolves them, and resolve each to the object of the module it names.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import Final

import pytest

import openai_realtime

# What a lazy package imports for itself, not for its users.
MACHINERY: Final = frozenset({"annotations", "importlib", "TYPE_CHECKING"})
# Public modules allowed to lack `__all__`, with the reason.
WITHOUT_ALL: Final = {
    "openai_realtime.types.models": "generated; re-exported by openai_realtime.types",
}


def public_module_names() -> list[str]:
    names = ["openai_realtime"]
    for info in pkgutil.walk_packages(openai_realtime.__path__, "openai_realtime."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


PUBLIC_MODULES: Final = public_module_names()


def lazy_packages() -> list[str]:
    return [
        name for name in PUBLIC_MODULES if hasattr(importlib.import_module(name), "_LAZY_NAMES")
    ]


def test_the_walk_finds_the_public_modules() -> None:
    assert {"openai_realtime", "openai_realtime.protocol", "openai_realtime.protocol.codec"} <= set(
        PUBLIC_MODULES
    )
    assert "openai_realtime.protocol" in lazy_packages()


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_name_in_all_is_importable(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    if exported is None:
        assert name in WITHOUT_ALL, f"{name} has no __all__"
        return
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    missing = [export for export in exported if not hasattr(module, export)]
    assert missing == [], f"{name}.__all__ names what it does not export: {missing}"


def bound_names(module: ModuleType) -> tuple[set[str], set[str]]:
    """Public names a module binds at top level: (eagerly, under ``if TYPE_CHECKING``)."""
    tree = ast.parse(inspect.getsource(module))
    eager: set[str] = set()
    type_checking: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name):
            if node.test.id == "TYPE_CHECKING":
                type_checking |= {name for child in node.body for name in _bound(child)}
            continue  # `if not TYPE_CHECKING:` holds the lazy-import machinery
        eager |= set(_bound(node))

    return _public(eager), _public(type_checking)


def _public(names: set[str]) -> set[str]:
    return {name for name in names if not name.startswith("_") and name not in MACHINERY}


def _bound(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [target.id for target in node.targets if isinstance(target, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


@pytest.mark.parametrize("name", lazy_packages())
def test_a_lazy_package_exports_exactly_its_eager_and_lazy_names(name: str) -> None:
    package = importlib.import_module(name)
    lazy: dict[str, str] = package._LAZY_NAMES
    eager, type_checking = bound_names(package)

    assert type_checking == set(lazy), "type checkers must see exactly the lazy names"
    assert set(package.__all__) == eager | set(lazy)
    assert set(package.__all__) <= set(dir(package))
    for export, source in lazy.items():
        assert getattr(package, export) is getattr(importlib.import_module(source), export)
