"""The event emitter behind ``RealtimeAPI`` and ``RealtimeClient``: on / off / once / waits.

:class:`EventEmitter` is the runtime; the typed ``on`` / ``once`` / ``wait_for_next`` come from a
generated mixin (``openai_realtime.types.emitter``) whose overloads give each handler its event
class, and which calls :meth:`EventEmitter._subscribe` and :meth:`EventEmitter._wait_for`::

    class RealtimeAPI(ApiEventsMixin, EventEmitter): ...

Rules of dispatch:

* names are strings (``server.response.done``, ``client.session.update``, ``error``, ``close``,
  ...) or event classes, which stand for ``server.<type>`` / ``client.<type>``;
* handlers run in registration order; a ``server.<type>`` dispatch then runs the ``server.*``
  handlers, and a ``client.<type>`` dispatch the ``client.*`` ones;
* a handler added or removed while an event is being dispatched takes effect from the next one;
* sync handlers run inline; a handler that returns a coroutine (an ``async def``) has it
  scheduled as a task, tracked until it ends (:meth:`EventEmitter.drain` awaits them);
* pending handler tasks are bounded: ``max_pending_handlers`` (default
  :data:`DEFAULT_MAX_PENDING_HANDLERS`). ``dispatch`` itself never blocks, so it may schedule a
  few past the bound (one per async handler of the event being dispatched); whoever produces
  the events then waits in :meth:`EventEmitter._wait_for_handler_room` until the count is below
  the bound again. ``RealtimeAPI`` does so after each received frame, which stops it reading the
  socket (back-pressure onto the server) rather than letting tasks pile up in memory. So an
  async handler that waits for a *later* event of the same connection (``wait_for_next``) holds
  its slot until then: if ``max_pending_handlers`` of them wait at once, nothing more is read
  and they end only by their timeouts. Such handlers should be rare, or the bound raised;
* an exception from any handler, sync or async, is logged on the ``openai_realtime`` logger and
  dispatched as ``error`` with a :class:`~openai_realtime.local_events.LocalErrorEvent`; it never
  reaches the caller of :meth:`EventEmitter.dispatch` (the receive loop). An exception from an
  ``error`` handler is only logged, so a failing error handler cannot loop.

Waiting without a race: ``wait_for_next`` only sees events dispatched after it starts waiting,
so an event that arrives while the caller is still sending the request that causes it is missed.
:meth:`EventEmitter.expect` registers the wait first and is awaited later::

    async with client.expect("server.response.done", timeout=30) as done:
        await client.send_user_message_content([{"type": "input_text", "text": "Hi"}])
    event = await done  # the event, even if it arrived before this line

The registration happens when ``expect()`` is called; the ``async with`` block only scopes it
(leaving the block by an exception forgets the wait).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Collection, Coroutine, Generator
from dataclasses import dataclass
from functools import partial
from types import TracebackType
from typing import Any, Final, Generic, TypeAlias, TypeVar

from openai_realtime._models import RealtimeModel
from openai_realtime.errors import RealtimeError, RealtimeTimeoutError
from openai_realtime.local_events import LocalErrorEvent
from openai_realtime.types import CLIENT_EVENTS, SERVER_EVENTS

__all__ = [
    "DEFAULT_MAX_PENDING_HANDLERS",
    "EventEmitter",
    "EventName",
    "Expectation",
    "Handler",
    "client_event_name",
    "event_name",
    "server_event_name",
]

logger = logging.getLogger("openai_realtime")

Handler: TypeAlias = Callable[[Any], object]
"""Anything called with one payload; a returned coroutine is run as a task."""

EventName: TypeAlias = str | type[RealtimeModel]
"""An event name, or a wire event class standing for ``server.<type>`` / ``client.<type>``."""

_PayloadT = TypeVar("_PayloadT")

DEFAULT_MAX_PENDING_HANDLERS: Final = 1000
"""Async handler tasks that may be pending before event producers wait for them."""

_ERROR: Final = "error"
_SERVER_PREFIX: Final = "server."
_CLIENT_PREFIX: Final = "client."
_SERVER_WILDCARD: Final = "server.*"
_CLIENT_WILDCARD: Final = "client.*"


# Dispatch names per wire type, built once: dispatching does no string work per event.
_SERVER_NAMES: Final = {event_type: _SERVER_PREFIX + event_type for event_type in SERVER_EVENTS}
_CLIENT_NAMES: Final = {event_type: _CLIENT_PREFIX + event_type for event_type in CLIENT_EVENTS}


def server_event_name(event_type: str) -> str:
    """The dispatch name ``server.<type>`` of a server event type (unknown types included)."""
    return _SERVER_NAMES.get(event_type) or _SERVER_PREFIX + event_type


def client_event_name(event_type: str) -> str:
    """The dispatch name ``client.<type>`` of a client event type."""
    return _CLIENT_NAMES.get(event_type) or _CLIENT_PREFIX + event_type


def _names_by_class() -> dict[type[RealtimeModel], str]:
    """Map every wire event class to its dispatch name, read from the class's ``type`` default."""
    names: dict[type[RealtimeModel], str] = {}
    for prefix, registry in ((_SERVER_PREFIX, SERVER_EVENTS), (_CLIENT_PREFIX, CLIENT_EVENTS)):
        for event_class in registry.values():
            names[event_class] = prefix + str(event_class.model_fields["type"].default)
    return names


