"""``ResponseHandle``: one response this client asked for, from request to ``response.done``.

``await client.create_response()`` returns a handle at once (the request is on the wire);
everything the response does from then on is recorded on it, so nothing is missed however late
the application looks::

    response = await client.create_response()
    await response.done(timeout=30)
    print(response.status, response.text or response.transcript)
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from openai_realtime.errors import RealtimeTimeoutError, ResponseRefusedError
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import ConversationItem
from openai_realtime.types import RealtimeResponse, ResponseCancelEvent

if TYPE_CHECKING:
    from openai_realtime.api import RealtimeAPI
    from openai_realtime.protocol.session_state import RequestRefused

__all__ = ["ResponseHandle"]

_T = TypeVar("_T")


class ResponseHandle:
    """A response this client requested with ``response.create``.

    Attributes:
        request_id: The ``event_id`` of the ``response.create`` that asked for it.
        id: The response id, once ``response.created`` arrived (``None`` before).
    """

    def __init__(
        self, request_id: str, conversation: RealtimeConversation, realtime: RealtimeAPI
    ) -> None:
        self.request_id = request_id
        self.id: str | None = None
        self._conversation = conversation
        self._realtime = realtime
        loop = asyncio.get_running_loop()
        self._started: asyncio.Future[str] = loop.create_future()
        self._finished: asyncio.Future[RealtimeResponse] = loop.create_future()
        for future in (self._started, self._finished):
            # Failures are read by whoever awaits; an unawaited handle must not log them.
            future.add_done_callback(_consume_exception)

    def __repr__(self) -> str:
        return f"<ResponseHandle id={self.id!r} status={self.status!r}>"

    @property
    def status(self) -> str | None:
        """``requested``, ``in_progress``, then the final status (``completed``, ...)."""
        if self.id is None:
            return "requested"
        record = self._conversation.get_response(self.id)
        return record.status if record is not None else "in_progress"

    @property
    def is_done(self) -> bool:
        """True once ``response.done`` arrived, or the request failed."""
        return self._finished.done()

    async def started(self, timeout: float | None = None) -> str:
        """Wait for ``response.created``; returns the response id.

        Raises:
            ResponseRefusedError: The server refused the request.
            ConnectionClosedError: The connection ended first.
            RealtimeTimeoutError: Not within ``timeout`` seconds.
        """
        return await _wait(self._started, timeout, "response.created")

    async def done(self, timeout: float | None = None) -> RealtimeResponse:
        """Wait for ``response.done``; returns the response as the server reported it.

        Raises:
            ResponseRefusedError: The server refused the request.
            ConnectionClosedError: The connection ended first.
            RealtimeTimeoutError: Not within ``timeout`` seconds.
        """
        return await _wait(self._finished, timeout, "response.done")

    @property
    def items(self) -> list[ConversationItem]:
        """The items the response produced so far, in output order."""
        if self.id is None:
            return []
        record = self._conversation.get_response(self.id)
        if record is None:
            return []
        found = (self._conversation.get_item(item_id) for item_id in record.output_item_ids)
        return [item for item in found if item is not None]

    @property
    def text(self) -> str:
        """The text of its assistant messages so far."""
        return "".join(item.formatted.text for item in self.items if item.role == "assistant")

    @property
    def transcript(self) -> str:
        """The transcript of its spoken answer so far."""
        return "".join(item.formatted.transcript for item in self.items if item.role == "assistant")

    @property
    def audio(self) -> NDArray[np.int16]:
        """Its audio so far (24 kHz int16), empty when it has none or audio is not kept."""
        parts = [item.formatted.audio for item in self.items if item.role == "assistant"]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    async def cancel(self) -> None:
        """Ask the server to stop this response (``response.cancel``); nothing if it is done.

        Raises:
            ConnectionClosedError: The connection has ended.
        """
        if self.is_done:
            return
        event = ResponseCancelEvent(response_id=self.id) if self.id else ResponseCancelEvent()
        await self._realtime.send(event)

    # -- fed by the client --------------------------------------------------------------------

    def _start(self, response_id: str) -> None:
        self.id = response_id
        if not self._started.done():
            self._started.set_result(response_id)

    def _finish(self, response: RealtimeResponse) -> None:
        if not self._finished.done():
            self._finished.set_result(response)

    def _fail(self, error: BaseException) -> None:
        for future in (self._started, self._finished):
            if not future.done():
                future.set_exception(error)


class ResponseTracker:
    """The handles of the responses a client asked for, fed by its session core's actions."""

    def __init__(self) -> None:
        self._requested: dict[str, ResponseHandle] = {}
        self._running: dict[str, ResponseHandle] = {}

    def register(self, handle: ResponseHandle) -> None:
        """Track a handle whose request is about to be sent."""
        self._requested[handle.request_id] = handle

    def forget(self, handle: ResponseHandle) -> None:
        """The request could not be sent: stop tracking it."""
        self._requested.pop(handle.request_id, None)

    def started(self, response_id: str, request_id: str | None) -> None:
        """``response.created`` answered ``request_id`` (``None``: someone else's response)."""
        handle = self._requested.pop(request_id, None) if request_id is not None else None
        if handle is not None:
            handle._start(response_id)
            self._running[response_id] = handle

    def finished(self, response: RealtimeResponse) -> None:
        """``response.done`` of ``response``."""
        handle = self._running.pop(response.id or "", None)
        if handle is not None:
            handle._finish(response)

    def refused(self, refusal: RequestRefused) -> None:
        """The server refused a request."""
        handle = self._requested.pop(refusal.request_id, None)
        if handle is not None:
            detail = refusal.error.error
            message = f"response.create refused: {detail.message}"
            handle._fail(ResponseRefusedError(message, code=detail.code))

    def fail_all(self, error: BaseException) -> None:
        """The connection ended: every handle not done fails with ``error``."""
        handles = [*self._requested.values(), *self._running.values()]
        self._requested.clear()
        self._running.clear()
        for handle in handles:
            handle._fail(error)


async def _wait(future: asyncio.Future[_T], timeout: float | None, what: str) -> _T:
    if future.done():
        return future.result()
    deadline = asyncio.timeout(timeout)
    try:
        async with deadline:
            # Shielded: a timeout or a cancelled caller must not cancel the shared result.
            return await asyncio.shield(future)
    except TimeoutError:
        if deadline.expired():
            raise RealtimeTimeoutError(f"no {what} within {timeout} s") from None
        raise


def _consume_exception(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
