"""Testing with the fake server: scripted answers and an injected fault, offline, no key.

Run:  python docs/examples/testing_with_fake_server.py

`ask` stands for your application code. The checks below are what your pytest tests would
assert; this example always runs offline, since that is the point.
"""

from __future__ import annotations

import asyncio

from openai_realtime import RealtimeClient
from openai_realtime.testing import DropConnection, FakeRealtimeServer, Reply, ScriptedResponder


async def ask(client: RealtimeClient, question: str) -> str:
    """The code under test: ask a question, return the assistant's text answer."""
    response = await client.send_user_message_content([{"type": "input_text", "text": question}])
    await response.done(timeout=10)
    return response.text


async def answers_follow_the_script() -> None:
    responder = ScriptedResponder([Reply(text="Paris."), Reply(text="About two million.")])
    async with (
        FakeRealtimeServer(responder=responder) as server,
        RealtimeClient(server.url) as client,
    ):
        await client.update_session(output_modalities=["text"])
        assert await ask(client, "Capital of France?") == "Paris."
        assert await ask(client, "How many people live there?") == "About two million."
    record = server.connections[0]
    assert record.received_types["response.create"] == 2
    assert len(responder.contexts[1].items) == 3  # what the "model" saw for the second answer
    print("scripted answers: ok")


async def a_dropped_connection_is_noticed() -> None:
    # The fault fires two frames into the response: after response.created and one more.
    cut = Reply(text="This answer never arrives.", faults=[DropConnection(after_events=2)])
    responder = ScriptedResponder([cut])
    async with (
        FakeRealtimeServer(responder=responder) as server,
        RealtimeClient(server.url) as client,
    ):
        closed = asyncio.ensure_future(client.wait_for_next("close", timeout=10))
        await client.send_user_message_content([{"type": "input_text", "text": "Hello?"}])
        event = await closed
    assert event.code == 1006 and not event.requested  # abnormal, and not our doing
    print(f"dropped connection: ok (close code {event.code})")


async def main() -> None:
    await answers_follow_the_script()
    await a_dropped_connection_is_noticed()
    print("all checks passed")


if __name__ == "__main__":
    asyncio.run(main())
