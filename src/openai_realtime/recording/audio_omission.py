"""Leave audio out of recorded frames (``audio="length"``), and put placeholders back for replay.

Audio is most of a voice session's bytes and rarely what a bug is about. Omitting it keeps the
frame a valid JSON object of the same shape, with each payload replaced by its size::

    {"type": "input_audio_buffer.append", "audio": {"omitted_base64_chars": 6400,
                                                    "omitted_bytes": 4800}}

Restoring writes that many zero bytes (silence in PCM16) back as base64, so a replay sees audio
of the original length: durations, truncation points and sample counts stay right.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Final

__all__ = ["OMITTED_MARKER", "omit_audio", "restore_audio"]

OMITTED_MARKER: Final = "omitted_base64_chars"
"""The key of the object that stands in for an omitted audio payload."""
_OMITTED_BYTES: Final = "omitted_bytes"
_AUDIO_DELTA_TYPE: Final = "response.output_audio.delta"
_AUDIO_FIELD: Final = "audio"
_DELTA_FIELD: Final = "delta"


def _marker(payload: str) -> dict[str, int]:
    # Padding characters carry no bytes: 4 base64 characters are 3 bytes, minus one per "=".
    padding = len(payload) - len(payload.rstrip("="))
    return {OMITTED_MARKER: len(payload), _OMITTED_BYTES: len(payload) * 3 // 4 - padding}


def _is_marker(value: object) -> bool:
    return isinstance(value, dict) and OMITTED_MARKER in value


def _silence(marker: dict[str, Any]) -> str:
    return base64.b64encode(bytes(int(marker.get(_OMITTED_BYTES, 0)))).decode("ascii")


def _omit_in(value: Any) -> Any:
    """``value`` with every string ``audio`` field replaced by a marker, at any depth."""
    if isinstance(value, dict):
        return {
            key: _marker(item) if key == _AUDIO_FIELD and isinstance(item, str) else _omit_in(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_omit_in(item) for item in value]
    return value


def _restore_in(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _silence(item) if _is_marker(item) else _restore_in(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_restore_in(item) for item in value]
    return value


def omit_audio(frame: str) -> str:
    """Replace the base64 audio payloads of one frame by their sizes.

    Args:
        frame: The frame text. Text that is not a JSON object is returned unchanged: a
            malformed frame is recorded as it was, since it may be the bug.

    Returns:
        The frame as compact JSON without audio, or ``frame`` itself when it had none.
    """
    try:
        event = json.loads(frame)
    except ValueError:
        return frame
    if not isinstance(event, dict):
        return frame
    omitted = _omit_in(event)
    delta = omitted.get(_DELTA_FIELD)
    if omitted.get("type") == _AUDIO_DELTA_TYPE and isinstance(delta, str):
        omitted[_DELTA_FIELD] = _marker(delta)
    if omitted == event:
        return frame
    return json.dumps(omitted, ensure_ascii=False, separators=(",", ":"))


def restore_audio(frame: str) -> str:
    """Put silence of the recorded length where :func:`omit_audio` left a marker.

    Args:
        frame: A recorded frame text.

    Returns:
        The frame with decodable audio payloads, or ``frame`` itself when nothing was omitted.
    """
    if OMITTED_MARKER not in frame:
        return frame
    try:
        event = json.loads(frame)
    except ValueError:
        return frame
    return json.dumps(_restore_in(event), ensure_ascii=False, separators=(",", ":"))
