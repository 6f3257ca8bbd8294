"""Input audio for the sessions that stream it in ten-second appends (transcriber, translator).

The audio is checked when :func:`append_pieces` is called, so a bad input fails before the
caller checks its connection; the resampling and encoding happen as the pieces are taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from openai_realtime.errors import ConfigurationError
from openai_realtime.protocol.audio import SAMPLE_RATE, encode_base64, resample, to_pcm16

__all__ = ["APPEND_SECONDS", "append_pieces"]

APPEND_SECONDS: Final = 10
"""At most this much audio per append event: well under the 15 MiB frame limit."""


def append_pieces(audio: bytes | NDArray[Any], sample_rate: int) -> Iterator[str]:
    """The base64 audio of each append event that carries ``audio`` at the session's rate.

    Args:
        audio: Mono audio: PCM16 little-endian bytes, an int16 array, or a float array in
            ``[-1, 1]``.
        sample_rate: Its rate; audio at another rate than the session's 24 kHz is resampled.

    Returns:
        The pieces, each at most :data:`APPEND_SECONDS` long; empty audio gives one empty
        piece.

    Raises:
        ConfigurationError: The audio is not mono PCM16 or float, or the rate is not positive.
    """
    if sample_rate <= 0:
        raise ConfigurationError(f"sample_rate must be positive, got {sample_rate}")
    try:
        samples = to_pcm16(audio)
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"unsupported input audio: {error}") from None
    return _pieces(samples, sample_rate)


def _pieces(samples: NDArray[np.int16], sample_rate: int) -> Iterator[str]:
    if sample_rate != SAMPLE_RATE:
        samples = resample(samples, sample_rate, SAMPLE_RATE)
    step = SAMPLE_RATE * APPEND_SECONDS
    for start in range(0, max(len(samples), 1), step):
        yield encode_base64(samples[start : start + step])
