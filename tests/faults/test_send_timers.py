"""Sends leave no timer behind: ``send_timeout`` is kept by one timer per connection."""

from __future__ import annotations

import asyncio

from openai_realtime import RealtimeAPI
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.types import InputAudioBufferClearEvent

SENDS = 1000


def scheduled_timers() -> int:
    # The loop's heap of timer handles, cancelled ones included until the loop drops them.
    return len(asyncio.get_running_loop()._scheduled)  # type: ignore[attr-defined]


async def test_a_thousand_sends_leave_no_timer_scheduled() -> None:
    async with FakeRealtimeServer() as server, RealtimeAPI(url=server.url) as api:
        await api.send(InputAudioBufferClearEvent())  # the watchdog's one timer is armed
        before = scheduled_timers()
        for _ in range(SENDS):
            await api.send(InputAudioBufferClearEvent())
        after = scheduled_timers()
    assert after <= before
