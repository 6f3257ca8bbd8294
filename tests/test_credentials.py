"""Credential transport rules and URL redaction, shared by the client and the relay."""

from __future__ import annotations

import pytest
from yarl import URL

from openai_realtime.credentials import is_loopback_host, redact_url, require_secure_transport
from openai_realtime.errors import InsecureTransportError

KEY = "sk-transport-sentinel-0123456789"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("example.com", False),
        ("::", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_redact_url_drops_credentials_and_query() -> None:
    url = URL(f"wss://user:{KEY}@azure.example/openai/realtime?api-key={KEY}&deployment=d#x")
    assert redact_url(url) == "wss://azure.example/openai/realtime"


@pytest.mark.parametrize(
    "url",
    ["wss://api.example/v1/realtime", "ws://127.0.0.1:9/v1", "ws://localhost/v1", "ws://[::1]/v1"],
)
def test_secure_or_local_transport_is_allowed(url: str) -> None:
    require_secure_transport(URL(url), allow_insecure=False)


def test_plain_remote_transport_is_refused_unless_allowed() -> None:
    url = URL("ws://relay.example/v1/realtime")
    with pytest.raises(InsecureTransportError, match="allow_insecure=True"):
        require_secure_transport(url, allow_insecure=False)
    require_secure_transport(url, allow_insecure=True)
