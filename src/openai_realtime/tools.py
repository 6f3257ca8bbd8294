"""Tools that run themselves: the registry behind ``RealtimeClient.add_tool``.

A tool is a function definition (what the model sees) plus, optionally, a handler (what runs
when the model calls it). :meth:`ToolRegistry.run` never raises: whatever happens (arguments that
are not JSON, a handler that raises, a handler that hangs past the timeout) becomes a JSON error
object that is sent back as the call's output, so the model hears about it and the conversation
goes on.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from openai_realtime.errors import ConfigurationError
from openai_realtime.types import RealtimeFunctionTool

__all__ = ["ToolHandler", "ToolRegistry", "ToolResult"]

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


class ToolRegistry:
    """The tools a client declares, by name, with their handlers."""

    def __init__(self) -> None:
        self._tools: dict[str, _Tool] = {}

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
            result = await asyncio.wait_for(_call(tool.handler, parsed), timeout)
        except TimeoutError as error:
            return _failure(name, f"timed out after {timeout} s", error)
        except Exception as error:
            logger.warning("tool %r raised %s", name, type(error).__name__, exc_info=True)
            return _failure(name, f"{type(error).__name__}: {error}", error)
        try:
            return ToolResult(json.dumps(result))
        except (TypeError, ValueError) as error:
            return _failure(name, f"result is not JSON-serialisable: {error}", error)


async def _call(handler: ToolHandler, arguments: dict[str, Any]) -> Any:
    if inspect.iscoroutinefunction(handler):
        return await handler(arguments)
    # A sync handler may block (I/O, CPU): keep it off the event loop.
    result = await asyncio.to_thread(handler, arguments)
    if inspect.isawaitable(result):
        return await result
    return result


def _failure(name: str, message: str, error: BaseException) -> ToolResult:
    return ToolResult(json.dumps({"error": f"tool {name!r}: {message}"}), error)
