"""The lifecycle the SDK's local WebSocket servers share (the fake server, the replay server).

Bind (loopback by default, port 0 picks a free one), serve one route, close every open
connection with 1001 (going away) on stop, and work as an async context manager. Subclasses
write the connection handler.
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar, Final

from aiohttp import web

from openai_realtime._async_with import StartsOnEnter

__all__ = ["REALTIME_PATH", "LoopbackServer"]

REALTIME_PATH: Final = "/v1/realtime"
"""The path the Realtime API serves its WebSocket on."""

_SHUTDOWN_TIMEOUT_SECONDS: Final = 5.0


class LoopbackServer(StartsOnEnter):
    """Start/stop plumbing for a local aiohttp WebSocket server.

    Args:
        host: Interface to bind; loopback unless told otherwise.
        port: TCP port; 0 picks a free one.
    """

    label: ClassVar[str] = "server"
    """How logs and errors name the server."""
    route: ClassVar[str] = REALTIME_PATH
    """The aiohttp route pattern the handler serves."""
    log: ClassVar[logging.Logger] = logging.getLogger("openai_realtime")
    """Where start and stop are logged."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._open: set[web.WebSocketResponse] = set()

    def __repr__(self) -> str:
        state = f"listening on {self.url}" if self._port is not None else "stopped"
        return f"<{type(self).__name__} {state}>"

    @property
    def host(self) -> str:
        """The bound interface."""
        return self._host

    @property
    def port(self) -> int:
        """The bound port.

        Raises:
            RuntimeError: The server is not running.
        """
        if self._port is None:
            raise RuntimeError(f"the {self.label} is not running: call start() first")
        return self._port

    @property
    def url(self) -> str:
        """The WebSocket URL, ``ws://host:port/v1/realtime``."""
        return f"ws://{self._url_host}:{self.port}{REALTIME_PATH}"

    @property
    def _url_host(self) -> str:
        return f"[{self._host}]" if ":" in self._host else self._host

    async def start(self) -> None:
        """Bind and start serving.

        Raises:
            RuntimeError: The server is already running.
            OSError: The address cannot be bound.
        """
        if self._runner is not None:
            raise RuntimeError(f"the {self.label} is already running")
        app = web.Application()
        self._add_routes(app)
        runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT_SECONDS
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self.log.info("%s listening on %s", self.label, self.url)

    async def stop(self) -> None:
        """Close every connection (code 1001, going away) and stop listening. Idempotent."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await asyncio.gather(
            *(websocket.close(code=1001, message=b"server shutdown") for websocket in self._open),
            return_exceptions=True,
        )
        await runner.cleanup()
        self._port = None
        self.log.info("%s stopped", self.label)

    def _add_routes(self, app: web.Application) -> None:
        """Serve :attr:`route` with :meth:`_handle`; subclasses may add more routes."""
        app.router.add_get(self.route, self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError
