"""One event path: each wire event is applied once, then dispatched once, to every handler.

These tests need no socket: the client runs over the in-memory pair, and the server's end
delivers each frame and returns once the client has handled it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

from memory_server import assistant_item, audio_delta, connected_client, frame, response

from openai_realtime import RealtimeClient
from openai_realtime.local_events import ConversationUpdatedEvent
from openai_realtime.types import ResponseOutputAudioDeltaEvent


async def start_audio_answer(server: Any) -> None:
    await server.push(
        frame("response.created", response=response("resp_1")),
        frame(
            "response.output_item.added",
            response_id="resp_1",
            output_index=0,
            item=assistant_item("item_a"),
        ),
    )


async def test_a_realtime_handler_of_an_audio_delta_sees_it_already_in_the_store() -> None:
    client, server = await connected_client()
    seen: list[int] = []

    def on_delta(event: ResponseOutputAudioDeltaEvent) -> None:
        item = client.conversation.get_item(event.item_id)
        assert item is not None
        seen.append(len(item.formatted.audio))

    client.realtime.on("server.response.output_audio.delta", on_delta)
    client.on("server.response.output_audio.delta", on_delta)
    await start_audio_answer(server)
    await server.push(audio_delta("resp_1", "item_a", 480), audio_delta("resp_1", "item_a", 240))
    # Both handlers, on client.realtime and on client, see each delta already applied.
    assert seen == [480, 480, 720, 720]
    await client.disconnect()


async def test_each_wire_event_is_dispatched_once_and_utility_events_before_it() -> None:
    client, server = await connected_client()
    dispatched: list[str] = []
    for emitter in (client, client.realtime):
        original = emitter.dispatch

        def counting(name: str, payload: object, original: Any = original) -> None:
            dispatched.append(name)
            original(name, payload)

        emitter.dispatch = counting  # type: ignore[method-assign]
    order: list[str] = []
    client.on("conversation.updated", lambda event: order.append("updated"))
    client.on("server.response.output_audio.delta", lambda event: order.append("client"))
    client.realtime.on("server.response.output_audio.delta", lambda event: order.append("api"))
    await start_audio_answer(server)
    dispatched.clear()
    order.clear()
    await server.push(audio_delta("resp_1", "item_a", 480))
    assert dispatched == ["conversation.updated", "server.response.output_audio.delta"]
    assert order == ["updated", "client", "api"]
    await client.disconnect()


async def test_conversation_updated_carries_the_delta_and_costs_nothing_unheard() -> None:
    client, server = await connected_client()
    await start_audio_answer(server)
    assert not client.has_listeners("conversation.updated")
    updates: list[ConversationUpdatedEvent] = []
    client.on("conversation.updated", updates.append)
    await server.push(audio_delta("resp_1", "item_a", 480))
    assert len(updates) == 1 and updates[0].delta is not None
    assert updates[0].delta.audio is not None and len(updates[0].delta.audio) == 480
    await client.disconnect()


async def test_metrics_attach_only_when_asked_for() -> None:
    client, _ = await connected_client()
    assert not client.realtime.has_listeners("server.*")
    assert client.metrics.turns == ()
    assert client.realtime.has_listeners("server.*")
    await client.disconnect()
    eager = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime", metrics=True)
    assert eager.realtime.has_listeners("server.*")


def test_a_client_imports_neither_recording_nor_aiohttp_web() -> None:
    script = textwrap.dedent(
        """
        import sys
        import openai_realtime
        client = openai_realtime.RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")
        loaded = sorted(
            name for name in sys.modules
            if name.startswith("openai_realtime.recording") or name.startswith("aiohttp.web")
        )
        print(loaded)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stdout
