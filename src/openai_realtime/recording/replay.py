"""Rebuild the conversation of a recording offline, and print it as a chat log.

The recorded server frames go through the same codec and the same
:class:`~openai_realtime.protocol.conversation.RealtimeConversation` a live client uses, so the
replayed items are the ones the client had: same ids, text, transcripts, audio and tool calls.
The user's own audio is never sent back by the server; it is taken from the recorded
``input_audio_buffer.append`` frames, as the live client hands it to its store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from openai_realtime.errors import ConversationError, ProtocolError
from openai_realtime.protocol.audio import SAMPLE_RATE, decode_base64
from openai_realtime.protocol.conversation import RealtimeConversation
from openai_realtime.protocol.items import ConversationItem
from openai_realtime.recording.decoded import TimedEvent, decode_frames
from openai_realtime.recording.reader import Recording
from openai_realtime.types import (
    ConversationItemTruncatedEvent,
    ErrorEvent,
    InputAudioBufferAppendEvent,
)

__all__ = ["ReplayedSession", "format_conversation", "replay_conversation", "replay_recording"]


@dataclass
class ReplayedSession:
    """What replaying a recording produced.

    Attributes:
        conversation: The rebuilt conversation store.
        first_seen: When each item first appeared, in seconds since the recording started.
        truncations: Items whose audio was cut, with the ``audio_end_ms`` of the cut.
        problems: Server errors, undecodable frames and events the store refused, each with
            its time, in order.
    """

    conversation: RealtimeConversation
    first_seen: dict[str, float] = field(default_factory=dict)
    truncations: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[float, str]] = field(default_factory=list)


def replay_conversation(
    events: Iterable[TimedEvent], *, keep_audio: bool = True
) -> ReplayedSession:
    """Feed decoded recorded events into a fresh conversation store.

    Args:
        events: Decoded frames in recorded order (see :func:`decode_frames`).
        keep_audio: Keep audio in the store, as ``RealtimeClient(keep_audio=...)`` does.

    Returns:
        The rebuilt session. Problems are collected, never raised: a recording of a broken
        session must still replay.
    """
    session = ReplayedSession(RealtimeConversation(keep_audio=keep_audio))
    for timed in events:
        if timed.error is not None:
            problem = f"undecodable {timed.direction} frame: {timed.error}"
            session.problems.append((timed.t, problem))
        elif isinstance(timed.client, InputAudioBufferAppendEvent):
            session.conversation.append_input_audio(decode_base64(timed.client.audio))
        elif (event := timed.server) is not None:
            if isinstance(event, ErrorEvent):
                session.problems.append((timed.t, f"server error: {event.error.message}"))
            elif isinstance(event, ConversationItemTruncatedEvent):
                session.truncations[event.item_id] = event.audio_end_ms
            try:
                item, _ = session.conversation.process_event(event)
            except (ConversationError, ProtocolError) as error:
                session.problems.append((timed.t, f"{event.type}: {error}"))
                continue
            if item is not None:
                session.first_seen.setdefault(item.id, timed.t)
    return session


def replay_recording(recording: Recording, *, keep_audio: bool = True) -> ReplayedSession:
    """Decode a recording and rebuild its conversation.

    Args:
        recording: A recording read with :func:`~openai_realtime.recording.read_recording`.
        keep_audio: See :func:`replay_conversation`.

    Returns:
        The rebuilt session.
    """
    return replay_conversation(decode_frames(recording.frames), keep_audio=keep_audio)


def _seconds(sample_count: int) -> str:
    return f"{sample_count / SAMPLE_RATE:.2f} s"


def _describe(item: ConversationItem, truncated_at_ms: int | None) -> tuple[str, str]:
    """The speaker column and the text of one chat-log line."""
    formatted = item.formatted
    tool = formatted.tool
    if tool is not None:
        return item.role or "assistant", f"calls {tool.name}({tool.arguments}) [{tool.call_id}]"
    if item.type == "function_call_output":
        call_id = getattr(item.item, "call_id", "")
        return "tool", f"output for {call_id}: {formatted.output or ''}"
    parts: list[str] = []
    if len(formatted.audio_buffer):
        audio = f"audio {_seconds(len(formatted.audio_buffer))}"
        if truncated_at_ms is not None:
            audio += f", cut at {truncated_at_ms / 1000:.3f} s"
        parts.append(f"({audio})")
    if formatted.text:
        parts.append(repr(formatted.text))
    if formatted.transcript:
        parts.append(f"transcript: {formatted.transcript!r}")
    if formatted.output is not None:
        parts.append(f"output: {formatted.output}")
    return item.role or item.type, " ".join(parts) or f"({item.type})"


def format_conversation(session: ReplayedSession) -> str:
    """The replayed conversation as a chat log, problems included, in time order.

    Args:
        session: What :func:`replay_conversation` returned.

    Returns:
        One line per item or problem: time since the start, speaker, content; or
        ``(empty conversation)``.
    """
    lines: list[tuple[float, str, str]] = []
    for item in session.conversation.get_items():
        speaker, text = _describe(item, session.truncations.get(item.id))
        lines.append((session.first_seen.get(item.id, 0.0), speaker, text))
    lines.extend((t, "problem", text) for t, text in session.problems)
    if not lines:
        return "(empty conversation)"
    lines.sort(key=lambda line: line[0])  # stable: items keep their conversation order
    return "\n".join(f"[{t:8.3f}s] {speaker:<10} {text}" for t, speaker, text in lines)
