"""A real MCP server on loopback for the fake server's MCP tests, built with the ``mcp`` package.

It is the ``mcp`` package's own ``MCPServer`` served over Streamable HTTP by uvicorn on
127.0.0.1, so what the fake server lists and calls is what a real MCP server answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

__all__ = ["running_mcp_server"]


def _build_server() -> MCPServer:
    try:
        from mcp.server.mcpserver import MCPServer
    except ImportError as error:  # pragma: no cover - the dev extra pins mcp
        raise AssertionError("these tests need the mcp package: pip install -e '.[dev]'") from error

    server = MCPServer("calculator")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two whole numbers."""
        return a + b

    @server.tool()
    def explode() -> str:
        """Always fails."""
        raise RuntimeError("the explode tool always fails")

    @server.tool()
    def shout(text: str) -> str:
        """Repeat text in capitals."""
        return text.upper()

    return server


@contextlib.asynccontextmanager
async def running_mcp_server() -> AsyncIterator[str]:
    """Serve the calculator MCP server on 127.0.0.1; yields its ``/mcp`` URL."""
    import uvicorn

    server = _build_server()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    app = server.streamable_http_app(host="127.0.0.1")
    web = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(web.serve(sockets=[listener]))
    try:
        while not web.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        web.should_exit = True
        await task
        listener.close()
