"""``openai-realtime call``: a simulated call from the command line to a running app."""

from __future__ import annotations

import asyncio
import importlib
import socket
from pathlib import Path

import pytest
from aiohttp import web

from openai_realtime.audio import read_wav
from openai_realtime.cli import main
from tests.support.calls import SECRET, serve_on_loopback

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_call_to_the_example_app_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    example = importlib.import_module("phone_agent")
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    port = _free_port()
    base = f"127.0.0.1:{port}/v1"
    agent = example.PhoneAgent(SECRET, f"http://{base}", f"ws://{base}/realtime")
    app = web.Application()
    app.router.add_post("/webhook", agent.webhook)
    heard = tmp_path / "heard.wav"
    async with serve_on_loopback(app) as app_url, agent.calls:
        argv = ["call", f"{app_url}/webhook", "--port", str(port), "--dtmf", "0.2:#"]
        code = await asyncio.to_thread(main, [*argv, "--out", str(heard)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "heard: Acme, how can I help?" in out.splitlines()
    assert out.splitlines()[-1] == "call ended: hung up"
    assert f"call control: http://{base}" in err
    assert read_wav(heard, rate=8000).size > 0
    assert SECRET not in out + err


def test_the_secret_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)
    assert main(["call", "http://127.0.0.1:9/webhook"]) == 2
    assert "OPENAI_WEBHOOK_SECRET" in capsys.readouterr().err


@pytest.mark.parametrize("keys", ["x:1", "1:", "-1:5", "2:A"])
def test_bad_key_presses_are_usage_errors(keys: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "http://127.0.0.1:9/webhook", "--dtmf", keys]) == 2
    assert "SECONDS:KEYS" in capsys.readouterr().err


def test_an_unreachable_webhook_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    closed = _free_port()
    argv = ["call", f"http://127.0.0.1:{closed}/webhook", "--port", "0"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "the webhook was not delivered" in err and SECRET not in err
