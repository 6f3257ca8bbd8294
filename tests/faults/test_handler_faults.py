"""Application code that misbehaves: handlers that raise, tools that hang, handlers that lag.

None of it may stop the receive loop or lose a frame: failures become ``error`` events, a hung
tool gets an error output when ``tool_timeout`` runs out, and slow async handlers hold the
receive loop back (bounded by ``max_pending_handlers``) instead of piling up.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fault_support import REPLIES, TEXT_SESSION, FrameLedger, sent_by, talk

from openai_realtime import RealtimeClient
from openai_realtime.local_events import LocalErrorEvent
from openai_realtime.testing import FakeRealtimeServer, Reply, ScriptedResponder, ToolCall
from openai_realtime.types import ResponseOutputTextDeltaEvent
from tests.support import WAIT, until


def raising_sync(event: ResponseOutputTextDeltaEvent) -> None:
    raise RuntimeError(f"sync handler failed on {event.delta!r}")


async def raising_async(event: ResponseOutputTextDeltaEvent) -> None:
    await asyncio.sleep(0)
    raise RuntimeError(f"async handler failed on {event.delta!r}")


@pytest.mark.parametrize("handler", [raising_sync, raising_async], ids=["sync", "async"])
async def test_a_raising_handler_is_reported_and_the_response_goes_on(handler: Any) -> None:
    responder = ScriptedResponder([REPLIES["text"], Reply(text="Still fine.")])
    async with FakeRealtimeServer(responder=responder) as server:
        client = RealtimeClient(url=server.url)
        ledger = FrameLedger(client)
        client.on("server.response.output_text.delta", handler)
        await client.update_session(**TEXT_SESSION)
        async with client:
            for text in ("one", "two"):
                done = asyncio.ensure_future(client.wait_for_next("server.response.done", WAIT))
                await talk(client, text)
                assert (await done).response.status == "completed"
            await until(lambda: ledger.types().count("rate_limits.updated") == 2)
            await until(lambda: ledger.frames == sent_by(server))
            await client.drain()
    deltas = ledger.types().count("response.output_text.delta")
    failures = [
        error
        for error in ledger.errors
        if isinstance(error, LocalErrorEvent) and "handler failed" in error.message
    ]
    assert deltas > 0 and len(failures) == deltas
    assert all(error.event_name == "server.response.output_text.delta" for error in failures)
    answers = [item for item in client.conversation.get_items() if item.role == "assistant"]
    assert [item.formatted.text for item in answers] == ["A short text answer.", "Still fine."]


async def test_a_tool_that_hangs_past_tool_timeout_gets_an_error_output() -> None:
    responder = ScriptedResponder(
        [
            Reply(tool_calls=[ToolCall("lookup", {"q": "slow"}, call_id="call_slow")]),
            Reply(text="The lookup timed out, sorry."),
        ]
    )
    never = asyncio.Event()

    async def hang(arguments: dict[str, Any]) -> str:
        await never.wait()
        return "unreachable"

    async with FakeRealtimeServer(responder=responder) as server:
        client = RealtimeClient(url=server.url, tool_timeout=0.05)
        ledger = FrameLedger(client)
        await client.update_session(**TEXT_SESSION)
        await client.add_tool({"name": "lookup", "parameters": {"type": "object"}}, hang)
        async with client:
            await talk(client, "look it up")
            first = await client.wait_for_next("server.response.done", timeout=WAIT)
            second = await client.wait_for_next("server.response.done", timeout=WAIT)
    outputs = [
        json.loads(frame)["item"]
        for frame in server.connections[-1].received
        if '"function_call_output"' in str(frame)
    ]
    assert [output["call_id"] for output in outputs] == ["call_slow"]
    assert "timed out after 0.05 s" in json.loads(outputs[0]["output"])["error"]
    assert (first.response.status, second.response.status) == ("completed", "completed")
    timeouts = [
        e for e in ledger.errors if isinstance(e, LocalErrorEvent) and "lookup" in e.message
    ]
    assert len(timeouts) == 1 and isinstance(timeouts[0].exception, TimeoutError)


async def test_slow_async_handlers_hold_the_receive_loop_back_then_everything_arrives() -> None:
    limit = 3
    gate = asyncio.Event()
    started: list[str] = []

    async def slow(event: Any) -> None:
        started.append(event.type)
        await gate.wait()

    async with FakeRealtimeServer(responder=ScriptedResponder([REPLIES["audio"]])) as server:
        client = RealtimeClient(url=server.url, max_pending_handlers=limit)
        ledger = FrameLedger(client)
        await client.update_session(**TEXT_SESSION)
        async with client:
            await client.wait_for_session_created(timeout=WAIT)
            client.on("server.*", slow)
            before = ledger.frames
            await talk(client, "say something")
            await until(lambda: client.pending_handlers >= limit)
            await until(lambda: sent_by(server) > ledger.frames)
            held_at = ledger.frames
            for _ in range(20):  # the loop would run on here if it were not held back
                await asyncio.sleep(0)
            assert ledger.frames == held_at == before + limit
            assert client.pending_handlers == client.realtime.pending_handlers == limit
            gate.set()
            await until(lambda: "response.done" in ledger.types())
            await until(lambda: ledger.frames == sent_by(server))
    assert len(started) == ledger.frames - before
