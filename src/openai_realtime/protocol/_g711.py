"""The ITU-T G.711 companding tables behind ``audio.py``'s ``mulaw_*`` / ``alaw_*`` functions.

Mu-law encodes the top 14 bits of a sample, A-law the top 13 bits, as a sign bit, a 3-bit
segment (the position of the leading one, i.e. a rough exponent) and a 4-bit mantissa. Mu-law
inverts all bits of the code, A-law the even ones (mask 0x55). The tables are built once, on
first use, by applying the formulas to every possible input, so encoding and decoding are a
single numpy lookup.
"""

from __future__ import annotations

import functools
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "alaw_decode_table",
    "alaw_encode_table",
    "mulaw_decode_table",
    "mulaw_encode_table",
]

_ScalarT = TypeVar("_ScalarT", bound=np.generic)

_MULAW_BIAS = 0x84  # 132: shifts segment boundaries to powers of two
_MULAW_CLIP = 8159  # largest 14-bit magnitude that still fits the top segment with the bias
_MULAW_SEGMENT_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
_ALAW_SEGMENT_ENDS = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def _all_pcm16_values() -> NDArray[np.int32]:
    """Every int16 value, ordered by its bit pattern read as uint16 (the table index)."""
    return np.arange(1 << 16, dtype=np.uint16).view(np.int16).astype(np.int32)


def _all_codes() -> NDArray[np.int32]:
    return np.arange(256, dtype=np.int32)


def _frozen(table: NDArray[_ScalarT]) -> NDArray[_ScalarT]:
    table.setflags(write=False)  # shared by every caller through the cache
    return table


@functools.cache
def mulaw_encode_table() -> NDArray[np.uint8]:
    """PCM16 value (indexed by its bits as uint16) -> mu-law code."""
    value = _all_pcm16_values() >> 2
    negative = value < 0
    magnitude = np.minimum(np.abs(value), _MULAW_CLIP) + (_MULAW_BIAS >> 2)
    segment = np.searchsorted(_MULAW_SEGMENT_ENDS, magnitude)
    mantissa = (magnitude >> (segment + 1)) & 0x0F
    # Only the clipped full-scale magnitude lands past the last segment; it takes the top code.
    code = np.where(segment >= 8, 0x7F, (segment << 4) | mantissa)
    return _frozen((code ^ np.where(negative, 0x7F, 0xFF)).astype(np.uint8))


@functools.cache
def mulaw_decode_table() -> NDArray[np.int16]:
    """Mu-law code -> PCM16 value."""
    inverted = ~_all_codes() & 0xFF
    segment = (inverted & 0x70) >> 4
    magnitude = ((((inverted & 0x0F) << 3) + _MULAW_BIAS) << segment) - _MULAW_BIAS
    return _frozen(np.where(inverted & 0x80, -magnitude, magnitude).astype(np.int16))


@functools.cache
def alaw_encode_table() -> NDArray[np.uint8]:
    """PCM16 value (indexed by its bits as uint16) -> A-law code."""
    value = _all_pcm16_values() >> 3
    negative = value < 0
    # One's complement for negatives, so -1 and 0 share the smallest magnitude.
    magnitude = np.where(negative, -value - 1, value)
    segment = np.searchsorted(_ALAW_SEGMENT_ENDS, magnitude)  # 13-bit input never overflows
    mantissa = (magnitude >> np.maximum(segment, 1)) & 0x0F
    code = (segment << 4) | mantissa
    return _frozen((code ^ np.where(negative, 0x55, 0xD5)).astype(np.uint8))


@functools.cache
def alaw_decode_table() -> NDArray[np.int16]:
    """A-law code -> PCM16 value."""
    toggled = _all_codes() ^ 0x55
    segment = (toggled & 0x70) >> 4
    # Reconstruct at the middle of the quantisation step; segments 0 and 1 share a step size.
    magnitude = ((toggled & 0x0F) << 4) + np.where(segment == 0, 8, 0x108)
    magnitude <<= np.maximum(segment - 1, 0)
    return _frozen(np.where(toggled & 0x80, magnitude, -magnitude).astype(np.int16))
