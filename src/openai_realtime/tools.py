"""Tools that run themselves: the registry behind ``RealtimeClient.add_tool``.

A tool is a function definition (what the model sees) plus, optionally, a handler (what runs
when the model calls it). :meth:`ToolRegistry.run` never raises: whatever happens (arguments that
are not JSON, a handler that raises, a handler that hangs past the timeout) becomes a JSON error
object that is sent back as the call's output, so the model hears about it and the conversation
goes on.

Sync handlers run on the registry's own worker threads (:class:`ToolThreads`), never on the
event loop's default executor, which ``getaddrinfo`` and other library calls share: a handler
that hangs cannot hold up the next connect. A thread cannot be stopped, so a sync call that
times out keeps its worker until the handler returns; once every worker is held that way, a new
sync call fails at once with :class:`~openai_realtime.errors.ToolCapacityError` (and an error
output) instead of queueing behind calls that may never end.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import json
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from openai_realtime.errors import ConfigurationError, ToolCapacityError
from openai_realtime.types import RealtimeFunctionTool

__all__ = ["DEFAULT_TOOL_WORKERS", "ToolHandler", "ToolRegistry", "ToolResult", "ToolThreads"]

DEFAULT_TOOL_WORKERS: Final = 8
"""Worker threads a client keeps for its sync tool handlers."""

logger = logging.getLogger("openai_realtime")

ToolHandler: TypeAlias = Callable[[dict[str, Any]], Awaitable[Any] | Any]
"""A tool handler: takes the parsed arguments, returns a JSON-serialisable result (or an
awaitable of one). Sync handlers run in a worker thread, so they never block the event loop."""


@dataclass(frozen=True, slots=True)
class ToolResult:
    """The outcome of one call.

    Attributes:
        output: The JSON text sent back as the call's ``function_call_output``.
        error: The exception behind an error output, if the call failed.
    """

    output: str
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class _Tool:
    definition: dict[str, Any]
    handler: ToolHandler | None


class ToolThreads:
    """The worker threads sync handlers run on, owned by one registry (so by one client).

    Args:
        max_workers: Threads at most; they are started as calls need them.

    Raises:
        ConfigurationError: ``max_workers`` is below 1.
    """

    def __init__(self, max_workers: int = DEFAULT_TOOL_WORKERS) -> None:
        if max_workers < 1:
            raise ConfigurationError(f"tool workers must be at least 1, got {max_workers}")
        self.max_workers = max_workers
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        # Updated from worker threads when a stuck handler finally returns.
        self._lock = threading.Lock()
        self._stuck = 0

    @property
    def stuck(self) -> int:
        """Workers still running a call that timed out."""
        with self._lock:
            return self._stuck

    async def call(
        self, handler: ToolHandler, arguments: dict[str, Any], timeout: float | None
    ) -> Any:
        """Run ``handler(arguments)`` on a worker; wait at most ``timeout`` seconds.

        Raises:
            ToolCapacityError: Every worker is stuck on a timed-out call (raised at once).
            TimeoutError: The handler did not return within ``timeout``.
        """
        if self.stuck >= self.max_workers:
            raise ToolCapacityError(
                f"all {self.max_workers} tool worker threads are stuck on calls that timed out"
            )
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                self.max_workers, thread_name_prefix="openai-realtime-tool"
            )
        work = self._executor.submit(handler, arguments)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(work), timeout)
        except TimeoutError:
            if not work.cancel():  # it started: its thread stays busy until the handler returns
                with self._lock:
                    self._stuck += 1
                work.add_done_callback(self._released)
            raise

    def _released(self, work: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._stuck -= 1


class ToolRegistry:
    """The tools a client declares, by name, with their handlers.

    Args:
        max_workers: Worker threads for sync handlers (see :class:`ToolThreads`).
    """

    def __init__(self, *, max_workers: int = DEFAULT_TOOL_WORKERS) -> None:
        self._tools: dict[str, _Tool] = {}
        self.threads = ToolThreads(max_workers)
        """Where sync handlers run."""

    def add(
        self, definition: RealtimeFunctionTool | Mapping[str, Any], handler: ToolHandler | None
    ) -> dict[str, Any]:
        """Register a function tool.

        Args:
            definition: ``{"name": ..., "description": ..., "parameters": {...}}`` or a typed
                ``RealtimeFunctionTool``; ``type`` defaults to ``function``.
            handler: Called with the parsed arguments when the model calls the tool.

        Returns:
            The definition as it is sent to the server.

        Raises:
            ConfigurationError: No name, a name already registered, or a handler that is not
                callable.
        """
        if isinstance(definition, RealtimeFunctionTool):
            wire = definition.model_dump(mode="json", exclude_unset=True)
        else:
            wire = {"type": "function", **definition}
        name = wire.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigurationError("a tool definition needs a non-empty 'name'")
        if name in self._tools:
            raise ConfigurationError(f"tool {name!r} is already added: remove it first")
        if handler is not None and not callable(handler):
            raise ConfigurationError(f"the handler of tool {name!r} is not callable")
        validated = RealtimeFunctionTool.model_validate(wire)
        self._tools[name] = _Tool(validated.model_dump(mode="json", exclude_unset=True), handler)
        return self._tools[name].definition

    def remove(self, name: str) -> None:
        """Forget a tool.

        Raises:
            ConfigurationError: No tool has that name.
        """
        if self._tools.pop(name, None) is None:
            raise ConfigurationError(f"no tool named {name!r}")

    def definitions(self) -> list[dict[str, Any]]:
        """The definitions of every registered tool, in registration order."""
        return [tool.definition for tool in self._tools.values()]

    def has_handler(self, name: str) -> bool:
        """True when ``name`` is registered with a handler (so the client runs it)."""
        tool = self._tools.get(name)
        return tool is not None and tool.handler is not None

    async def run(self, name: str, arguments: str, *, timeout: float | None) -> ToolResult:
        """Run a tool's handler on the model's arguments; never raises.

        Args:
            name: The tool the model called (must have a handler).
            arguments: The JSON arguments text the model produced.
            timeout: Seconds the handler may take; ``None`` waits forever.

        Returns:
            The output to send back, and the error if the call failed.
        """
        tool = self._tools.get(name)
        if tool is None or tool.handler is None:
            error = ConfigurationError(f"no handler for tool {name!r}")
            return ToolResult(json.dumps({"error": str(error)}), error)
        try:
            parsed = json.loads(arguments) if arguments.strip() else {}
            if not isinstance(parsed, dict):
                raise ValueError("arguments must be a JSON object")
        except ValueError as error:
            return _failure(name, f"invalid arguments: {error}", error)
        try:
            result = await self._call(tool.handler, parsed, timeout)
        except TimeoutError as error:
            return _failure(name, f"timed out after {timeout} s", error)
        except ToolCapacityError as error:
            logger.warning("tool %r refused: %s", name, error)
            return _failure(name, f"{type(error).__name__}: {error}", error)
        except Exception as error:
            logger.warning("tool %r raised %s", name, type(error).__name__, exc_info=True)
            return _failure(name, f"{type(error).__name__}: {error}", error)
        try:
            return ToolResult(json.dumps(result))
        except (TypeError, ValueError) as error:
            return _failure(name, f"result is not JSON-serialisable: {error}", error)

    async def _call(
        self, handler: ToolHandler, arguments: dict[str, Any], timeout: float | None
    ) -> Any:
        if inspect.iscoroutinefunction(handler):
            return await asyncio.wait_for(handler(arguments), timeout)
        # A sync handler may block (I/O, CPU): keep it off the event loop.
        loop = asyncio.get_running_loop()
        started = loop.time()
        result = await self.threads.call(handler, arguments, timeout)
        if inspect.isawaitable(result):
            left = None if timeout is None else max(0.0, timeout - (loop.time() - started))
            return await asyncio.wait_for(_awaited(result), left)
        return result


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _failure(name: str, message: str, error: BaseException) -> ToolResult:
    return ToolResult(json.dumps({"error": f"tool {name!r}: {message}"}), error)
