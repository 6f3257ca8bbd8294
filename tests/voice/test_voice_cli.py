"""``openai-realtime voice`` on the virtual devices: a two-turn conversation with the fake server.

The command runs as a subprocess with the ``PULSE_*`` environment of the private PulseAudio;
the test speaks two turns into the virtual microphone once the command says it listens, and
records the virtual speaker.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from virtual_audio import RATE, VirtualAudio

from openai_realtime.cli import main
from openai_realtime.recording import read_recording
from openai_realtime.testing import FakeRealtimeServer
from tests.support import WAIT

READY = "Speak;"
VOICE = (sys.executable, "-m", "openai_realtime", "voice")


def turn(speech_seconds: float, pause_seconds: float) -> NDArray[np.int16]:
    t = np.arange(int(speech_seconds * RATE)) / RATE
    speech = (np.sin(2 * np.pi * 220 * t) * 6000).astype(np.int16)
    return np.concatenate([speech, np.zeros(int(pause_seconds * RATE), dtype=np.int16)])


async def read_until(stream: asyncio.StreamReader, text: str) -> list[str]:
    lines: list[str] = []
    async with asyncio.timeout(WAIT):
        while not lines or text not in lines[-1]:
            line = await stream.readline()
            assert line, f"the command ended before printing {text!r}: {lines}"
            lines.append(line.decode())
    return lines


async def test_voice_command_holds_a_two_turn_conversation(
    audio: VirtualAudio, tmp_path: Path
) -> None:
    recording = tmp_path / "session.jsonl"
    # Quick speech (20 ms per character) keeps the answers, and the test, short.
    async with FakeRealtimeServer(ms_per_char=20) as server:
        url = server.url
        with audio.record_speaker() as speaker:
            process = await asyncio.create_subprocess_exec(
                *VOICE,
                "--url",
                server.url,
                "--turns",
                "2",
                "--record",
                str(recording),
                # Devices chosen by name: PortAudio's ALSA device of the PulseAudio plugin.
                "--input",
                "pulse",
                "--output",
                "pulse",
                env=audio.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            assert process.stdout is not None and process.stderr is not None
            try:
                lines = await read_until(process.stdout, READY)
                # Two turns, each ended by a pause longer than server VAD's 500 ms.
                with audio.feed_microphone(np.concatenate([turn(0.4, 0.7), turn(0.4, 0.7)])):
                    async with asyncio.timeout(3 * WAIT):
                        rest, errors = await process.communicate()
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            played = speaker.samples()

    output = "".join(lines) + rest.decode()
    assert process.returncode == 0, (output, errors.decode())
    assert f"talking to the server at {url}" in output
    assert output.count("(server VAD: speech started") == 2, output
    assert output.count("you (transcribed):") == 2, output
    assert output.count("assistant: ") == 2, output
    # The answers reached the speaker: over a quarter second of voiced sound (the synthesised
    # speech has pauses between words; the second turn may cut the first answer short).
    assert np.count_nonzero(np.abs(played.astype(np.int32)) > 1000) > RATE // 4
    # --record kept the session: both answers are in the file.
    frames = [frame.frame for frame in read_recording(recording).frames]
    assert sum(1 for frame in frames if '"type":"response.done"' in str(frame)) == 2


async def test_ctrl_c_ends_the_command_cleanly(audio: VirtualAudio) -> None:
    process = await asyncio.create_subprocess_exec(
        *VOICE, env=audio.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    try:
        await read_until(process.stdout, READY)
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(WAIT):
            _, errors = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 130, errors.decode()
    assert "Traceback" not in errors.decode()


def test_list_devices_shows_the_virtual_devices(
    audio: VirtualAudio, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["voice", "--list-devices"]) == 0
    assert "pulse" in capsys.readouterr().out


def test_an_unknown_device_is_one_line_error(
    audio: VirtualAudio, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["voice", "--output", "no-such-speaker"]) == 1
    errors = capsys.readouterr().err
    assert "cannot open output device 'no-such-speaker'" in errors
    assert "Traceback" not in errors
