"""The WebRTC-mode browser test runs in a child pytest inside a fresh network namespace."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.support.netns import run_in_network_namespace

_ROOT = Path(__file__).resolve().parents[2]
_MODULE = Path(__file__).parent / "in_namespace" / "test_webrtc_mode.py"


def test_webrtc_mode_passes_inside_its_own_network_namespace() -> None:
    finished = run_in_network_namespace(
        [sys.executable, "-m", "pytest", str(_MODULE), "-q", "-p", "no:cacheprovider"],
        timeout=50,
        cwd=str(_ROOT),
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, f"WebRTC mode failed inside the namespace:\n{output}"
    assert "2 passed" in finished.stdout and "skipped" not in finished.stdout, output
