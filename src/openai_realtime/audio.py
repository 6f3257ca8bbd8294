"""Public audio helpers: PCM16 conversion, base64, resampling, G.711 and WAV files.

Re-exports :mod:`openai_realtime.protocol.audio`, where the implementation and its
documentation live.
"""

from __future__ import annotations

from openai_realtime.protocol.audio import (
    G711_SAMPLE_RATE,
    MAX_APPEND_BASE64_BYTES,
    SAMPLE_RATE,
    AudioInput,
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
