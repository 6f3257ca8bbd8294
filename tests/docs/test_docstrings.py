"""Every public name has a docstring, and every public module has an API reference page.

"Public" is what a module lists in ``__all__``: each class and function there needs its own
docstring, and so does each public method and property of those classes (an override may
inherit its base's). The API reference is rendered from these docstrings, so a missing one is
a hole in the site.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "docs" / "reference"

PUBLIC_MODULES = (
    "openai_realtime",
    "openai_realtime.api",
    "openai_realtime.audio",
    "openai_realtime.client",
    "openai_realtime.errors",
    "openai_realtime.events",
    "openai_realtime.local_events",
    "openai_realtime.protocol.audio",
    "openai_realtime.protocol.conversation",
    "openai_realtime.protocol.items",
    "openai_realtime.protocol.session_state",
    "openai_realtime.responses",
    "openai_realtime.relay",
    "openai_realtime.secrets",
    "openai_realtime.testing",
    "openai_realtime.tools",
    "openai_realtime.transports",
    "openai_realtime.credentials",
)
# Public modules that are being written; each joins the checks once it exists.
UPCOMING_MODULES = ("openai_realtime.cli", "openai_realtime.reconnect", "openai_realtime.recording")
# Checked for docstrings, but documented through another page (their package re-exports them).
DOCUMENTED_ELSEWHERE = frozenset(
    {
        "openai_realtime.audio",
        "openai_realtime.protocol.codec",
        "openai_realtime.protocol.session_options",
    }
)

_REFERENCE_DIRECTIVE = re.compile(r"^::: ([\w.]+)", re.MULTILINE)


def _existing(names: tuple[str, ...]) -> tuple[str, ...]:
    """The modules that exist; a folder without ``__init__.py`` yet is not a module to check."""
    specs = {name: importlib.util.find_spec(name) for name in names}
    return tuple(name for name, spec in specs.items() if spec is not None and spec.origin)


MODULES = (
    *PUBLIC_MODULES,
    "openai_realtime.protocol.codec",
    "openai_realtime.protocol.session_options",
    *_existing(UPCOMING_MODULES),
)


def _has_own_docstring(cls: type) -> bool:
    docstring = cls.__dict__.get("__doc__")
    if not docstring:
        return False
    # A dataclass without a docstring gets its signature as one: that documents nothing.
    return not (dataclasses.is_dataclass(cls) and docstring.startswith(f"{cls.__name__}("))


def _undocumented_members(cls: type) -> list[str]:
    missing = []
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            documented = bool(inspect.getdoc(member))
        elif isinstance(member, staticmethod | classmethod) or inspect.isfunction(member):
            documented = bool(inspect.getdoc(getattr(cls, name)))  # may inherit the base's
        else:
            continue  # fields and constants are described in the class docstring
        if not documented:
            missing.append(f"{cls.__name__}.{name}")
    return missing


def _undocumented(module: ModuleType) -> list[str]:
    missing = [] if module.__doc__ else ["(module docstring)"]
    for name in getattr(module, "__all__", ()):
        value = getattr(module, name)
        if inspect.isclass(value):
            if not _has_own_docstring(value):
                missing.append(name)
            missing.extend(_undocumented_members(value))
        elif inspect.isfunction(value) and not inspect.getdoc(value):
            missing.append(name)
    return missing


@pytest.mark.parametrize("module_name", MODULES)
def test_public_names_have_docstrings(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert hasattr(module, "__all__"), f"{module_name} has no __all__"
    assert _undocumented(module) == [], f"undocumented in {module_name}"


def test_every_public_module_has_a_reference_page() -> None:
    rendered = {
        match.group(1)
        for page in REFERENCE_DIR.glob("*.md")
        for match in _REFERENCE_DIRECTIVE.finditer(page.read_text(encoding="utf-8"))
    }
    # The audio helpers are rendered where they are defined, protocol.audio.
    expected = set(MODULES) - DOCUMENTED_ELSEWHERE
    missing = sorted(expected - rendered)
    assert missing == [], f"add a docs/reference page with '::: <module>' for {missing}"
