"""Every test here gets a private PulseAudio (see :mod:`tests.voice.virtual_audio`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from virtual_audio import VirtualAudio, virtual_audio


@pytest.fixture
def audio(tmp_path: Path) -> Iterator[VirtualAudio]:
    """A running PulseAudio with the virtual speaker ``vspk`` and microphone ``micfeed``."""
    with virtual_audio(tmp_path) as running:
        yield running
