"""Both type checkers, run for real on user-style scripts: mistakes are errors, the rest is clean.

Each script below marks the lines that must be errors with ``# error``. mypy --strict and pyright
(pinned, from the dev extra) each run once over all scripts; every marked line must carry an error
and no other line may. So an expected error cannot quietly vanish, and a correct call cannot
quietly start failing. The typing test files of this folder are checked by pyright too, with
``reportUnnecessaryTypeIgnoreComment`` on, so their ``# type: ignore`` lines stay needed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MARK = "# error"

EMITTER = """
from openai_realtime import RealtimeClient
from openai_realtime.api import RealtimeAPI
from openai_realtime.local_events import ConversationUpdatedEvent
from openai_realtime.types import ResponseDoneEvent, SessionCreatedEvent


def on_done(event: ResponseDoneEvent) -> None: ...
def on_created(event: SessionCreatedEvent) -> None: ...
def on_updated(event: ConversationUpdatedEvent) -> None: ...


async def main(api: RealtimeAPI, client: RealtimeClient) -> None:
    api.on("server.response.done", on_done)
    api.once(ResponseDoneEvent, on_done)
    client.on("server.response.done", on_done)
    client.on("conversation.updated", on_updated)
    api.on("server.response.done", lambda event: print(event.response.id))
    api.on("server.response.done", lambda event: print(event.response.idd))  # error
    client.on("conversation.updated", lambda event: print(event.item.id))
    api.on("server.response.done", on_created)  # error
    api.on("server.respnse.done", on_done)  # error
    api.on(SessionCreatedEvent, on_done)  # error
    client.on("conversation.updated", on_done)  # error
    api.on("conversation.updated", on_updated)  # error
    done = await api.wait_for_next("server.response.done")
    print(done.response.id)
    await client.wait_for_next("server.respnse.done")  # error

    @api.on("server.session.created")
    def created(event: SessionCreatedEvent) -> None: ...

    @client.once("conversation.updated")
    def updated(event: ConversationUpdatedEvent) -> None: ...
"""

TRANSLATION = """
from openai_realtime.events import EventEmitter
from openai_realtime.types.emitter import TranslationEventsMixin
from openai_realtime.types.translation import (
    TranslationSessionCreatedEvent,
    TranslationSessionOutputAudioDeltaEvent,
)


class Translator(TranslationEventsMixin, EventEmitter): ...


def on_audio(event: TranslationSessionOutputAudioDeltaEvent) -> None: ...


async def main(translator: Translator) -> None:
    translator.on("server.session.output_audio.delta", on_audio)
    translator.on("server.session.created", on_audio)  # error
    translator.on("server.response.done", on_audio)  # error
    created = await translator.wait_for_next("server.session.created")
    assert isinstance(created, TranslationSessionCreatedEvent)
"""

INPUTS = """
from typing import assert_type

from openai_realtime import RealtimeClient
from openai_realtime.api import RealtimeAPI
from openai_realtime.types import ResponseCreateEvent


async def main(realtime: RealtimeAPI, client: RealtimeClient) -> None:
    await client.update_session(voice="marin", turn_detection=None, output_modalities=["text"])
    await client.update_session(voice={"id": "voice_1234"}, instructions="Be brief.", speed=1.2)
    await client.update_session(voicee="marin")  # error
    await client.update_session(temperature=0.5)  # error
    await client.update_session(input_audio_format="pcm17")  # error
    await client.send_user_message_content([{"type": "input_text", "text": "hi"}])
    await client.send_user_message_content([{"type": "input_audio", "audio": b"\\x00\\x00"}])
    await client.send_user_message_content([{"type": "input_txt", "text": "hi"}])  # error
    await client.create_response(instructions="Shout.", output_modalities=["text"])
    await client.create_response(instructionz="Shout.")  # error
    await client.add_tool({"type": "function", "name": "f", "parameters": {}})
    await client.add_tool({"type": "function", "nam": "f"})  # error
    RealtimeClient(url="ws://127.0.0.1:1", send_timeout=5.0, strict=True)
    RealtimeClient(url="ws://127.0.0.1:1", send_timeout="5")  # error
    assert_type(await realtime.send("response.create", {}), ResponseCreateEvent)
    await realtime.send("response.creat", {})  # error
    await realtime.send("response.create", {"response": {"instructions": "hi"}})
    await realtime.send("response.create", {"response": {"instructionz": "hi"}})  # error
    await realtime.send("input_audio_buffer.append", {"audio": "AAAA"})
    await realtime.send("input_audio_buffer.append", {})  # error
    assert_type(await realtime.send(ResponseCreateEvent()), ResponseCreateEvent)
"""

# One mistake in a one-file user script: how much does mypy print for it?
WRONG_HANDLER = """
from openai_realtime import RealtimeClient
from openai_realtime.types import SessionCreatedEvent


