"""The typed overloads cost nothing at run time and stay compact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openai_realtime.types as types_package

TYPES = Path(types_package.__file__).parent
# Every file holding generated overload code: the run-time mixins and the stub.
OVERLOAD_FILES = ("emitter.py", "hooks.pyi")


def test_overloads_live_in_a_stub_the_interpreter_never_imports() -> None:
    assert not (TYPES / "hooks.py").exists()
    code = (
        "import sys\n"
        "from openai_realtime import RealtimeClient\n"
        "from openai_realtime.api import RealtimeAPI\n"
        "RealtimeClient(url='ws://127.0.0.1:1').on('server.response.done', print)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('openai_realtime.types'))\n"
        "print(' '.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = result.stdout.split()
    assert "openai_realtime.types.emitter" in loaded
    assert "openai_realtime.types.hooks" not in loaded


def test_generated_overload_code_is_at_most_1200_lines() -> None:
    lines = sum(len((TYPES / name).read_text().splitlines()) for name in OVERLOAD_FILES)
    assert lines <= 1200
    runtime = (TYPES / "emitter.py").read_text()
    assert "@overload" not in runtime
