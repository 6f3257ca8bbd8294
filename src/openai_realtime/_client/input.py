"""Input helpers: user messages and input audio as the client events that carry them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openai_realtime.audio import AudioInput, encode_base64, split_for_append, to_pcm16
from openai_realtime.types import (
    ConversationItemCreateEvent,
    InputAudioBufferAppendEvent,
    RealtimeConversationItemMessageUser,
)

__all__ = ["audio_appends", "user_message"]


def user_message(content: Sequence[Mapping[str, Any]]) -> ConversationItemCreateEvent | None:
    """The ``conversation.item.create`` of a user message, or ``None`` for no content.

    Audio parts may hold PCM16 bytes, an int16 array or a float array; they are sent as base64.
    """
    parts = []
    for part in content:
        wire = dict(part)
        if wire.get("type") == "input_audio" and not isinstance(wire.get("audio"), str):
            wire["audio"] = encode_base64(wire["audio"])
        parts.append(wire)
    if not parts:
        return None
    message = RealtimeConversationItemMessageUser.model_validate({"content": parts})
    return ConversationItemCreateEvent(item=message)


def audio_appends(
    audio: AudioInput,
) -> tuple[NDArray[np.int16], list[InputAudioBufferAppendEvent]]:
    """The samples of ``audio`` and the appends that carry them (split at the 15 MiB limit)."""
    samples = to_pcm16(audio)
    return samples, [
        InputAudioBufferAppendEvent(audio=piece) for piece in split_for_append(samples)
    ]
