"""A WebRTC call from the Python transport to the fake server, inside the test's namespace."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from call_audio import (
    API_KEY,
    CALL_SESSION,
    RATE,
    ToneResponder,
    dominant_frequency,
    rms,
    tone,
    tone_match,
    voiced,
)

from openai_realtime import RealtimeClient
from openai_realtime.local_events import RealtimeEventRecord
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.transports.webrtc import WebRTCConnector
from openai_realtime.types import OutputAudioBufferClearEvent
from tests.support import WAIT, allow_namespace_network, until
from tests.support.netns import NAMESPACE_NETWORK, inside_network_namespace

CALLER_TONE = tone(440.0, 0.5)


@pytest.fixture(autouse=True)
def namespace_network() -> Iterator[None]:
    if not inside_network_namespace():
        pytest.fail("WebRTC tests run only inside their network namespace (test_in_namespace.py)")
    with allow_namespace_network(NAMESPACE_NETWORK):
        yield


@pytest.fixture
async def tone_server() -> AsyncIterator[tuple[FakeRealtimeServer, ToneResponder]]:
    responder = ToneResponder(tone(660.0, 0.6))
    async with FakeRealtimeServer(
        api_key=API_KEY, responder=responder, session=CALL_SESSION
    ) as server:
        yield server, responder


@contextlib.asynccontextmanager
async def placed_call(
    server: FakeRealtimeServer,
) -> AsyncIterator[tuple[RealtimeClient, WebRTCConnector]]:
    connector = WebRTCConnector()
    client = RealtimeClient(url=server.url, api_key=API_KEY, transport=connector)
    await client.connect()
    try:
        yield client, connector
    finally:
        await client.disconnect()


@pytest.fixture
async def call(
    tone_server: tuple[FakeRealtimeServer, ToneResponder],
) -> AsyncIterator[tuple[RealtimeClient, WebRTCConnector]]:
    async with placed_call(tone_server[0]) as placed:
        yield placed


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

    def keep_server_event(record: RealtimeEventRecord) -> None:
        if record.source == "server":
            received.append(record.event)

    client.on("realtime.event", keep_server_event)
    stopped = client.expect("server.output_audio_buffer.stopped", timeout=WAIT)
    await client.wait_for_session_created(timeout=WAIT)

    await client.append_input_audio(CALLER_TONE)
    await stopped

    # The caller's tone reached the server's VAD and responder through Opus at 48 kHz.
    heard = voiced(responder.heard[0])
    assert abs(dominant_frequency(heard) - 440.0) < 5
    assert 0.4 <= len(heard) / RATE <= 0.6
    assert 0.7 <= rms(heard) / rms(CALLER_TONE) <= 1.3
    assert tone_match(heard, 440.0) > 0.95
    # The answer came back on the incoming track, into the assistant item of the store.
    answer = voiced(_assistant_audio(client))
    assert abs(dominant_frequency(answer) - 660.0) < 5
    assert 0.5 <= len(answer) / RATE <= 0.7
    assert 0.7 <= rms(answer) / rms(responder.answer) <= 1.3
    assert tone_match(answer, 660.0) > 0.95
    assert tone_match(answer, 440.0) < 0.05  # the answer, not an echo of the caller
    # Events travelled on the data channel; the audio never did, either way.
    record = server.connections[0]
    assert appended, "the client did send its audio as append events, to the transport"
    assert record.received_types["input_audio_buffer.append"] == 0
    assert record.sent_types["response.output_audio.delta"] > 0  # produced, played as media
    types = [event.type for event in received]
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


async def test_a_sideband_attached_by_call_id_runs_the_tool_the_call_asked_for() -> None:
    async with FakeRealtimeServer(api_key=API_KEY) as server, placed_call(server) as call:
        await _run_tool_over_sideband(*call)


async def _run_tool_over_sideband(client: RealtimeClient, connector: WebRTCConnector) -> None:
    assert connector.call_id is not None
    server_url = client.realtime.url.partition("?")[0]
    calls: list[dict[str, Any]] = []

    def get_weather(arguments: dict[str, Any]) -> dict[str, Any]:
        calls.append(arguments)
        return {"city": arguments.get("city"), "temperature_c": 21}

    sideband = RealtimeClient(url=f"{server_url}?call_id={connector.call_id}", api_key=API_KEY)
    await sideband.connect()
    try:
        updated = client.expect("server.session.updated", timeout=WAIT)
        await sideband.add_tool(
            {
                "type": "function",
                "name": "get_weather",
                "description": "The weather in a city.",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
            get_weather,
        )
        await updated  # the call's own session now has the tool, seen on the data channel
        transcripts: list[str] = []
        client.on(
            "server.response.output_audio_transcript.done",
            lambda event: transcripts.append(event.transcript),
        )
        await client.send_user_message_content(
            [{"type": "input_text", "text": "get_weather for Paris"}]
        )
        await until(lambda: any("get_weather tool returned" in text for text in transcripts))
    finally:
        await sideband.disconnect()
    assert calls == [{"city": "Paris"}]


async def test_barge_in_truncates_the_answer_at_what_the_track_played() -> None:
    responder = ToneResponder(tone(660.0, 3.0))
    async with (
        FakeRealtimeServer(api_key=API_KEY, responder=responder, session=CALL_SESSION) as server,
        placed_call(server) as (client, _),
    ):
        started = client.expect("server.output_audio_buffer.started", timeout=WAIT)
        await client.append_input_audio(CALLER_TONE)
        await started
        answer = next(item for item in client.conversation.get_items() if item.role == "assistant")
        await until(lambda: len(answer.formatted.audio) >= RATE // 2)
        order: list[str] = []
        for wire in (
            "server.input_audio_buffer.speech_started",
            "server.output_audio_buffer.cleared",
            "server.conversation.item.truncated",
        ):
            client.on(wire, lambda event: order.append(event.type))
        heard_at_clear: list[int] = []
        client.on(
            "server.output_audio_buffer.cleared",
            lambda _: heard_at_clear.append(len(answer.formatted.audio)),
        )
        truncated = client.expect("server.conversation.item.truncated", timeout=WAIT)

        await client.append_input_audio(CALLER_TONE)  # the caller talks over the answer
        event = await truncated

    assert event.item_id == answer.id
    heard_ms = heard_at_clear[0] * 1000 // RATE
    # The service cut at what its track had sent: at least what arrived here (less a codec
    # frame), at most what arrived plus what was still in flight.
    assert heard_ms - 20 <= event.audio_end_ms <= heard_ms + 250
    assert 500 <= event.audio_end_ms < 2500
    assert len(answer.formatted.audio) <= event.audio_end_ms * RATE // 1000
    assert order == [
        "input_audio_buffer.speech_started",
        "output_audio_buffer.cleared",
        "conversation.item.truncated",
    ]


async def test_a_raw_offer_with_a_client_secret_gets_the_secret_s_session() -> None:
    async with FakeRealtimeServer(api_key=API_KEY) as server:
        async with aiohttp.ClientSession() as http:
            minted = await http.post(
                f"{server.http_url}/realtime/client_secrets",
                json={"session": {"type": "realtime", "instructions": "Be brief."}},
                headers={"Authorization": f"Bearer {API_KEY}"},
            )
            secret = (await minted.json())["value"]
        connector = WebRTCConnector()
        client = RealtimeClient(url=server.url, api_key=secret, transport=connector)
        created = client.expect("server.session.created", timeout=WAIT)
        await client.connect()
        try:
            event = await created
        finally:
            await client.disconnect()
    assert secret.startswith("ek_")
    assert event.session.instructions == "Be brief."
    assert connector.call_id is not None


async def test_the_caller_may_clear_the_output_audio_buffer_on_a_call() -> None:
    responder = ToneResponder(tone(660.0, 3.0), tone(660.0, 0.3))
    async with (
        FakeRealtimeServer(api_key=API_KEY, responder=responder, session=CALL_SESSION) as server,
        placed_call(server) as (client, _),
    ):
        errors: list[Any] = []
        client.on("server.error", errors.append)
        stopped: list[str] = []
        client.on(
            "server.output_audio_buffer.stopped", lambda event: stopped.append(event.response_id)
        )
        started = client.expect("server.output_audio_buffer.started", timeout=WAIT)
        await client.append_input_audio(CALLER_TONE)
        first = (await started).response_id
        cleared = client.expect("server.output_audio_buffer.cleared", timeout=WAIT)
        await client.realtime.send(OutputAudioBufferClearEvent())
        event = await cleared
        answer = next(item for item in client.conversation.get_items() if item.role == "assistant")
        heard = len(answer.formatted.audio)

        # The next turn's answer plays at once: nothing of the first was left queued.
        started = client.expect("server.output_audio_buffer.started", timeout=WAIT)
        await client.append_input_audio(CALLER_TONE)
        second = (await started).response_id
        await until(lambda: second in stopped)
    assert event.response_id == first
    assert errors == []
    assert stopped == [second]  # the first answer was cleared, never played to its end
    assert len(answer.formatted.audio) == heard < 3 * RATE


async def test_the_answer_is_paced_on_the_fake_server_s_clock() -> None:
    responder = ToneResponder(tone(660.0, 2.0))
    async with (
        FakeRealtimeServer(
            api_key=API_KEY, responder=responder, session=CALL_SESSION, time_scale=0.25
        ) as server,
        placed_call(server) as (client, _),
    ):
        loop = asyncio.get_running_loop()
        started = client.expect("server.output_audio_buffer.started", timeout=WAIT)
        stopped = client.expect("server.output_audio_buffer.stopped", timeout=WAIT)
        await client.append_input_audio(CALLER_TONE)
        await started
        began = loop.time()
        await stopped
        elapsed = loop.time() - began
        answer = voiced(_assistant_audio(client))
    # Two seconds of speech on a clock running four times as fast: half a second, not two.
    assert 0.4 <= elapsed < 1.5
    assert 1.9 <= len(answer) / RATE <= 2.1
    assert tone_match(answer, 660.0) > 0.95


async def test_transport_named_webrtc_places_a_call_with_audio_on_the_tracks(
    tone_server: tuple[FakeRealtimeServer, ToneResponder],
) -> None:
    server, responder = tone_server
    client = RealtimeClient(url=server.url, api_key=API_KEY, transport="webrtc")
    stopped = client.expect("server.output_audio_buffer.stopped", timeout=WAIT)
    await client.connect()
    try:
        await client.append_input_audio(CALLER_TONE)
        await stopped  # an event only a call sends
    finally:
        await client.disconnect()

    # The caller's tone went out as media and the answer came back as media, into the store.
    assert abs(dominant_frequency(voiced(responder.heard[0])) - 440.0) < 5
    assert tone_match(voiced(_assistant_audio(client)), 660.0) > 0.95
    record = server.connections[0]
    assert record.received_types["input_audio_buffer.append"] == 0
    assert record.sent_types["response.output_audio.delta"] > 0
