"""The phone agent example, end to end on loopback: a call placed on the fake server's line."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from aiohttp import web

from openai_realtime.testing import DefaultResponder, FakeRealtimeServer, Reply, ToolCall
from openai_realtime.testing.responder import ResponseContext
from openai_realtime.types import RealtimeConversationItemMessageUser
from tests.support.calls import SECRET, serve_on_loopback
from tests.support.waiting import WAIT

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture(scope="module")
def example() -> Iterator[ModuleType]:
    sys.path.insert(0, str(EXAMPLES))
    try:
        yield importlib.import_module("phone_agent")
    finally:
        sys.path.remove(str(EXAMPLES))


class CallerAsksForTheirOrder(DefaultResponder):
    """The model: the caller's spoken turn asks about order 42; everything else as default."""

    def respond(self, context: ResponseContext) -> Reply:
        latest = context.items[-1] if context.items else None
        spoken = isinstance(latest, RealtimeConversationItemMessageUser)
        if spoken and not context.instructions.startswith("say"):
            return Reply(tool_calls=[ToolCall("lookup_order", {"order": 42})])
        return super().respond(context)


def _speech(seconds: float, rate: int = 24000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 300 * t) * 10000).astype(np.int16)


@pytest.fixture
async def agent_url(
    example: ModuleType,
) -> AsyncIterator[tuple[FakeRealtimeServer, object, str]]:
    async with FakeRealtimeServer(responder=CallerAsksForTheirOrder(), time_scale=0.05) as server:
        agent = example.PhoneAgent(SECRET, server.http_url, server.url)
        app = web.Application()
        app.router.add_post("/webhook", agent.webhook)
        async with serve_on_loopback(app) as base_url, agent.calls:
            yield server, agent, f"{base_url}/webhook"


async def test_a_call_runs_the_tool_reads_digits_and_is_transferred(
    agent_url: tuple[FakeRealtimeServer, object, str],
) -> None:
    server, _, url = agent_url
    call = await server.place_call(
        url, secret=SECRET, audio=_speech(1.0), dtmf=[(6.0, "5"), (9.0, "0")]
    )
    outcome = await call.ended(WAIT)
    assert call.webhook_status == 200
    assert (outcome.how, outcome.refer_target) == ("referred", "tel:+15550123")
    assert call.heard_transcripts == [
        "Acme, how can I help?",
        'The lookup_order tool returned: {"status": "shipped", "order": 42}.',
        "You pressed 5.",
    ]
    assert call.heard_rate == 8000 and call.heard_audio.size > 8000
    assert call.record is not None
    outputs = [
        json.loads(frame)["item"]
        for frame in call.record.received
        if '"function_call_output"' in frame
    ]
    assert [json.loads(item["output"]) for item in outputs] == [{"status": "shipped", "order": 42}]


async def test_the_hash_key_hangs_up(agent_url: tuple[FakeRealtimeServer, object, str]) -> None:
    server, _, url = agent_url
    call = await server.place_call(url, secret=SECRET, dtmf=[(1.0, "#")])
    assert (await call.ended(WAIT)).how == "hung_up"
    assert call.heard_transcripts == ["Acme, how can I help?"]


async def test_a_forged_webhook_is_refused_and_no_call_is_accepted(
    agent_url: tuple[FakeRealtimeServer, object, str],
) -> None:
    server, _, url = agent_url
    forged = "whsec_" + "Zm9yZ2VkIHNlY3JldCBrZXk="
    call = await server.place_call(url, secret=forged, answer_timeout=2.0)
    assert call.webhook_status == 400
    assert (await call.ended(WAIT)).how == "unanswered"
