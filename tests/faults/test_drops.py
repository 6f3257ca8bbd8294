"""The connection dropped at every position of a response, and with every kind of close code.

For each drop: the documented outcome happens (``reconnected``, or ``disconnected`` with the
code), the response cut off is marked failed, nothing waits forever, and every frame the server
sent before the drop was dispatched by the client, in order.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from fault_support import (
    FAST_RECONNECT,
    REPLIES,
    TEXT_SESSION,
    FrameLedger,
    sent_by,
    talk,
)

from openai_realtime import RealtimeClient
from openai_realtime.local_events import DisconnectedEvent, LocalErrorEvent, ReconnectedEvent
from openai_realtime.testing import (
    DefaultResponder,
    DropConnection,
    FakeRealtimeServer,
    Reply,
    ScriptedResponder,
)
from tests.support import WAIT, until

# Events of each reply from response.created (then rate_limits.updated) to response.done.
RESPONSE_LENGTH = {"text": 14, "audio": 17, "tool": 10}
POSITIONS = [
    (kind, after) for kind, length in RESPONSE_LENGTH.items() for after in range(length + 1)
]


def with_drop(kind: str, after_events: int, close_code: int | None) -> ScriptedResponder:
    reply = REPLIES[kind]
    dropping = Reply(
        text=reply.text,
        audio_text=reply.audio_text,
        tool_calls=reply.tool_calls,
        faults=[DropConnection(after_events, close_code=close_code)],
    )
    return ScriptedResponder([dropping], then=DefaultResponder())


def frame_types(server: FakeRealtimeServer, connection: int) -> list[str]:
    return [json.loads(frame)["type"] for frame in server.connections[connection].sent]


async def test_the_replies_stream_the_lengths_these_tests_assume() -> None:
    for kind, reply in REPLIES.items():
        responder = ScriptedResponder([reply])
        async with FakeRealtimeServer(responder=responder) as server:
            client = RealtimeClient(url=server.url)
            ledger = FrameLedger(client)
            async with client:
                await client.update_session(**TEXT_SESSION)
                await talk(client, "count")
                await client.wait_for_next("server.response.done", timeout=WAIT)
        types = ledger.types()
        response = types[types.index("response.created") :]
        assert len(response) == RESPONSE_LENGTH[kind], kind
        assert response[1] == "rate_limits.updated"
        assert response[-1] == "response.done"


@pytest.mark.parametrize(("kind", "after_events"), POSITIONS)
async def test_a_drop_anywhere_in_a_response_reconnects_and_loses_no_frame(
    kind: str, after_events: int
) -> None:
    responder = with_drop(kind, after_events, close_code=None)
    async with FakeRealtimeServer(responder=responder) as server:
        client = RealtimeClient(url=server.url, reconnect=FAST_RECONNECT)
        ledger = FrameLedger(client)
        await client.update_session(**TEXT_SESSION)
        async with client:
            reconnected = asyncio.ensure_future(client.wait_for_next("reconnected", WAIT))
            created = asyncio.ensure_future(client.wait_for_next("server.response.created", WAIT))
            await talk(client, "first")
            assert await reconnected == ReconnectedEvent(1, 0)
            await talk(client, "second")
            await until(lambda: "response.done" in frame_types(server, 1))
            await until(lambda: ledger.frames == sent_by(server))

    # Every frame of the dropped connection arrived, in order, before the drop was noticed.
    first_connection = server.connections[0].sent_count
    assert ledger.types()[:first_connection] == frame_types(server, 0)
    cut_off = [e for e in ledger.errors if isinstance(e, LocalErrorEvent)]
    done_delivered = after_events >= RESPONSE_LENGTH[kind]
    if after_events == 0:
        created.cancel()  # the response never started on the client's side
        assert cut_off == []
        return
    response_id = (await created).response.id or ""
    record = client.conversation.get_response(response_id)
    assert record is not None
    if done_delivered:
        assert record.status == "completed" and cut_off == []
    else:
        assert record.status == "failed"
        assert len(cut_off) == 1 and response_id in cut_off[0].message
        # Items the server had finished stay completed; none is left in progress.
        items = [client.conversation.get_item(item_id) for item_id in record.output_item_ids]
        assert all(item is not None for item in items)
        assert {item.status for item in items if item} <= {"completed", "incomplete"}


CLOSES = [1000, 1001, None, 1011, 4000, 4999]


@pytest.mark.parametrize("reconnect", [False, True], ids=["no-policy", "policy"])
@pytest.mark.parametrize("close_code", CLOSES, ids=[str(code or 1006) for code in CLOSES])
async def test_each_close_code_has_its_documented_outcome(
    close_code: int | None, reconnect: bool
) -> None:
    retried = reconnect and close_code in (1001, None, 1011)
    responder = with_drop("text", 5, close_code)
    async with FakeRealtimeServer(responder=responder) as server:
        client = RealtimeClient(url=server.url, reconnect=FAST_RECONNECT if reconnect else False)
        ledger = FrameLedger(client)
        await client.update_session(**TEXT_SESSION)
        async with client:
            outcome: asyncio.Future[ReconnectedEvent | DisconnectedEvent] = asyncio.ensure_future(
                client.wait_for_next("reconnected", WAIT)
                if retried
                else client.wait_for_next("disconnected", WAIT)
            )
            await talk(client, "hello")
            result = await outcome
            await until(lambda: ledger.frames == sent_by(server))
            assert client.is_connected is retried

    expected_code = 1006 if close_code is None else close_code
    if retried:
        assert isinstance(result, ReconnectedEvent)
    else:
        assert isinstance(result, DisconnectedEvent) and result.code == expected_code
    assert ledger.types()[: server.connections[0].sent_count] == frame_types(server, 0)
    assert len(server.connections) == (2 if retried else 1)
