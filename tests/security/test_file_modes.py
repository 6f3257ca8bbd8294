"""Files the SDK writes that hold a conversation are readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from openai_realtime.recording import Recorder


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_recording_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new.jsonl"
    recorder = Recorder(path)
    recorder.close()
    assert _mode(path) == 0o600


def test_an_existing_file_becomes_private_when_recorded_over(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text("old content\n")
    path.chmod(0o644)
    recorder = Recorder(path)
    recorder.close()
    assert _mode(path) == 0o600
    assert "old content" not in path.read_text()
