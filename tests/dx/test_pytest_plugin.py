"""The pytest plugin, as a user's project sees it: run by pytester in a subprocess.

The sample projects load the plugin the way users get it, through the installed ``pytest11``
entry point (nothing in them names it), once with pytest-asyncio in strict mode and once with
pytest-asyncio switched off.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ASKED = "What is the weather?"
SCRIPTED = "Sunny, from the script."

# A helper every sample test shares: one text turn, the answer's words back.
SAMPLE_HELPER = f"""
import asyncio

import pytest

QUESTION = [{{"type": "input_text", "text": {ASKED!r}}}]


async def ask(client):
    response = await client.send_user_message_content(QUESTION)
    await response.done(timeout=20)
    return response.transcript or response.text
"""

STRICT_TESTS = (
    SAMPLE_HELPER
    + f"""

@pytest.mark.asyncio
@pytest.mark.realtime_replies({SCRIPTED!r})
async def test_scripted_answer(realtime_client):
    assert await ask(realtime_client) == {SCRIPTED!r}


@pytest.mark.asyncio
@pytest.mark.realtime_replies("Not what the test expects.")
async def test_that_fails(realtime_client):
    assert await ask(realtime_client) == "something else"
"""
)

PLAIN_TESTS = (
    SAMPLE_HELPER
    + f"""

@pytest.mark.realtime_replies({SCRIPTED!r})
def test_scripted_answer(realtime_connect):
    async def run():
        async with realtime_connect() as client:
            return await ask(client)

    assert asyncio.run(run()) == {SCRIPTED!r}


def test_own_client_against_the_server(realtime_server):
    from openai_realtime import RealtimeClient

    async def run():
        async with RealtimeClient(url=realtime_server.url) as client:
            return await ask(client)

    assert {ASKED!r} in asyncio.run(run())  # the default responder echoes


class TestWithItsOwnResponder:
    @pytest.fixture
    def realtime_responder(self):
        from openai_realtime.testing import Reply, ScriptedResponder

        return ScriptedResponder([Reply(text="From the overriding fixture.")])

    def test_that_fails(self, realtime_connect):
        async def run():
            async with realtime_connect() as client:
                return await ask(client)

        assert asyncio.run(run()) == "something else"
"""
)

INI = """
[pytest]
filterwarnings = error
{extra}
"""


def run_project(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def saved_recordings(result: pytest.RunResult) -> list[Path]:
    return [
        Path(line.split("saved to ", 1)[1].strip())
        for line in result.outlines
        if line.startswith("saved to ")
    ]


def assert_recording_of_the_failed_turn(path: Path, answer: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "openai-realtime-recording"
    frames = [json.loads(json.loads(line)["frame"]) for line in lines[1:] if '"frame"' in line]
    sent = [f for f in frames if f["type"] == "conversation.item.create"]
    assert sent and sent[0]["item"]["content"][0]["text"] == ASKED
    done = [f for f in frames if f["type"] == "response.done"]
    assert answer in json.dumps(done[-1])


def test_strict_pytest_asyncio_project(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        INI.format(extra="asyncio_mode = strict\nasyncio_default_fixture_loop_scope = function")
    )
    pytester.makepyfile(test_app=STRICT_TESTS)
    reports = pytester.path / "reports"

    result = run_project(pytester, f"--junitxml={reports / 'junit.xml'}")

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*openai-realtime recording*", "saved to *"])
    (saved,) = saved_recordings(result)
    assert saved.parent == reports  # next to the test report
    assert saved.name == "test_app.py_test_that_fails.jsonl"
    assert_recording_of_the_failed_turn(saved, "Not what the test expects.")


def test_project_without_pytest_asyncio(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI.format(extra=""))
    pytester.makepyfile(test_app=PLAIN_TESTS)
    folder = pytester.path / "failed-sessions"

    result = run_project(pytester, "-p", "no:asyncio", f"--realtime-recordings={folder}")

    result.assert_outcomes(passed=2, failed=1)
    (saved,) = saved_recordings(result)
    assert saved.parent == folder
    assert_recording_of_the_failed_turn(saved, "From the overriding fixture.")


def test_passing_tests_leave_no_recording(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI.format(extra=""))
    pytester.makepyfile(test_app=PLAIN_TESTS)

    result = run_project(pytester, "-p", "no:asyncio", "-k", "scripted or own_client")

    result.assert_outcomes(passed=2)
    assert "saved to" not in result.stdout.str()
    assert not (pytester.path / "realtime-recordings").exists()


def test_importing_the_plugin_imports_no_sdk_machinery() -> None:
    probe = (
        "import sys, pytest\n"
        "import openai_realtime.testing.pytest_plugin\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'aiohttp', 'numpy', 'pydantic'} or m == 'openai_realtime.client')\n"
        "print(heavy)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    # Cheap because nothing heavy is imported until a fixture is used (about 7 ms, measured).
    assert completed.stdout.strip() == "[]"
