"""Fixtures shared by the protocol tests."""

from __future__ import annotations

import pytest

from openai_realtime.protocol import tolerant


@pytest.fixture
def fresh_log_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which deviations earlier tests logged: each test sees its first warnings."""
    monkeypatch.setattr(tolerant, "_logged", set())
