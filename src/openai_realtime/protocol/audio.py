"""Audio helpers for the Realtime API: PCM16 conversion, base64, resampling, G.711 and WAV.

The API's default audio format (``audio/pcm``) is 16-bit signed little-endian PCM, mono, at
24 kHz. It also accepts G.711 mu-law (``audio/pcmu``) and A-law (``audio/pcma``), both at
8 kHz. Audio travels base64-encoded inside JSON events, and one ``input_audio_buffer.append``
event carries at most 15 MiB of base64 text.

Everything here is pure computation (numpy and the standard library; base64 uses the faster
``pybase64`` when it is installed), so it can be used and tested without a network connection.
Sample arrays are one-dimensional (mono): ``int16`` arrays hold PCM16 samples, float arrays hold
samples in ``[-1.0, 1.0]``.
"""

from __future__ import annotations

import base64
import functools
import importlib
import math
import os
import wave
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeAlias, TypeVar, overload

import numpy as np
from numpy.typing import NDArray

# The numeric kernels live apart from the conversions and checks this module's API makes.
from openai_realtime.protocol import _g711 as g711
from openai_realtime.protocol._resample import polyphase_filter, reduced_ratio

__all__ = [
    "G711_SAMPLE_RATE",
    "MAX_APPEND_BASE64_BYTES",
    "SAMPLE_RATE",
    "AudioInput",
    "alaw_decode",
    "alaw_encode",
    "chunk_samples",
    "decode_base64",
    "encode_base64",
    "float_to_pcm16",
    "ms_to_samples",
    "mulaw_decode",
    "mulaw_encode",
    "pcm16_from_bytes",
    "pcm16_to_bytes",
    "pcm16_to_float",
    "read_wav",
    "resample",
    "samples_to_ms",
    "split_for_append",
    "to_pcm16",
    "write_wav",
]

SAMPLE_RATE = 24000
"""Sample rate of the API's default ``audio/pcm`` format, in Hz."""

G711_SAMPLE_RATE = 8000
"""Sample rate of the G.711 formats ``audio/pcmu`` and ``audio/pcma``, in Hz."""

MAX_APPEND_BASE64_BYTES = 15 * 1024 * 1024
"""Largest base64 payload one ``input_audio_buffer.append`` event may carry."""

AudioInput: TypeAlias = bytes | bytearray | memoryview | NDArray[Any]
"""Audio as accepted by :func:`to_pcm16`: PCM16 little-endian bytes, an int16 or a float array."""

_ScalarT = TypeVar("_ScalarT", bound=np.generic)

_BytesLike: TypeAlias = bytes | bytearray | memoryview
_WavSource: TypeAlias = str | os.PathLike[str] | IO[bytes]

_PCM16_LE = np.dtype("<i2")
_INT16_MIN = -32768
_INT16_MAX = 32767


def _base64_codec() -> tuple[Callable[[_BytesLike], bytes], Callable[[str], bytes]]:
    """The fastest base64 encoder and strict decoder available.

    ``pybase64`` (SIMD) when it is installed, else the standard library's. Every audio delta
    received and every chunk sent goes through one of them, and on audio-sized payloads
    pybase64 is more than ten times faster. Both give the same bytes for valid input and raise
    ``binascii.Error`` (a ``ValueError``) for invalid input; pybase64 is, if anything, stricter
    (it also rejects padding followed by more padding).
    """
    try:
        codec = importlib.import_module("pybase64")
    except ImportError:
        codec = base64
    return codec.b64encode, functools.partial(codec.b64decode, validate=True)


_b64encode, _b64decode_strict = _base64_codec()


def float_to_pcm16(samples: NDArray[np.floating[Any]]) -> NDArray[np.int16]:
    """Convert float samples in ``[-1.0, 1.0]`` to PCM16.

    Values are clipped to ``[-1.0, 1.0]``, scaled by 32767 and rounded half to even
    (``np.rint``). Scaling by 32767 rather than 32768 keeps the conversion symmetric, so
    ``1.0`` and ``-1.0`` map to ``32767`` and ``-32767`` and never overflow; round-half-even
    is numpy's native rounding and has no bias towards either sign. NaN becomes silence (0).

    Args:
        samples: Float samples of any floating dtype and byte order.

    Returns:
        A new native-endian int16 array of the same shape.
    """
    scaled: NDArray[np.floating[Any]] = np.clip(samples, -1.0, 1.0)
    # Casting NaN to an integer is undefined (and warns); silence is the only sensible value.
    np.nan_to_num(scaled, copy=False, nan=0.0)
    scaled *= _INT16_MAX
    return _round_to_int16(scaled)


