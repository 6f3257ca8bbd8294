"""Race-free waits: an event that arrives between the action and the wait is never missed.

Each test delivers the event through the in-memory pair and lets the client handle it *before*
the wait is awaited, which is exactly the window a plain ``wait_for_next`` would miss.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from memory_server import (
    MemoryServer,
    assistant_item,
    audio_delta,
    connected_client,
    frame,
    response,
    user_item,
)

from openai_realtime import RealtimeClient
from openai_realtime.errors import (
    ConnectionClosedError,
    RealtimeError,
    RealtimeTimeoutError,
    ResponseInProgressError,
    ResponseRefusedError,
)
from openai_realtime.responses import ResponseHandle
from tests.support import WAIT


async def user_turn(client: RealtimeClient, server: MemoryServer) -> ResponseHandle:
    """The user says hi; the server echoes the item and answers in full before returning."""
    handle = await client.send_user_message_content([{"type": "input_text", "text": "Hi"}])
    await server.next_sent("conversation.item.create")
    await server.push(
        frame("conversation.item.added", previous_item_id=None, item=user_item("item_u", "Hi")),
        frame("conversation.item.done", previous_item_id=None, item=user_item("item_u", "Hi")),
    )
    await server.next_sent("response.create")
    await server.answer_text("resp_1", "Hello!")
    return handle


async def test_expect_sees_an_event_that_arrived_before_the_await() -> None:
    client, server = await connected_client()
    async with client.expect("server.response.done", timeout=WAIT) as done:
        await user_turn(client, server)
        assert done.arrived  # handled already, before anyone awaited
    event = await done
    assert event.response.id == "resp_1" and done.event is event
    await client.disconnect()


async def test_expect_left_by_an_exception_is_forgotten() -> None:
    client, _ = await connected_client()
    with pytest.raises(RuntimeError, match="boom"):
        async with client.expect("server.response.done") as done:
            raise RuntimeError("boom")
    assert not client.realtime.has_listeners("server.response.done")
    with pytest.raises(RealtimeError, match=r"no 'server\.response\.done' event"):
        _ = done.event
    await client.disconnect()


async def test_a_response_handle_records_its_response_before_it_is_awaited() -> None:
    client, server = await connected_client()
    handle = await user_turn(client, server)
    assert handle.is_done and handle.id == "resp_1"  # all of it arrived already
    final = await handle.done(timeout=WAIT)
    assert final.status == "completed" and handle.status == "completed"
    assert [item.id for item in handle.items] == ["item_resp_1"]
    assert handle.text == "Hello!" and handle.transcript == ""
    assert len(handle.audio) == 0
    await client.disconnect()


async def test_a_response_handle_assembles_audio_and_cancels_by_id() -> None:
    client, server = await connected_client()
    handle = await client.create_response()
    await server.next_sent("response.create")
    await server.push(
        frame("response.created", response=response("resp_a")),
        frame(
            "response.output_item.added",
            response_id="resp_a",
            output_index=0,
            item=assistant_item("item_a"),
        ),
        audio_delta("resp_a", "item_a", 480, value=7),
    )
    assert await handle.started(timeout=WAIT) == "resp_a" and not handle.is_done
    assert np.array_equal(handle.audio, np.full(480, 7, dtype=np.int16))
    await handle.cancel()
    assert (await server.next_sent("response.cancel"))["response_id"] == "resp_a"
    await client.disconnect()


async def test_wait_for_next_item_filters_and_keeps_what_came_between_two_waits() -> None:
    client, server = await connected_client()
    user = frame("conversation.item.added", previous_item_id=None, item=user_item("item_u", "Hi"))
    answer = frame(
        "conversation.item.added", previous_item_id="item_u", item=assistant_item("item_a")
    )
    # The first wait starts before the delivery task runs; both items arrive while it waits.
    delivery = asyncio.ensure_future(server.push(user, answer))
    first = await client.wait_for_next_item(timeout=WAIT)
    await delivery
    # The assistant's item arrived before this call: it is found at once.
    second = await client.wait_for_next_item(timeout=WAIT, role="assistant", type="message")
    assert (first.id, second.id) == ("item_u", "item_a")
    with pytest.raises(RealtimeTimeoutError):
        await client.wait_for_next_item(timeout=0.01)
    await client.disconnect()


async def test_wait_for_next_completed_item_skips_the_users_own_message() -> None:
    client, server = await connected_client()
    turn = asyncio.ensure_future(user_turn(client, server))
    item = await client.wait_for_next_completed_item(timeout=WAIT, role="assistant")
    await turn
    assert item.role == "assistant" and item.formatted.text == "Hello!"
    await client.disconnect()


async def test_create_response_waits_for_the_running_response_then_sends() -> None:
    client, server = await connected_client()
    order: list[str] = []
    client.realtime.on("server.response.done", lambda event: order.append("done"))
    client.realtime.on("client.response.create", lambda event: order.append("create"))
    await server.push(frame("response.created", response=response("resp_vad")))
    with pytest.raises(ResponseInProgressError):
        await client.create_response(if_active="raise")
    waiting = asyncio.ensure_future(client.create_response())
    await server.push(frame("response.done", response=response("resp_vad", "completed")))
    handle = await waiting
    await server.next_sent("response.create")
    await server.answer_text("resp_2", "Next.")
    assert order == ["done", "create", "done"]
    assert (await handle.done(timeout=WAIT)).id == "resp_2"
    await client.disconnect()


async def test_create_response_gives_up_after_the_active_response_timeout() -> None:
    client, server = await connected_client(active_response_timeout=0.01)
    await server.push(frame("response.created", response=response("resp_long")))
    with pytest.raises(ResponseInProgressError, match="still in progress"):
        await client.create_response()
    # An out-of-band response is not held back.
    side = await client.create_response(conversation="none")
    assert (await server.next_sent("response.create"))["event_id"] == side.request_id
    await client.disconnect()


async def test_a_refused_request_fails_its_handle_with_the_servers_code() -> None:
    client, server = await connected_client()
    handle = await client.create_response()
    request = await server.next_sent("response.create")
    error = {
        "type": "invalid_request_error",
        "code": "conversation_already_has_active_response",
        "message": "Conversation already has an active response",
        "event_id": request["event_id"],
    }
    await server.push(frame("error", error=error))
    with pytest.raises(ResponseRefusedError) as refused:
        await handle.done(timeout=WAIT)
    assert refused.value.code == "conversation_already_has_active_response"
    await client.disconnect()


async def test_a_close_fails_handles_and_item_waits() -> None:
    client, server = await connected_client()
    handle = await client.create_response()
    item_wait = asyncio.ensure_future(client.wait_for_next_item(timeout=WAIT))
    await server.next_sent("response.create")
    await server.push(frame("input_audio_buffer.cleared"))  # the item wait is running by now
    await server.end.close(1011, "gone")
    with pytest.raises(ConnectionClosedError):
        await handle.done(timeout=WAIT)
    with pytest.raises(ConnectionClosedError):
        await item_wait
    await client.disconnect()


async def test_the_tool_loop_follow_up_waits_for_a_response_started_meanwhile() -> None:
    client, server = await connected_client()
    release = asyncio.Event()

    async def lookup(arguments: dict[str, object]) -> str:
        await release.wait()
        return "found"

    await client.add_tool({"name": "lookup", "parameters": {"type": "object"}}, lookup)
    order: list[str] = []
    client.realtime.on("server.response.done", lambda event: order.append("done"))
    client.realtime.on("client.response.create", lambda event: order.append("create"))
    call = {
        "id": "item_call",
        "type": "function_call",
        "status": "completed",
        "name": "lookup",
        "call_id": "call_1",
        "arguments": "{}",
    }
    await server.push(
        frame("response.created", response=response("resp_tool")),
        frame("response.done", response=response("resp_tool", "completed", [call])),
        # Server VAD starts another response while the tool still runs.
        frame("response.created", response=response("resp_vad")),
    )
    release.set()
    output = await server.next_sent("conversation.item.create")
    assert output["item"] == {
        "type": "function_call_output",
        "call_id": "call_1",
        "output": '"found"',
    }
    await server.push(frame("response.done", response=response("resp_vad", "completed")))
    await server.next_sent("response.create")
    assert order == ["done", "done", "create"]
    await client.disconnect()
