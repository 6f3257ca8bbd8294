"""Inside the namespace: the guard lets exactly the veth pair through, and calls are short."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import numpy as np
import pytest
from call_audio import API_KEY, CALL_SESSION, tone
from numpy.typing import NDArray

from openai_realtime.testing import FakeRealtimeServer, Reply, ResponseContext
from tests.support import allow_namespace_network
from tests.support.netns import NAMESPACE_NETWORK, inside_network_namespace

@pytest.fixture(autouse=True)
def namespace_network() -> Iterator[None]:
    if not inside_network_namespace():
        pytest.fail("WebRTC tests run only inside their network namespace (test_in_namespace.py)")
    with allow_namespace_network(NAMESPACE_NETWORK):
        yield


class ToneResponder:
    """Answers every turn with a tone, and keeps the caller audio it was given."""

    def __init__(self, answer: NDArray[np.int16]) -> None:
        self.answer = answer
        self.heard: list[NDArray[np.int16]] = []

    def __call__(self, context: ResponseContext) -> Reply:
        if context.audio:
            self.heard.append(list(context.audio.values())[-1].copy())
        return Reply(audio=self.answer, audio_text="a tone")


@pytest.fixture
async def tone_server() -> AsyncIterator[tuple[FakeRealtimeServer, ToneResponder]]:
    responder = ToneResponder(tone(660.0, 0.6))
    async with FakeRealtimeServer(
        api_key=API_KEY, responder=responder, session=CALL_SESSION
    ) as server:
        yield server, responder
