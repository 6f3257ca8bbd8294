"""The base class every generated Realtime model inherits.

It encodes two rules of the house for the wire format:

* forward compatibility: fields the schema does not know yet are kept, not rejected
  (``extra="allow"``), so a newer server does not break an older client;
* the wire is the truth: serialising with ``exclude_unset=True`` emits only what was set, so a
  partial ``session.update`` stays partial and an explicit ``None`` is sent as ``null``. The
  ``type`` tag is the exception: it is always emitted, even when it came from its default.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["RealtimeModel"]


class RealtimeModel(BaseModel):
    """Base class of every generated event and object model."""

    model_config = ConfigDict(
        extra="allow",
        # Upstream has fields called `model`, which pydantic would otherwise warn about.
        protected_namespaces=(),
        populate_by_name=True,
    )

    def model_post_init(self, context: Any, /) -> None:
        """Mark the ``type`` tag as set, so ``exclude_unset`` dumps always carry it."""
        fields_set = self.__pydantic_fields_set__
        if "type" not in fields_set and "type" in type(self).model_fields:
            fields_set.add("type")
