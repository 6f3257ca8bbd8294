"""Fixtures of the call tests: the fake server, a webhook endpoint and a calls client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from openai_realtime.calls import RealtimeCalls
from openai_realtime.testing import FakeRealtimeServer
from tests.support.calls import API_KEY, WebhookEndpoint, webhook_endpoint


@pytest.fixture
async def webhook() -> AsyncIterator[WebhookEndpoint]:
    async with webhook_endpoint() as endpoint:
        yield endpoint


@pytest.fixture
async def server() -> AsyncIterator[FakeRealtimeServer]:
    async with FakeRealtimeServer(api_key=API_KEY, time_scale=0.02) as fake:
        yield fake


@pytest.fixture
async def calls(server: FakeRealtimeServer) -> AsyncIterator[RealtimeCalls]:
    async with RealtimeCalls(API_KEY, base_url=server.http_url) as client:
        yield client
