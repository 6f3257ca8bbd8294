"""Every script in docs/examples runs offline and prints what its page promises.

The examples run as users run them: ``python docs/examples/<name>.py``, in a subprocess, with no
``OPENAI_API_KEY``, so each one talks to its own local fake server. They are independent, so
they run side by side, under one shared deadline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "docs" / "examples"
EXAMPLES_PAGE = EXAMPLES_DIR / "index.md"
SUPPORT_MODULE = "example_support.py"

# Each example, and a line its output must contain when it runs against the fake server.
EXPECTED_LINES = {
    "text_chat.py": "assistant: 2 + 3 is 5.",
    "voice_from_wav.py": "answer: I heard 1.8 seconds of audio.",
    "tools.py": "get_weather called with {'city': 'Paris'}",
    "interruption.py": "response status: cancelled",
    "custom_sink.py": "cut where the far end stopped hearing: yes",
    "relay.py": "relay refused: session_field_denied (session.instructions)",
    "testing_with_fake_server.py": "all checks passed",
    "phone_agent.py": (
        "caller heard: ['Acme, how can I help?', 'You pressed 5.']; "
        "call ended: referred to tel:+15550123"
    ),
    "live_captions.py": "3 captions written to captions.srt and captions.vtt",
    "translate_speech.py": "input 4.0 s, translated speech 4.0 s",
}
# Below pytest's 60 s per test, which also counts the fixture that runs the examples.
DEADLINE_SECONDS = 45.0
MAX_LINES = 70


@dataclass(frozen=True)
class Outcome:
    """How one example run ended."""

    returncode: int
    stdout: str
    stderr: str


def _finish(process: subprocess.Popen[str], deadline: float) -> Outcome:
    try:
        stdout, stderr = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        stderr += "\n(killed: the shared deadline passed)"
    return Outcome(process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Run every example at once, in a scratch directory, without an API key."""
    environment = {name: value for name, value in os.environ.items() if name != "OPENAI_API_KEY"}
    scratch = tmp_path_factory.mktemp("examples")
    processes: dict[str, subprocess.Popen[str]] = {}
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        for name in EXPECTED_LINES:
            processes[name] = subprocess.Popen(
                [sys.executable, str(EXAMPLES_DIR / name)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=environment,
                cwd=scratch,
            )
        return {name: _finish(process, deadline) for name, process in processes.items()}
    finally:
        for process in processes.values():
            if process.poll() is None:  # only when starting a later example failed
                process.kill()
                process.communicate()


@pytest.mark.parametrize("name", sorted(EXPECTED_LINES))
def test_example_runs_and_prints_its_promise(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    report = f"stdout:\n{outcome.stdout}\nstderr:\n{outcome.stderr}"
    assert outcome.returncode == 0, report
    assert EXPECTED_LINES[name] in outcome.stdout.splitlines(), report


def test_every_example_is_tested_and_shown_on_the_site() -> None:
    on_disk = {path.name for path in EXAMPLES_DIR.glob("*.py")} - {SUPPORT_MODULE}
    assert on_disk == set(EXPECTED_LINES)
    page = EXAMPLES_PAGE.read_text(encoding="utf-8")
    for name in sorted(on_disk | {SUPPORT_MODULE}):
        assert f'--8<-- "{name}"' in page, f"{name} is not included in {EXAMPLES_PAGE.name}"


@pytest.mark.parametrize("name", sorted(EXPECTED_LINES))
def test_example_is_short_and_says_how_to_run_it(name: str) -> None:
    source = (EXAMPLES_DIR / name).read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_LINES
    docstring = source.split('"""')[1]
    assert f"Run:  python docs/examples/{name}" in docstring
