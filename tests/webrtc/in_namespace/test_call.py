"""A WebRTC call from the Python transport to the fake server, inside the test's namespace."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from call_audio import API_KEY, CALL_SESSION, RATE, dominant_frequency, rms, tone, voiced
from conftest import ToneResponder

from openai_realtime import RealtimeClient
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.transports.webrtc import WebRTCConnector
from tests.support import WAIT, until

CALLER_TONE = tone(440.0, 0.5)


@pytest.fixture
async def call(
    tone_server: tuple[FakeRealtimeServer, ToneResponder],
) -> AsyncIterator[tuple[RealtimeClient, WebRTCConnector]]:
    server, _ = tone_server
    connector = WebRTCConnector()
    client = RealtimeClient(url=server.url, api_key=API_KEY, transport=connector)
    await client.connect()
    try:
        yield client, connector
    finally:
        await client.disconnect()


def _assistant_audio(client: RealtimeClient) -> Any:
    items = [item for item in client.conversation.get_items() if item.role == "assistant"]
    return items[-1].formatted.audio


async def test_audio_goes_both_ways_as_media_and_events_on_the_data_channel(
    tone_server: tuple[FakeRealtimeServer, ToneResponder],
    call: tuple[RealtimeClient, WebRTCConnector],
) -> None:
    server, responder = tone_server
    client, connector = call
    appended: list[object] = []
    client.on("client.input_audio_buffer.append", appended.append)
    received: list[Any] = []
    client.on("realtime.event", lambda record: received.append(record.event))
    stopped = client.expect("server.output_audio_buffer.stopped", timeout=WAIT)
    await client.wait_for_session_created(timeout=WAIT)

    await client.append_input_audio(CALLER_TONE)
    await stopped

    # The caller's tone reached the server's VAD and responder through Opus at 48 kHz.
    heard = voiced(responder.heard[0])
    assert abs(dominant_frequency(heard) - 440.0) < 5
    assert 0.4 <= len(heard) / RATE <= 0.6
    assert 0.7 <= rms(heard) / rms(CALLER_TONE) <= 1.3
    # The answer came back on the incoming track, into the assistant item of the store.
    answer = voiced(_assistant_audio(client))
    assert abs(dominant_frequency(answer) - 660.0) < 5
    assert 0.5 <= len(answer) / RATE <= 0.7
    assert 0.7 <= rms(answer) / rms(responder.answer) <= 1.3
    # Events travelled on the data channel; the audio never did, either way.
    record = server.connections[0]
    assert appended, "the client did send its audio as append events, to the transport"
    assert record.received_types["input_audio_buffer.append"] == 0
    assert record.sent_types["response.output_audio.delta"] > 0  # produced, played as media
    types = [event.type for event in received if not event.type.startswith("input_audio_buffer.a")]
    deltas = [event for event in received if event.type == "response.output_audio.delta"]
    assert deltas and all(event.event_id.startswith("rtc_audio_") for event in deltas)
    for expected in (
        "input_audio_buffer.speech_started",
        "output_audio_buffer.started",
        "response.done",
        "output_audio_buffer.stopped",
    ):
        assert expected in types
    assert types.index("output_audio_buffer.started") < types.index("output_audio_buffer.stopped")
    assert connector.call_id is not None and connector.call_id.startswith("rtc_")

