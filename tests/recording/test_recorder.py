"""Recorder and reader: the file format, secrets, audio omission, crashes and back-pressure."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from recording_support import LiveSession, record_live_session, run_scenario, scripted_responder

from openai_realtime import ConfigurationError, RealtimeClient
from openai_realtime.audio import decode_base64, encode_base64
from openai_realtime.recording import (
    FORMAT_VERSION,
    Recorder,
    RecordingFormatError,
    parse_recording,
    read_recording,
    replay_recording,
)
from openai_realtime.recording.audio_omission import omit_audio, restore_audio
from openai_realtime.testing import FakeRealtimeServer

SECRET = "sk-test-SECRET-do-not-record-0123456789"


def test_the_recording_holds_every_frame_exactly_as_on_the_wire(
    live_session: LiveSession,
) -> None:
    recording = read_recording(live_session.path)
    header = recording.header
    assert (header.version, header.model, header.audio) == (FORMAT_VERSION, "gpt-realtime", "keep")
    assert header.url == live_session.server_url  # the ?model=... query is left out
    assert header.started.endswith("Z")
    client_frames = [f.frame for f in recording.frames if f.direction == "client"]
    server_frames = [f.frame for f in recording.frames if f.direction == "server"]
    assert client_frames == live_session.received
    assert server_frames == live_session.sent
    times = [frame.t for frame in recording.frames]
    assert times == sorted(times) and times[0] >= 0
    assert not recording.gaps and not recording.partial_last_line
    assert live_session.dropped_frames == 0


def test_every_line_is_one_json_object_ending_in_a_newline(live_session: LiveSession) -> None:
    data = live_session.path.read_bytes()
    assert data.endswith(b"\n")
    lines = data.split(b"\n")[:-1]
    assert all(isinstance(json.loads(line), dict) for line in lines)
    first = json.loads(lines[0])
    assert first["format"] == "openai-realtime-recording"
    assert set(json.loads(lines[1])) == {"t", "dir", "frame"}


async def test_the_key_is_never_written(tmp_path: Path) -> None:
    path = tmp_path / "secret.jsonl"
    async with FakeRealtimeServer(api_key=SECRET, responder=scripted_responder()) as server:
        # The key goes in the handshake header, and here also in the URL's query.
        client = RealtimeClient(url=f"{server.url}?relay_token={SECRET}", api_key=SECRET)
        with Recorder.attach(client.realtime, path) as recorder:
            async with client:
                await run_scenario(client)
            assert SECRET not in repr(recorder)
    data = path.read_bytes()
    assert len(read_recording(path).frames) > 50
    assert SECRET.encode() not in data
    assert b"relay_token" not in data and b"Bearer" not in data


async def test_audio_length_mode_keeps_valid_json_without_audio(tmp_path: Path) -> None:
    kept = await record_live_session(tmp_path / "kept.jsonl")
    omitted = await record_live_session(tmp_path / "omitted.jsonl", audio="length")
    recording = read_recording(omitted.path)
    assert recording.header.audio == "length"
    events = [json.loads(frame.frame) for frame in recording.frames]  # every frame is JSON
    appends = [event for event in events if event["type"] == "input_audio_buffer.append"]
    deltas = [event for event in events if event["type"] == "response.output_audio.delta"]
    assert appends and deltas
    for append in appends:
        assert append["audio"] == {"omitted_base64_chars": 6400, "omitted_bytes": 4800}
    for delta in deltas:
        assert set(delta["delta"]) == {"omitted_base64_chars", "omitted_bytes"}
    assert omitted.path.stat().st_size * 4 < kept.path.stat().st_size
    # Replayed, the audio is silence of the recorded length: same items, same sample counts.
    replayed = replay_recording(recording).conversation.get_items()
    assert [len(item.formatted.audio) for item in replayed] == [
        item["audio_samples"] for item in kept.snapshot
    ]
    assert all(not item.formatted.audio.any() for item in replayed)
    assert [item.formatted.transcript for item in replayed] == [
        item["transcript"] for item in kept.snapshot
    ]


def test_audio_inside_items_is_omitted_and_restored_at_its_length() -> None:
    audio = np.arange(-50, 50, dtype=np.int16)
    payload = encode_base64(audio)
    frame = json.dumps(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_audio", "audio": payload, "transcript": "hi"}],
            },
        }
    )
    omitted = omit_audio(frame)
    part = json.loads(omitted)["item"]["content"][0]
    assert part == {
        "type": "input_audio",
        "audio": {"omitted_base64_chars": len(payload), "omitted_bytes": 200},
        "transcript": "hi",
    }
    restored = json.loads(restore_audio(omitted))["item"]["content"][0]["audio"]
    assert np.array_equal(decode_base64(restored), np.zeros(100, dtype=np.int16))
    assert omit_audio("not json") == "not json"
    text_only = '{"type":"response.create"}'
    assert omit_audio(text_only) is text_only


def test_a_partial_last_line_is_ignored(live_session: LiveSession) -> None:
    data = live_session.path.read_bytes()
    complete = parse_recording(data)
    last_line_start = data.rstrip(b"\n").rfind(b"\n") + 1
    cut = data[: last_line_start + 25]  # the process died while writing the last line
    recording = parse_recording(cut)
    assert recording.partial_last_line
    assert recording.frames == complete.frames[:-1]
    # A complete last line without its newline is still read.
    assert parse_recording(data.rstrip(b"\n")).frames == complete.frames


def test_malformed_files_are_refused_with_the_line_number(live_session: LiveSession) -> None:
    lines = live_session.path.read_bytes().split(b"\n")
    broken = b"\n".join([*lines[:3], b"{not json", *lines[3:]])
    with pytest.raises(RecordingFormatError, match="line 4"):
        parse_recording(broken)
    with pytest.raises(RecordingFormatError, match="header"):
        parse_recording(b'{"t": 0, "dir": "client", "frame": "{}"}\n')
    with pytest.raises(RecordingFormatError, match="version"):
        parse_recording(b'{"format": "openai-realtime-recording", "version": 99}\n')
    with pytest.raises(RecordingFormatError, match="empty"):
        parse_recording(b"")


def test_binary_frames_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "binary.jsonl"
    with Recorder(path, model="m", url="ws://user:pw@127.0.0.1:1/v1/realtime?k=v") as recorder:
        recorder.observe("server", b"\x00\xffbinary")
        recorder.observe("client", '{"type":"response.create"}')
    recording = read_recording(path)
    assert recording.header.url == "ws://127.0.0.1:1/v1/realtime"
    assert [(f.direction, f.frame) for f in recording.frames] == [
        ("server", b"\x00\xffbinary"),
        ("client", '{"type":"response.create"}'),
    ]
    recorder.observe("client", "after close")  # ignored, not an error
    assert len(read_recording(path).frames) == 2


def test_recorder_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="audio"):
        Recorder(tmp_path / "x.jsonl", audio="none")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="positive"):
        Recorder(tmp_path / "y.jsonl", max_pending=0)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a POSIX named pipe")
def test_a_full_queue_drops_frames_and_marks_the_gap(tmp_path: Path) -> None:
    # The file is a pipe nobody reads yet: the writer blocks on its first large write, the
    # bounded queue fills, and further frames are dropped instead of blocking the caller.
    pipe = tmp_path / "pipe.jsonl"
    os.mkfifo(pipe)
    received = bytearray()
    may_read = threading.Event()

    def read_pipe() -> None:
        with open(pipe, "rb") as reader:
            may_read.wait(timeout=30)
            received.extend(reader.read())

    reader_thread = threading.Thread(target=read_pipe)
    reader_thread.start()
    recorder = Recorder(pipe, max_pending=2, flush_lines=1)
    try:
        big = json.dumps({"type": "x", "pad": "a" * 200_000})
        for _ in range(10):
            recorder.observe("server", big)  # returns at once even though nothing is written
        dropped = recorder.dropped_frames
    finally:
        may_read.set()
        recorder.close()
        reader_thread.join(timeout=30)
    # At most one frame is being written and two wait in the queue: the rest are dropped.
    assert dropped >= 7
    recording = parse_recording(bytes(received))
    assert recording.dropped_frames == dropped == recorder.dropped_frames
    assert len(recording.frames) + dropped == 10