_NAME_BY_CLASS: Final = _names_by_class()


def event_name(name: EventName) -> str:
    """Return the dispatch name for an event name or a wire event class.

    Args:
        name: A name such as ``"server.response.done"``, or a class such as ``ResponseDoneEvent``.

    Returns:
        The string name: unchanged for a string, ``server.<type>`` or ``client.<type>`` for a class.

    Raises:
        TypeError: ``name`` is a class that is not a known server or client event, or not a name.
    """
    if isinstance(name, str):
        return name
    resolved = _NAME_BY_CLASS.get(name) if isinstance(name, type) else None
    if resolved is None:
        raise TypeError(f"{name!r} is not an event name nor a server or client event class")
    return resolved


@functools.lru_cache(maxsize=1024)
def _wildcard_of(name: str) -> str | None:
    """The wildcard whose handlers also hear ``name``, if any (never the wildcard itself).

    Cached: every dispatch asks, and event names are a small fixed set.
    """
    if name.startswith(_SERVER_PREFIX):
        return _SERVER_WILDCARD if name != _SERVER_WILDCARD else None
    if name.startswith(_CLIENT_PREFIX):
        return _CLIENT_WILDCARD if name != _CLIENT_WILDCARD else None
    return None


@dataclass(frozen=True, slots=True, eq=False)
class _Subscription:
    """One registration; identity matters, so the same handler can be registered twice.

    ``internal`` marks the library's own hooks (the client's error report, reconnects, metrics):
    ``off`` without a handler leaves them in place, so clearing handlers never breaks the client.
    """

    handler: Handler
    once: bool
    internal: bool = False


class Expectation(Generic[_PayloadT]):
    """A wait for the next dispatch of one event, registered at once and awaited later.

    Made by :meth:`EventEmitter.expect`. ``await expectation`` returns the payload (at once if
    it has already arrived); :attr:`event` reads it without waiting. Used as ``async with``, a
    block left by an exception forgets the wait.

    Raises (when awaited):
        RealtimeTimeoutError: Nothing arrived within the timeout given to ``expect``, counted
            from when the await started.
        ConnectionClosedError: The connection closed first.
    """

    __slots__ = ("_emitter", "_future", "_key", "_timeout")

    def __init__(self, emitter: EventEmitter, key: str, timeout: float | None) -> None:
        self._emitter = emitter
        self._key = key
        self._timeout = timeout
        self._future: asyncio.Future[_PayloadT] = emitter._add_waiter(key)

    def __repr__(self) -> str:
        state = "arrived" if self.arrived else "waiting"
        return f"<Expectation {self._key!r} {state}>"

    @property
    def arrived(self) -> bool:
        """True once the event has arrived (or the wait has failed)."""
        return self._future.done()

    @property
    def event(self) -> _PayloadT:
        """The payload, once it has arrived.

        Raises:
            RealtimeError: It has not arrived yet (``await`` the expectation instead), or the
                expectation was cancelled.
            ConnectionClosedError: The connection closed before it arrived.
        """
        if self._future.cancelled():
            raise RealtimeError(f"no {self._key!r} event: the expectation was cancelled")
        if not self._future.done():
            raise RealtimeError(f"no {self._key!r} event yet: await the expectation")
        return self._future.result()

    def cancel(self) -> None:
        """Forget the wait; awaiting it afterwards raises ``CancelledError``."""
        self._emitter._forget_waiter(self._key, self._future)
        self._future.cancel()

    def __await__(self) -> Generator[Any, None, _PayloadT]:
        return self._wait().__await__()

    async def _wait(self) -> _PayloadT:
        if self._future.done():
            return self._future.result()
        deadline = asyncio.timeout(self._timeout)
        try:
            async with deadline:
                # Shielded: a timeout or a cancelled caller must not cancel the shared result.
                return await asyncio.shield(self._future)
        except TimeoutError:
            if deadline.expired():
                self.cancel()
                raise RealtimeTimeoutError(
                    f"no {self._key!r} event within {self._timeout} s"
                ) from None
            raise

    async def __aenter__(self) -> Expectation[_PayloadT]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.cancel()


