"""The polyphase resampler behind :func:`openai_realtime.protocol.audio.resample`.

The numeric kernel only: the Kaiser-windowed sinc filter bank for a rational rate change, and
its application to a whole signal. ``audio.py`` validates rates and dtypes and rounds the
float64 result; keeping the filter design here keeps that module to its format conversions.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

__all__ = ["polyphase_filter", "reduced_ratio"]

# Filter design targets for `resample`. 80 dB keeps both aliasing and passband ripple (a Kaiser
# window has the same ripple in both bands) below what 16-bit audio can represent in practice,
# and the stopband starts exactly at the lower Nyquist frequency so nothing above it folds back.
_STOPBAND_ATTENUATION_DB = 80.0
_TRANSITION_FRACTION = 0.15  # of the lower Nyquist frequency: passband ends at 85% of it


def reduced_ratio(from_rate: int, to_rate: int) -> tuple[int, int]:
    """The rate change ``to_rate / from_rate`` as ``(up, down)`` in lowest terms."""
    common = math.gcd(from_rate, to_rate)
    return to_rate // common, from_rate // common


class _FilterBank(NamedTuple):
    phases: NDArray[np.float64]
    """Row ``p``: taps ``p, p + up, p + 2 * up, ...`` of the prototype, reversed, zero-padded."""
    delay: int
    """Group delay of the prototype filter, in samples at the upsampled rate."""


@functools.lru_cache(maxsize=32)
def _filter_bank(up: int, down: int) -> _FilterBank:
    """Design the Kaiser-windowed sinc low-pass for a rate change by ``up / down``.

    The prototype filter runs at ``up`` times the input rate. Its stopband starts at the lower
    of the two Nyquist frequencies. Each phase row is ready to be dotted with a window of
    consecutive input samples.
    """
    lower_nyquist = 0.5 / max(up, down)  # in cycles per sample at the upsampled rate
    transition = _TRANSITION_FRACTION * lower_nyquist
    cutoff = lower_nyquist - transition / 2
    # Kaiser's empirical formulas for the window length and shape that reach the attenuation.
    attenuation = _STOPBAND_ATTENUATION_DB
    length = math.ceil((attenuation - 7.95) / (2.285 * 2 * math.pi * transition)) + 1
    length += 1 - length % 2  # odd, so the delay is a whole number of samples
    beta = 0.1102 * (attenuation - 8.7)
    offsets = np.arange(length) - (length - 1) / 2
    prototype = 2 * cutoff * np.sinc(2 * cutoff * offsets) * np.kaiser(length, beta)
    # Zero insertion divides the signal's level by `up`; the filter gives it back.
    prototype *= up / prototype.sum()
    taps_per_phase = -(-length // up)
    padded = np.zeros(taps_per_phase * up)
    padded[:length] = prototype
    phases = np.ascontiguousarray(padded.reshape(taps_per_phase, up).T[:, ::-1])
    phases.setflags(write=False)  # shared by every caller through the cache
    return _FilterBank(phases, (length - 1) // 2)


def polyphase_filter(samples: NDArray[Any], up: int, down: int) -> NDArray[np.float64]:
    """Resample by ``up / down`` (already reduced); float64 result, not rounded."""
    phases, delay = _filter_bank(up, down)
    taps_per_phase = phases.shape[1]
    input_count = len(samples)
    output_count = -(-input_count * up // down)
    output = np.zeros(output_count)
    if output_count == 0:
        return output
    # Output n sits at time n * down + delay on the upsampled grid. The input samples that
    # meet non-zero taps there are the `taps_per_phase` ones ending at index time // up, so
    # with `taps_per_phase - 1` zeros in front, window `time // up` of the padded input holds
    # exactly them (zeros stand in for samples before the start and after the end).
    last_index = ((output_count - 1) * down + delay) // up
    padded = np.zeros(taps_per_phase - 1 + max(input_count, last_index + 1))
    padded[taps_per_phase - 1 : taps_per_phase - 1 + input_count] = samples
    windows = sliding_window_view(padded, taps_per_phase)
    # Outputs n, n + up, n + 2 * up, ... share a phase, and their windows are `down` apart, so
    # each group is one strided matrix-vector product.
    for first in range(min(up, output_count)):
        time = first * down + delay
        group_size = len(range(first, output_count, up))
        start = time // up
        group_windows = windows[start : start + (group_size - 1) * down + 1 : down]
        output[first::up] = group_windows @ phases[time % up]
    return output
