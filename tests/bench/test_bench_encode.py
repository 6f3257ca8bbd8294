"""Row 2: encoding one second of microphone audio as an ``input_audio_buffer.append`` frame.

The path is the one ``RealtimeClient.append_input_audio`` and ``RealtimeAPI.send`` take: int16
samples -> ``to_pcm16`` -> ``split_for_append`` (base64) -> typed event -> a copy with an
``event_id`` -> ``encode_client_event`` (JSON text). It is timed against ``base64.b64encode``
of the same bytes alone. Target: at most 1.3x its time.

When ``pybase64`` is installed the SDK uses it; the row is then measured a second time in a
subprocess where it is hidden, to show what the standard library fallback gives.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from bench_report import Row, best_seconds, record
from numpy.typing import NDArray

from openai_realtime.audio import SAMPLE_RATE, decode_base64, split_for_append, to_pcm16
from openai_realtime.protocol.codec import encode_client_event
from openai_realtime.types import InputAudioBufferAppendEvent

_EVENT_ID = "evt_" + "0" * 24  # the shape RealtimeAPI gives events sent without an id
_CALLS_PER_TIMING = 200


def microphone_second() -> NDArray[np.int16]:
    """One second of 24 kHz noise, as a microphone callback would hand it over."""
    return np.random.default_rng(2).integers(-8000, 8000, size=SAMPLE_RATE, dtype=np.int16)


def append_frames(samples: NDArray[np.int16]) -> list[str]:
    """The frames the client sends for ``samples``, built the way it builds them."""
    return [
        encode_client_event(
            InputAudioBufferAppendEvent(audio=piece).model_copy(update={"event_id": _EVENT_ID})
        )
        for piece in split_for_append(to_pcm16(samples))
    ]


def encode_seconds(samples: NDArray[np.int16], repeats: int) -> tuple[float, float]:
    """Seconds per call of the client's path and of ``base64.b64encode``, best of ``repeats``."""
    raw = samples.tobytes()

    def ours() -> None:
        for _ in range(_CALLS_PER_TIMING):
            append_frames(samples)

    def reference() -> None:
        for _ in range(_CALLS_PER_TIMING):
            base64.b64encode(raw)

    return (
        best_seconds(ours, repeats) / _CALLS_PER_TIMING,
        best_seconds(reference, repeats) / _CALLS_PER_TIMING,
    )


def row(label: str, ours: float, reference: float) -> Row:
    ratio = ours / reference
    return Row(
        2,
        f"input_audio_buffer.append frame from 1 s of int16 audio{label}",
        f"{ours * 1e6:.1f} us",
        "base64.b64encode",
        f"{reference * 1e6:.1f} us",
        f"{ratio:.2f}x its time",
        "<= 1.3x",
        ratio <= 1.3,
    )


def test_smoke_row2_encode() -> None:
    samples = microphone_second()
    (frame,) = append_frames(samples)
    event = json.loads(frame)
    assert event["type"] == "input_audio_buffer.append"
    assert event["event_id"] == _EVENT_ID
    assert np.array_equal(decode_base64(event["audio"]), samples)
    # The fast encoder must write exactly what pydantic writes.
    typed = InputAudioBufferAppendEvent(audio=event["audio"], event_id=_EVENT_ID)
    assert frame == typed.model_dump_json(exclude_unset=True)
    ours, reference = encode_seconds(samples[:2400], repeats=1)
    assert ours > 0
    assert reference > 0


@pytest.mark.bench
def test_row2_encode() -> None:
    ours, reference = encode_seconds(microphone_second(), repeats=7)
    rows = [row("", ours, reference)]
    if importlib.util.find_spec("pybase64") is not None:
        rows.append(row(" (stdlib base64 fallback)", *_measure_without_pybase64()))
    record(*rows)


def _measure_without_pybase64() -> tuple[float, float]:
    """The same measurement in a fresh interpreter where ``pybase64`` cannot be imported."""
    script = (
        "import sys; sys.modules['pybase64'] = None; "
        f"sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "import test_bench_encode as bench; "
        "print(*bench.encode_seconds(bench.microphone_second(), repeats=7))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    ours, reference = (float(value) for value in output.split())
    return ours, reference
