"""Where credentials may travel: TLS is verified, plain ws:// is refused, servers bind loopback.

The TLS tests run a real TLS WebSocket server on 127.0.0.1 with a self-signed certificate made
here by the ``openssl`` command (skipped where it is missing): connecting must fail on
certificate verification, and succeed once the certificate is trusted through the documented
route (a session whose connector carries the ``SSLContext``), which shows that verification is
what refused it. A scan of the source makes sure nothing turns verification off.
"""

from __future__ import annotations

import inspect
import re
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import openai_realtime
from openai_realtime import InsecureTransportError, RealtimeAPI, RealtimeClient
from openai_realtime.cli import build_parser
from openai_realtime.cli._common import new_client, open_target
from openai_realtime.relay import RealtimeRelay
from openai_realtime.secrets import create_client_secret
from openai_realtime.testing import FakeRealtimeServer, serve
from tests.support import require_binary, until

KEY = "sk-test-transport-0123456789"
# `.invalid` never resolves (RFC 2606): a refusal here cannot have come from the network.
REMOTE_WS = "ws://realtime.invalid/v1/realtime"
REMOTE_HTTP = "http://realtime.invalid"
SOURCE = Path(openai_realtime.__file__).parent


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, and its key."""
    openssl = require_binary("openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.fixture
async def tls_url(certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    """A TLS WebSocket endpoint on 127.0.0.1 that sends one event, then listens."""

    async def handle(request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        await websocket.send_json({"type": "input_audio_buffer.cleared", "event_id": "e"})
        async for _ in websocket:
            pass
        return websocket

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    app = web.Application()
    app.router.add_get("/v1/realtime", handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"wss://127.0.0.1:{port}/v1/realtime"
    finally:
        await runner.cleanup()


async def test_a_certificate_nobody_trusts_is_refused(tls_url: str) -> None:
    api = RealtimeAPI(tls_url, api_key=KEY)
    with pytest.raises(openai_realtime.RealtimeConnectionError, match=r"(?i)certificate"):
        await api.connect()
    assert not api.is_connected


async def test_the_client_refuses_it_too_and_the_key_is_never_sent(tls_url: str) -> None:
    client = RealtimeClient(url=tls_url, api_key=KEY)
    with pytest.raises(openai_realtime.RealtimeConnectionError, match=r"(?i)certificate"):
        await client.connect()


async def test_trusting_the_certificate_explicitly_connects(
    tls_url: str, certificate: tuple[Path, Path]
) -> None:
    trusted = ssl.create_default_context(cafile=str(certificate[0]))
    received: list[str] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trusted)) as session:
        api = RealtimeAPI(tls_url, api_key=KEY, session=session)
        api.on("server.*", lambda event: received.append(event.type))
        async with api:
            await until(lambda: bool(received))
    assert received == ["input_audio_buffer.cleared"]


_VERIFICATION_OFF = re.compile(
    r"ssl\s*=\s*False|verify_ssl|CERT_NONE|check_hostname\s*=\s*False|_create_unverified_context"
)


def test_no_source_file_turns_certificate_verification_off() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in sorted(SOURCE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _VERIFICATION_OFF.search(line)
    ]
    assert offenders == []


def test_connections_pass_no_ssl_override() -> None:
    # Every ws_connect in the package: none of them passes `ssl=`, so aiohttp's default
    # (verify against the system trust store, check the host name) always applies.
    calls = [
        match.group(0)
        for path in SOURCE.rglob("*.py")
        for match in re.finditer(r"ws_connect\((?:[^()]|\([^()]*\))*\)", path.read_text())
    ]
    assert calls and all("ssl" not in call for call in calls)
    assert "ssl" not in inspect.signature(RealtimeAPI).parameters


async def _secret_over_plain_http() -> object:
    return await create_client_secret(api_key=KEY, base_url=REMOTE_HTTP + "/v1")


ENTRY_POINTS: dict[str, Callable[[], object]] = {
    "RealtimeAPI": lambda: RealtimeAPI(REMOTE_WS, api_key=KEY),
    "RealtimeAPI with a header": lambda: RealtimeAPI(REMOTE_WS, headers={"api-key": KEY}),
    "RealtimeClient": lambda: RealtimeClient(url=REMOTE_WS, api_key=KEY),
    "RealtimeAPI.azure key": lambda: RealtimeAPI.azure(REMOTE_HTTP, "d", api_key=KEY),
    "RealtimeAPI.azure token": lambda: RealtimeAPI.azure(REMOTE_HTTP, "d", token=KEY),
    "RealtimeRelay upstream": lambda: RealtimeRelay(REMOTE_WS, api_key=KEY),
}


@pytest.mark.parametrize("build", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_credentials_over_plain_ws_to_a_remote_host_are_refused_up_front(
    build: Callable[[], object],
) -> None:
    with pytest.raises(InsecureTransportError):
        build()


async def test_client_secrets_over_plain_http_are_refused() -> None:
    with pytest.raises(InsecureTransportError):
        await _secret_over_plain_http()


async def test_the_cli_live_target_is_openai_over_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    # --live is the CLI's one path that sends a key; it always goes to OpenAI's wss:// URL.
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    args = build_parser().parse_args(["chat", "--live"])
    async with open_target(args) as target:
        client = new_client(target, args)
    assert target.live
    assert client.realtime.url.startswith("wss://api.openai.com/")


def _default(function: Callable[..., Any] | type, parameter: str) -> Any:
    return inspect.signature(function).parameters[parameter].default


@pytest.mark.parametrize(
    "function",
    [FakeRealtimeServer, RealtimeRelay, serve],
    ids=["FakeRealtimeServer", "RealtimeRelay", "serve"],
)
def test_servers_bind_loopback_by_default(function: Callable[..., Awaitable[None]] | type) -> None:
    assert _default(function, "host") == "127.0.0.1"


async def test_a_started_fake_server_and_relay_listen_on_loopback_only() -> None:
    async with FakeRealtimeServer() as server, RealtimeRelay(server.url) as relay:
        assert server.url.startswith("ws://127.0.0.1:")
        assert relay.url.startswith("ws://127.0.0.1:")
