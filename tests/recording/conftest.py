"""The live-recorded session fixture (the scenario against the real fake server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from recording_support import LiveSession, record_live_session


@pytest.fixture
async def live_session(tmp_path: Path) -> LiveSession:
    """The scenario, recorded with audio kept."""
    return await record_live_session(tmp_path / "session.jsonl")
