"""Names a package exports but imports only on first use (``openai_realtime``, ``.protocol``,
``.testing``): ``import openai_realtime`` stays cheap while every public name stays one import
away."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    namespace: dict[str, Any], sources: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of a package with lazily imported names.

    Args:
        namespace: The package's ``globals()``; its ``__name__`` and ``__all__`` are read when
            the functions run, and a name is kept there once imported.
        sources: Each lazily imported name and the module that defines it.

    Returns:
        ``__getattr__``, which imports a name on first access (``AttributeError`` for a name
        not in ``sources``), and ``__dir__``, which lists every public name, imported or not.
    """

    def __getattr__(name: str) -> object:
        module = sources.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace["__all__"]})

    __getattr__.__doc__ = (
        "Import a lazily exported name on first access, then keep it in the module."
    )
    __dir__.__doc__ = "Every public name, including those not imported yet."
    return __getattr__, __dir__
