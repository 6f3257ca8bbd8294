"""Identifiers shaped like the service's own (``event_…``, ``item_…``, ``resp_…``, ``call_…``)."""

from __future__ import annotations

import itertools
import secrets

__all__ = ["IdFactory"]


class IdFactory:
    """Makes ids that never repeat within one connection.

    A random stem keeps ids from different connections apart; a counter keeps them unique and
    cheap to make (one is made per streamed delta). Ids hold only ``[a-z0-9_]``, so they can be
    spliced into JSON text without escaping.
    """

    __slots__ = ("_counter", "_stem")

    def __init__(self) -> None:
        self._stem = secrets.token_hex(5)
        self._counter = itertools.count(1)

    def make(self, prefix: str) -> str:
        """Return a new id such as ``item_3f9a0c1b2e1a``.

        Args:
            prefix: The kind of object, e.g. ``"item"`` or ``"event"``.

        Returns:
            ``prefix`` + ``_`` + a unique suffix.
        """
        return f"{prefix}_{self._stem}{next(self._counter):x}"
