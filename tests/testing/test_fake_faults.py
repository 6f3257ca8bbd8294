"""Fault injection as a client sees it: dropped connections, odd frames, delays."""

from __future__ import annotations

import contextlib

import aiohttp
import pytest
from fake_wire import connect, types_of

from openai_realtime.errors import ProtocolError
from openai_realtime.protocol.codec import decode_server_event
from openai_realtime.testing import (
    Delay,
    DropConnection,
    FakeRealtimeServer,
    Fault,
    Reply,
    ScriptedResponder,
    SendBinaryFrame,
    SendMalformedFrame,
    SendUnknownEvent,
)
from openai_realtime.testing.faults import FaultSchedule
from openai_realtime.types import UnknownServerEvent


async def frames_until_closed(server: FakeRealtimeServer) -> list[aiohttp.WSMessage]:
    async with connect(server, greet=False) as client:
        frames: list[aiohttp.WSMessage] = []
        while True:
            message = await client.receive_frame()
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                return frames
            frames.append(message)
            if len(frames) == 1:
                # The server may already have dropped the connection; that is the point.
                with contextlib.suppress(ConnectionResetError):
                    await client.send({"type": "response.create"})


@pytest.mark.parametrize("after_events", [0, 1, 4, 9])
async def test_an_abrupt_drop_after_n_events_delivers_exactly_n(after_events: int) -> None:
    async with FakeRealtimeServer(faults=[DropConnection(after_events=after_events)]) as server:
        frames = await frames_until_closed(server)
        await_closed = server.connections[-1]

    assert len(frames) == after_events
    assert await_closed.sent_count == after_events


async def test_a_drop_with_a_close_code_sends_that_code() -> None:
    fault = DropConnection(after_events=1, close_code=4000, reason="chaos")
    async with FakeRealtimeServer(faults=[fault]) as server, connect(server, greet=False) as client:
        created = await client.receive_frame()
        closing = await client.receive_frame()

    assert decode_server_event(created.data).type == "session.created"
    assert (closing.type, closing.data, closing.extra) == (aiohttp.WSMsgType.CLOSE, 4000, "chaos")


async def test_odd_frames_are_delivered_in_place() -> None:
    faults: list[Fault] = [
        SendUnknownEvent(after_events=1, event_type="session.future", payload={"x": 1}),
        SendMalformedFrame(after_events=1),
        SendBinaryFrame(after_events=1, data=b"\x00raw"),
        Delay(after_events=1, seconds=0.01),
    ]
    async with FakeRealtimeServer(faults=faults) as server, connect(server, greet=False) as client:
        frames = [await client.receive_frame() for _ in range(4)]
        await client.send({"type": "response.create"})
        after = [await client.receive() for _ in range(2)]  # the server carries on normally
        record = server.connections[-1]

    created, unknown, malformed, binary = frames
    assert decode_server_event(created.data).type == "session.created"
    future = decode_server_event(unknown.data)
    assert isinstance(future, UnknownServerEvent)
    assert future.model_dump() == {"type": "session.future", "event_id": future.event_id, "x": 1}
    with pytest.raises(ProtocolError):
        decode_server_event(malformed.data)
    assert (binary.type, binary.data) == (aiohttp.WSMsgType.BINARY, b"\x00raw")
    assert types_of(after) == ["conversation.created", "response.created"]
    assert record.sent_types["<frame>"] == 2
    assert record.sent_types["session.future"] == 1


async def test_reply_faults_count_from_the_start_of_the_response() -> None:
    responder = ScriptedResponder(
        [Reply(text="never finished", faults=[DropConnection(after_events=3)])]
    )
    session = {"audio": {"input": {"turn_detection": None}}, "output_modalities": ["text"]}
    async with (
        FakeRealtimeServer(responder=responder, session=session) as server,
        connect(server) as client,
    ):
        await client.send({"type": "response.create"})
        events = [await client.receive() for _ in range(3)]
        closing = await client.receive_frame()

    assert [event.type for event in events] == [
        "response.created",
        "rate_limits.updated",
        "response.output_item.added",
    ]
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert server.connections[-1].closed


def test_schedule_orders_faults_by_trigger_and_keeps_ties_in_order() -> None:
    schedule = FaultSchedule()
    late, first, second = Delay(after_events=5), Delay(after_events=2), SendBinaryFrame(2)
    schedule.add([late, first, second], sent_so_far=10)

    assert schedule.pop_due(11) is None
    assert [schedule.pop_due(12), schedule.pop_due(12), schedule.pop_due(12)] == [
        first,
        second,
        None,
    ]
    assert schedule.pop_due(20) is late
