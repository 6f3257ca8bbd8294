"""Input helpers: user messages and input audio as the client events that carry them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias, TypedDict

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from openai_realtime._models import validation_summary
from openai_realtime.audio import AudioInput, encode_base64, split_for_append, to_pcm16
from openai_realtime.errors import ConfigurationError
from openai_realtime.types import (
    ConversationItemCreateEvent,
    InputAudioBufferAppendEvent,
    RealtimeConversationItemMessageUser,
)
from openai_realtime.types.params import UserMessageContentParam

__all__ = ["InputAudioPart", "UserContentPart", "audio_appends", "user_message"]


class InputAudioPart(TypedDict):
    """An ``input_audio`` content part whose audio is samples (sent as base64).

    Attributes:
        type: Always ``input_audio``.
        audio: PCM16 bytes, an int16 array or a float array (24 kHz mono), or base64 text.
    """

    type: Literal["input_audio"]
    audio: AudioInput


UserContentPart: TypeAlias = UserMessageContentParam | InputAudioPart
"""One part of a user message: the wire's content part, or audio still as samples."""


def user_message(content: Sequence[UserContentPart]) -> ConversationItemCreateEvent | None:
    """The ``conversation.item.create`` of a user message, or ``None`` for no content.

    Audio parts may hold PCM16 bytes, an int16 array or a float array; they are sent as base64.

    Raises:
        ConfigurationError: A part the schema rejects (nothing is sent).
    """
    parts = []
    for part in content:
        wire: dict[str, Any] = dict(part)
        if wire.get("type") == "input_audio" and not isinstance(wire.get("audio"), str):
            wire["audio"] = encode_base64(wire["audio"])
        parts.append(wire)
    if not parts:
        return None
    try:
        message = RealtimeConversationItemMessageUser.model_validate({"content": parts})
    except ValidationError as error:
        problems = validation_summary(error)
        raise ConfigurationError(f"invalid message content: {problems}") from None
    return ConversationItemCreateEvent(item=message)


def audio_appends(
    audio: AudioInput,
) -> tuple[NDArray[np.int16], list[InputAudioBufferAppendEvent]]:
    """The samples of ``audio`` and the appends that carry them (split at the 15 MiB limit)."""
    samples = to_pcm16(audio)
    return samples, [
        InputAudioBufferAppendEvent(audio=piece) for piece in split_for_append(samples)
    ]
