"""The tool loop's safety: each call once, bounded runs counted in back-pressure, own threads."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import Any

from memory_server import connected_client, frame, response

from openai_realtime.errors import ToolCapacityError
from openai_realtime.local_events import ClientErrorPayload, LocalErrorEvent
from openai_realtime.tools import ToolRegistry
from openai_realtime.types.params import RealtimeFunctionToolParam
from tests.support import WAIT, until

LOOKUP: RealtimeFunctionToolParam = {"name": "lookup", "parameters": {"type": "object"}}


def call(call_id: str) -> dict[str, Any]:
    return {
        "id": f"item_{call_id}",
        "type": "function_call",
        "status": "completed",
        "name": "lookup",
        "call_id": call_id,
        "arguments": json.dumps({"q": call_id}),
    }


def tool_response_done(response_id: str, *call_ids: str) -> list[str]:
    calls = [call(call_id) for call_id in call_ids]
    return [
        frame("response.created", response=response(response_id)),
        frame("response.done", response=response(response_id, "completed", calls)),
    ]


async def test_the_same_response_done_twice_runs_the_call_once_and_asks_once() -> None:
    runs: list[str] = []

    async def lookup(arguments: dict[str, Any]) -> str:
        runs.append(arguments["q"])
        return "found"

    client, server = await connected_client()
    await client.add_tool(LOOKUP, lookup)
    done = tool_response_done("resp_1", "call_1")
    await server.push(*done, done[-1])
    output = await server.next_sent("conversation.item.create")
    assert output["item"]["call_id"] == "call_1"
    follow_up = await server.next_sent("response.create")
    await server.answer_text("resp_2", "The answer.")
    # The next response.create on the wire must be this one: no second follow-up came first.
    handle = await client.create_response()
    assert (await server.next_sent("response.create"))["event_id"] == handle.request_id
    assert follow_up["event_id"] != handle.request_id
    assert runs == ["call_1"]
    assert not [e for e in server.received if e["type"] == "conversation.item.create"]
    await client.disconnect()


async def test_concurrent_runs_are_bounded_and_hold_the_receive_loop_back() -> None:
    release = asyncio.Event()
    running = 0
    most = 0

    async def lookup(arguments: dict[str, Any]) -> str:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1
        return "done"

    client, server = await connected_client(max_pending_handlers=4, max_concurrent_tools=2)
    await client.add_tool(LOOKUP, lookup)
    call_ids = [f"call_{n}" for n in range(20)]
    flood = asyncio.ensure_future(server.push(*tool_response_done("resp_1", *call_ids)))
    await until(lambda: running == 2)
    assert client.pending_handlers == 20  # every call counts against max_pending_handlers
    later = asyncio.ensure_future(server.push(frame("rate_limits.updated", rate_limits=[])))
    # The receive loop waits for room: neither push is handled while 20 calls are pending.
    done, _ = await asyncio.wait([flood, later], timeout=0.2)
    assert not done
    release.set()
    await asyncio.wait_for(asyncio.gather(flood, later), WAIT)
    outputs = [await server.next_sent("conversation.item.create") for _ in call_ids]
    assert sorted(o["item"]["call_id"] for o in outputs) == sorted(call_ids)
    await server.next_sent("response.create")
    assert most == 2
    await client.disconnect()


async def test_stuck_sync_calls_fill_only_the_clients_threads_then_new_ones_fail_at_once() -> None:
    # As many stuck calls as the loop's default executor has threads: had they run there,
    # getaddrinfo (every connect) would now wait behind them.
    workers = min(32, (os.cpu_count() or 1) + 4)
    release = threading.Event()
    registry = ToolRegistry(max_workers=workers)
    registry.add(LOOKUP, lambda arguments: release.wait())
    loop = asyncio.get_running_loop()
    try:
        stuck = await asyncio.gather(
            *(registry.run("lookup", "{}", timeout=0.05) for _ in range(workers))
        )
        assert all(isinstance(result.error, TimeoutError) for result in stuck)
        assert registry.threads.stuck == workers
        started = loop.time()
        refused = await registry.run("lookup", "{}", timeout=WAIT)
        assert loop.time() - started < 1.0  # at once, not after the timeout
        assert isinstance(refused.error, ToolCapacityError)
        assert "ToolCapacityError" in json.loads(refused.output)["error"]
        await asyncio.wait_for(loop.getaddrinfo("127.0.0.1", 80), WAIT)
    finally:
        release.set()
    await until(lambda: registry.threads.stuck == 0)
    assert (await registry.run("lookup", "{}", timeout=WAIT)).output == "true"


async def test_a_sync_call_with_every_worker_stuck_gets_an_error_output_at_once() -> None:
    release = threading.Event()
    client, server = await connected_client(tool_timeout=0.5, tool_workers=1)
    errors: list[ClientErrorPayload] = []
    client.on("error", errors.append)
    await client.add_tool(LOOKUP, lambda arguments: release.wait())
    loop = asyncio.get_running_loop()
    try:
        await server.push(*tool_response_done("resp_1", "call_1"))
        timed_out = await server.next_sent("conversation.item.create")
        assert "timed out" in json.loads(timed_out["item"]["output"])["error"]
        await server.next_sent("response.create")
        started = loop.time()
        await server.push(*tool_response_done("resp_2", "call_2"))
        refused = await server.next_sent("conversation.item.create")
        assert loop.time() - started < 0.5  # not after tool_timeout: at once
    finally:
        release.set()
    assert refused["item"]["call_id"] == "call_2"
    assert "ToolCapacityError" in json.loads(refused["item"]["output"])["error"]
    reported = [e for e in errors if isinstance(e, LocalErrorEvent)]
    assert isinstance(reported[-1].exception, ToolCapacityError)
    await client.disconnect()


async def test_a_burst_of_tool_calling_responses_shares_its_follow_up_requests() -> None:
    async def lookup(arguments: dict[str, Any]) -> str:
        return "found"

    client, server = await connected_client()
    await client.add_tool(LOOKUP, lookup)
    # A response runs (server VAD started it) while fifty tool-calling responses complete.
    await server.push(frame("response.created", response=response("resp_vad")))
    frames = [f for n in range(50) for f in tool_response_done(f"resp_{n}", f"call_{n}")]
    await server.push(*frames)
    outputs = [await server.next_sent("conversation.item.create") for _ in range(50)]
    assert len({output["item"]["call_id"] for output in outputs}) == 50
    await server.push(frame("response.done", response=response("resp_vad", "completed")))
    # The run that finished first asks once the running response is done; the 49 that
    # finished while it waited share the next request.
    await server.next_sent("response.create")
    await server.answer_text("resp_a", "First.")
    await server.next_sent("response.create")
    await server.answer_text("resp_b", "Second.")
    handle = await client.create_response()
    assert (await server.next_sent("response.create"))["event_id"] == handle.request_id
    await client.disconnect()
