"""The voice page's HTTP server: static files, the page's config, client secrets, sidebands.

Routes (all on one loopback port):

=====================  ===========================================================
route                  what it does
=====================  ===========================================================
``GET /``              the page (``static/index.html``)
``GET /<file>``        the page's modules, worklets and style sheet
``GET /config.json``   where the relay is (relay mode)
``POST /session``      mints a client secret for one WebRTC call (WebRTC mode)
``POST /sideband``     attaches the server's sideband to the page's call by its id
=====================  ===========================================================

Relay mode runs a :class:`~openai_realtime.relay.RealtimeRelay` on a second port that only
this page's origin may use; tools run on the relay. WebRTC mode keeps the key here too: the
page only ever holds a short-lived ``ek_`` secret, and the sideband connection (with the
key, from this server) sets the instructions and runs the tools.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import aiohttp
from aiohttp import hdrs, web
from yarl import URL

from openai_realtime._async_with import StartsOnEnter, require_started
from openai_realtime.api import DEFAULT_MODEL, DEFAULT_URL
from openai_realtime.client import RealtimeClient
from openai_realtime.credentials import same_origin_only
from openai_realtime.errors import RealtimeError
from openai_realtime.relay import RealtimeRelay, RelayTool
from openai_realtime.relay._handshake import resolve_upstream
from openai_realtime.secrets import create_client_secret

__all__ = ["STATIC_DIR", "VoiceServer"]

logger = logging.getLogger("openai_realtime.web")

STATIC_DIR: Final = Path(__file__).parent / "static"
"""The page's files, shipped as package data."""

_STATIC_FILES: Final = frozenset(
    path.name for path in STATIC_DIR.iterdir() if path.suffix in {".html", ".js", ".css"}
)
_NO_STORE: Final = {hdrs.CACHE_CONTROL: "no-store"}
_TRANSCRIPTION_MODEL: Final = "gpt-4o-mini-transcribe"