class _HandlerTasks:
    """The running async handler tasks of one or more emitters, and the bound on their number.

    Waiting for room costs nothing until the bound is reached: the done callback of a task wakes
    the waiters only when someone is waiting and the count has dropped below the bound.
    """

    __slots__ = ("_room_waiters", "limit", "running")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"max_pending_handlers must be at least 1, got {limit}")
        self.limit = limit
        self.running: set[asyncio.Task[Any]] = set()
        self._room_waiters: list[asyncio.Future[None]] = []

    def add(self, task: asyncio.Task[Any]) -> None:
        self.running.add(task)

    def discard(self, task: asyncio.Task[Any]) -> None:
        self.running.discard(task)
        if self._room_waiters and len(self.running) < self.limit:
            waiters, self._room_waiters = self._room_waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def wait_for_room(self) -> None:
        # Each waiter has its own future, so one waiter being cancelled cannot cancel another.
        while len(self.running) >= self.limit:
            waiter = asyncio.get_running_loop().create_future()
            self._room_waiters.append(waiter)
            await waiter


class EventEmitter:
    """Named events with sync and async handlers, one-shot waits and failure isolation.

    Handlers are stored per name as tuples that are replaced, never mutated, so a dispatch
    iterates without copying, and an event nobody listens to costs a dict lookup or two.

    Args:
        max_pending_handlers: Async handler tasks that may be pending before
            :meth:`_wait_for_handler_room` makes event producers wait.
        count_tasks_with: Count this emitter's async handler tasks against another emitter's
            bound instead (``RealtimeClient`` passes its ``RealtimeAPI``, so the receive loop
            waits for the client's handlers too, and ``drain`` waits for both).

    Raises:
        ValueError: ``max_pending_handlers`` is below 1.
    """

    def __init__(
        self,
        *,
        max_pending_handlers: int = DEFAULT_MAX_PENDING_HANDLERS,
        count_tasks_with: EventEmitter | None = None,
    ) -> None:
        self._subscriptions: dict[str, tuple[_Subscription, ...]] = {}
        self._waiters: dict[str, list[asyncio.Future[Any]]] = {}
        self._handler_tasks: _HandlerTasks = (
            count_tasks_with._handler_tasks
            if count_tasks_with is not None
            else _HandlerTasks(max_pending_handlers)
        )

    @property
    def max_pending_handlers(self) -> int:
        """Async handler tasks that may be pending before event producers wait."""
        return self._handler_tasks.limit

    @property
    def pending_handlers(self) -> int:
        """Async handler tasks scheduled and not finished yet."""
        return len(self._handler_tasks.running)

    def _subscribe(
        self, name: EventName, handler: Handler | None, *, once: bool
    ) -> Handler | Callable[[Handler], Handler]:
        """Register ``handler`` for ``name``; without a handler, return a registering decorator.

        Args:
            name: Event name or wire event class.
            handler: The callable, or ``None`` for the decorator form.
            once: Remove the handler after its first call.

        Returns:
            The handler itself, or a decorator that registers and returns its function.

        Raises:
            TypeError: ``name`` is not a name or event class, or ``handler`` is not callable.
        """
        key = event_name(name)
        target = self._route(key)
        if handler is None:
            return partial(target._add, key, once=once)
        return target._add(key, handler, once=once)

    def _add(self, key: str, handler: Handler, *, once: bool, internal: bool = False) -> Handler:
        if not callable(handler):
            raise TypeError(f"handler for {key!r} must be callable, got {handler!r}")
        subscription = _Subscription(handler, once, internal)
        self._subscriptions[key] = (*self._subscriptions.get(key, ()), subscription)
        return handler

    def _listen(self, name: str, handler: Handler) -> None:
        """Register one of the library's own hooks, which ``off()`` without a handler keeps."""
        self._add(name, handler, once=False, internal=True)

    def off(self, name: EventName | None = None, handler: Handler | None = None) -> None:
        """Remove handlers: one, every handler of ``name``, or, with no arguments, all of them.

        ``off()`` clears every handler registered with ``on`` / ``once`` (on a
        ``RealtimeClient`` also those of wire events, which live on ``client.realtime``). The
        library's own hooks stay, and pending waits (``wait_for_next``, ``expect``) are not
        affected.

        Args:
            name: Event name or wire event class; ``None`` (with no handler) for every name.
            handler: The handler to remove (its earliest registration, if it was added twice);
                ``None`` removes every handler of ``name``.

        Raises:
            ValueError: ``handler`` is not registered for ``name``; silently ignoring it would
                hide a typo or a handler registered under another name.
            TypeError: ``name`` is not a name or event class, or a handler came without its
                name.
        """
        if name is None:
            if handler is not None:
                raise TypeError("off(handler=...) needs the event name the handler was added for")
            for target in self._emitters():
                for key in list(target._subscriptions):
                    target._keep_internal(key)
            return
        key = event_name(name)
        target = self._route(key)
        if handler is None:
            target._keep_internal(key)
            return
        for subscription in target._subscriptions.get(key, ()):
            if subscription.handler == handler:
                target._remove(key, subscription)
                return
        raise ValueError(f"{handler!r} is not a handler of {key!r}")

    def _keep_internal(self, key: str) -> None:
        """Drop every registration of ``key`` except the library's own hooks."""
        kept = tuple(entry for entry in self._subscriptions.get(key, ()) if entry.internal)
        if kept:
            self._subscriptions[key] = kept
        else:
            self._subscriptions.pop(key, None)

    def _emitters(self) -> tuple[EventEmitter, ...]:
        """Every emitter whose handlers ``off()`` clears: this one, and any it routes to."""
        return (self,)

    def _remove(self, key: str, subscription: _Subscription) -> bool:
        """Drop one registration; False when it was already gone."""
        current = self._subscriptions.get(key, ())
        if subscription not in current:
            return False
        remaining = tuple(entry for entry in current if entry is not subscription)
        if remaining:
            self._subscriptions[key] = remaining
        else:
            del self._subscriptions[key]
        return True

    def has_listeners(self, name: str) -> bool:
        """True when a dispatch of ``name`` would reach a handler or a waiter of that name.

        Lets a producer skip building a payload nobody would receive. Wildcards are not
        counted: ask for the wildcard's name too when it matters.

        Args:
            name: The event name.

        Returns:
            Whether ``name`` has a handler or a pending ``wait_for_next``.
        """
        target = self._route(name)
        return name in target._subscriptions or name in target._waiters

    def _listens(self, name: str) -> bool:
        """:meth:`has_listeners` for a name this emitter holds itself (no routing): the
        per-event check of the hot path."""
        return name in self._subscriptions or name in self._waiters

    def dispatch(self, name: str, payload: object) -> None:
        """Call every handler of ``name`` (then of its wildcard) and resolve its waiters.

        Never raises because of a handler: failures are logged and dispatched as ``error``.

        Args:
            name: The event name, e.g. ``server.response.done``.
            payload: What handlers and waiters receive.
        """
        subscriptions = self._subscriptions.get(name)
        if subscriptions is not None:
            self._notify(name, subscriptions, payload)
        wildcard = _wildcard_of(name)
        if wildcard is not None:
            subscriptions = self._subscriptions.get(wildcard)
            if subscriptions is not None:
                self._notify(wildcard, subscriptions, payload)
        if self._waiters:
            self._resolve_waiters(name, payload)
            if wildcard is not None:
                self._resolve_waiters(wildcard, payload)

    def _notify(self, key: str, subscriptions: tuple[_Subscription, ...], payload: object) -> None:
        for subscription in subscriptions:
            # A nested dispatch of the same event may already have used up a once-handler.
            if subscription.once and not self._remove(key, subscription):
                continue
            try:
                result = subscription.handler(payload)
            except Exception as error:
                self._handler_failed(key, error)
                continue
            if result is not None and asyncio.iscoroutine(result):
                self._run_handler_task(key, result)

    def _run_handler_task(self, key: str, coroutine: Coroutine[Any, Any, object]) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coroutine)
        except RuntimeError as error:
            # Dispatched from sync code with no event loop: the coroutine can never run.
            coroutine.close()
            self._handler_failed(key, error)
            return
        self._handler_tasks.add(task)
        task.add_done_callback(partial(self._handler_task_done, key))

    def _handler_task_done(self, key: str, task: asyncio.Task[Any]) -> None:
        self._handler_tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self._handler_failed(key, error)

    def _handler_failed(self, key: str, error: BaseException) -> None:
        logger.error("a handler of %r raised %s", key, type(error).__name__, exc_info=error)
        if key == _ERROR:
            return
        message = f"a handler of {key!r} raised {type(error).__name__}: {error}"
        self.dispatch(_ERROR, LocalErrorEvent(message, error, event_name=key))

    def _resolve_waiters(self, key: str, payload: object) -> None:
        waiters = self._waiters.pop(key, None)
        if waiters is None:
            return
        for future in waiters:
            if not future.done():
                future.set_result(payload)

    async def _wait_for(self, name: EventName, timeout: float | None) -> Any:
        """Wait for the next dispatch of ``name`` and return its payload.

        Args:
            name: Event name or wire event class (wildcards work too).
            timeout: Seconds to wait; ``None`` waits until the event or :meth:`release_waiters`.

        Returns:
            The payload of the next dispatch.

        Raises:
            RealtimeTimeoutError: Nothing arrived within ``timeout``.
            ConnectionClosedError: The connection closed first (via :meth:`release_waiters`).
            TypeError: ``name`` is not a name or event class.
        """
        key = event_name(name)
        target = self._route(key)
        future: asyncio.Future[Any] = target._add_waiter(key)
        deadline = asyncio.timeout(timeout)
        try:
            async with deadline:
                return await future
        except TimeoutError:
            if deadline.expired():
                raise RealtimeTimeoutError(f"no {key!r} event within {timeout} s") from None
            raise
        finally:
            target._forget_waiter(key, future)

    def expect(self, name: EventName, timeout: float | None = None) -> Expectation[Any]:
        """Start waiting for the next dispatch of ``name`` now; await the result later.

        Args:
            name: Event name or wire event class (wildcards work too).
            timeout: Seconds the ``await`` may take; ``None`` waits until the event or a close.

        Returns:
            An :class:`Expectation`: ``await`` it, or use it as ``async with ... as done``.

        Raises:
            TypeError: ``name`` is not a name or event class.
            RuntimeError: No running event loop.
        """
        key = event_name(name)
        return Expectation(self._route(key), key, timeout)

    def _add_waiter(self, key: str) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, []).append(future)
        return future

    def _route(self, key: str) -> EventEmitter:
        """The emitter that holds the handlers and waiters of ``key``: this one by default.

        ``RealtimeClient`` routes wire event names to its ``RealtimeAPI``, which dispatches
        each wire event once.
        """
        return self

    def _forget_waiter(self, key: str, future: asyncio.Future[Any]) -> None:
        waiters = self._waiters.get(key)
        if waiters is not None and future in waiters:
            waiters.remove(future)
            if not waiters:
                del self._waiters[key]

    def release_waiters(self, error: BaseException, *, keep: Collection[str] = ()) -> None:
        """Fail every pending ``wait_for_next`` with ``error``.

        Args:
            error: Raised in each waiter; ``RealtimeAPI`` passes a ``ConnectionClosedError``.
            keep: Event names whose waiters are left waiting (e.g. ``reconnected``, which is
                still to come after a close).
        """
        waiters = self._waiters
        self._waiters = {name: waiters.pop(name) for name in keep if name in waiters}
        for pending in waiters.values():
            for future in pending:
                if not future.done():
                    future.set_exception(error)

    async def drain(self) -> None:
        """Wait until every async handler task has finished, including tasks they start.

        The task calling ``drain`` is not waited for, so a handler may call it.
        """
        current = asyncio.current_task()
        while pending := self._handler_tasks.running - {current}:
            await asyncio.wait(pending)

    def _in_handler_task(self) -> bool:
        """True when running inside one of this emitter's async handler tasks."""
        return asyncio.current_task() in self._handler_tasks.running

    @property
    def _handlers_full(self) -> bool:
        """True when ``max_pending_handlers`` async handler tasks are pending."""
        return len(self._handler_tasks.running) >= self._handler_tasks.limit

    async def _wait_for_handler_room(self) -> None:
        """Return once fewer than ``max_pending_handlers`` async handler tasks are pending.

        Producers of events call it after dispatching; it returns at once below the bound.
        A handler task calling it would wait for itself, so callers that may run inside one
        check :meth:`_in_handler_task` first.
        """
        if len(self._handler_tasks.running) >= self._handler_tasks.limit:
            await self._handler_tasks.wait_for_room()
