"""The orders the live service sends events in, including the ones it chooses either way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fake_wire import WireClient, connect, deltas_of, types_of
from test_fake_vad_turns import speech_like, stream

from openai_realtime.testing import DefaultResponder, FakeRealtimeServer, ScriptedResponder
from openai_realtime.testing.connection import TranscriptionOrder
from openai_realtime.testing.seeds import SEED_VARIABLE
from openai_realtime.types import (
    ConversationCreatedEvent,
    ResponseCreatedEvent,
    SessionCreatedEvent,
)

COMPLETED = "conversation.item.input_audio_transcription.completed"
CONFTEST = Path(__file__).with_name("conftest.py")
TRANSCRIBED_VAD = {
    "audio": {
        "input": {
            "transcription": {"model": "whisper-1"},
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 300},
        }
    },
    "output_modalities": ["text"],
}


async def test_conversation_created_follows_session_created() -> None:
    async with FakeRealtimeServer() as fake, connect(fake, greet=False) as client:
        session = await client.expect(SessionCreatedEvent)
        conversation = await client.expect(ConversationCreatedEvent)
        await client.send({"type": "response.create"})
        created = await client.expect(ResponseCreatedEvent)

    assert session.session.model_dump(mode="json")["id"].startswith("sess_")
    assert conversation.conversation.id == created.response.conversation_id
    assert conversation.conversation.object == "realtime.conversation"


async def test_rate_limits_come_at_the_start_of_each_response() -> None:
    async with FakeRealtimeServer() as fake, connect(fake) as client:
        for _ in range(2):
            await client.send({"type": "response.create"})
            await client.receive_until("response.done")

    kinds = types_of(client.received)
    assert kinds.count("rate_limits.updated") == 2
    for index, kind in enumerate(kinds):
        if kind == "response.created":
            assert kinds[index + 1] == "rate_limits.updated"
    assert kinds[-1] == "response.done"


async def spoken_turn_orders(client: WireClient, turns: int) -> list[str]:
    """For each spoken turn, whether its transcript completed before or after response.created."""
    orders = []
    audio = speech_like(1600, [(200, 800)])
    for turn in range(turns):
        await stream(client, audio, seed=turn)
        events = await client.receive_until("response.done")
        if COMPLETED not in types_of(events):
            events += await client.receive_until(COMPLETED)
        kinds = types_of(events)
        before = kinds.index(COMPLETED) < kinds.index("response.created")
        orders.append("before_response" if before else "after_response")
    return orders


@pytest.mark.parametrize("order", ["before_response", "after_response"])
async def test_the_transcription_order_can_be_fixed(order: TranscriptionOrder) -> None:
    async with (
        FakeRealtimeServer(session=TRANSCRIBED_VAD, transcription_order=order) as fake,
        connect(fake) as client,
    ):
        assert await spoken_turn_orders(client, 2) == [order, order]


async def test_by_default_the_seed_picks_either_order_and_repeats_it() -> None:
    runs = []
    for _ in range(2):
        async with (
            FakeRealtimeServer(session=TRANSCRIBED_VAD, seed=7) as fake,
            connect(fake) as client,
        ):
            runs.append(await spoken_turn_orders(client, 6))

    assert runs[0] == runs[1]
    assert set(runs[0]) == {"before_response", "after_response"}


def test_the_seed_comes_from_the_environment(fake_server_seed: int) -> None:
    assert os.environ[SEED_VARIABLE] == str(fake_server_seed)
    assert FakeRealtimeServer().seed == fake_server_seed
    assert FakeRealtimeServer(seed=3).seed == 3


def test_a_seed_that_is_not_a_number_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SEED_VARIABLE, "tuesday")

    with pytest.raises(ValueError, match=SEED_VARIABLE):
        FakeRealtimeServer()


async def test_the_answer_reads_the_transcript_even_when_it_is_sent_later() -> None:
    responder = ScriptedResponder([], transcripts=["lights on"], then=DefaultResponder())
    async with (
        FakeRealtimeServer(
            session=TRANSCRIBED_VAD, responder=responder, transcription_order="after_response"
        ) as fake,
        connect(fake) as client,
    ):
        await stream(client, speech_like(1600, [(200, 800)]))
        events = await client.receive_until("response.done")

    kinds = types_of(events)
    assert kinds.index("response.created") < kinds.index(COMPLETED)
    assert deltas_of(events, "response.output_text.delta") == "You said: lights on"


FAILING_TEST = """
from openai_realtime.testing import FakeRealtimeServer


def test_fails() -> None:
    print("seed in use:", FakeRealtimeServer().seed)
    raise AssertionError("on purpose")
"""


def run_failing_test(tmp_path: Path, environment: dict[str, str]) -> str:
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text())
    (tmp_path / "test_failing.py").write_text(FAILING_TEST)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    # Without third-party plugins the inner run starts in a fraction of the time.
    environment = {**environment, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    finished = subprocess.run(
        command, capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=60
    )
    assert finished.returncode == 1, finished.stdout + finished.stderr
    return finished.stdout


def test_a_failing_test_names_its_seed_and_the_variable_reruns_it(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != SEED_VARIABLE}

    first = run_failing_test(tmp_path, environment)
    reported = re.search(rf"rerun with {SEED_VARIABLE}=(\d+)", first)
    assert reported is not None, first
    again = run_failing_test(tmp_path, {**environment, SEED_VARIABLE: reported.group(1)})

    assert f"seed in use: {reported.group(1)}" in first
    assert f"seed in use: {reported.group(1)}" in again
    assert f"rerun with {SEED_VARIABLE}={reported.group(1)}" in again
