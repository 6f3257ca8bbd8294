"""Tests for openai_realtime.protocol.audio."""

from __future__ import annotations

import base64
import io
import math
import struct
import warnings
import wave
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import NDArray

import openai_realtime.audio
from openai_realtime.protocol import audio
from openai_realtime.protocol.audio import (
    G711_SAMPLE_RATE,
    MAX_APPEND_BASE64_BYTES,
    SAMPLE_RATE,
    alaw_decode,
    alaw_encode,
    chunk_samples,
    decode_base64,
    encode_base64,
    float_to_pcm16,
    ms_to_samples,
    mulaw_decode,
    mulaw_encode,
    pcm16_from_bytes,
    pcm16_to_bytes,
    pcm16_to_float,
    read_wav,
    resample,
    samples_to_ms,
    split_for_append,
    to_pcm16,
    write_wav,
)

ALL_PCM16 = np.arange(-32768, 32768, dtype=np.int16)
ALL_CODES = np.arange(256, dtype=np.uint8)

pcm16_arrays = arrays(np.int16, st.integers(0, 400))


def sine(frequency: float, rate: int, seconds: float = 1.0) -> NDArray[np.float64]:
    return np.sin(2 * np.pi * frequency * np.arange(round(rate * seconds)) / rate)


def power_ratio_db(signal: NDArray[Any], noise: NDArray[Any]) -> float:
    return 10 * math.log10(float(np.mean(np.square(signal)) / np.mean(np.square(noise))))


# --- PCM16 conversions ------------------------------------------------------------------------


def test_bytes_round_trip_is_exact_for_every_value() -> None:
    data = pcm16_to_bytes(ALL_PCM16)
    assert data == struct.pack(f"<{len(ALL_PCM16)}h", *ALL_PCM16.tolist())
    assert np.array_equal(pcm16_from_bytes(data), ALL_PCM16)


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview])
def test_pcm16_from_bytes_returns_writable_native_array(wrap: type[Any]) -> None:
    samples = pcm16_from_bytes(wrap(b"\x01\x00\xff\xff\x00\x80"))
    assert samples.dtype == np.dtype(np.int16)
    assert samples.dtype.isnative
    assert samples.flags.writeable
    assert samples.tolist() == [1, -1, -32768]


def test_odd_byte_length_is_rejected() -> None:
    with pytest.raises(ValueError, match="even number of bytes"):
        pcm16_from_bytes(b"\x00\x01\x02")
    with pytest.raises(ValueError, match="even number of bytes"):
        to_pcm16(b"\x00")


def test_big_endian_arrays_are_converted() -> None:
    big_endian = np.array([1, -2, 32767, -32768], dtype=">i2")
    expected = np.array([1, -2, 32767, -32768], dtype=np.int16)
    assert np.array_equal(to_pcm16(big_endian), expected)
    assert to_pcm16(big_endian).dtype.isnative
    assert pcm16_to_bytes(big_endian) == pcm16_to_bytes(expected)
    assert encode_base64(big_endian) == encode_base64(expected)
    assert np.array_equal(to_pcm16(np.array([0.5, -1.0], dtype=">f4")), [16384, -32767])


def test_native_int16_is_not_copied() -> None:
    samples = np.arange(10, dtype=np.int16)
    assert to_pcm16(samples) is samples


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.uint16, np.bool_, np.complex64])
def test_unsupported_dtypes_raise_type_error(dtype: type[np.generic]) -> None:
    with pytest.raises(TypeError, match="int16"):
        to_pcm16(np.zeros(4, dtype=dtype))
    with pytest.raises(TypeError):
        encode_base64(np.zeros(4, dtype=dtype))
    with pytest.raises(TypeError):
        resample(np.zeros(4, dtype=dtype), 24000, 16000)


def test_pcm16_to_bytes_rejects_floats() -> None:
    with pytest.raises(TypeError):
        pcm16_to_bytes(np.zeros(4, dtype=np.float32))


def test_multichannel_arrays_are_rejected() -> None:
    with pytest.raises(ValueError, match="mono"):
        to_pcm16(np.zeros((10, 2), dtype=np.int16))
    with pytest.raises(ValueError, match="mono"):
        resample(np.zeros((10, 2), dtype=np.float32), 24000, 16000)


def test_float_to_pcm16_scales_rounds_and_clips() -> None:
    floats = np.array([0.0, 1.0, -1.0, 2.5, -7.0, np.inf, -np.inf, np.nan, 0.5])
    expected = [0, 32767, -32767, 32767, -32767, 32767, -32767, 0, 16384]
    assert float_to_pcm16(floats).tolist() == expected
    assert float_to_pcm16(floats.astype(np.float32)).tolist() == expected


