"""Secrets for the CLI come from a file or the environment; an argument works but warns."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from openai_realtime.cli import build_parser
from openai_realtime.cli._common import CommandError
from openai_realtime.cli._secrets import read_secret
from openai_realtime.cli.servers import RELAY_TOKEN

TOKEN = "relay-token-from-somewhere-42"


def relay_args(*options: str) -> argparse.Namespace:
    return build_parser().parse_args(["relay", "--upstream", "fake", *options])


def test_the_token_is_read_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "token.txt"
    path.write_text(f"{TOKEN}\n")
    assert read_secret(relay_args("--token-file", str(path)), RELAY_TOKEN) == TOKEN
    assert capsys.readouterr().err == ""


def test_the_token_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_REALTIME_RELAY_TOKEN", TOKEN)
    assert read_secret(relay_args(), RELAY_TOKEN) == TOKEN
    assert capsys.readouterr().err == ""


def test_a_token_argument_works_but_warns_without_repeating_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert read_secret(relay_args("--token", TOKEN), RELAY_TOKEN) == TOKEN
    warning = capsys.readouterr().err
    assert "--token-file" in warning and "OPENAI_REALTIME_RELAY_TOKEN" in warning
    assert TOKEN not in warning


def test_no_token_anywhere_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_REALTIME_RELAY_TOKEN", raising=False)
    assert read_secret(relay_args(), RELAY_TOKEN) is None


@pytest.mark.parametrize("content", [None, "  \n"])
def test_a_missing_or_empty_file_is_an_error_naming_the_file(
    tmp_path: Path, content: str | None
) -> None:
    path = tmp_path / "token.txt"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=str(path)):
        read_secret(relay_args("--token-file", str(path)), RELAY_TOKEN)


def test_the_file_and_the_argument_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        relay_args("--token-file", "x", "--token", TOKEN)
    assert exited.value.code == 2
