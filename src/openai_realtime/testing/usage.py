"""Plausible token accounting: ``usage`` in ``response.done`` and transcription events, and
``rate_limits.updated``.

The numbers are estimates with the service's rough proportions (about four characters per text
token, ten tokens per second of input audio, twenty per second of output audio), so clients can
exercise their cost tracking; they are not what the service would bill.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from openai_realtime.types import (
    RateLimit,
    RealtimeResponseUsage,
    RealtimeResponseUsageInputTokenDetails,
    RealtimeResponseUsageInputTokenDetailsCachedTokensDetails,
    RealtimeResponseUsageOutputTokenDetails,
    TranscriptTextUsageTokens,
    TranscriptTextUsageTokensInputTokenDetails,
)

__all__ = ["RateLimitBudget", "TokenCount", "response_usage", "text_tokens", "transcription_usage"]

CHARS_PER_TOKEN = 4
INPUT_AUDIO_TOKENS_PER_SECOND = 10
OUTPUT_AUDIO_TOKENS_PER_SECOND = 20


def text_tokens(char_count: int) -> int:
    """Estimated tokens for ``char_count`` characters of text."""
    return math.ceil(char_count / CHARS_PER_TOKEN)


@dataclass(frozen=True)
class TokenCount:
    """Text and audio tokens of one side (input or output) of a response.

    Attributes:
        text: Text tokens.
        audio: Audio tokens.
    """

    text: int = 0
    audio: int = 0

    @classmethod
    def of_input(cls, text_chars: int, audio_seconds: float) -> TokenCount:
        """Estimate what the model reads: text and input audio."""
        return cls(
            text_tokens(text_chars), math.ceil(audio_seconds * INPUT_AUDIO_TOKENS_PER_SECOND)
        )

    @classmethod
    def of_output(cls, text_chars: int, audio_seconds: float) -> TokenCount:
        """Estimate what the model writes: text (or transcript) and output audio."""
        return cls(
            text_tokens(text_chars), math.ceil(audio_seconds * OUTPUT_AUDIO_TOKENS_PER_SECOND)
        )

    @property
    def total(self) -> int:
        """Text plus audio tokens."""
        return self.text + self.audio


def response_usage(read: TokenCount, written: TokenCount) -> RealtimeResponseUsage:
    """The ``usage`` object of ``response.done``.

    Args:
        read: Input tokens.
        written: Output tokens.

    Returns:
        The usage, with no cached tokens.
    """
    return RealtimeResponseUsage(
        total_tokens=read.total + written.total,
        input_tokens=read.total,
        output_tokens=written.total,
        input_token_details=RealtimeResponseUsageInputTokenDetails(
            text_tokens=read.text,
            audio_tokens=read.audio,
            image_tokens=0,
            cached_tokens=0,
            cached_tokens_details=RealtimeResponseUsageInputTokenDetailsCachedTokensDetails(
                text_tokens=0, audio_tokens=0, image_tokens=0
            ),
        ),
        output_token_details=RealtimeResponseUsageOutputTokenDetails(
            text_tokens=written.text, audio_tokens=written.audio
        ),
    )


def transcription_usage(audio_seconds: float, transcript: str) -> TranscriptTextUsageTokens:
    """The ``usage`` of ``conversation.item.input_audio_transcription.completed``."""
    read = TokenCount.of_input(0, audio_seconds)
    written = text_tokens(len(transcript))
    return TranscriptTextUsageTokens(
        input_tokens=read.audio,
        input_token_details=TranscriptTextUsageTokensInputTokenDetails(
            text_tokens=0, audio_tokens=read.audio
        ),
        output_tokens=written,
        total_tokens=read.audio + written,
    )


class RateLimitBudget:
    """Per-connection request and token budgets that responses use up.

    Args:
        requests: Requests allowed per window.
        tokens: Tokens allowed per window.
    """

    WINDOW_SECONDS = 60.0

    def __init__(self, requests: int = 1000, tokens: int = 50_000) -> None:
        self._request_limit = requests
        self._token_limit = tokens
        self._requests_used = 0
        self._tokens_used = 0

    def spend(self, tokens: int) -> list[RateLimit]:
        """Record the start of a response reading ``tokens``; return the limits to report."""
        self._requests_used += 1
        self._tokens_used += tokens
        return self._limits()

    def record_output(self, tokens: int) -> None:
        """Count what a response wrote (reported at the start of the next one)."""
        self._tokens_used += tokens

    def _limits(self) -> list[RateLimit]:
        return [
            RateLimit(
                name="requests",
                limit=self._request_limit,
                remaining=max(0, self._request_limit - self._requests_used),
                reset_seconds=self.WINDOW_SECONDS,
            ),
            RateLimit(
                name="tokens",
                limit=self._token_limit,
                remaining=max(0, self._token_limit - self._tokens_used),
                reset_seconds=self.WINDOW_SECONDS,
            ),
        ]
