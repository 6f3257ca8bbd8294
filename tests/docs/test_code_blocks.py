"""The Python blocks of the guides parse, and every SDK name they import exists.

Guides show fragments (``await`` at the top level, a ``client`` made elsewhere), so the blocks
are not run; the examples are (``test_docs_examples.py``). What rots first in prose is an
import path or a renamed class, and that is checked here against the real package.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*ROOT.glob("docs/**/*.md"), ROOT / "README.md"])
PACKAGE = "openai_realtime"

_PYTHON_BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
_SNIPPET = "--8<--"


def _python_blocks(page: Path) -> list[str]:
    """The Python code blocks of a page, dedented; snippet includes are left out."""
    blocks = []
    for match in _PYTHON_BLOCK.finditer(page.read_text(encoding="utf-8")):
        indent, body = len(match.group(1)), match.group(2)
        code = "\n".join(line[indent:] for line in body.splitlines())
        if _SNIPPET not in code:
            blocks.append(code)
    return blocks


def _imported_names(tree: ast.AST) -> list[tuple[str, str | None]]:
    """``(module, name)`` for every import of the SDK; ``name`` is None for a plain import."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
            found.extend((node.module or "", alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((a.name, None) for a in node.names if a.name.startswith(PACKAGE))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_python_blocks_parse_and_import_real_names(page: Path) -> None:
    for code in _python_blocks(page):
        # Guides await at the top level, as in a notebook or an async REPL.
        flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        tree = compile(code, str(page), "exec", flags=flags, dont_inherit=True)
        for module_name, name in _imported_names(tree):
            module = importlib.import_module(module_name)
            if name is not None:
                assert hasattr(module, name), f"{page.name}: {module_name} has no {name}"


def test_the_guides_have_python_blocks() -> None:
    assert sum(len(_python_blocks(page)) for page in PAGES) >= 30
