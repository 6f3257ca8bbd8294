"""A griffe extension for the API reference: Sphinx roles in docstrings become inline code.

The docstrings cross-reference in Sphinx style (``:class:`~openai_realtime.api.RealtimeAPI```),
which Markdown would show verbatim. This rewrites each role as inline code, as Sphinx would
display it: the last component after ``~``, the full path otherwise. mkdocs.yml loads it for
mkdocstrings.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["SphinxRoles", "rewrite_roles"]

_ROLE = re.compile(r":(?:class|func|meth|attr|mod|data|exc|obj):`(~?)([^`]+)`")


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
            obj.docstring.value = rewrite_roles(obj.docstring.value)
