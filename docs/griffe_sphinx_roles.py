"""A griffe extension for the API reference: reStructuredText idioms in docstrings as Markdown.

The docstrings cross-reference in Sphinx style (``:class:`~openai_realtime.api.RealtimeAPI```),
which Markdown would show verbatim. This rewrites each role as inline code, as Sphinx would
display it: the last component after ``~``, the full path otherwise. Literal blocks
(a paragraph ending in ``::`` followed by an indented block) become fenced Python code blocks,
so a page shows ``Example:`` and highlighted code rather than a literal ``Example::``.
mkdocs.yml loads it for mkdocstrings.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["SphinxRoles", "fence_literal_blocks", "rewrite_roles"]

_ROLE = re.compile(r":(?:class|func|meth|attr|mod|data|exc|obj):`(~?)([^`]+)`")
_LITERAL_INTRO = re.compile(r"^(\s*)(.*)::\s*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def fence_literal_blocks(text: str) -> str:
    """Turn each reStructuredText literal block of ``text`` into a fenced code block.

    Args:
        text: A docstring.

    Returns:
        The docstring with ``Intro::`` + blank line + indented block as ``Intro:`` and the
        block between fences, at the intro's indentation.
    """
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        intro = _LITERAL_INTRO.match(line)
        body_start = index + 1
        while body_start < len(lines) and not lines[body_start].strip():
            body_start += 1
        if (
            intro is None
            or body_start == index + 1
            or body_start >= len(lines)
            or _indent(lines[body_start]) <= len(intro.group(1))
        ):
            out.append(line)
            index += 1
            continue
        margin, words = intro.groups()
        body_end = body_start
        while body_end < len(lines) and (
            not lines[body_end].strip() or _indent(lines[body_end]) > len(margin)
        ):
            body_end += 1
        while not lines[body_end - 1].strip():
            body_end -= 1
        body = lines[body_start:body_end]
        depth = min(_indent(entry) for entry in body if entry.strip())
        # The fence keeps the intro's indentation: indented further, Markdown would read it as
        # an indented code block and show the fences. (With the blank line after it, a
        # Google-style parser keeps "Example:" as text rather than opening a section.)
        out.append(f"{margin}{words}:" if words else "")
        out.append("")
        out.append(f"{margin}```python")
        out.extend(margin + entry[depth:] if entry.strip() else "" for entry in body)
        out.append(f"{margin}```")
        index = body_end
    return "\n".join(out)


def rewrite_roles(text: str) -> str:
    """Replace each Sphinx role in ``text`` by inline code of the name it shows.

    Args:
        text: A docstring.

    Returns:
        The docstring with ``:role:`~a.b.C``` as ```C``` and ``:role:`a.b.C``` as ```a.b.C```.
    """

    def shown(match: re.Match[str]) -> str:
        short, target = match.groups()
        return f"`{target.rsplit('.', 1)[-1] if short else target}`"

    return _ROLE.sub(shown, text)


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring griffe loads, before mkdocstrings parses it."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the docstring of one loaded object.

        Args:
            obj: A module, class, function or attribute griffe has just loaded.
            **kwargs: The rest of griffe's hook arguments, unused.
        """
        if obj.docstring is not None:
            obj.docstring.value = fence_literal_blocks(rewrite_roles(obj.docstring.value))