def pcm16_to_float(samples: NDArray[np.int16]) -> NDArray[np.float32]:
    """Convert PCM16 samples to float32 samples in ``[-1.0, 1.0]``.

    Divides by 32768, not by the 32767 that :func:`float_to_pcm16` multiplies by: that way
    ``-32768`` maps to exactly ``-1.0`` and every result lies inside ``[-1.0, 1.0)``. The price
    is that the round trip float -> int16 -> float is off by up to ``1.5/32768`` per sample
    (half a step of rounding plus the scale difference near full scale).

    Args:
        samples: PCM16 samples, in any byte order.

    Returns:
        A new float32 array of the same shape.
    """
    converted = samples.astype(np.float32)
    converted *= np.float32(1.0 / 32768.0)  # a power of two, so the product is exact
    return converted


def pcm16_from_bytes(data: _BytesLike, *, copy: bool = True) -> NDArray[np.int16]:
    """Parse little-endian PCM16 bytes.

    Args:
        data: Raw PCM16 audio, two bytes per sample, little-endian.
        copy: With the default, the result is a new, writable array. With ``copy=False`` it is
            a read-only view of ``data`` wherever the host is little-endian (no sample is
            copied), and a new array only on big-endian hosts.

    Returns:
        Native-endian int16 samples.

    Raises:
        ValueError: If the byte length is odd.
    """
    raw = memoryview(data).cast("B")
    if raw.nbytes % 2:
        raise ValueError(f"PCM16 audio needs an even number of bytes, got {raw.nbytes}")
    samples = np.frombuffer(raw, dtype=_PCM16_LE).astype(np.int16, copy=copy)
    samples.flags.writeable = copy
    return samples


def pcm16_to_bytes(samples: NDArray[np.int16]) -> bytes:
    """Serialise PCM16 samples as little-endian bytes, whatever the host byte order.

    Args:
        samples: PCM16 samples, in any byte order.

    Returns:
        Two bytes per sample, little-endian.

    Raises:
        TypeError: If ``samples`` is not an int16 array.
    """
    return bytes(_pcm16_le_buffer(samples))


def to_pcm16(audio: AudioInput) -> NDArray[np.int16]:
    """Turn any supported audio representation into a native-endian int16 array.

    This is the single entry point behind every "audio may be bytes, an int16 array or a
    float array" parameter.

    Args:
        audio: PCM16 little-endian bytes, a one-dimensional int16 array (any byte order) or a
            one-dimensional float array with samples in ``[-1.0, 1.0]``.

    Returns:
        Native-endian int16 samples. An array that already is native int16 is returned as is,
        without copying.

    Raises:
        TypeError: If an array has a dtype other than int16 or floating point.
        ValueError: If bytes have an odd length or an array is not one-dimensional.
    """
    if isinstance(audio, bytes | bytearray | memoryview):
        return pcm16_from_bytes(audio)
    if audio.ndim != 1:
        raise ValueError(f"audio must be mono (a 1-D array), got shape {audio.shape}")
    if audio.dtype.kind == "f":
        return float_to_pcm16(audio)
    if audio.dtype.kind == "i" and audio.dtype.itemsize == 2:
        return audio.astype(np.int16, copy=False)
    raise TypeError(
        f"audio arrays must be int16 (PCM16) or floating point in [-1, 1], got dtype {audio.dtype}"
    )


def encode_base64(audio: AudioInput) -> str:
    """Base64-encode audio for an ``input_audio_buffer.append`` event.

    Args:
        audio: Bytes are encoded unchanged, so already-encoded audio (PCM16 little-endian, or
            G.711 codes) passes straight through. Arrays are converted with :func:`to_pcm16`
            and encoded as PCM16 little-endian.

    Returns:
        The base64 text.

    Raises:
        TypeError: If an array has an unsupported dtype.
        ValueError: If an array is not one-dimensional.
    """
    return _b64encode(_audio_buffer(audio)).decode("ascii")


def decode_base64(text: str, *, copy: bool = True) -> NDArray[np.int16]:
    """Decode base64 PCM16 audio, as found in ``response.output_audio.delta`` events.

    Args:
        text: Base64 text of little-endian PCM16 audio.
        copy: As for :func:`pcm16_from_bytes`: ``copy=False`` returns a read-only view of the
            decoded bytes, so the base64 decoder's output is the only copy made.

    Returns:
        Native-endian int16 samples.

    Raises:
        ValueError: If the text is not valid base64 (``binascii.Error`` is a ``ValueError``) or
            decodes to an odd number of bytes.
    """
    return pcm16_from_bytes(_b64decode_strict(text), copy=copy)


