"""Tests for openai_realtime.testing.synth and audio_format: the audio of spoken answers."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from openai_realtime.protocol.audio import decode_base64, mulaw_decode, mulaw_encode
from openai_realtime.testing.audio_format import PCM_24K, AudioFormat
from openai_realtime.testing.synth import samples_per_char, speak, synthesize_speech
from openai_realtime.testing.vad import EnergyVAD, SpeechStarted, SpeechStopped, VADSettings


def test_duration_is_proportional_to_the_text() -> None:
    short = synthesize_speech("Hello there.", 24000, 65.0)
    long = synthesize_speech("Hello there. " * 4, 24000, 65.0)

    assert len(short) == len("Hello there.") * samples_per_char(24000, 65.0)
    assert len(long) == len("Hello there. " * 4) * 1560
    assert samples_per_char(8000, 65.0) == 520


def test_synthesis_is_deterministic_voiced_and_read_only() -> None:
    first = synthesize_speech("the same words", 24000, 65.0)
    second = synthesize_speech.__wrapped__("the same words", 24000, 65.0)

    np.testing.assert_array_equal(first, second)
    assert not first.flags.writeable
    assert np.sqrt(np.mean(first.astype(np.float64) ** 2)) > 1000  # clearly audible
    space_after_the = first[3 * 1560 : 4 * 1560]
    assert np.max(np.abs(space_after_the)) == 0


def test_spoken_text_is_detected_as_speech() -> None:
    audio = synthesize_speech("This is a sentence spoken by the fake server.", 24000, 65.0)
    vad = EnergyVAD(VADSettings(prefix_padding_ms=0, silence_duration_ms=300), 24000)

    transitions = vad.feed(np.concatenate([audio, np.zeros(24000, dtype=np.int16)]))

    assert [type(t) for t in transitions] == [SpeechStarted, SpeechStopped]


def test_chunks_decode_back_to_the_samples() -> None:
    spoken = speak("Chunked audio, please.", PCM_24K, 65.0, 100)

    assert spoken.chunk_samples == 2400
    assert all(len(chunk) == 6400 for chunk in spoken.chunks[:-1])
    decoded = np.concatenate([decode_base64(chunk) for chunk in spoken.chunks])
    np.testing.assert_array_equal(decoded, spoken.samples)
    assert speak("Chunked audio, please.", PCM_24K, 65.0, 100) is spoken  # cached


def test_g711_output_is_encoded_at_8khz() -> None:
    mulaw = AudioFormat.from_wire({"type": "audio/pcmu"})
    spoken = speak("G seven eleven.", mulaw, 65.0, 100)

    assert spoken.chunk_samples == 800
    decoded = np.concatenate([mulaw_decode(base64.b64decode(chunk)) for chunk in spoken.chunks])
    np.testing.assert_array_equal(decoded, mulaw_decode(mulaw_encode(spoken.samples)))


@pytest.mark.parametrize("kind", ["audio/pcm", "audio/pcmu", "audio/pcma"])
def test_audio_formats_round_trip(kind: str) -> None:
    audio_format = AudioFormat.from_wire({"type": kind})
    samples = (np.sin(np.arange(800) / 5) * 10000).astype(np.int16)

    decoded = audio_format.decode(audio_format.encode(samples))

    assert len(decoded) == len(samples)
    assert np.max(np.abs(decoded.astype(np.int32) - samples)) < 700  # G.711 is lossy
    assert audio_format.ms_for_samples(audio_format.samples_for_ms(250)) == 250


def test_audio_format_rejects_bad_base64() -> None:
    with pytest.raises(ValueError, match="base64"):
        PCM_24K.decode("not base64!")
    with pytest.raises(ValueError, match="even"):
        PCM_24K.decode("AAAA")  # three bytes
    assert AudioFormat.from_wire(None) == PCM_24K