def on_created(event: SessionCreatedEvent) -> None:
    print(event.session.id)


client = RealtimeClient(url="ws://127.0.0.1:1")
client.on("server.response.done", on_created)  # error
"""

# pyright infers lambda parameters from the event name. (mypy checks lambda bodies against the
# event class too, as the emitter script shows, though its reveal_type says `Any`.)
LAMBDAS = """
from openai_realtime import RealtimeClient
from openai_realtime.api import RealtimeAPI
from openai_realtime.types import ResponseDoneEvent


def main(api: RealtimeAPI, client: RealtimeClient) -> None:
    api.on("server.response.done", lambda event: reveal_type(event))
    client.once("conversation.updated", lambda event: reveal_type(event))
    api.on(ResponseDoneEvent, lambda event: reveal_type(event))
"""

SCRIPTS = {
    "emitter_script.py": EMITTER,
    "translation_script.py": TRANSLATION,
    "inputs_script.py": INPUTS,
    "wrong_handler_script.py": WRONG_HANDLER,
}


def _expected(text: str) -> set[int]:
    return {n for n, line in enumerate(text.splitlines(), 1) if line.rstrip().endswith(MARK)}


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("typing_scripts")
    for name, text in SCRIPTS.items():
        (folder / name).write_text(text.lstrip("\n"), encoding="utf-8")
    (folder / "lambdas_script.py").write_text(LAMBDAS.lstrip("\n"), encoding="utf-8")
    return folder


def _mypy(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *map(str, paths)]
    # The project's own cache: the package is analysed once, not per test run.
    command += ["--cache-dir", str(ROOT / ".mypy_cache")]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)


def _pyright(paths: list[Path]) -> list[dict[str, object]]:
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent))
    if pyright is None:
        pytest.fail("pyright is missing: `make install` (the dev extra pins pyright[nodejs])")
    command = [pyright, "--outputjson", "--pythonpath", sys.executable, *map(str, paths)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    report = json.loads(result.stdout)
    diagnostics: list[dict[str, object]] = report["generalDiagnostics"]
    return diagnostics


@pytest.fixture(scope="module")
def mypy_errors(scripts: Path) -> dict[str, set[int]]:
    result = _mypy([scripts / name for name in SCRIPTS])
    errors: dict[str, set[int]] = defaultdict(set)
    for match in re.finditer(r"^(.+?\.py):(\d+): error:", result.stdout, re.MULTILINE):
        errors[Path(match[1]).name].add(int(match[2]))
    return errors


@pytest.fixture(scope="module")
def pyright_diagnostics(scripts: Path) -> list[dict[str, object]]:
    files = [scripts / name for name in [*SCRIPTS, "lambdas_script.py"]]
    files += sorted(HERE.glob("test_*_typing.py"))
    return _pyright(files)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_mypy_flags_exactly_the_mistakes(name: str, mypy_errors: dict[str, set[int]]) -> None:
    assert mypy_errors[name] == _expected(SCRIPTS[name].lstrip("\n"))


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_pyright_flags_exactly_the_mistakes(
    name: str, pyright_diagnostics: list[dict[str, object]]
) -> None:
    lines = {
        int(d["range"]["start"]["line"]) + 1  # type: ignore[index]
        for d in pyright_diagnostics
        if d["severity"] == "error" and Path(str(d["file"])).name == name
    }
    assert lines == _expected(SCRIPTS[name].lstrip("\n"))


def test_pyright_infers_lambda_parameters(pyright_diagnostics: list[dict[str, object]]) -> None:
    revealed = [
        str(d["message"])
        for d in pyright_diagnostics
        if Path(str(d["file"])).name == "lambdas_script.py"
    ]
    assert revealed == [
        'Type of "event" is "ResponseDoneEvent"',
        'Type of "event" is "ConversationUpdatedEvent"',
        'Type of "event" is "ResponseDoneEvent"',
    ]


def test_typing_tests_are_clean_under_pyright(
    pyright_diagnostics: list[dict[str, object]],
) -> None:
    """Their `# type: ignore` lines are errors for pyright too (unnecessary ones are reported)."""
    problems = [
        f"{Path(str(d['file'])).name}:{d['range']['start']['line'] + 1}: {d['message']}"  # type: ignore[index]
        for d in pyright_diagnostics
        if Path(str(d["file"])).name.startswith("test_") and d["severity"] != "information"
    ]
    assert problems == []


def test_a_wrong_handler_costs_a_few_lines_of_mypy_output(scripts: Path) -> None:
    result = _mypy([scripts / "wrong_handler_script.py"])
    lines = result.stdout.splitlines()
    assert result.returncode == 1
    assert 1 <= len(lines) <= 10, result.stdout
    assert "UnknownEventOrWrongHandler" in lines[0]