def split_for_append(
    audio: AudioInput, *, max_chars: int = MAX_APPEND_BASE64_BYTES
) -> Iterator[str]:
    """Base64-encode audio in pieces small enough for one ``input_audio_buffer.append`` each.

    Each piece encodes a whole number of 6-byte blocks (except possibly the last), so it is
    valid base64 on its own, never splits a PCM16 sample, and decoding the pieces one by one
    and concatenating the samples gives back the original audio.

    Args:
        audio: Anything :func:`encode_base64` accepts.
        max_chars: Longest base64 piece to yield; at least 8.

    Returns:
        An iterator of base64 strings of at most ``max_chars`` characters, encoded lazily.
        Empty audio gives none.

    Raises:
        ValueError: If ``max_chars`` is below 8, or as :func:`encode_base64`.
        TypeError: As :func:`encode_base64`.
    """
    if max_chars < 8:
        raise ValueError(f"max_chars must be at least 8, got {max_chars}")
    # B raw bytes (B a multiple of 3) encode to exactly 4 * B / 3 characters without padding;
    # a multiple of 6 is also a multiple of the 2-byte sample size.
    chunk_bytes = (max_chars // 8) * 6
    buffer = _audio_buffer(audio)
    return (
        _b64encode(buffer[start : start + chunk_bytes]).decode("ascii")
        for start in range(0, buffer.nbytes, chunk_bytes)
    )


def samples_to_ms(sample_count: int, rate: int = SAMPLE_RATE) -> int:
    """Convert a sample count to whole milliseconds, rounding down.

    Rounding down matters for ``conversation.item.truncate``: its ``audio_end_ms`` must never
    claim more audio than was actually played.

    Args:
        sample_count: Number of samples (per channel).
        rate: Sample rate in Hz.

    Returns:
        ``floor(sample_count * 1000 / rate)``.

    Raises:
        ValueError: If ``sample_count`` is negative or ``rate`` is not positive.
    """
    _check_rate(rate)
    if sample_count < 0:
        raise ValueError(f"sample_count must not be negative, got {sample_count}")
    return sample_count * 1000 // rate


def ms_to_samples(ms: float, rate: int = SAMPLE_RATE) -> int:
    """Convert a duration in milliseconds to a sample count, rounding down.

    Args:
        ms: Duration in milliseconds.
        rate: Sample rate in Hz.

    Returns:
        ``floor(ms * rate / 1000)``.

    Raises:
        ValueError: If ``ms`` is negative or not finite, or ``rate`` is not positive.
    """
    _check_rate(rate)
    if not (math.isfinite(ms) and ms >= 0):
        raise ValueError(f"ms must be a finite, non-negative duration, got {ms}")
    return math.floor(ms * rate / 1000)


def chunk_samples(
    samples: NDArray[_ScalarT], *, chunk_ms: float, rate: int = SAMPLE_RATE
) -> Iterator[NDArray[_ScalarT]]:
    """Split samples into fixed-duration chunks for streaming.

    Args:
        samples: One-dimensional sample array.
        chunk_ms: Duration of each chunk in milliseconds.
        rate: Sample rate of ``samples`` in Hz.

    Returns:
        An iterator of consecutive views (not copies) of ``ms_to_samples(chunk_ms, rate)``
        samples each; the last one may be shorter.

    Raises:
        ValueError: If a chunk would hold less than one sample.
    """
    chunk_size = ms_to_samples(chunk_ms, rate)
    if chunk_size < 1:
        raise ValueError(f"chunk_ms={chunk_ms} holds no whole sample at {rate} Hz")
    return (samples[start : start + chunk_size] for start in range(0, len(samples), chunk_size))


@overload
def resample(samples: NDArray[np.int16], from_rate: int, to_rate: int) -> NDArray[np.int16]: ...
@overload
def resample(
    samples: NDArray[np.floating[Any]], from_rate: int, to_rate: int
) -> NDArray[np.float32]: ...
@overload
def resample(samples: NDArray[Any], from_rate: int, to_rate: int) -> NDArray[Any]: ...
def resample(samples: NDArray[Any], from_rate: int, to_rate: int) -> NDArray[Any]:
    """Change the sample rate with a rational polyphase filter.

    The ratio ``to_rate / from_rate`` is reduced to ``up / down``. Conceptually the signal is
    upsampled by ``up`` (zeros inserted), low-pass filtered by a Kaiser-windowed sinc with
    about 80 dB of stopband attenuation (passband flat to 85% of the lower of the two Nyquist
    frequencies, stopband from that Nyquist frequency up), and downsampled by ``down``; only
    the products with non-zero input samples are ever computed. The filter's delay is
    compensated, so output sample ``n`` lies at the same instant as input time ``n / to_rate``.
    The edges are computed as if the signal were surrounded by silence.

    Args:
        samples: One-dimensional int16 or float samples.
        from_rate: Sample rate of ``samples`` in Hz.
        to_rate: Wanted sample rate in Hz.

    Returns:
        ``ceil(len(samples) * to_rate / from_rate)`` samples: int16 (rounded half to even and
        clipped) for int16 input, float32 for float input. Always a new array, even when the
        rates are equal.

    Raises:
        TypeError: If the dtype is neither int16 nor floating point.
        ValueError: If the array is not one-dimensional or a rate is not positive.
    """
    _check_rate(from_rate)
    _check_rate(to_rate)
    if samples.ndim != 1:
        raise ValueError(f"samples must be mono (a 1-D array), got shape {samples.shape}")
    is_pcm16 = samples.dtype.kind == "i" and samples.dtype.itemsize == 2
    if not is_pcm16 and samples.dtype.kind != "f":
        raise TypeError(f"samples must be int16 or floating point, got dtype {samples.dtype}")
    if from_rate == to_rate:
        return samples.astype(np.int16 if is_pcm16 else np.float32)
    filtered = polyphase_filter(samples, *reduced_ratio(from_rate, to_rate))
    return _round_to_int16(filtered) if is_pcm16 else filtered.astype(np.float32)


def mulaw_encode(audio: AudioInput) -> NDArray[np.uint8]:
    """Encode PCM16 samples as G.711 mu-law codes (``audio/pcmu``).

    Bit-exact with ITU-T G.711 as implemented by the former ``audioop.lin2ulaw``.

    Args:
        audio: Audio as accepted by :func:`to_pcm16` (8 kHz for the API's ``audio/pcmu``).

    Returns:
        One code byte per sample.

    Raises:
        TypeError: As :func:`to_pcm16`.
        ValueError: As :func:`to_pcm16`.
    """
    return g711.mulaw_encode_table()[_as_table_index(audio)]


def mulaw_decode(codes: _BytesLike | NDArray[np.uint8]) -> NDArray[np.int16]:
    """Decode G.711 mu-law codes to PCM16 samples.

    Bit-exact with ITU-T G.711 as implemented by the former ``audioop.ulaw2lin``.

    Args:
        codes: One code byte per sample, as bytes or a uint8 array.

    Returns:
        Native-endian int16 samples.

    Raises:
        TypeError: If ``codes`` is an array of another dtype than uint8.
    """
    return g711.mulaw_decode_table()[_as_codes(codes)]


def alaw_encode(audio: AudioInput) -> NDArray[np.uint8]:
    """Encode PCM16 samples as G.711 A-law codes (``audio/pcma``).

    Bit-exact with ITU-T G.711 as implemented by the former ``audioop.lin2alaw``.

    Args:
        audio: Audio as accepted by :func:`to_pcm16` (8 kHz for the API's ``audio/pcma``).

    Returns:
        One code byte per sample.

    Raises:
        TypeError: As :func:`to_pcm16`.
        ValueError: As :func:`to_pcm16`.
    """
    return g711.alaw_encode_table()[_as_table_index(audio)]


def alaw_decode(codes: _BytesLike | NDArray[np.uint8]) -> NDArray[np.int16]:
    """Decode G.711 A-law codes to PCM16 samples.

    Bit-exact with ITU-T G.711 as implemented by the former ``audioop.alaw2lin``.

    Args:
        codes: One code byte per sample, as bytes or a uint8 array.

    Returns:
        Native-endian int16 samples.

    Raises:
        TypeError: If ``codes`` is an array of another dtype than uint8.
    """
    return g711.alaw_decode_table()[_as_codes(codes)]


def read_wav(source: _WavSource, *, rate: int = SAMPLE_RATE) -> NDArray[np.int16]:
    """Read a PCM WAV file as mono PCM16 at ``rate``.

    Args:
        source: A path or a binary file object open for reading.
        rate: Sample rate of the returned audio in Hz; the file is resampled if it differs.

    Returns:
        Native-endian int16 samples. Multi-channel audio is downmixed by averaging the
        channels; 8-, 24- and 32-bit samples are scaled to 16 bits.

    Raises:
        ValueError: If ``rate`` is not positive or the file's sample width is unsupported.
        wave.Error: If the file is not an integer PCM WAV file.
    """
    _check_rate(rate)
    with wave.open(_wave_target(source), "rb") as reader:
        channels = reader.getnchannels()
        sample_width = reader.getsampwidth()
        file_rate = reader.getframerate()
        frames = reader.readframes(reader.getnframes())
    if sample_width == 2 and channels == 1 and file_rate == rate:
        return pcm16_from_bytes(frames)
    interleaved = _wav_samples_in_pcm16_scale(frames, sample_width)
    mono = interleaved.reshape(-1, channels).mean(axis=1)
    if file_rate != rate:
        mono = polyphase_filter(mono, *reduced_ratio(file_rate, rate))
    return _round_to_int16(mono)


def write_wav(destination: _WavSource, samples: AudioInput, *, rate: int = SAMPLE_RATE) -> None:
    """Write audio as a mono 16-bit PCM WAV file.

    Args:
        destination: A path or a binary file object open for writing.
        samples: Audio as accepted by :func:`to_pcm16`.
        rate: Sample rate to record in the file, in Hz.

    Raises:
        TypeError: As :func:`to_pcm16`.
        ValueError: As :func:`to_pcm16`, or if ``rate`` is not positive.
    """
    _check_rate(rate)
    buffer = _pcm16_le_buffer(to_pcm16(samples))
    with wave.open(_wave_target(destination), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(buffer)


def _check_rate(rate: int) -> None:
    if rate <= 0:
        raise ValueError(f"sample rate must be positive, got {rate}")


def _round_to_int16(samples: NDArray[np.floating[Any]]) -> NDArray[np.int16]:
    """Round half to even and saturate values on the int16 scale."""
    rounded: NDArray[np.floating[Any]] = np.rint(samples)
    np.clip(rounded, _INT16_MIN, _INT16_MAX, out=rounded)
    return rounded.astype(np.int16)


def _pcm16_le_buffer(samples: NDArray[np.int16]) -> memoryview:
    """Little-endian bytes of int16 samples, without copying when they already are."""
    # "equiv" allows only a byte-order change, so floats or wider ints raise TypeError here
    # instead of being silently truncated.
    little_endian = samples.astype(_PCM16_LE, casting="equiv", copy=False)
    return np.ascontiguousarray(little_endian).data.cast("B")


def _audio_buffer(audio: AudioInput) -> memoryview:
    """Bytes to send for ``audio``: bytes as they are, arrays as PCM16 little-endian."""
    if isinstance(audio, bytes | bytearray | memoryview):
        return memoryview(audio).cast("B")
    return _pcm16_le_buffer(to_pcm16(audio))


# --- G.711 (the tables themselves are in _g711.py) --------------------------------------------


def _as_table_index(audio: AudioInput) -> NDArray[np.uint16]:
    return to_pcm16(audio).view(np.uint16)


def _as_codes(codes: _BytesLike | NDArray[np.uint8]) -> NDArray[np.uint8]:
    if isinstance(codes, bytes | bytearray | memoryview):
        return np.frombuffer(memoryview(codes).cast("B"), dtype=np.uint8)
    if codes.dtype != np.uint8:
        raise TypeError(f"G.711 codes must be bytes or a uint8 array, got dtype {codes.dtype}")
    return codes


# --- WAV --------------------------------------------------------------------------------------


def _wave_target(source: _WavSource) -> str | IO[bytes]:
    # `wave.open` only recognises `str` paths before Python 3.12.
    return os.fspath(source) if isinstance(source, os.PathLike) else source


def _wav_samples_in_pcm16_scale(frames: bytes, sample_width: int) -> NDArray[np.float64]:
    """Interleaved WAV samples as floats on the int16 scale (so -32768.0 is full scale)."""
    if sample_width == 1:
        # 8-bit WAV is the odd one out: unsigned, with silence at 128.
        return (np.frombuffer(frames, dtype=np.uint8).astype(np.float64) - 128.0) * 256.0
    if sample_width == 2:
        return np.frombuffer(frames, dtype=_PCM16_LE).astype(np.float64)
    if sample_width == 3:
        # Put each 3-byte sample in the top of a little-endian int32, which sign-extends it.
        widened = np.zeros((len(frames) // 3, 4), dtype=np.uint8)
        widened[:, 1:] = np.frombuffer(frames, dtype=np.uint8).reshape(-1, 3)
        return widened.view("<i4")[:, 0] / 65536.0
    if sample_width == 4:
        return np.frombuffer(frames, dtype="<i4") / 65536.0
    raise ValueError(f"unsupported WAV sample width: {sample_width} bytes")
