"""The session's audio formats: turning wire base64 into samples and back.

``audio/pcm`` is PCM16 at 24 kHz; ``audio/pcmu`` and ``audio/pcma`` are G.711 at 8 kHz. The fake
server works on PCM16 samples at the format's own rate, so G.711 audio is decoded on the way in
and encoded on the way out, and no resampling happens on the hot path.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from openai_realtime.protocol.audio import (
    G711_SAMPLE_RATE,
    SAMPLE_RATE,
    alaw_decode,
    alaw_encode,
    mulaw_decode,
    mulaw_encode,
    pcm16_from_bytes,
    pcm16_to_bytes,
)

__all__ = ["PCM_24K", "AudioFormat"]

FormatKind = Literal["audio/pcm", "audio/pcmu", "audio/pcma"]


@dataclass(frozen=True)
class AudioFormat:
    """One wire audio format.

    Attributes:
        kind: The format's ``type`` on the wire.
        rate: Its sample rate in Hz.
    """

    kind: FormatKind
    rate: int

    @classmethod
    def from_wire(cls, wire_format: Mapping[str, Any] | None) -> AudioFormat:
        """Read a ``{"type": ..., "rate": ...}`` format object; ``None`` means the default PCM.

        Args:
            wire_format: The format as found in a session or response configuration.

        Returns:
            The matching format (unknown types fall back to 24 kHz PCM16).
        """
        kind = (wire_format or {}).get("type")
        if kind == "audio/pcmu":
            return cls("audio/pcmu", G711_SAMPLE_RATE)
        if kind == "audio/pcma":
            return cls("audio/pcma", G711_SAMPLE_RATE)
        return PCM_24K

    def decode(self, payload: str) -> NDArray[np.int16]:
        """Decode base64 audio in this format into PCM16 samples at :attr:`rate`.

        Args:
            payload: Base64 text, as in ``input_audio_buffer.append``.

        Returns:
            The samples.

        Raises:
            ValueError: The text is not base64, or PCM16 bytes have an odd length.
        """
        try:
            raw = base64.b64decode(payload, validate=True)
        except binascii.Error as error:
            raise ValueError(f"audio is not valid base64: {error}") from None
        if self.kind == "audio/pcmu":
            return mulaw_decode(raw)
        if self.kind == "audio/pcma":
            return alaw_decode(raw)
        return pcm16_from_bytes(raw)

    def encode(self, samples: NDArray[np.int16]) -> str:
        """Encode PCM16 samples at :attr:`rate` as base64 audio in this format.

        Args:
            samples: The samples.

        Returns:
            Base64 text.
        """
        if self.kind == "audio/pcmu":
            raw = mulaw_encode(samples).tobytes()
        elif self.kind == "audio/pcma":
            raw = alaw_encode(samples).tobytes()
        else:
            raw = pcm16_to_bytes(samples)
        return base64.b64encode(raw).decode("ascii")

    def to_wire(self) -> dict[str, Any]:
        """The format as a wire object, e.g. ``{"type": "audio/pcm", "rate": 24000}``."""
        if self.kind == "audio/pcm":
            return {"type": self.kind, "rate": self.rate}
        return {"type": self.kind}

    def samples_for_ms(self, ms: float) -> int:
        """Return how many samples ``ms`` milliseconds hold (rounded down)."""
        return int(ms * self.rate // 1000)

    def ms_for_samples(self, sample_count: int) -> int:
        """Return how many whole milliseconds ``sample_count`` samples last (rounded down)."""
        return sample_count * 1000 // self.rate


PCM_24K = AudioFormat("audio/pcm", SAMPLE_RATE)
"""The default format: PCM16, 24 kHz, mono."""
