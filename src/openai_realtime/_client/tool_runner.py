"""Tool execution: run the calls of a completed response, send their outputs, ask for more.

Runs are bounded twice: at most ``max_concurrent`` handlers run at once (the others wait for a
slot), and every call is a task counted against the connection's ``max_pending_handlers``, so a
flood of tool-calling responses holds the receive loop back instead of piling up tasks. The
follow-up ``response.create`` is shared: runs whose outputs are all sent while one is waiting
for its turn join it, so a burst of tool-calling responses asks for one or two responses, not
one each.

A run cut short by a dropped connection is cancelled, never rerun (its handler may have done
its work already): after the reconnect, :meth:`ToolRunner.report_interrupted` gives each call
left without an output an error output and an ``error`` event (``ToolInterruptedError``), then
asks for one response, so the model hears about it and the application never waits for ever.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from openai_realtime.errors import (
    ConfigurationError,
    RealtimeConnectionError,
    RealtimeError,
    ToolInterruptedError,
)
from openai_realtime.local_events import LocalErrorEvent
from openai_realtime.protocol.session_state import RunTools
from openai_realtime.tools import ToolRegistry
from openai_realtime.types import (
    ClientEvent,
    ConversationItemCreateEvent,
    RealtimeConversationItemFunctionCall,
    RealtimeConversationItemFunctionCallOutput,
)

__all__ = ["DEFAULT_MAX_CONCURRENT_TOOLS", "ToolRunner"]

logger = logging.getLogger("openai_realtime")

DEFAULT_MAX_CONCURRENT_TOOLS = 16
"""Tool handlers a client runs at once; further calls wait for a slot."""


class ToolRunner:
    """Runs the handled calls of each completed response, then asks for one new response.

    Args:
        tools: Where the handlers are.
        send: Sends a client event (``RealtimeAPI.send``).
        respond: Asks for a response the way ``create_response`` does (waiting while one runs).
        report: Reports a failed call (the client dispatches it as ``error``).
        timeout: Returns the seconds a handler may run (read at each call).
        finished: Told when a run's outputs and its follow-up request are sent (or given up).
        track: Counts a run's task in the connection's back-pressure until it ends.
        max_concurrent: Handlers that may run at once.

    Raises:
        ConfigurationError: ``max_concurrent`` is below 1.
    """

    def __init__(
        self,
        tools: ToolRegistry,
        *,
        send: Callable[[ClientEvent], Awaitable[object]],
        respond: Callable[[], Awaitable[object]],
        report: Callable[[LocalErrorEvent], None],
        timeout: Callable[[], float | None],
        finished: Callable[[str], None],
        track: Callable[[asyncio.Task[Any]], None],
        max_concurrent: int = DEFAULT_MAX_CONCURRENT_TOOLS,
    ) -> None:
        if max_concurrent < 1:
            raise ConfigurationError(
                f"max_concurrent_tools must be at least 1, got {max_concurrent}"
            )
        self._tools = tools
        self._send = send
        self._respond = respond
        self._report = report
        self._timeout = timeout
        self._finished = finished
        self._track = track
        self._slots = asyncio.Semaphore(max_concurrent)
        self._runs: dict[str, list[asyncio.Task[None]]] = {}
        # Runs whose outputs are all sent and that wait for the follow-up response.
        self._owed: list[str] = []
        self._follow_up: asyncio.Task[None] | None = None

    def start(self, run: RunTools) -> None:
        """Run the calls of ``run`` concurrently (within the bound), then respond once."""
        tasks = [self._spawn(self._run_call(call)) for call in run.calls]
        self._runs[run.response_id] = tasks
        remaining = len(tasks)

        def call_done(task: asyncio.Task[None]) -> None:
            nonlocal remaining
            remaining -= 1
            if remaining or self._runs.pop(run.response_id, None) is None:
                return  # calls still running, or cancelled with the connection
            if any(t.cancelled() or t.exception() is not None for t in tasks):
                return  # an output could not be sent (connection gone): reported after a reconnect
            self._owe(run.response_id)

        for task in tasks:
            task.add_done_callback(call_done)

    def cancel_all(self) -> None:
        """Cancel every run (the connection ended: their outputs could not be sent)."""
        for tasks in self._runs.values():
            for task in tasks:
                task.cancel()
        self._runs.clear()
        self._owed.clear()

    async def report_interrupted(self, runs: Sequence[RunTools], *, replayed: bool) -> None:
        """After a reconnect: report the calls a dropped connection cut off, and ask for a
        response so the conversation goes on.

        Args:
            runs: The runs still pending, with the calls that have no output.
            replayed: Whether the new session holds the conversation (the history was
                replayed); without it there is no call to answer, only the report.

        Raises:
            RealtimeConnectionError: The new connection ended while sending.
        """
        if not runs:
            return
        for run in runs:
            for call in run.calls:
                error = ToolInterruptedError(
                    f"tool {call.name!r} (call {call.call_id}) was interrupted by a lost "
                    "connection; it is not run again"
                )
                self._report(LocalErrorEvent(str(error), error, event_name=call.name))
                if replayed:
                    await self._send_output(call, json.dumps({"error": str(error)}))
        if replayed:
            await self._respond()
        for run in runs:
            self._finished(run.response_id)

    def _spawn(self, coroutine: Awaitable[None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coroutine)
        self._track(task)
        return task

    async def _run_call(self, call: RealtimeConversationItemFunctionCall) -> None:
        async with self._slots:
            result = await self._tools.run(call.name, call.arguments, timeout=self._timeout())
        if result.error is not None:
            message = f"tool {call.name!r} failed: {result.error}"
            self._report(LocalErrorEvent(message, result.error, event_name=call.name))
        await self._send_output(call, result.output)

    async def _send_output(self, call: RealtimeConversationItemFunctionCall, output: str) -> None:
        item = RealtimeConversationItemFunctionCallOutput(call_id=call.call_id or "", output=output)
        await self._send(ConversationItemCreateEvent(item=item))

    def _owe(self, response_id: str) -> None:
        self._owed.append(response_id)
        if self._follow_up is None:
            # Not counted in back-pressure: it may wait for the running response, whose end
            # the receive loop must still be free to read.
            self._follow_up = asyncio.ensure_future(self._follow_ups())

    async def _follow_ups(self) -> None:
        try:
            while self._owed:
                # Runs that join while this request waits for its turn get the next one: their
                # outputs may be sent after it.
                batch, self._owed = self._owed, []
                try:
                    await self._respond()
                except RealtimeConnectionError:
                    logger.info("connection ended before the response after tools of %s", batch)
                    self._owed.clear()  # still pending in the session: the reconnect asks
                    return
                except RealtimeError as error:
                    message = f"no response after the tools of {', '.join(batch)}: {error}"
                    self._report(LocalErrorEvent(message, error))
                for response_id in batch:
                    self._finished(response_id)
                logger.debug("tool outputs of %s sent; new response requested", batch)
        finally:
            self._follow_up = None
