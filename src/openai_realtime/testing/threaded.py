"""A :class:`FakeRealtimeServer` on its own thread and event loop, for synchronous code.

Test fixtures, scripts and notebooks that have no event loop of their own (or whose loop must
not be shared) start the fake here and talk to :attr:`~FakeRealtimeServer.url` from anywhere::

    with FakeServerThread(responder=ScriptedResponder([Reply(text="Hi!")])) as server:
        asyncio.run(my_app(server.url))

The server's own state (``server.connections``) is written on its thread; read it once the
client has seen the event that proves the server got there (a ``response.done``, a close).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Final, TypeVar

from openai_realtime.testing.server import FakeRealtimeServer

__all__ = ["FakeServerThread"]

_T = TypeVar("_T")

START_TIMEOUT: Final = 30.0
"""Seconds the server may take to start or to stop before the thread gives up."""


class FakeServerThread:
    """Runs one :class:`FakeRealtimeServer` on a private thread with its own event loop.

    Args:
        **options: Passed to :class:`FakeRealtimeServer` (``responder``, ``time_scale``,
            ``session``, ...). The server is built on its thread, inside its loop.
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="fake-realtime-server", daemon=True)
        self._server: FakeRealtimeServer | None = None

    @property
    def server(self) -> FakeRealtimeServer:
        """The running server.

        Raises:
            RuntimeError: The thread was not started.
        """
        if self._server is None:
            raise RuntimeError("the fake server thread is not running: call start() first")
        return self._server

    def start(self) -> FakeRealtimeServer:
        """Start the thread and the server on it; return once the server listens.

        Returns:
            The server (read ``url`` from it).
        """
        self._thread.start()
        self._server = self._call(self._start())
        return self._server

    def stop(self) -> None:
        """Stop the server (closing its connections), then the loop and the thread.

        Idempotent.
        """
        if not self._thread.is_alive():
            return
        if self._server is not None:
            self._call(self._server.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_TIMEOUT)

    def __enter__(self) -> FakeRealtimeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def _start(self) -> FakeRealtimeServer:
        server = FakeRealtimeServer(**self._options)
        await server.start()
        return server

    def _call(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(START_TIMEOUT)

    def _run(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        loop.run_forever()
        # Whatever a closed connection left running ends here, so the loop closes cleanly.
        leftovers = asyncio.all_tasks(loop)
        for task in leftovers:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