def test_float_round_trip_is_within_one_and_a_half_steps() -> None:
    floats = np.random.default_rng(1).uniform(-1.0, 1.0, 10_000).astype(np.float32)
    restored = pcm16_to_float(float_to_pcm16(floats))
    assert restored.dtype == np.float32
    # Half a step of rounding plus the 32767-versus-32768 scale difference at full scale.
    assert np.max(np.abs(restored - floats)) <= 1.5 / 32768 + 1e-7


def test_pcm16_to_float_maps_extremes_inside_unit_range() -> None:
    floats = pcm16_to_float(np.array([-32768, 0, 32767], dtype=np.int16))
    assert floats[0] == -1.0
    assert floats[1] == 0.0
    assert 0.9999 < floats[2] < 1.0


# --- base64 and append splitting -------------------------------------------------------------


def test_base64_round_trip_is_exact_for_every_value() -> None:
    text = encode_base64(ALL_PCM16)
    assert text == base64.b64encode(pcm16_to_bytes(ALL_PCM16)).decode("ascii")
    assert np.array_equal(decode_base64(text), ALL_PCM16)


def test_encode_base64_handles_strided_and_float_arrays() -> None:
    samples = np.arange(20, dtype=np.int16)
    assert np.array_equal(decode_base64(encode_base64(samples[::3])), samples[::3])
    assert np.array_equal(decode_base64(encode_base64(np.array([1.0, -1.0]))), [32767, -32767])


def test_encode_base64_passes_bytes_through() -> None:
    g711_codes = bytes([0xFF, 0x7F, 0x00])  # odd length is fine: not PCM16
    assert encode_base64(g711_codes) == base64.b64encode(g711_codes).decode("ascii")


def test_decode_base64_rejects_invalid_text() -> None:
    with pytest.raises(ValueError):
        decode_base64("not base64!")


def test_split_for_append_respects_the_limit_and_reassembles() -> None:
    samples = np.random.default_rng(2).integers(-32768, 32768, 1001).astype(np.int16)
    pieces = list(split_for_append(samples, max_chars=100))
    assert len(pieces) > 1
    assert all(len(piece) <= 100 for piece in pieces)
    # Every piece decodes on its own, so each can be sent as a separate event.
    assert np.array_equal(np.concatenate([decode_base64(piece) for piece in pieces]), samples)


def test_split_for_append_default_limit() -> None:
    chunk_samples_at_limit = MAX_APPEND_BASE64_BYTES * 3 // 4 // 2
    pieces = list(split_for_append(np.zeros(chunk_samples_at_limit + 1, dtype=np.int16)))
    assert [len(piece) for piece in pieces] == [MAX_APPEND_BASE64_BYTES, 4]


def test_split_for_append_empty_and_invalid() -> None:
    assert list(split_for_append(np.zeros(0, dtype=np.int16))) == []
    assert list(split_for_append(b"")) == []
    with pytest.raises(ValueError, match="max_chars"):
        split_for_append(b"\x00\x00", max_chars=7)


