"""Tool execution: run the calls of a completed response, send their outputs, ask for more."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from openai_realtime.errors import RealtimeConnectionError, RealtimeError
from openai_realtime.local_events import LocalErrorEvent
from openai_realtime.tools import ToolRegistry
from openai_realtime.types import (
    ClientEvent,
    ConversationItemCreateEvent,
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemFunctionCallOutput,
)

__all__ = ["ToolRunner"]

logger = logging.getLogger("openai_realtime")


class ToolRunner:
    """Runs the handled calls of each completed response, then asks for one new response.

    Args:
        tools: Where the handlers are.
        send: Sends a client event (``RealtimeAPI.send``).
        respond: Asks for a response the way ``create_response`` does (waiting while one runs).
        report: Reports a failed call (the client dispatches it as ``error``).
        timeout: Returns the seconds a handler may run (read at each call).
    """

    def __init__(
        self,
        tools: ToolRegistry,
        *,
        send: Callable[[ClientEvent], Awaitable[object]],
        respond: Callable[[], Awaitable[object]],
        report: Callable[[LocalErrorEvent], None],
        timeout: Callable[[], float | None],
    ) -> None:
        self._tools = tools
        self._send = send
        self._respond = respond
        self._report = report
        self._timeout = timeout
        self._runs: dict[str, list[asyncio.Task[None]]] = {}

    def start(
        self, response_id: str, calls: tuple[RealtimeConversationItemFunctionCall, ...]
    ) -> None:
        """Run ``calls`` (of the response ``response_id``) concurrently, then respond once."""
        tasks = [asyncio.ensure_future(self._run_call(call)) for call in calls]
        self._runs[response_id] = tasks
        follow_up = asyncio.ensure_future(self._respond_after(response_id, tasks))
        follow_up.add_done_callback(lambda _: self._runs.pop(response_id, None))

    def cancel_all(self) -> None:
        """Cancel every run (the connection ended: their outputs could not be sent)."""
        for tasks in self._runs.values():
            for task in tasks:
                task.cancel()
        self._runs.clear()

    async def _run_call(self, call: RealtimeConversationItemFunctionCall) -> None:
        result = await self._tools.run(call.name, call.arguments, timeout=self._timeout())
        if result.error is not None:
            message = f"tool {call.name!r} failed: {result.error}"
            self._report(LocalErrorEvent(message, result.error, event_name=call.name))
        output = RealtimeConversationItemFunctionCallOutput(
            call_id=call.call_id or "", output=result.output
        )
        await self._send(ConversationItemCreateEvent(item=output))

    async def _respond_after(self, response_id: str, tasks: list[asyncio.Task[None]]) -> None:
        results = await asyncio.gather(*tasks, return_exceptions=True)
        if any(isinstance(result, BaseException) for result in results):
            return  # an output could not be sent (connection gone): no follow-up response
        try:
            await self._respond()
        except RealtimeConnectionError:
            logger.info("connection ended before the response after %s's tools", response_id)
            return
        except RealtimeError as error:
            self._report(
                LocalErrorEvent(f"no response after {response_id}'s tools: {error}", error)
            )
            return
        logger.debug("tool outputs of %s sent; new response requested", response_id)
