"""A private PulseAudio with a virtual speaker and microphone, for tests with no sound card.

:func:`virtual_audio` starts ``pulseaudio`` in user mode inside a temporary directory with two
null sinks: ``vspk`` (the default sink: what programs play lands there) and ``micfeed`` (its
monitor is the default source: what a test plays into it is what programs record). PortAudio
reaches it through ALSA's ``pulse`` plugin once ``PULSE_SERVER`` points at its socket. The
test feeds the microphone with ``pacat`` and records the speaker with ``parec``; both
directions are bit-exact. Anything missing fails the test with a message naming
``make system-deps`` (never a skip).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from tests.support import require_binary, require_library

__all__ = ["RATE", "SpeakerRecorder", "VirtualAudio", "virtual_audio"]

RATE = 24000
"""The rate the tests feed and record at (PulseAudio resamples to the sinks' 48 kHz)."""

_READY_SECONDS = 10.0


@dataclass(frozen=True)
class VirtualAudio:
    """A running private PulseAudio: ``env`` reaches it (for this process and subprocesses)."""

    env: dict[str, str]
    directory: Path

    @contextmanager
    def feed_microphone(self, samples: NDArray[np.int16]) -> Iterator[subprocess.Popen[bytes]]:
        """Play 24 kHz samples into the virtual microphone at real-time pace (``pacat``);
        the process is stopped when the block ends, if it has not finished."""
        pacat = require_binary("pacat")
        path = self.directory / f"mic-{time.monotonic_ns()}.raw"
        path.write_bytes(samples.astype("<i2").tobytes())
        process = subprocess.Popen(
            [pacat, "--playback", "-d", "micfeed", *_RAW, "--latency-msec=20", str(path)],
            env=self.env,
            stderr=subprocess.PIPE,
        )
        try:
            yield process
        finally:
            _end(process)

    @contextmanager
    def record_speaker(self) -> Iterator[SpeakerRecorder]:
        """Record what reaches the virtual speaker (``parec``) while the block runs."""
        parec = require_binary("parec")
        path = self.directory / f"spk-{time.monotonic_ns()}.raw"
        with path.open("wb") as out:
            process = subprocess.Popen(
                [parec, "-d", "vspk.monitor", *_RAW, "--latency-msec=10"],
                env=self.env,
                stdout=out,
                stderr=subprocess.PIPE,
            )
            recorder = SpeakerRecorder(path)
            # Ready once its stream is connected. Waiting for its first bytes would cost two
            # seconds: an idle null sink renders in two-second blocks until something plays.
            _wait_for(
                lambda: _listed(self.env, "source-outputs"),
                process,
                "parec did not connect to the virtual speaker",
            )
            try:
                yield recorder
            finally:
                _end(process)


class SpeakerRecorder:
    """What the virtual speaker played, read from ``parec``'s file."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def samples(self) -> NDArray[np.int16]:
        """Everything recorded so far (24 kHz int16)."""
        data = self._path.read_bytes()
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.int16)


_RAW = ("--raw", "--format=s16le", f"--rate={RATE}", "--channels=1")

_SERVER_FLAGS = ("--exit-idle-time=-1", "--daemonize=no", "--disallow-exit", "--disable-shm=yes")

_CONFIG = """\
load-module module-native-protocol-unix auth-anonymous=1 socket={socket}
load-module module-null-sink sink_name=vspk rate=48000 channels=1 format=s16le
load-module module-null-sink sink_name=micfeed rate=48000 channels=1 format=s16le
set-default-sink vspk
set-default-source micfeed.monitor
"""


@contextmanager
def virtual_audio(directory: Path) -> Iterator[VirtualAudio]:
    """Start a private PulseAudio under ``directory``; stop it on exit.

    Sets the ``PULSE_*`` variables in this process too (PortAudio reads them when it
    initialises), and restores them afterwards.
    """
    require_library("libportaudio.so.2")
    pulseaudio = require_binary("pulseaudio")
    runtime = directory / "pulse"
    home = directory / "home"
    runtime.mkdir()
    home.mkdir()
    socket = runtime / "native"
    config = directory / "pa.pa"
    config.write_text(_CONFIG.format(socket=socket))
    env = {
        **os.environ,
        "PULSE_RUNTIME_PATH": str(runtime),
        "PULSE_SERVER": f"unix:{socket}",
        "HOME": str(home),
    }
    server = subprocess.Popen(
        [pulseaudio, "-n", "-F", str(config), *_SERVER_FLAGS],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(lambda: _listed(env, "info"), server, "pulseaudio did not start")
        saved = {key: os.environ.get(key) for key in ("PULSE_SERVER", "PULSE_RUNTIME_PATH")}
        os.environ["PULSE_SERVER"] = env["PULSE_SERVER"]
        os.environ["PULSE_RUNTIME_PATH"] = env["PULSE_RUNTIME_PATH"]
        try:
            yield VirtualAudio(env, directory)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    finally:
        _end(server)


def _end(process: subprocess.Popen[bytes]) -> None:
    """Stop a helper process and close its pipes."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stderr is not None:
        process.stderr.close()


def _listed(env: dict[str, str], what: str) -> bool:
    """Whether ``pactl list short <what>`` lists anything (``info``: the server answers)."""
    command = ["info"] if what == "info" else ["list", "short", what]
    probe = subprocess.run(
        [require_binary("pactl"), *command], env=env, capture_output=True, check=False
    )
    return probe.returncode == 0 and bool(probe.stdout.strip())


def _wait_for(
    condition: Callable[[], bool], process: subprocess.Popen[bytes], failure: str
) -> None:
    """Poll a state no event announces (a helper process getting ready), for 10 s at most."""
    deadline = time.monotonic() + _READY_SECONDS
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(
                f"{failure} ({_stderr(process)}): run `make system-deps` "
                "(pulseaudio, pulseaudio-utils, libasound2-plugins)"
            )
        time.sleep(0.01)


def _stderr(process: subprocess.Popen[bytes]) -> str:
    if process.stderr is None or process.poll() is None:
        return "still running"
    return process.stderr.read().decode(errors="replace").strip()[-500:]
