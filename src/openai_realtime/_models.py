"""The base class every generated Realtime model inherits.

It encodes two rules of the house for the wire format:

* forward compatibility: fields the schema does not know yet are kept, not rejected
  (``extra="allow"``), so a newer server does not break an older client;
* the wire is the truth: serialising with ``exclude_unset=True`` emits only what was set, so a
  partial ``session.update`` stays partial and an explicit ``None`` is sent as ``null``. Tags
  are the exception: a field that can only hold one constant (``type``, a message's ``role``)
  is always emitted, even when it came from its default, because the receiver needs it to
  tell the variants of a union apart.

A server event whose payload did not validate is still delivered by the tolerant reader
(:mod:`openai_realtime.protocol.codec`): its ``validation_issues`` lists the
:class:`ValidationIssue` records of the parts kept raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = ["RealtimeModel", "ValidationIssue", "validation_summary"]


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One part of a server event that did not match its model and was kept as raw JSON.

    Attributes:
        loc: Where it is, from the event's root: field names and list indices, as on the wire
            (``("session", "audio", "output", "voice")``).
        message: What did not validate (pydantic's messages, without the input value).
    """

    loc: tuple[str | int, ...]
    message: str

    @property
    def path(self) -> str:
        """The location as a dotted path, e.g. ``session.audio.output.voice``."""
        return ".".join(str(part) for part in self.loc)


class RealtimeModel(BaseModel):
    """Base class of every generated event and object model."""

    model_config = ConfigDict(
        extra="allow",
        # Upstream has fields called `model`, which pydantic would otherwise warn about.
        protected_namespaces=(),
        populate_by_name=True,
        # Build each model's validator on first use, not at import: the decoders' unions build
        # what they need in one pass, and a program pays only for the models it touches
        # (about 45 ms of CPU less on `from openai_realtime import RealtimeClient`).
        defer_build=True,
    )

    __constant_fields__: ClassVar[frozenset[str]] = frozenset()

    validation_issues: ClassVar[tuple[ValidationIssue, ...]] = ()
    """What did not validate when this server event was decoded; empty when all of it did.

    Set only on the event object itself (paths start at the event's root), and only by the
    tolerant reader; each listed part holds the raw JSON value the server sent.
    """

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


def validation_summary(error: ValidationError) -> str:
    """Where and why each problem is, on one line: for our errors, never pydantic's own.

    No input values and no documentation URLs: an input may hold a secret or a whole audio
    payload.
    """
    return "; ".join(
        f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
        for detail in error.errors(include_url=False, include_input=False)
    )
