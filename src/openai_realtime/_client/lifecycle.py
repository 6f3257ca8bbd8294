"""The life of a client's connections: connect, close, reconnect or end (see ``client.py``)."""

from __future__ import annotations

from collections.abc import Callable

from openai_realtime._client.reconnector import Reconnector
from openai_realtime.api import RealtimeAPI
from openai_realtime.errors import ConnectionClosedError, RealtimeConnectionError
from openai_realtime.events import EventEmitter
from openai_realtime.local_events import CloseEvent, DisconnectedEvent, LocalErrorEvent
from openai_realtime.protocol.session_state import SessionState
from openai_realtime.reconnect import ReconnectPolicy
from openai_realtime.types import SessionUpdateEvent

__all__ = ["Lifecycle"]

# Waits for these survive a close: the events are still to come.
_CONNECTION_EVENTS = ("reconnecting", "reconnected", "disconnected")


class Lifecycle:
    """Connects, reacts to every close, and decides between reconnecting and ending.

    Args:
        realtime: The event connection.
        state: The session core, told when connections open and close.
        emitter: The client, where ``close``, ``error``, ``disconnected`` and the reconnect
            events are dispatched.
        session_update: The whole session configuration, read at each connect.
        policy: The reconnect policy now (``None``: never reconnect).
        connection_lost: Called on every close, before ``close`` is dispatched, with the error
            that pending work fails with.
    """

    def __init__(
        self,
        realtime: RealtimeAPI,
        state: SessionState,
        emitter: EventEmitter,
        *,
        session_update: Callable[[], SessionUpdateEvent],
        policy: Callable[[], ReconnectPolicy | None],
        connection_lost: Callable[[ConnectionClosedError], None],
    ) -> None:
        self._realtime = realtime
        self._state = state
        self._emitter = emitter
        self._session_update = session_update
        self._policy = policy
        self._connection_lost = connection_lost
        self._reconnector = Reconnector(emitter, restore=self._restore, end=self._end)
        self._last_close: CloseEvent | None = None
        # True outside a connect() .. disconnected span, so `disconnected` fires once per span.
        self._ended = True
        realtime._listen("close", self._on_close)

    async def connect(self) -> None:
        """Open the connection and send the whole session configuration once.

        Raises:
            RealtimeConnectionError: It could not be opened, or a reconnect is in progress.
            ConfigurationError: Missing key, insecure URL, or an invalid configuration.
        """
        if self._reconnector.running:
            raise RealtimeConnectionError("a reconnect is in progress")
        await self._open_session()
        self._ended = False
        last = self._last_close
        if not self._realtime.is_connected and last is not None:
            # It closed after the configuration was sent but before this call returned: the
            # close was held back until now so that a failed connect() only raises.
            self._after_close(last)

    async def disconnect(self) -> None:
        """Close, or stop reconnecting; ``disconnected`` fires once the connection is over."""
        await self._reconnector.stop()
        await self._realtime.disconnect()
        last = self._last_close
        self._end(last.code if last else None, last.reason if last else "")

    async def _open_session(self) -> None:
        await self._realtime.connect()
        self._state.connection_opened()
        # Read only now: update_session() calls made while connecting must not be lost.
        await self._realtime.send(self._session_update())

    def _on_close(self, event: CloseEvent) -> None:
        self._last_close = event
        closed = ConnectionClosedError(event.code, event.reason)
        for response_id in self._state.connection_closed():
            if not event.requested:
                message = f"response {response_id} was cut off: {closed}"
                self._emitter.dispatch("error", LocalErrorEvent(message, closed))
        self._connection_lost(closed)
        self._emitter.dispatch("close", event)
        self._emitter.release_waiters(closed, keep=_CONNECTION_EVENTS)
        if self._ended or self._reconnector.running:
            # Either connect() has not returned yet (it decides) or a reconnect attempt made
            # this connection (the attempt loop decides).
            return
        self._after_close(event)

    def _after_close(self, event: CloseEvent) -> None:
        policy = self._policy()
        if event.requested or policy is None or not policy.should_retry(event.code):
            self._end(event.code, event.reason)
            return
        self._reconnector.start(policy, event.code, event.reason)

    async def _restore(self, policy: ReconnectPolicy) -> int:
        """Connect, send the configuration and (if asked) the history; count replayed items.

        Raises:
            ConnectionClosedError: The new connection closed before everything was sent.
            RealtimeError: The connection could not be opened.
        """
        history = self._state.replay() if policy.replay_history else []
        await self._open_session()
        for event in history:
            await self._realtime.send(event)
        last = self._last_close
        if not self._realtime.is_connected and last is not None:
            # It closed while the last send was completing: a failed attempt like any other.
            raise ConnectionClosedError(last.code, last.reason)
        return len(history)

    def _end(self, code: int | None, reason: str) -> None:
        """The connection is over for good: ``disconnected``, once, then no wait can succeed."""
        if self._ended:
            return
        self._ended = True
        self._emitter.dispatch("disconnected", DisconnectedEvent(code, reason))
        self._emitter.release_waiters(ConnectionClosedError(code, reason))
