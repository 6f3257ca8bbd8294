"""``async with session:``: connect on entry, disconnect on exit, for the session classes
whose ``connect()`` and ``disconnect()`` take no required argument."""

from __future__ import annotations

from typing import Protocol, TypeVar

__all__ = ["ConnectsOnEnter"]


class _Connectable(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...


_SessionT = TypeVar("_SessionT", bound=_Connectable)


class ConnectsOnEnter:
    """A mixin: ``async with`` calls ``connect()``, then ``disconnect()`` however the block ends."""

    async def __aenter__(self: _SessionT) -> _SessionT:
        await self.connect()
        return self

    async def __aexit__(self: _Connectable, *exc_info: object) -> None:
        await self.disconnect()
