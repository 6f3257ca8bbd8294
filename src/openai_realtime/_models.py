"""The base class every generated Realtime model inherits.

It encodes two rules of the house for the wire format:

* forward compatibility: fields the schema does not know yet are kept, not rejected
  (``extra="allow"``), so a newer server does not break an older client;
* the wire is the truth: serialising with ``exclude_unset=True`` emits only what was set, so a
  partial ``session.update`` stays partial and an explicit ``None`` is sent as ``null``. Tags
  are the exception: a field that can only hold one constant (``type``, a message's ``role``)
  is always emitted, even when it came from its default, because the receiver needs it to
  tell the variants of a union apart.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, get_args, get_origin

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

    __constant_fields__: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__constant_fields__ = frozenset(
            name
            for name, field in cls.model_fields.items()
            if get_origin(field.annotation) is Literal
            and len(get_args(field.annotation)) == 1
            and field.default == get_args(field.annotation)[0]
        )

    def model_post_init(self, context: Any, /) -> None:
        """Mark the constant tag fields as set, so ``exclude_unset`` dumps always carry them."""
        constants = type(self).__constant_fields__
        if constants:
            self.__pydantic_fields_set__.update(constants)
