"""Tools that run on the relay: function calls answered on the server, never in the browser.

The relay declares its tools upstream when a session starts, watches the upstream stream for
``response.done`` events that carry completed function calls, runs each handler, and sends the
outputs and the next ``response.create`` upstream. Everything is still forwarded to the client,
so a page shows the call and its answer, but tool code and its secrets stay on the server.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from openai_realtime.errors import ConfigurationError

__all__ = ["RelayTool", "RelayToolRunner", "ToolHandler"]

logger = logging.getLogger("openai_realtime.relay")

ToolHandler: TypeAlias = Callable[[dict[str, Any]], Any | Awaitable[Any]]
"""Takes the call's decoded arguments; returns the output, sent as JSON (as the SDK's own
tool runner sends it). May be ``async``."""

# A cheap test before decoding: most upstream frames are audio deltas, never decoded.
_RESPONSE_DONE_MARK = '"response.done"'


@dataclass(frozen=True)
class RelayTool:
    """A function tool the relay declares upstream and answers itself.

    Args:
        name: The function's name, as the model calls it.
        handler: Runs the call (see :data:`ToolHandler`).
        description: What the tool does, for the model.
        parameters: The JSON schema of the arguments.
    """

    name: str
    handler: ToolHandler
    description: str = ""
    parameters: Mapping[str, Any] = field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )

    def definition(self) -> dict[str, Any]:
        """The tool as ``session.tools`` declares it."""
        return {
            "type": "function",
            "name": self.name,
            "description": self.description,
            "parameters": dict(self.parameters),
        }


class RelayToolRunner:
    """Runs one relayed session's tool calls (no I/O: frames in, frames to send upstream out).

    Args:
        tools: The tools; names must be unique.

    Raises:
        ConfigurationError: Two tools share a name.
    """

    def __init__(self, tools: Sequence[RelayTool]) -> None:
        self._tools = {tool.name: tool for tool in tools}
        if len(self._tools) != len(tools):
            raise ConfigurationError("relay tool names must be unique")

    def __bool__(self) -> bool:
        return bool(self._tools)

    def session_update(self, **session: Any) -> str:
        """The ``session.update`` that declares the tools upstream (none: no ``tools`` field).

        Args:
            **session: More session fields to set with them (``instructions``, ...).
        """
        fields: dict[str, Any] = {"type": "realtime", **session}
        if self._tools:
            fields["tools"] = [tool.definition() for tool in self._tools.values()]
        return json.dumps({"type": "session.update", "session": fields})

    async def answer(self, frame: str) -> list[str]:
        """Run the tool calls a finished response asked for.

        Args:
            frame: One upstream text frame.

        Returns:
            The frames to send upstream: one ``function_call_output`` item per call of a relay
            tool, then one ``response.create``; nothing when the frame asks for none.
        """
        if _RESPONSE_DONE_MARK not in frame:
            return []
        event = json.loads(frame)
        if event.get("type") != "response.done":
            return []
        calls = [
            item
            for item in event.get("response", {}).get("output", [])
            if item.get("type") == "function_call" and item.get("name") in self._tools
        ]
        outputs = [await self._run(call) for call in calls]
        if not outputs:
            return []
        return [*outputs, json.dumps({"type": "response.create"})]

    async def _run(self, call: Mapping[str, Any]) -> str:
        tool = self._tools[call["name"]]
        try:
            arguments = json.loads(call.get("arguments") or "{}")
            result = tool.handler(arguments)
            if inspect.isawaitable(result):
                result = await result
            output = json.dumps(result)
        except Exception as error:
            # The model hears that the tool failed; the details stay in the server's log.
            logger.exception("relay tool %s failed", tool.name)
            output = json.dumps({"error": f"{tool.name} failed: {type(error).__name__}"})
        return json.dumps(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "function_call_output",
                    "call_id": call["call_id"],
                    "output": output,
                },
            }
        )
