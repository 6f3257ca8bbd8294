"""What the event connections (``RealtimeAPI``, ``RealtimeTranslator``) share about their wire.

The URL and its model, whether the connection is open, the transport a send may use (or the
error that says why there is none), and the observers that see every raw frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeAlias

from yarl import URL

from openai_realtime.errors import ConnectionClosedError, NotConnectedError
from openai_realtime.transports import Transport

__all__ = ["FrameObserver", "WireConnection"]

FrameObserver: TypeAlias = Callable[[Literal["client", "server"], str | bytes], None]
"""Called with the direction and the exact text (or bytes) of every frame sent or received."""


class WireConnection:
    """A mixin for a connection over a :class:`~openai_realtime.transports.Transport`.

    The class sets ``_url`` and ``_transport`` (``None`` until connected and again once the
    connection is over), records ``_last_close`` (code and reason) when it ends, and calls
    each of ``_frame_observers`` with every frame.
    """

    _url: URL
    _transport: Transport | None
    _last_close: tuple[int | None, str] | None = None
    # A tuple, replaced on change: the receive loop iterates it without a copy.
    _frame_observers: tuple[FrameObserver, ...] = ()

    @property
    def url(self) -> str:
        """The WebSocket URL connected to, including its query."""
        return str(self._url)

    @property
    def model(self) -> str | None:
        """The ``model`` query parameter of the URL, if any."""
        return self._url.query.get("model")

    @property
    def is_connected(self) -> bool:
        """True from a successful ``connect()`` until the connection starts closing."""
        return self._transport is not None and not self._transport.closed

    def observe_frames(self, observer: FrameObserver) -> Callable[[], None]:
        """Call ``observer`` with every raw frame, both ways, before it is decoded or dispatched.

        This is the hook for recorders and debuggers: frames are the exact wire text. The
        observer runs on the receive path, so it must be quick and must not raise.

        Args:
            observer: ``observer(direction, frame)``.

        Returns:
            A function that removes the observer.
        """
        self._frame_observers = (*self._frame_observers, observer)

        def remove() -> None:
            self._frame_observers = tuple(o for o in self._frame_observers if o is not observer)

        return remove

    def _open_connection(self) -> Transport:
        """The transport to send on.

        Raises:
            NotConnectedError: ``connect()`` was never called.
            ConnectionClosedError: The connection has closed or is closing.
        """
        transport = self._transport
        if transport is not None and not transport.closed:
            return transport
        if transport is not None:
            raise ConnectionClosedError(None, "the connection is closing")
        if self._last_close is not None:
            raise ConnectionClosedError(*self._last_close)
        raise NotConnectedError("not connected: call connect() first")
