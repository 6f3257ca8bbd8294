"""Printing a conversation as it streams: the assistant's words as they arrive, then the rest.

The assistant's text (or the transcript of its speech) is written delta by delta on one
``assistant:`` line; anything else that must be printed meanwhile (a user transcript, a VAD
event, a tool call) first ends that line, so lines never run into each other.
"""

from __future__ import annotations

from openai_realtime.cli._common import notice
from openai_realtime.client import RealtimeClient
from openai_realtime.local_events import (
    ClientErrorPayload,
    ConversationItemCompletedEvent,
    ConversationUpdatedEvent,
)
from openai_realtime.types import (
    ConversationItemInputAudioTranscriptionCompletedEvent,
    ConversationItemInputAudioTranscriptionFailedEvent,
    ErrorEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
)

__all__ = ["LivePrinter"]


class LivePrinter:
    """Prints a client's conversation on stdout while it happens (server errors on stderr).

    Args:
        client: The client to follow; handlers are added at once.
        show_vad: Also print when server VAD hears speech start and stop.
    """

    def __init__(self, client: RealtimeClient, *, show_vad: bool = False) -> None:
        self._open_item: str | None = None
        self._at_word_start = True
        client.on("conversation.updated", self._on_updated)
        client.on("conversation.item.completed", self._on_completed)
        client.on(
            "server.conversation.item.input_audio_transcription.completed", self._on_transcript
        )
        client.on(
            "server.conversation.item.input_audio_transcription.failed",
            self._on_transcription_failed,
        )
        client.on("error", self._on_error)
        if show_vad:
            client.on("server.input_audio_buffer.speech_started", self._on_speech_started)
            client.on("server.input_audio_buffer.speech_stopped", self._on_speech_stopped)

    def line(self, text: str) -> None:
        """Print a whole line, after ending the assistant's line if one is open."""
        self.end_line()
        print(text, flush=True)

    def end_line(self) -> None:
        """End the assistant's line if one is open."""
        if self._open_item is not None:
            self._open_item = None
            print(flush=True)

    def _on_updated(self, event: ConversationUpdatedEvent) -> None:
        delta = event.delta
        if event.item.role != "assistant" or delta is None:
            return
        words = delta.transcript or delta.text
        if not words:
            return
        if self._open_item != event.item.id:
            self.end_line()
            self._open_item = event.item.id
            print("assistant: ", end="")
        print(words, end="", flush=True)
        self._at_word_start = words[-1].isspace()

    def _on_completed(self, event: ConversationItemCompletedEvent) -> None:
        if event.item.id != self._open_item:
            return
        if event.item.status == "incomplete":  # cancelled, or out of output tokens
            print("[cut off]" if self._at_word_start else " [cut off]", end="")
        self.end_line()

    def _on_transcript(self, event: ConversationItemInputAudioTranscriptionCompletedEvent) -> None:
        self.line(f"you (transcribed): {event.transcript}")

    def _on_transcription_failed(
        self, event: ConversationItemInputAudioTranscriptionFailedEvent
    ) -> None:
        self.line(f"you: (the transcription failed: {event.error.message or 'no reason given'})")

    def _on_speech_started(self, event: InputAudioBufferSpeechStartedEvent) -> None:
        self.line(f"(server VAD: speech started at {event.audio_start_ms / 1000:.2f} s)")

    def _on_speech_stopped(self, event: InputAudioBufferSpeechStoppedEvent) -> None:
        self.line(f"(server VAD: speech stopped at {event.audio_end_ms / 1000:.2f} s)")

    def _on_error(self, event: ClientErrorPayload) -> None:
        self.end_line()
        if isinstance(event, ErrorEvent):
            notice(f"server error: {event.error.message}")
        else:
            notice(f"warning: {event.message}")
