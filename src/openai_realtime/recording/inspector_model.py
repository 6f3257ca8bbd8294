"""What the session inspector shows, as plain data: the timeline plus words, audio and numbers.

:func:`inspector_data` starts from the timeline's lanes
(:func:`~openai_realtime.recording.timeline_model.build_timeline`) and adds what a picture cannot
hold: the user's transcripts and typed messages, each response's transcript or text and its
audio (a WAV ``data:`` URL, so the page plays it with nothing else), every error in full, and
one row of latencies and tokens per turn. The result is JSON-ready; :mod:`.inspector` draws it.
"""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from openai_realtime.protocol.audio import SAMPLE_RATE
from openai_realtime.recording.decoded import TimedEvent, decode_frames
from openai_realtime.recording.reader import Recording
from openai_realtime.recording.timeline_model import COLORS, LANES, build_timeline

__all__ = ["USER_TEXT_COLOR", "inspector_data", "wav_data_url"]

USER_TEXT_COLOR: Final = "#495057"
"""The colour of the user's typed messages on the speech lane."""


def wav_data_url(pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> str:
    """Wrap mono PCM16 samples in a WAV file, as a ``data:`` URL an ``<audio>`` element plays.

    Args:
        pcm16: Little-endian 16-bit samples.
        sample_rate: Samples per second.

    Returns:
        ``data:audio/wav;base64,...``.
    """
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm16)
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass
class _Response:
    """What one response said, gathered from its deltas and ``done`` events."""

    text: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)

    def words(self) -> str:
        return "".join(self.transcript) or "".join(self.text)


@dataclass
class _Words:
    """The words of a session: per response, per input item, and the user's typed messages."""

    responses: dict[str, _Response] = field(default_factory=dict)
    input_transcripts: dict[str, str] = field(default_factory=dict)
    speech_items: list[str] = field(default_factory=list)
    typed: list[tuple[float, str]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def response(self, response_id: str) -> _Response:
        return self.responses.setdefault(response_id, _Response())


def _read_server(words: _Words, t: float, event: Any, *, keep_audio: bool) -> None:
    kind = event.type
    if kind == "response.output_audio.delta":
        if keep_audio:
            words.response(event.response_id).audio += base64.b64decode(event.delta)
    elif kind == "response.output_audio_transcript.delta":
        words.response(event.response_id).transcript.append(event.delta)
    elif kind == "response.output_text.delta":
        words.response(event.response_id).text.append(event.delta)
    elif kind == "conversation.item.input_audio_transcription.completed":
        words.input_transcripts[event.item_id] = event.transcript
    elif kind == "input_audio_buffer.speech_stopped":
        words.speech_items.append(event.item_id)
    elif kind == "error":
        error = event.error
        words.errors.append({"at": t, "code": error.code or error.type, "message": error.message})


def _read_client(words: _Words, t: float, event: Any) -> None:
    if event.type != "conversation.item.create":
        return
    item = event.item
    if getattr(item, "type", None) != "message" or getattr(item, "role", None) != "user":
        return
    text = " ".join(
        part.text for part in item.content if getattr(part, "type", None) == "input_text"
    )
    if text:
        words.typed.append((t, text))


def _gather(events: Sequence[TimedEvent], *, keep_audio: bool) -> _Words:
    words = _Words()
    for timed in events:
        if timed.server is not None:
            _read_server(words, timed.t, timed.server, keep_audio=keep_audio)
        elif timed.client is not None:
            _read_client(words, timed.t, timed.client)
        else:
            reason = str(timed.error) if timed.error is not None else "unreadable frame"
            words.errors.append(
                {"at": timed.t, "code": f"bad {timed.direction} frame", "message": reason}
            )
    return words


def inspector_data(recording: Recording) -> dict[str, Any]:
    """Everything the inspector page shows about one recording.

    Args:
        recording: A recording read with :func:`~openai_realtime.recording.read_recording`.

    Returns:
        A JSON-ready mapping: ``title``, ``duration``, ``lanes``, ``colors``, ``spans`` and
        ``markers`` (each with a short ``label`` and the full ``detail``), ``responses`` (words
        and a WAV ``audio`` URL, or ``None``), ``turns`` (latencies in seconds and tokens) and
        ``errors``.
    """
    events = list(decode_frames(recording.frames))
    header = recording.header
    timeline = build_timeline(events, title=f"{header.model or 'session'} — {header.started}")
    # A recording made with audio="length" kept only sizes (they decode as silence).
    words = _gather(events, keep_audio=header.audio == "keep")
    spans: list[dict[str, Any]] = []
    speech_items = iter(words.speech_items)
    turns = iter(timeline.metrics.turns)
    for span in timeline.spans:
        detail = span.label
        response_id = None
        if span.kind == "speech":
            detail = words.input_transcripts.get(next(speech_items, ""), "") or "(speech)"
        elif span.lane == "response" and span.kind in ("audio", "text"):
            turn = next(turns)
            response_id = turn.response_id
            said = words.response(response_id).words()
            detail = f"[{span.label}] {said}" if span.label else said
        spans.append(
            {
                "lane": span.lane,
                "start": span.start,
                "end": span.end,
                "kind": span.kind,
                "detail": detail,
                "response": response_id,
            }
        )
    markers = [
        {"lane": m.lane, "at": m.at, "kind": m.kind, "detail": m.label} for m in timeline.markers
    ]
    markers.extend(
        {"lane": "user speech", "at": at, "kind": "message", "detail": text}
        for at, text in words.typed
    )
    return {
        "title": timeline.title,
        "duration": timeline.duration,
        "lanes": list(LANES),
        "colors": {**COLORS, "message": USER_TEXT_COLOR},
        "spans": spans,
        "markers": markers,
        "responses": [
            {
                "id": turn.response_id,
                "at": turn.created_at,
                "status": turn.status,
                "words": words.response(turn.response_id).words(),
                "audio": _audio_url(words.response(turn.response_id).audio),
            }
            for turn in timeline.metrics.turns
        ],
        "turns": [
            {
                "response": turn.response_id,
                "status": turn.status,
                "speech_to_audio": turn.speech_stopped_to_first_audio,
                "created_to_first_delta": turn.created_to_first_delta,
                "duration": turn.response_duration,
                "input_tokens": turn.input_tokens,
                "output_tokens": turn.output_tokens,
                "total_tokens": turn.total_tokens,
            }
            for turn in timeline.metrics.turns
        ],
        "errors": words.errors,
    }


def _audio_url(pcm16: bytearray) -> str | None:
    return wav_data_url(bytes(pcm16)) if pcm16 else None
