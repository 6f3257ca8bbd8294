"""What every command shares: its own options only, --url, --record, early checks, exit codes."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
from pathlib import Path

import aiohttp
import pytest
from cli_process import read_reply_wav, run_cli, tone, write_test_wav

from openai_realtime.cli import main, parse_arguments
from openai_realtime.cli.servers import DEFAULT_RECORD_FRAMES, fake_server_from
from openai_realtime.recording import read_recording
from openai_realtime.testing import FakeRealtimeServer
from tests.support import WAIT

TALKING = ("demo", "chat", "talk", "transcribe", "translate")
"""The commands that talk to a model."""
CONNECTION_OPTIONS = ("--live", "--url", "--model", "--record")


def options_in_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> set[str]:
    """The long options ``--help`` of a command lists in its table of options."""
    assert main([*command, "--help"]) == 0
    return set(re.findall(r"^ {2}(?:-\w[ \w]*, )?(--[\w-]+)", capsys.readouterr().out, re.M))


@pytest.mark.parametrize("command", TALKING)
def test_talking_commands_offer_where_which_model_and_a_recording(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set(CONNECTION_OPTIONS) <= options_in_help([command], capsys)


@pytest.mark.parametrize(
    ("command", "own"),
    [
        (["fake-server"], {"--host", "--port", "--pace", "--time-scale", "--record-frames"}),
        (["relay"], {"--upstream", "--token", "--model"}),
        (["replay"], {"--metrics", "--serve", "--speed"}),
        (["timeline"], {"--output"}),
    ],
)
def test_other_commands_show_only_their_own_options(
    command: list[str], own: set[str], capsys: pytest.CaptureFixture[str]
) -> None:
    shown = options_in_help(command, capsys)

    assert own | {"--help", "--debug"} <= shown
    assert not shown & (set(CONNECTION_OPTIONS) - own)


def test_the_main_help_shows_no_command_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert options_in_help([], capsys) == {"--help", "--version", "--debug"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["fake-server", "--live"], "unrecognized arguments: --live"),
        (["--live", "fake-server"], "--live does not apply to the fake-server command"),
        (["--model", "m", "timeline", "s.jsonl"], "--model does not apply to the timeline command"),
        (["replay", "s.jsonl", "--metrics", "--serve"], "--serve: not allowed with argument"),
        (["replay", "missing.jsonl", "--port", "0"], "--port needs --serve"),
        (["replay", "missing.jsonl", "--host", "::1", "--speed", "2"], "--host, --speed need"),
        (["chat", "--live", "--url", "ws://127.0.0.1:9/v1/realtime"], "not allowed with"),
        (["--live", "chat", "--url", "ws://127.0.0.1:9/v1/realtime"], "not allowed with"),
        (["chat", "--url", "http://127.0.0.1:9/v1"], "is not a ws:// or wss:// URL"),
        (["fake-server", "--record-frames", "-1"], "is not a whole number at least 0"),
        (["fake-server", "--time-scale", "0"], "'0' is not a positive number"),
        (["timeline", "missing.jsonl", "-o", "t.svg"], "t.svg: name it .png or .html"),
    ],
)
def test_usage_errors_exit_2_naming_the_option(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2

    captured = capsys.readouterr()
    last = captured.err.splitlines()[-1]
    assert captured.err.startswith("usage: openai-realtime")
    assert last.startswith("openai-realtime") and ": error: " in last
    assert message in last
    assert captured.out == ""


def missing_directory_cases(tmp_path: Path) -> list[tuple[list[str], Path]]:
    """Command lines whose output file is in a directory that does not exist."""
    missing = tmp_path / "no" / "such" / "dir"
    return [
        (["demo", "--out", str(missing / "reply.wav")], missing / "reply.wav"),
        (["demo", "--record", str(missing / "s.jsonl")], missing / "s.jsonl"),
        (["chat", "--record", str(missing / "s.jsonl")], missing / "s.jsonl"),
        # The input does not exist either: the output is checked first.
        (["talk", "in.wav", "--out", str(missing / "a.wav")], missing / "a.wav"),
        (["talk", "in.wav", "--record", str(missing / "s.jsonl")], missing / "s.jsonl"),
        (["timeline", "in.jsonl", "-o", str(missing / "t.html")], missing / "t.html"),
    ]


def test_output_paths_are_checked_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for arguments, output in missing_directory_cases(tmp_path):
        assert main(arguments) == 1, arguments

        captured = capsys.readouterr()
        assert captured.err == (
            f"openai-realtime: error: cannot write {output}: there is no directory "
            f"{output.parent}\n"
        )
        assert captured.out == ""  # nothing started: not even a server was announced


def test_an_output_path_that_is_a_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["talk", "in.wav", "--out", str(tmp_path)]) == 1

    assert capsys.readouterr().err == (
        f"openai-realtime: error: cannot write {tmp_path}: it is a directory\n"
    )


def test_a_bad_demo_output_is_one_line_from_a_real_process(tmp_path: Path) -> None:
    output = tmp_path / "missing" / "reply.wav"

    finished = run_cli("demo", "--out", str(output), cwd=tmp_path)

    assert finished.returncode == 1
    assert finished.stderr == (
        f"openai-realtime: error: cannot write {output}: there is no directory {output.parent}\n"
    )
    assert finished.stdout == ""


@pytest.mark.parametrize("command", ["replay", "timeline"])
def test_a_file_that_is_not_a_recording_is_named(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    notes = tmp_path / "notes.jsonl"
    notes.write_text("not a recording\n")

    assert main([command, str(notes)]) == 1

    assert capsys.readouterr().err == (
        f"openai-realtime: error: {notes}: not a recording (line 1 is not valid JSON)\n"
    )


def recorded_types(path: Path) -> list[tuple[str, str]]:
    """``(direction, type)`` of every frame of a recording."""
    frames = read_recording(path).frames
    return [(frame.direction, json.loads(frame.frame)["type"]) for frame in frames]


async def test_chat_connects_to_the_given_url_and_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("what is 2 + 3?\n"))
    recording = tmp_path / "chat.jsonl"

    async with FakeRealtimeServer() as server:
        url = server.url
        # main() runs its own event loop, so it runs on a thread while this one serves.
        code = await asyncio.to_thread(main, ["chat", "--url", url, "--record", str(recording)])

    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"openai-realtime chat: talking to the server at {url}",
        "you: what is 2 + 3?",
        "assistant: 2 + 3 is 5.",
    ]
    assert [record.received_types["conversation.item.create"] for record in server.connections] == [
        1
    ]
    types = recorded_types(recording)
    assert ("client", "conversation.item.create") in types
    assert ("server", "response.done") in types


async def test_talk_connects_to_the_given_url_and_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    write_test_wav(tmp_path / "question.wav", tone(1.0), rate=24_000, channels=1)
    recording = tmp_path / "talk.jsonl"

    async with FakeRealtimeServer() as server:
        url = server.url
        arguments = [
            "talk",
            str(tmp_path / "question.wav"),
            "--out",
            str(tmp_path / "answer.wav"),
            "--url",
            url,
            "--record",
            str(recording),
        ]
        code = await asyncio.to_thread(main, arguments)

    assert code == 0
    assert capsys.readouterr().out.startswith(
        f"openai-realtime talk: talking to the server at {url}\n"
    )
    assert server.connections[0].received_types["input_audio_buffer.append"] > 0
    read_reply_wav(tmp_path / "answer.wav")
    types = recorded_types(recording)
    assert ("client", "input_audio_buffer.append") in types
    assert ("server", "input_audio_buffer.speech_stopped") in types


def fake_server_args(*options: str) -> argparse.Namespace:
    return parse_arguments(["fake-server", "--port", "0", *options])


async def next_type(websocket: aiohttp.ClientWebSocketResponse) -> str:
    event_type: str = (await websocket.receive_json(timeout=WAIT))["type"]
    return event_type


async def connect_and_leave(server: FakeRealtimeServer) -> None:
    """Connect, check the server records the connection as the CLI set it up, and close."""
    async with aiohttp.ClientSession() as http, http.ws_connect(server.url) as websocket:
        assert await next_type(websocket) == "session.created"
        assert [record.limit for record in server.connections] == [DEFAULT_RECORD_FRAMES]


async def test_the_cli_fake_server_forgets_closed_connections() -> None:
    server = fake_server_from(fake_server_args())

    async with server:
        await connect_and_leave(server)
    # stop() waited for the connection's handler, which forgot the connection.

    assert server.connections == []


async def test_record_frames_sets_the_frames_kept_per_connection() -> None:
    server = fake_server_from(fake_server_args("--record-frames", "2"))

    async with (
        server,
        aiohttp.ClientSession() as http,
        http.ws_connect(server.url) as websocket,
    ):
        assert await next_type(websocket) == "session.created"
        assert await next_type(websocket) == "conversation.created"
        for _ in range(3):
            await websocket.send_json({"type": "input_audio_buffer.clear"})
        for _ in range(3):
            assert await next_type(websocket) == "input_audio_buffer.cleared"
        record = server.connections[0]
        assert (record.received_count, len(record.received)) == (3, 2)
        assert (record.sent_count, len(record.sent)) == (5, 2)
