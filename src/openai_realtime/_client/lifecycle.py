"""The life of a client's connections: connect, close, renew, reconnect or end (``client.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from openai_realtime._client.reconnector import Reconnector
from openai_realtime._client.renewal_planner import RenewalPlanner
from openai_realtime.api import RealtimeAPI
from openai_realtime.errors import ConnectionClosedError, RealtimeConnectionError
from openai_realtime.events import EventEmitter
from openai_realtime.local_events import (
    CloseEvent,
    DisconnectedEvent,
    LocalErrorEvent,
    SessionRenewedEvent,
)
from openai_realtime.protocol.session_state import SessionState, is_session_expiry
from openai_realtime.reconnect import ReconnectPolicy, SessionRenewal
from openai_realtime.types import ConversationItemCreateEvent, SessionUpdateEvent

__all__ = ["Lifecycle"]

# Waits for these survive a close: the events are still to come.
_CONNECTION_EVENTS = ("reconnecting", "reconnected", "session.renewed", "disconnected")


@dataclass(frozen=True, slots=True)
class _Renewing:
    """A renewal under way: the close that ended the old session, and whether we planned it."""

    closed: CloseEvent
    planned: bool


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
        renewal: How a session that reaches its maximum duration is replaced (``None``: it is
            not, the close is handled like any other); with ``ahead``, the client closes the
            session itself before the limit (a planned close, which starts the renewal and is
            never a failure nor the end).
        restored: Called after a reconnect sent the configuration and the history, with
            whether the history was replayed (the tool runner reports interrupted calls).
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
        renewal: Callable[[], SessionRenewal | None],
        restored: Callable[[bool], Awaitable[None]],
    ) -> None:
        self._realtime = realtime
        self._state = state
        self._emitter = emitter
        self._session_update = session_update
        self._policy = policy
        self._connection_lost = connection_lost
        self._renewal = renewal
        self._restored = restored
        # Set while a renewal runs, for `session.renewed`.
        self._renewing: _Renewing | None = None
        # True from the planned close's start until its `close` event.
        self._planned = False
        self._opened_at = 0.0
        self._reconnector = Reconnector(emitter, restore=self._restore, end=self._end)
        self._last_close: CloseEvent | None = None
        # True outside a connect() .. disconnected span, so `disconnected` fires once per span.
        self._ended = True
        self._planner = RenewalPlanner(realtime, state, renewal=renewal, close=self._close_early)
        realtime._listen("close", self._on_close)

    async def connect(self) -> None:
        """Open the connection and send the whole session configuration once.

        Raises:
            RealtimeConnectionError: It could not be opened, or a reconnect is in progress.
            ConfigurationError: Missing key, insecure URL, or an invalid configuration.
        """
        if self._reconnector.running:
            raise RealtimeConnectionError("a reconnect is in progress")
        # A new span: nothing failed in it yet, and no earlier tool run belongs to it.
        self._reconnector.useful()
        self._state.forget_tool_runs()
        await self._open_session()
        self._ended = False
        last = self._last_close
        if not self._realtime.is_connected and last is not None:
            # It closed after the configuration was sent but before this call returned: the
            # close was held back until now so that a failed connect() only raises.
            self._after_close(last)

    async def disconnect(self) -> None:
        """Close, or stop reconnecting; ``disconnected`` fires once the connection is over."""
        # A planned renewal's close still under way becomes this close.
        self._planned = False
        self._planner.cancel()
        await self._reconnector.stop()
        await self._realtime.disconnect()
        last = self._last_close
        self._end(last.code if last else None, last.reason if last else "")

    async def _open_session(self) -> None:
        await self._realtime.connect()
        self._opened_at = asyncio.get_running_loop().time()
        self._state.connection_opened()
        # Read only now: update_session() calls made while connecting must not be lost.
        await self._realtime.send(self._session_update())

    async def _close_early(self) -> None:
        """Close the connection ourselves for a renewal ahead of the limit."""
        if not self._realtime.is_connected:
            return  # the server closed it meanwhile: its close decides
        self._planned = True
        await self._realtime.disconnect()

    def _on_close(self, event: CloseEvent) -> None:
        self._last_close = event
        self._planner.cancel()
        # Planned only if the close is ours: one the server started meanwhile is its own.
        planned, self._planned = self._planned and event.requested, False
        if planned or self._was_useful():
            self._reconnector.useful()
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
        self._after_close(event, planned=planned)

    def _was_useful(self) -> bool:
        """Whether the connection now closing did something useful (see ``ReconnectPolicy``)."""
        if self._state.response_completed:
            return True
        policy = self._policy()
        open_for = asyncio.get_running_loop().time() - self._opened_at
        stable = policy is not None and open_for >= policy.stable_after
        return stable and self._state.session_created

    def _after_close(self, event: CloseEvent, *, planned: bool = False) -> None:
        renewal = self._renewal()
        expired = self._state.session_expired or is_session_expiry(event.code, event.reason)
        if renewal is not None and (planned or (expired and not event.requested)):
            self._renewing = _Renewing(event, planned)
            self._reconnector.start(renewal.policy(), event.code, event.reason)
            return
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
        configuration = self._session_update()
        await self._open_session()
        for event in history:
            await self._realtime.send(event)
        await self._restored(policy.replay_history)
        last = self._last_close
        if not self._realtime.is_connected and last is not None:
            # It closed while the last send was completing: a failed attempt like any other.
            raise ConnectionClosedError(last.code, last.reason)
        renewing = self._renewing
        if renewing is not None:
            self._renewing = None
            self._emitter.dispatch("session.renewed", _renewed(configuration, history, renewing))
        return len(history)

    def _end(self, code: int | None, reason: str) -> None:
        """The connection is over for good: ``disconnected``, once, then no wait can succeed."""
        self._renewing = None
        if self._ended:
            return
        self._ended = True
        self._emitter.dispatch("disconnected", DisconnectedEvent(code, reason))
        self._emitter.release_waiters(ConnectionClosedError(code, reason))


def _renewed(
    configuration: SessionUpdateEvent,
    history: list[ConversationItemCreateEvent],
    renewing: _Renewing,
) -> SessionRenewedEvent:
    session = configuration.session
    tools = getattr(session, "tools", None) or ()
    return SessionRenewedEvent(
        item_ids=tuple(event.item.id for event in history if event.item.id is not None),
        instructions=getattr(session, "instructions", None),
        tools=tuple(name for tool in tools if isinstance(name := getattr(tool, "name", None), str)),
        code=renewing.closed.code,
        reason=renewing.closed.reason,
        planned=renewing.planned,
    )
