"""``async with`` for the SDK's connections and servers, written once.

A connection connects on entry and disconnects on exit; a server starts on entry and stops
on exit, however the block ends. :func:`require_started` is what a server's properties answer
with before ``start()``.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from openai_realtime.errors import NotConnectedError

__all__ = ["ConnectsOnEnter", "StartsOnEnter", "require_started"]


class _Connectable(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...


class _Startable(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


_ConnectableT = TypeVar("_ConnectableT", bound=_Connectable)
_StartableT = TypeVar("_StartableT", bound=_Startable)
_ValueT = TypeVar("_ValueT")


class ConnectsOnEnter:
    """A mixin: ``async with`` calls ``connect()``, then ``disconnect()`` however the block ends."""

    async def __aenter__(self: _ConnectableT) -> _ConnectableT:
        await self.connect()
        return self

    async def __aexit__(self: _Connectable, *exc_info: object) -> None:
        await self.disconnect()


class StartsOnEnter:
    """A mixin: ``async with`` calls ``start()``, then ``stop()`` however the block ends."""

    async def __aenter__(self: _StartableT) -> _StartableT:
        await self.start()
        return self

    async def __aexit__(self: _Startable, *exc_info: object) -> None:
        await self.stop()


def require_started(value: _ValueT | None, server: str) -> _ValueT:
    """``value``, which a server sets in ``start()`` and clears in ``stop()``.

    Args:
        value: The attribute to read.
        server: How the error names the server (``"the relay"``).

    Raises:
        NotConnectedError: ``value`` is ``None``: the server is not running.
    """
    if value is None:
        raise NotConnectedError(f"{server} is not running; call start() first")
    return value
