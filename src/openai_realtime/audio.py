"""Public audio helpers: PCM16 conversion, base64, resampling, G.711 and WAV files.

Re-exports :mod:`openai_realtime.protocol.audio`, where the implementation and its
documentation live.
"""

from __future__ import annotations

# The star import and the `+=` below are the spelling type checkers read as a re-export of
# exactly the implementation's __all__, so the list of names lives in one place.
import openai_realtime.protocol.audio
from openai_realtime.protocol.audio import *  # noqa: F403

__all__: list[str] = []
__all__ += openai_realtime.protocol.audio.__all__
