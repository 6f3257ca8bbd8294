"""Admission and upstream rules of the relay, as pure functions over headers and URLs."""

from __future__ import annotations

import pytest

from openai_realtime.errors import ConfigurationError, InsecureTransportError
from openai_realtime.relay._handshake import (
    choose_subprotocol,
    normalize_origins,
    origin_allowed,
    presented_tokens,
    resolve_upstream,
    split_subprotocols,
    token_matches,
)

KEY = "sk-handshake-secret-42"


def test_split_subprotocols() -> None:
    assert split_subprotocols(None) == []
    assert split_subprotocols("realtime, openai-insecure-api-key.t ,") == [
        "realtime",
        "openai-insecure-api-key.t",
    ]


@pytest.mark.parametrize(
    ("offered", "selected"),
    [
        ([], None),
        (["openai-insecure-api-key.t", "realtime"], "realtime"),
        (["openai-insecure-api-key.t", "custom", "other"], "custom"),
        (["openai-insecure-api-key.t"], "openai-insecure-api-key.t"),
    ],
)
def test_choose_subprotocol_prefers_realtime_and_avoids_the_credential(
    offered: list[str], selected: str | None
) -> None:
    assert choose_subprotocol(offered) == selected


def test_presented_tokens_from_header_and_subprotocols() -> None:
    offered = ["realtime", "openai-insecure-api-key.from-protocol"]
    assert presented_tokens("Bearer from-header", offered) == ["from-protocol", "from-header"]
    assert presented_tokens("bearer  spaced ", []) == ["spaced"]
    assert presented_tokens("Basic dXNlcg==", []) == []
    assert presented_tokens("Bearer ", []) == []
    assert presented_tokens(None, ["realtime"]) == []


def test_token_matches() -> None:
    assert token_matches("right", ["wrong", "right"])
    assert not token_matches("right", ["wrong", "righ", "right2"])
    assert not token_matches("right", [])
    assert token_matches("ünïcode", ["ünïcode"])


def test_origin_allow_list() -> None:
    allowed = normalize_origins(["https://App.example/", "http://localhost:3000"])
    assert origin_allowed(None, allowed)
    assert origin_allowed("https://app.example", allowed)
    assert origin_allowed("http://localhost:3000", allowed)
    assert not origin_allowed("https://evil.example", allowed)
    assert not origin_allowed("null", allowed)
    assert origin_allowed("https://anything.example", normalize_origins(None))


def test_resolve_upstream_reads_the_environment_only_for_openai(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    url, key = resolve_upstream("wss://api.openai.com/v1/realtime", None, allow_insecure=False)
    assert (url.host, key) == ("api.openai.com", KEY)
    assert (
        resolve_upstream("wss://relay.example/v1/realtime", None, allow_insecure=False)[1] is None
    )
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        resolve_upstream("wss://api.openai.com/v1/realtime", None, allow_insecure=False)


@pytest.mark.parametrize(
    "url", ["ws://127.0.0.1:9/v1/realtime", "ws://localhost/v1/realtime", "ws://[::1]:9/x"]
)
def test_plain_ws_with_a_key_is_fine_on_loopback(url: str) -> None:
    assert resolve_upstream(url, KEY, allow_insecure=False)[1] == KEY


def test_plain_ws_with_a_key_to_a_remote_host_is_refused() -> None:
    with pytest.raises(InsecureTransportError) as caught:
        resolve_upstream("ws://realtime.example/v1/realtime", KEY, allow_insecure=False)
    assert KEY not in str(caught.value)
    assert resolve_upstream("ws://realtime.example/v1", KEY, allow_insecure=True)[1] == KEY
    assert resolve_upstream("ws://realtime.example/v1", None, allow_insecure=False)[1] is None


@pytest.mark.parametrize("url", ["https://api.openai.com/v1/realtime", "api.openai.com", "ws://"])
def test_non_websocket_upstream_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="ws://"):
        resolve_upstream(url, KEY, allow_insecure=False)


def test_empty_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="empty"):
        resolve_upstream("wss://relay.example/v1/realtime", "", allow_insecure=False)
