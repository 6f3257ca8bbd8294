"""``openai-realtime chat``: lines from stdin in, streamed answers out (fake server in-process)."""

from __future__ import annotations

import io

import pytest

from openai_realtime.cli import main

SECRET = "sk-test-never-printed-0123456789"


def test_chat_answers_each_line_until_quit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("hello there\n\nwhat is 6 * 7?\n/quit\nlost\n"))

    code = main(["chat"])

    captured = capsys.readouterr()
    assert code == 0
    lines = captured.out.splitlines()
    assert lines[0].startswith(
        "openai-realtime chat: talking to the fake server at ws://127.0.0.1:"
    )
    assert lines[1:] == [
        "you: hello there",
        "assistant: You said: hello there",
        "you: what is 6 * 7?",
        "assistant: 6 * 7 is 42.",
    ]
    assert captured.err == ""


def test_chat_ends_at_end_of_input_with_instructions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("anything"))

    code = main(["chat", "--instructions", "Be brief."])

    assert code == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "you: anything",
        "assistant: You said: anything",
    ]


def test_a_key_without_live_stays_offline_and_unprinted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setattr("sys.stdin", io.StringIO("hi\n"))

    code = main(["--debug", "chat"])

    captured = capsys.readouterr()
    assert code == 0
    assert "talking to the fake server at ws://127.0.0.1:" in captured.out
    assert SECRET not in captured.out + captured.err


def test_live_without_a_key_says_so_and_uses_the_fake_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code = main(["chat", "--live"])

    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == (
        "openai-realtime: --live needs OPENAI_API_KEY in the environment; "
        "using the fake server instead\n"
    )
    assert "talking to the fake server at" in captured.out
