"""Sessions that outlive the service's maximum duration: renewed at the limit, or ahead of it at a
quiet moment (``SessionRenewal(ahead=...)``), with the conversation carried into the new session.

Every scenario runs on the fake server's clock at a ``time_scale``: an hour of server time lasts a
few real seconds, and the client's renewal reads the same clock (``clock=server.clock``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fault_support import TEXT_SESSION, talk

from openai_realtime import RealtimeClient
from openai_realtime.errors import ConfigurationError
from openai_realtime.local_events import (
    ClientErrorPayload,
    CloseEvent,
    DisconnectedEvent,
    LocalErrorEvent,
    ReconnectingEvent,
    SessionRenewedEvent,
)
from openai_realtime.reconnect import ReconnectPolicy, SessionRenewal
from openai_realtime.testing import (
    DefaultResponder,
    Delay,
    FakeClock,
    FakeRealtimeServer,
    Reply,
    ScriptedResponder,
    ToolCall,
)
from openai_realtime.types import SessionCreatedEvent
from openai_realtime.types.params import RealtimeFunctionToolParam
from tests.support import WAIT

LOOKUP: RealtimeFunctionToolParam = {"name": "lookup", "parameters": {"type": "object"}}
# Seconds of server time before the limit from which the early renewals of these tests begin.
AHEAD = 300.0


class Timeline:
    """What happened to a client, each stamped with the server clock's wall time."""

    def __init__(self, client: RealtimeClient, clock: FakeClock) -> None:
        self.closes: list[tuple[CloseEvent, float]] = []
        self.responses_done: list[float] = []
        self.expires_at: list[int] = []
        self.errors: list[ClientErrorPayload] = []
        self.disconnects: list[DisconnectedEvent] = []
        self.renewals: list[SessionRenewedEvent] = []
        self.attempts: list[ReconnectingEvent] = []
        client.on("close", lambda event: self.closes.append((event, clock.wall_time())))
        client.realtime.on(
            "server.response.done", lambda _event: self.responses_done.append(clock.wall_time())
        )
        client.realtime.on("server.session.created", self._created)
        client.on("error", self.errors.append)
        client.on("disconnected", self.disconnects.append)
        client.on("session.renewed", self.renewals.append)
        client.on("reconnecting", self.attempts.append)

    def _created(self, event: SessionCreatedEvent) -> None:
        assert event.session.expires_at is not None
        self.expires_at.append(event.session.expires_at)


def received(server: FakeRealtimeServer, connection: int) -> list[dict[str, Any]]:
    return [json.loads(frame) for frame in server.connections[connection].received]


@pytest.mark.parametrize("ahead", [None, AHEAD], ids=["at_the_limit", "ahead"])
async def test_a_61_minute_session_carries_its_conversation_into_a_new_session(
    ahead: float | None,
) -> None:
    replies = [
        Reply(text="Hello there."),
        Reply(tool_calls=[ToolCall("lookup", {"q": "weather"}, call_id="call_w")]),
        Reply(text="It is sunny."),
    ]
    responder = ScriptedResponder(replies, then=DefaultResponder())
    # 60 minutes of server time last 3.6 real seconds: time enough for the turns on a busy box.
    async with FakeRealtimeServer(responder=responder, time_scale=0.001) as server:
        clock = None if ahead is None else server.clock
        client = RealtimeClient(
            url=server.url,
            reconnect=ReconnectPolicy(max_attempts=1),
            session_renewal=SessionRenewal(ahead=ahead, clock=clock),
        )
        timeline = Timeline(client, server.clock)
        renewed = client.expect("session.renewed", timeout=WAIT)
        reconnected = client.expect("reconnected", timeout=WAIT)
        await client.update_session(instructions="Be brief.", **TEXT_SESSION)
        await client.add_tool(LOOKUP, lambda arguments: {"weather": "sunny"})
        async with client:
            await talk(client, "Hi")
            await client.wait_for_next_completed_item(WAIT, role="assistant")
            await talk(client, "Weather?")
            sunny = await client.wait_for_next_completed_item(WAIT, role="assistant")
            assert sunny.formatted.text == "It is sunny."
            before = [(item.id, item.type) for item in client.conversation.get_items()]
            event: SessionRenewedEvent = await renewed
            assert (await reconnected).replayed_items == len(before)
            await server.clock.sleep(60)  # the 61st minute, on the new session
            # One more turn on the new session: its responder sees the server's conversation.
            await talk(client, "Still there?")
            await client.wait_for_next_completed_item(WAIT, role="assistant")
            assert timeline.disconnects == []
    (closed, closed_at), *_ = timeline.closes
    first_expiry = timeline.expires_at[0]
    if ahead is None:
        assert not event.planned and event.code == 1001
        assert "maximum duration of 60 minutes" in event.reason
        assert closed_at >= first_expiry
    else:
        # Closed by the client, before the limit: the server never had to end it.
        assert event.planned and event.code == 1000 and closed.requested
        assert first_expiry - ahead <= closed_at < first_expiry
        assert server.connections[0].sent_types["error"] == 0
        assert timeline.errors == []
    assert event.instructions == "Be brief." and event.tools == ("lookup",)
    assert list(event.item_ids) == [item_id for item_id, _ in before]
    assert [kind for _, kind in before] == [
        "message",
        "message",
        "message",
        "function_call",
        "function_call_output",
        "message",
    ]
    # The second session's server-side conversation holds every carried item, as text, and its
    # configuration holds the instructions and the tool.
    context = responder.contexts[-1]
    assert [item.id for item in context.items[: len(before)]] == list(event.item_ids)
    texts = [json.dumps(item.model_dump(mode="json")) for item in context.items]
    for expected in ("Hi", "Hello there.", "Weather?", "call_w", "sunny", "It is sunny."):
        assert any(expected in text for text in texts), expected
    assert context.instructions == "Be brief."
    assert [tool.name for tool in context.tools] == ["lookup"]
    update = next(e for e in received(server, 1) if e["type"] == "session.update")
    assert update["session"]["instructions"] == "Be brief."
    assert [tool["name"] for tool in update["session"]["tools"]] == ["lookup"]
    assert len(server.connections) == 2


