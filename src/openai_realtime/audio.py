"""Public audio helpers: PCM16 conversion, base64, resampling, G.711 and WAV files.

Re-exports :mod:`openai_realtime.protocol.audio`, where the implementation and its
documentation live.
"""

from __future__ import annotations

# The star import brings exactly the implementation's __all__, and __all__ is that list, so the
# names live in one place. mypy reads the `+=` as a re-export; pyright cannot follow it to a
# module outside this package and falls back to the public names bound here (those names).
import openai_realtime.protocol.audio
from openai_realtime.protocol.audio import *  # noqa: F403

__all__: list[str] = []
__all__ += openai_realtime.protocol.audio.__all__  # pyright: ignore[reportUnsupportedDunderAll]
