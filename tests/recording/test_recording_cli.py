"""The ``replay`` and ``timeline`` commands, through their own argument parsers."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import re
from pathlib import Path

import pytest
from recording_support import LiveSession, conversation_snapshot, run_scenario

from openai_realtime import RealtimeClient
from openai_realtime.cli import replay, timeline
from openai_realtime.cli._common import CommandError
from tests.support import WAIT


def parse(*argv: str) -> argparse.Namespace:
    """Parse one command line with only the recording commands registered."""
    parser = argparse.ArgumentParser(prog="openai-realtime")
    subparsers = parser.add_subparsers(dest="command", required=True)
    replay.register(subparsers)
    timeline.register(subparsers)
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    """Run a command the way ``main`` does: awaited when it is a coroutine function."""
    if inspect.iscoroutinefunction(args.run):
        code: int = await args.run(args)
    else:
        code = args.run(args)
    return code


async def test_replay_prints_the_chat_log(
    live_session: LiveSession, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(parse("replay", str(live_session.path))) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("gpt-realtime, recorded ") and " frames over " in out[0]
    assert len(out) == 1 + len(live_session.snapshot)
    assert "'Hi there'" in out[1]
    assert any('calls get_weather({"city": "Oslo"})' in line for line in out)


async def test_replay_with_metrics_adds_the_table(
    live_session: LiveSession, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(parse("replay", str(live_session.path), "--metrics")) == 0
    out = capsys.readouterr().out
    assert "speech->audio" in out and "tool_call_to_output" in out


async def test_replay_serve_plays_the_recording_until_cancelled(
    live_session: LiveSession, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("replay", str(live_session.path), "--serve", "--port", "0", "--speed", "0")
    serving = asyncio.ensure_future(run(args))
    printed = ""
    try:
        async with asyncio.timeout(WAIT):
            while (found := re.search(r"listening on (ws://\S+)", printed)) is None:
                await asyncio.sleep(0.01)
                printed += capsys.readouterr().out
        async with RealtimeClient(url=found.group(1)) as client:
            await run_scenario(client)
    finally:
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
    assert conversation_snapshot(client.conversation) == live_session.snapshot


async def test_timeline_writes_html_and_png(live_session: LiveSession, tmp_path: Path) -> None:
    html = tmp_path / "t.html"
    assert await run(parse("timeline", str(live_session.path), "-o", str(html))) == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    png = tmp_path / "t.png"
    assert await run(parse("timeline", str(live_session.path), "--output", str(png))) == 0
    assert png.read_bytes().startswith(b"\x89PNG")


async def test_timeline_refuses_an_unknown_format(live_session: LiveSession) -> None:
    with pytest.raises(CommandError, match=r"\.png or \.html"):
        await run(parse("timeline", str(live_session.path), "-o", "t.svg"))


def test_speed_and_port_are_validated(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in (["--speed", "-1"], ["--speed", "fast"], ["--port", "70000"]):
        with pytest.raises(SystemExit):
            parse("replay", "x.jsonl", *bad)
    assert "at least 0" in capsys.readouterr().err
    assert parse("replay", "x.jsonl", "--speed", "2.5").speed == 2.5
