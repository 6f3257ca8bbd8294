"""``main``: the parser, its registration contract, exit codes and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from openai_realtime.api import DEFAULT_MODEL
from openai_realtime.cli import COMMAND_MODULES, build_parser, main, parse_arguments

COMMANDS = ("demo", "chat", "talk", "fake-server", "relay")


def test_every_command_module_registers_a_runnable_command() -> None:
    parser = build_parser()
    assert all(callable(module.register) for module in COMMAND_MODULES)
    for command in COMMANDS:
        arguments = [command, "in.wav"] if command == "talk" else [command]
        assert callable(parser.parse_args(arguments).run)


@pytest.mark.parametrize(
    ("arguments", "live", "model", "debug"),
    [
        (["chat"], False, DEFAULT_MODEL, False),
        (["--debug", "chat", "--live", "--model", "m1"], True, "m1", True),
        (["chat", "--live", "--model", "m2", "--debug"], True, "m2", True),
    ],
)
def test_debug_goes_before_or_after_the_command_and_the_rest_after(
    arguments: list[str], live: bool, model: str, debug: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse_arguments(arguments)
    assert (args.live, args.model, args.debug) == (live, model, debug)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("arguments", "live", "model", "warning"),
    [
        (["--live", "chat"], True, DEFAULT_MODEL, "openai-realtime chat --live"),
        (["--model", "m3", "talk", "in.wav"], False, "m3", "openai-realtime talk --model m3"),
        (["--model", "m4", "chat", "--model", "m5"], False, "m5", "openai-realtime chat --model"),
    ],
)
def test_live_and_model_before_the_command_still_work_with_a_warning(
    arguments: list[str],
    live: bool,
    model: str,
    warning: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = parse_arguments(arguments)

    assert (args.live, args.model) == (live, model)
    err = capsys.readouterr().err
    assert err.startswith("openai-realtime: warning: --")
    assert "before the command name is deprecated" in err
    assert warning in err


@pytest.mark.parametrize(
    "arguments", [[], ["--no-such-option", "demo"], ["talk"], ["fake-server", "--port", "x"]]
)
def test_usage_errors_exit_with_2(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert "usage: openai-realtime" in err
    assert "Traceback" not in err


def test_help_and_version_exit_with_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    usage = capsys.readouterr().out
    assert all(command in usage for command in COMMANDS)
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("openai-realtime 0.")


def test_a_missing_wav_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.wav"

    assert main(["talk", str(missing)]) == 1

    captured = capsys.readouterr()
    assert captured.err == f"openai-realtime: error: No such file or directory: {missing}\n"
    assert captured.out == ""


@pytest.mark.parametrize("position", ["before", "after"])
def test_debug_shows_the_traceback(
    position: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "missing.wav")
    arguments = (
        ["--debug", "talk", missing] if position == "before" else ["talk", missing, "--debug"]
    )

    assert main(arguments) == 1

    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "FileNotFoundError" in err
    assert err.endswith(f"openai-realtime: error: No such file or directory: {missing}\n")


def test_a_file_that_is_not_wav_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("not audio")

    assert main(["talk", str(text)]) == 1

    assert capsys.readouterr().err == (
        f"openai-realtime: error: {text}: not a PCM WAV file this command can read "
        "(file does not start with RIFF id)\n"
    )


def test_relay_to_openai_without_a_key_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    assert main(["relay", "--port", "0"]) == 1

    assert capsys.readouterr().err == (
        "openai-realtime: error: the OpenAI upstream needs an API key: set OPENAI_API_KEY; "
        "or relay to the built-in fake upstream with 'openai-realtime relay --upstream fake'\n"
    )


def test_relay_refuses_a_key_over_plain_ws_to_a_remote_host(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-never-printed-0123456789")

    # OpenAI's host gets the key; over plain ws:// that is refused before any connection.
    code = main(["relay", "--port", "0", "--upstream", "ws://api.openai.com/v1/realtime"])

    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        "openai-realtime: error: refusing to send the API key over plain ws:// to "
        "api.openai.com; use a wss:// upstream\n"
    )


def test_fake_server_key_from_the_environment_needs_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    assert main(["fake-server", "--port", "0", "--api-key-required"]) == 1

    assert capsys.readouterr().err == (
        "openai-realtime: error: --api-key-required without a value needs OPENAI_API_KEY\n"
    )