@asynccontextmanager
async def stalled_answer(
    reply: Reply,
) -> AsyncIterator[tuple[RealtimeClient, Timeline, Awaitable[SessionRenewedEvent]]]:
    """A 10-minute session renewed ``AHEAD`` early, whose first answer is ``reply``, asked for.

    Yields the client (connected), its timeline and the wait for ``session.renewed``.
    """
    responder = ScriptedResponder([reply], then=DefaultResponder())
    server = FakeRealtimeServer(responder=responder, time_scale=0.002, max_session_seconds=600)
    async with server:
        renewal = SessionRenewal(ahead=AHEAD, clock=server.clock)
        client = RealtimeClient(url=server.url, session_renewal=renewal)
        timeline = Timeline(client, server.clock)
        renewed = client.expect("session.renewed", timeout=WAIT)
        await client.update_session(**TEXT_SESSION)
        async with client:
            await talk(client, "Take your time.")
            yield client, timeline, renewed


async def test_an_early_renewal_waits_for_the_running_response_to_finish() -> None:
    # A 10-minute session (1.2 real seconds); the answer stalls 7 minutes mid-stream, across
    # the moment the renewal may begin (5 minutes in) but not across the limit.
    slow = Reply(text="A slow answer, given in full.", faults=[Delay(2, seconds=420)])
    async with stalled_answer(slow) as (client, timeline, renewed):
        answer = await client.wait_for_next_completed_item(WAIT, role="assistant")
        event = await renewed
    assert event.planned and event.code == 1000
    assert answer.formatted.text == "A slow answer, given in full."
    assert answer.status == "completed" and answer.id in event.item_ids
    renew_from = timeline.expires_at[0] - AHEAD
    (done_at, *_), ((closed, closed_at), *_) = timeline.responses_done, timeline.closes
    # The response was still running when the renewal could begin; the close waited for it.
    assert renew_from < done_at <= closed_at < timeline.expires_at[0]
    assert closed.requested and timeline.errors == []


async def test_when_the_limit_comes_first_the_session_is_renewed_at_the_limit() -> None:
    # The answer stalls past the limit: no quiet moment comes, the server's close decides.
    stuck = Reply(text="Never finished.", faults=[Delay(2, seconds=900)])
    async with stalled_answer(stuck) as (client, timeline, renewed):
        event = await renewed
        assert client.is_connected
    assert not event.planned and event.code == 1001
    assert "maximum duration of 10 minutes" in event.reason
    cut_off = [e for e in timeline.errors if isinstance(e, LocalErrorEvent)]
    assert len(cut_off) == 1 and "cut off" in cut_off[0].message


async def test_planned_renewals_are_never_failures_nor_the_end() -> None:
    # Idle 5-minute sessions renewed 2 minutes early, one attempt allowed each time: had a
    # planned close counted as a failure, the second renewal would give up and disconnect.
    server = FakeRealtimeServer(time_scale=0.002, max_session_seconds=300)
    async with server:
        renewal = SessionRenewal(max_attempts=1, ahead=120, clock=server.clock)
        client = RealtimeClient(
            url=server.url, reconnect=ReconnectPolicy(max_attempts=1), session_renewal=renewal
        )
        timeline = Timeline(client, server.clock)
        async with client:
            for _ in range(2):
                await client.expect("reconnected", timeout=WAIT)
            assert timeline.disconnects == []
    assert [event.planned for event in timeline.renewals] == [True, True]
    assert [event.attempt for event in timeline.attempts] == [1, 1]
    assert [record.sent_types["error"] for record in server.connections] == [0, 0, 0]
    # The last close is the disconnect at the end of the test.
    planned_closes = timeline.closes[:2]
    for (closed, closed_at), expires_at in zip(
        planned_closes, timeline.expires_at[:2], strict=True
    ):
        assert closed.requested and expires_at - 120 <= closed_at < expires_at


async def test_a_session_shorter_than_ahead_is_renewed_only_at_its_limit() -> None:
    # Renewing ahead of a 5-minute limit by 10 minutes would renew every new session at once.
    server = FakeRealtimeServer(time_scale=0.002, max_session_seconds=300)
    async with server:
        renewal = SessionRenewal(ahead=600, clock=server.clock)
        client = RealtimeClient(url=server.url, session_renewal=renewal)
        async with client:
            event = await client.expect("session.renewed", timeout=WAIT)
    assert not event.planned and event.code == 1001
    assert len(server.connections) == 2


@pytest.mark.parametrize(
    "options",
    [
        {"ahead": 0},
        {"ahead": -5.0},
        {"ahead": float("inf")},
        {"ahead": float("nan")},
        {"ahead": True},
        {"ahead": "300"},
        {"clock": FakeClock()},
    ],
)
def test_bad_renewal_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        SessionRenewal(**options)
