"""The ``openai-agents`` realtime runner against the fake server, every frame judged by the
official SDK's models: a tool turn, a spoken answer and an interruption."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal

import pytest
from official_sdk import assert_official, clear_proxies, server_frames

from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder

try:
    from agents import function_tool, set_tracing_disabled
    from agents.realtime import RealtimeAgent, RealtimeRunConfig, RealtimeRunner, RealtimeSession
except ImportError as error:  # pragma: no cover - the dev extra pins openai-agents
    raise AssertionError(
        "these tests need openai-agents==0.24.0: pip install -e '.[dev]'"
    ) from error


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")
    set_tracing_disabled(True)


@function_tool
def add(a: int, b: int) -> int:
    """Add two whole numbers."""
    return a + b


async def start(
    server: FakeRealtimeServer,
    modalities: list[Literal["text", "audio"]],
    agent_tools: list[Any] | None = None,
) -> RealtimeSession:
    agent = RealtimeAgent(name="calculator", instructions="Add numbers.", tools=agent_tools or [])
    config: RealtimeRunConfig = {"model_settings": {"output_modalities": modalities}}
    runner = RealtimeRunner(agent, config=config)
    return await runner.run(
        model_config={"api_key": "sk-fake", "url": f"{server.url}?model=gpt-realtime"}
    )


async def session_events(session: RealtimeSession, last: str, count: int = 1) -> list[Any]:
    """Session events (raw model events left out) until the ``count``-th of type ``last``."""
    events = []
    seen = 0
    async for event in session:
        if event.type == "raw_model_event":
            continue
        assert event.type != "error", event
        events.append(event)
        seen += event.type == last
        if seen == count:
            return events
    raise AssertionError(f"the session ended before {last}")


@pytest.fixture
async def fake() -> AsyncIterator[FakeRealtimeServer]:
    async with FakeRealtimeServer() as server:
        yield server


async def test_a_tool_turn_runs_the_agents_tool(fake: FakeRealtimeServer) -> None:
    session = await start(fake, ["text"], [add])
    async with session:
        await session.send_message("add 2 and 40")
        events = await session_events(session, "agent_end", count=2)

    tool_end = next(event for event in events if event.type == "tool_end")
    assert (tool_end.tool.name, tool_end.output) == ("add", 42)
    kinds = assert_official(server_frames(fake))
    assert kinds.count("response.done") == 2
    history = [event for event in events if event.type == "history_updated"][-1].history
    texts = [
        part.text
        for item in history
        if item.type == "message" and item.role == "assistant"
        for part in item.content
        if part.type == "text" and getattr(part, "text", None)
    ]
    assert texts == ["The add tool returned: 42."]


async def test_a_spoken_answer_reaches_the_agent_as_audio(fake: FakeRealtimeServer) -> None:
    session = await start(fake, ["audio"])
    async with session:
        await session.send_message("Tell me about lighthouses")
        events = await session_events(session, "audio_end")

    audio = b"".join(event.audio.data for event in events if event.type == "audio")
    assert len(audio) > 48000  # over a second of 24 kHz PCM16
    assert_official(server_frames(fake))


async def test_an_interruption_cancels_and_truncates_without_errors() -> None:
    responder = ScriptedResponder([Reply(audio_text="a long answer " * 40)], then=None)
    async with FakeRealtimeServer(pace=1.0, responder=responder) as paced:
        session = await start(paced, ["audio"])
        async with session:
            await session.send_message("Talk for a while")
            await session_events(session, "audio")
            await session.interrupt()
            events = await session_events(session, "audio_interrupted")

        received = [frame for record in paced.connections for frame in record.received]
        kinds = assert_official(server_frames(paced))
    assert events[-1].type == "audio_interrupted"
    # With server VAD cancelling responses itself, the runner only truncates what was heard.
    assert any('"conversation.item.truncate"' in str(frame) for frame in received)
    assert "conversation.item.truncated" in kinds
    assert "error" not in kinds