@given(data=st.binary().map(lambda data: data[: len(data) // 2 * 2]))
def test_property_bytes_round_trip(data: bytes) -> None:
    assert pcm16_to_bytes(pcm16_from_bytes(data)) == data


@given(samples=pcm16_arrays)
def test_property_base64_round_trip(samples: NDArray[np.int16]) -> None:
    assert np.array_equal(decode_base64(encode_base64(samples)), samples)


@given(samples=pcm16_arrays, max_chars=st.integers(8, 200))
def test_property_split_for_append_reassembles(samples: NDArray[np.int16], max_chars: int) -> None:
    pieces = list(split_for_append(samples, max_chars=max_chars))
    assert all(0 < len(piece) <= max_chars for piece in pieces)
    decoded = [decode_base64(piece) for piece in pieces]
    assert np.array_equal(np.concatenate([np.zeros(0, np.int16), *decoded]), samples)


# --- durations and chunking ------------------------------------------------------------------


def test_samples_to_ms_rounds_down() -> None:
    assert samples_to_ms(24000) == 1000
    assert samples_to_ms(23999) == 999
    assert samples_to_ms(23) == 0
    assert samples_to_ms(0) == 0
    assert samples_to_ms(8000, G711_SAMPLE_RATE) == 1000
    assert samples_to_ms(7999, G711_SAMPLE_RATE) == 999


def test_ms_to_samples_rounds_down() -> None:
    assert ms_to_samples(1000) == SAMPLE_RATE
    assert ms_to_samples(20) == 480
    assert ms_to_samples(20.9) == 501
    assert ms_to_samples(0.1, G711_SAMPLE_RATE) == 0
    assert ms_to_samples(1.5, 1000) == 1


def test_duration_conversions_reject_invalid_input() -> None:
    with pytest.raises(ValueError):
        samples_to_ms(-1)
    with pytest.raises(ValueError):
        samples_to_ms(10, 0)
    with pytest.raises(ValueError):
        ms_to_samples(-1.0)
    with pytest.raises(ValueError):
        ms_to_samples(math.nan)


def test_chunk_samples_yields_fixed_size_views() -> None:
    samples = np.arange(1000, dtype=np.int16)
    chunks = list(chunk_samples(samples, chunk_ms=10))
    assert [len(chunk) for chunk in chunks] == [240, 240, 240, 240, 40]
    assert all(np.shares_memory(chunk, samples) for chunk in chunks)
    assert np.array_equal(np.concatenate(chunks), samples)
    assert [len(c) for c in chunk_samples(samples[:200], chunk_ms=20, rate=8000)] == [160, 40]
    assert list(chunk_samples(samples[:0], chunk_ms=10)) == []


def test_chunk_samples_rejects_chunks_below_one_sample() -> None:
    with pytest.raises(ValueError, match="no whole sample"):
        chunk_samples(np.zeros(10, dtype=np.int16), chunk_ms=0.01)


# --- resampling ------------------------------------------------------------------------------

RATE_PAIRS = [(24000, 16000), (24000, 8000), (8000, 24000), (24000, 48000), (44100, 24000)]


@pytest.mark.parametrize(("from_rate", "to_rate"), RATE_PAIRS)
def test_resample_keeps_a_sine_clean_and_aligned(from_rate: int, to_rate: int) -> None:
    resampled = resample(sine(1000, from_rate), from_rate, to_rate)
    assert resampled.dtype == np.float32
    assert len(resampled) == to_rate
    # The ideal sine at the new rate also checks the delay compensation: any time shift
    # would show up as error. The edges, where the filter sees the implied silence, are cut.
    edge = to_rate // 50
    ideal = sine(1000, to_rate)[edge:-edge]
    error = resampled[edge:-edge] - ideal
    assert power_ratio_db(ideal, error) >= 60


@pytest.mark.parametrize(
    ("from_rate", "to_rate", "tone"), [(24000, 8000, 6000), (24000, 16000, 9000)]
)
def test_resample_removes_tones_above_the_new_nyquist(
    from_rate: int, to_rate: int, tone: int
) -> None:
    original = sine(tone, from_rate)
    resampled = resample(original, from_rate, to_rate)
    edge = to_rate // 50
    assert power_ratio_db(original, resampled[edge:-edge]) >= 50


@pytest.mark.parametrize(("from_rate", "to_rate"), [*RATE_PAIRS, (24000, 44100), (16000, 24000)])
@pytest.mark.parametrize("length", [0, 1, 7, 480, 1001])
def test_resample_output_length(from_rate: int, to_rate: int, length: int) -> None:
    resampled = resample(np.zeros(length, dtype=np.int16), from_rate, to_rate)
    assert len(resampled) == math.ceil(length * to_rate / from_rate)
    assert resampled.dtype == np.int16


def test_resample_int16_rounds_and_saturates() -> None:
    # A full-scale step overshoots (Gibbs ripple); it must clip at 32767, never wrap around.
    step = np.concatenate([np.zeros(500), np.full(1000, 32767.0)]).astype(np.int16)
    resampled = resample(step, 24000, 16000)
    assert resampled.dtype == np.int16
    assert resampled[340:-20].min() > 30000
    assert resampled.max() == 32767


def test_resample_int16_matches_float_path() -> None:
    samples = float_to_pcm16(0.5 * sine(440, 24000, 0.1))
    via_int = resample(samples, 24000, 16000)
    via_float = float_to_pcm16(resample(pcm16_to_float(samples), 24000, 16000) * 32768 / 32767)
    assert np.max(np.abs(via_int.astype(np.int32) - via_float)) <= 1


def test_resample_same_rate_returns_a_copy() -> None:
    samples = np.arange(5, dtype=np.int16)
    same = resample(samples, 24000, 24000)
    assert np.array_equal(same, samples)
    assert not np.shares_memory(same, samples)
    assert resample(np.zeros(3), 8000, 8000).dtype == np.float32


def test_resample_rejects_invalid_rates() -> None:
    with pytest.raises(ValueError, match="sample rate"):
        resample(np.zeros(3, dtype=np.int16), 0, 24000)
    with pytest.raises(ValueError, match="sample rate"):
        resample(np.zeros(3, dtype=np.int16), 24000, -8000)


# --- G.711 -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def audioop() -> ModuleType:
    """The standard library's G.711 implementation (``audioop-lts`` from Python 3.13, which the
    dev extra installs), the reference for these tests."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
    return audioop


def test_mulaw_encode_matches_reference_for_every_value(audioop: ModuleType) -> None:
    expected = np.frombuffer(audioop.lin2ulaw(ALL_PCM16.tobytes(), 2), dtype=np.uint8)
    assert np.array_equal(mulaw_encode(ALL_PCM16), expected)


def test_mulaw_decode_matches_reference_for_every_code(audioop: ModuleType) -> None:
    expected = np.frombuffer(audioop.ulaw2lin(ALL_CODES.tobytes(), 2), dtype=np.int16)
    assert np.array_equal(mulaw_decode(ALL_CODES), expected)


def test_alaw_encode_matches_reference_for_every_value(audioop: ModuleType) -> None:
    expected = np.frombuffer(audioop.lin2alaw(ALL_PCM16.tobytes(), 2), dtype=np.uint8)
    assert np.array_equal(alaw_encode(ALL_PCM16), expected)


def test_alaw_decode_matches_reference_for_every_code(audioop: ModuleType) -> None:
    expected = np.frombuffer(audioop.alaw2lin(ALL_CODES.tobytes(), 2), dtype=np.int16)
    assert np.array_equal(alaw_decode(ALL_CODES), expected)


def test_g711_accepts_bytes_floats_and_strided_input() -> None:
    codes = mulaw_encode(ALL_PCM16[::7])
    assert np.array_equal(mulaw_decode(codes.tobytes()), mulaw_decode(codes))
    assert np.array_equal(
        alaw_encode(np.array([0.0, 1.0])), alaw_encode(np.array([0, 32767], dtype=np.int16))
    )
    assert np.array_equal(mulaw_encode(pcm16_to_bytes(ALL_PCM16)), mulaw_encode(ALL_PCM16))


@pytest.mark.parametrize(
    ("encode", "decode"), [(mulaw_encode, mulaw_decode), (alaw_encode, alaw_decode)]
)
def test_g711_decoded_values_are_fixed_points(encode: Any, decode: Any) -> None:
    decoded = decode(ALL_CODES)
    assert np.array_equal(decode(encode(decoded)), decoded)


def test_g711_decode_rejects_wrong_dtype() -> None:
    with pytest.raises(TypeError, match="uint8"):
        mulaw_decode(np.zeros(3, dtype=np.int16))
    with pytest.raises(TypeError, match="uint8"):
        alaw_decode(np.zeros(3, dtype=np.int16))


# --- WAV -------------------------------------------------------------------------------------


def write_raw_wav(path: Path, frames: bytes, *, channels: int, width: int, rate: int) -> None:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(frames)


def test_wav_round_trip(tmp_path: Path) -> None:
    samples = float_to_pcm16(0.8 * sine(440, SAMPLE_RATE, 0.5))
    path = tmp_path / "speech.wav"
    write_wav(path, samples)
    with wave.open(str(path), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        assert reader.getframerate() == SAMPLE_RATE
    assert np.array_equal(read_wav(path), samples)
    assert np.array_equal(read_wav(str(path)), samples)


def test_wav_round_trip_through_file_objects() -> None:
    samples = np.arange(-100, 100, dtype=np.int16)
    buffer = io.BytesIO()
    write_wav(buffer, samples, rate=G711_SAMPLE_RATE)
    buffer.seek(0)
    assert np.array_equal(read_wav(buffer, rate=G711_SAMPLE_RATE), samples)


def test_read_wav_downmixes_and_resamples(tmp_path: Path) -> None:
    left = float_to_pcm16(0.5 * sine(1000, 16000))
    right = float_to_pcm16(0.25 * sine(1000, 16000))
    path = tmp_path / "stereo.wav"
    interleaved = np.column_stack([left, right]).ravel()
    write_raw_wav(path, pcm16_to_bytes(interleaved), channels=2, width=2, rate=16000)
    samples = read_wav(path)
    assert samples.dtype == np.int16
    assert len(samples) == SAMPLE_RATE
    expected = resample((left.astype(np.float64) + right) / 2, 16000, SAMPLE_RATE)
    assert np.max(np.abs(samples - expected)) <= 0.5 + 1e-3


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_read_wav_converts_sample_widths(tmp_path: Path, width: int) -> None:
    # 8-bit files only hold the top byte, so test with values that survive that.
    samples = np.array([0, 256, -256, 32512, -32768, 12800], dtype=np.int16)
    if width == 1:
        frames = ((samples >> 8) + 128).astype(np.uint8).tobytes()
    else:
        wide = samples.astype("<i4") << 16
        frames = b"".join(
            value.to_bytes(4, "little", signed=True)[4 - width :] for value in wide.tolist()
        )
    path = tmp_path / f"width{width}.wav"
    write_raw_wav(path, frames, channels=1, width=width, rate=SAMPLE_RATE)
    assert read_wav(path).tolist() == samples.tolist()


def test_read_wav_keeps_rate_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "phone.wav"
    write_wav(path, np.zeros(800, dtype=np.int16), rate=G711_SAMPLE_RATE)
    assert len(read_wav(path, rate=G711_SAMPLE_RATE)) == 800
    assert len(read_wav(path)) == 2400


def test_write_wav_rejects_invalid_rate(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sample rate"):
        write_wav(tmp_path / "bad.wav", np.zeros(3, dtype=np.int16), rate=0)


# --- public module ---------------------------------------------------------------------------


def test_public_module_reexports_everything() -> None:
    assert openai_realtime.audio.__all__ == audio.__all__
    for name in audio.__all__:
        assert getattr(openai_realtime.audio, name) is getattr(audio, name)


def test_resample_int16_saturates_both_ways_like_the_float_path() -> None:
    # A full-scale square wave overshoots past both ends of the int16 range.
    square = np.tile(np.repeat(np.array([-32768, 32767], dtype=np.int16), 200), 5)
    via_int = resample(square, 24000, 16000)
    via_float = resample(square.astype(np.float64), 24000, 16000)
    assert via_float.min() < -32769 and via_float.max() > 32768
    assert np.array_equal(via_int[via_float < -32769], np.full((via_float < -32769).sum(), -32768))
    assert np.array_equal(via_int[via_float > 32768], np.full((via_float > 32768).sum(), 32767))


def test_chunk_samples_allows_chunks_of_one_sample() -> None:
    chunks = list(chunk_samples(np.arange(3, dtype=np.int16), chunk_ms=1, rate=1000))
    assert [chunk.tolist() for chunk in chunks] == [[0], [1], [2]]


@pytest.mark.parametrize("width", [3, 4])
def test_read_wav_rounds_the_low_bits_of_wide_samples_half_to_even(
    tmp_path: Path, width: int
) -> None:
    # In 16-bit steps: 0.5, 1.5, 2.5, -1.5 and a quarter step.
    steps = [0.5, 1.5, 2.5, -1.5, 0.25]
    wide = [round(step * 65536) for step in steps]  # as 32-bit values
    frames = b"".join(value.to_bytes(4, "little", signed=True)[4 - width :] for value in wide)
    path = tmp_path / f"wide{width}.wav"
    write_raw_wav(path, frames, channels=1, width=width, rate=SAMPLE_RATE)
    assert read_wav(path).tolist() == [0, 2, 2, -2, 0]


def test_append_limit_is_the_apis_fifteen_mebibytes() -> None:
    assert MAX_APPEND_BASE64_BYTES == 15_728_640


def test_decode_base64_rejects_characters_outside_the_alphabet() -> None:
    # Each is valid base64 of three samples once the stray character is dropped.
    for text in ("AAAA!AAAA", "AAAA AAAA", "AAAA\nAAAA"):
        with pytest.raises(ValueError):
            decode_base64(text)


def test_rates_and_durations_at_their_edges() -> None:
    assert ms_to_samples(0) == 0
    assert samples_to_ms(5, rate=1) == 5000
    assert ms_to_samples(3, rate=1000) == 3
    with pytest.raises(ValueError, match="sample rate must be positive"):
        ms_to_samples(10, rate=0)


def test_read_wav_checks_the_rate_first(tmp_path: Path) -> None:
    path = tmp_path / "ok.wav"
    write_wav(path, np.zeros(10, dtype=np.int16))
    with pytest.raises(ValueError, match="sample rate must be positive"):
        read_wav(path, rate=0)


def test_resample_of_a_single_sample_keeps_its_energy() -> None:
    impulse = resample(np.array([16000], dtype=np.int16), 24000, 16000)
    assert len(impulse) == 1 and impulse[0] > 1000