class VoiceServer(StartsOnEnter):
    """Serves the voice page, with the key kept on the server in both connection modes.

    Usage::

        async with VoiceServer(fake.url, api_key=key, tools=[weather]) as server:
            print("open", server.url)

    Args:
        upstream_url: The Realtime WebSocket endpoint (a fake server's ``url``, or OpenAI's).
        api_key: The key for the upstream; ``None``: ``OPENAI_API_KEY`` for OpenAI's host.
        model: The model for both modes.
        tools: Tools that run on this server (on the relay, or on a call's sideband).
        instructions: Set by the sideband of a WebRTC call; ``None`` keeps the default.
        host: Interface to bind.
        port: Port of the page; 0 picks a free one.
        allow_insecure_upstream: Allow the key over plain ``ws://`` / ``http://`` to a
            non-loopback host (a fake server in a test network namespace).

    Raises:
        ConfigurationError: The upstream is not a WebSocket URL, or OpenAI's host has no key.
        InsecureTransportError: The key would travel unencrypted to a remote host.
    """

    def __init__(
        self,
        upstream_url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        model: str = DEFAULT_MODEL,
        tools: Sequence[RelayTool] = (),
        instructions: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_insecure_upstream: bool = False,
    ) -> None:
        # Checked now, the relay's way: a key only for OpenAI's host or the one given.
        self._upstream, self._api_key = resolve_upstream(
            upstream_url, api_key, allow_insecure=allow_insecure_upstream
        )
        self._model = model
        self._tools = tuple(tools)
        self._instructions = instructions
        self._host = host
        self._port = port
        self._insecure = allow_insecure_upstream
        self._relay: RealtimeRelay | None = None
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._url: str | None = None
        self._sidebands: set[asyncio.Task[None]] = set()
        self.sidebands_attached = 0
        """Calls whose session a sideband has set up so far."""

    @property
    def url(self) -> str:
        """The page's URL.

        Raises:
            NotConnectedError: The server is not running.
        """
        return require_started(self._url, "the voice server")

    @property
    def relay(self) -> RealtimeRelay:
        """The relay behind relay mode.

        Raises:
            NotConnectedError: The server is not running.
        """
        return require_started(self._relay, "the voice server")

    async def start(self) -> None:
        """Bind the page's port, then start the relay for that page's origin only."""
        app = web.Application()
        app.router.add_get("/", self._index)
        app.router.add_get("/config.json", self._config)
        app.router.add_post("/session", self._session)
        app.router.add_post("/sideband", self._sideband)
        app.router.add_get("/{name}", self._static)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._url = str(URL.build(scheme="http", host=host, port=port, path="/"))
        origin = str(URL.build(scheme="http", host=host, port=port))
        self._http = aiohttp.ClientSession(middlewares=(same_origin_only(self._rest_base),))
        self._relay = RealtimeRelay(
            str(self._upstream),
            api_key=self._api_key,
            model=self._model,
            allowed_origins=[origin],
            tools=self._tools,
            session=self._session_fields(),
            # The server chooses what the model hears and how it transcribes, not the page.
            denied_session_fields={"instructions", "tools", "audio.input.transcription"},
            host=self._host,
            allow_insecure_upstream=self._insecure,
        )
        await self._relay.start()
        logger.info("voice page on %s", self._url)

    async def stop(self) -> None:
        """Stop sidebands, the relay and the page; safe when not running."""
        for task in self._sidebands:
            task.cancel()
        await asyncio.gather(*self._sidebands, return_exceptions=True)
        if self._relay is not None:
            await self._relay.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()
        self._relay = self._runner = self._http = None
        self._url = None

    @property
    def _rest_base(self) -> URL:
        # wss://host/v1/realtime -> https://host/v1
        scheme = "https" if self._upstream.scheme == "wss" else "http"
        return self._upstream.with_scheme(scheme).with_path("/v1").with_query(None)

    async def _index(self, _request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers=_NO_STORE)

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in _STATIC_FILES:
            raise web.HTTPNotFound()
        return web.FileResponse(STATIC_DIR / name, headers=_NO_STORE)

    async def _config(self, _request: web.Request) -> web.StreamResponse:
        return web.json_response({"relay_url": self.relay.url}, headers=_NO_STORE)

    def _session_fields(self, **input_fields: Any) -> dict[str, Any]:
        """What this server sets in every session, besides tools."""
        fields: dict[str, Any] = {
            "audio": {"input": {"transcription": {"model": _TRANSCRIPTION_MODEL}, **input_fields}}
        }
        if self._instructions is not None:
            fields["instructions"] = self._instructions
        return fields

    async def _session(self, _request: web.Request) -> web.StreamResponse:
        session = {
            "type": "realtime",
            "model": self._model,
            **self._session_fields(
                turn_detection={"type": "server_vad", "silence_duration_ms": 400}
            ),
        }
        try:
            secret = await create_client_secret(
                api_key=self._api_key,
                session=session,
                base_url=str(self._rest_base),
                http_session=self._http,
                allow_insecure=self._insecure,
            )
        except RealtimeError as error:
            logger.warning("could not mint a client secret: %s", error)
            raise web.HTTPBadGateway(text="could not mint a client secret") from None
        calls_url = self._rest_base / "realtime" / "calls"
        return web.json_response(
            {"client_secret": secret.value, "calls_url": str(calls_url)}, headers=_NO_STORE
        )

    async def _sideband(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            body = None
        call_id = body.get("call_id") if isinstance(body, dict) else None
        if not isinstance(call_id, str) or not call_id.startswith("rtc_"):
            raise web.HTTPBadRequest(text="call_id must be a call id (rtc_...)")
        task = asyncio.create_task(self._run_sideband(call_id))
        self._sidebands.add(task)
        task.add_done_callback(self._sidebands.discard)
        return web.json_response({"attached": call_id}, headers=_NO_STORE)

    async def _run_sideband(self, call_id: str) -> None:
        """Own one call's session: set instructions and tools, answer tool calls, until it ends."""
        client = RealtimeClient(str(self._upstream), api_key=self._api_key, call_id=call_id)
        ended = asyncio.Event()
        client.on("call.ended", lambda _event: ended.set())
        try:
            async with client:
                for tool in self._tools:
                    await client.add_tool(tool.definition(), tool.handler)  # type: ignore[arg-type]
                if self._instructions is not None:
                    await client.update_session(instructions=self._instructions)
                self.sidebands_attached += 1
                await ended.wait()
        except (RealtimeError, OSError) as error:
            logger.warning("sideband for %s ended: %s", call_id, type(error).__name__)
