"""Transcription-only sessions on the fake server (``/v1/realtime?intent=transcription``).

A transcription session takes audio in and sends transcripts out: server VAD cuts the audio into
turns, each committed turn is transcribed (``...input_audio_transcription.delta`` events, then
``.completed`` with its usage), and nothing ever answers. It reuses the realtime connection's
input path (VAD, commits, transcription events) with a session of its own:

* the session it reports is a ``transcription`` session (``session.created`` / ``.updated``),
  and only transcription updates are accepted (a realtime update gets the service's
  "Passing a realtime session update event to a transcription session is not allowed.");
* ``response.create`` and ``response.cancel`` are refused, turns never start a response, and
  there is no idle timeout (it would start one);
* ``include: ["item.input_audio_transcription.logprobs"]`` adds log probabilities to the deltas
  and the completed event;
* ``whisper-1`` reports its usage in seconds of audio, the other models in tokens;
* the diarizing model (``gpt-4o-transcribe-diarize``) labels speakers: each committed turn is
  split into speaker turns (voices told apart by pitch, see
  :mod:`~openai_realtime.testing.transcription_speakers`), the transcript's words are shared
  among them by length, and each is sent as a ``...input_audio_transcription.segment`` (its
  ``start`` / ``end`` in seconds into the item's audio) before the ``.completed`` event, with no
  deltas. Like the service, it takes no ``prompt`` and no log probabilities.

Tools are refused before any of this: a transcription session has no ``tools`` parameter, so
the frame check answers ``Unknown parameter: 'session.tools'.`` as the service does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from openai_realtime.protocol.rejections import InvalidRequest
from openai_realtime.protocol.transcripts import DIARIZE_MODEL
from openai_realtime.testing.clock import wall_time
from openai_realtime.testing.connection import Connection, _Handler
from openai_realtime.testing.conversation import StoredItem
from openai_realtime.testing.pacing import text_deltas
from openai_realtime.testing.session import (
    SessionState,
    deep_merge,
    merge_update,
    session_rejection,
)
from openai_realtime.testing.transcription_speakers import Voices, share_words
from openai_realtime.types import (
    ConversationItemInputAudioTranscriptionCompletedEvent,
    ConversationItemInputAudioTranscriptionDeltaEvent,
    ConversationItemInputAudioTranscriptionSegmentEvent,
    LogProbProperties,
    RealtimeTranscriptionSessionCreateRequest,
    RealtimeTranscriptionSessionCreateResponse,
    ServerEvent,
    SessionCreatedEvent,
    SessionUpdatedEvent,
    SessionUpdateEvent,
    TranscriptTextUsageDuration,
)

__all__ = [
    "DEFAULT_TRANSCRIPTION_MODEL",
    "LOGPROBS_INCLUDE",
    "TranscriptionConnection",
    "TranscriptionSession",
]

DEFAULT_TRANSCRIPTION_MODEL: Final = "gpt-4o-transcribe"
LOGPROBS_INCLUDE: Final = "item.input_audio_transcription.logprobs"
"""The ``include`` entry that asks for log probabilities."""

_LIFETIME_SECONDS: Final = 30 * 60
_INPUT_SETTINGS: Final = ("format", "transcription", "noise_reduction", "turn_detection")
_NO_RESPONSES: Final = frozenset({"response.create", "response.cancel"})
# Models billed by the second of audio rather than by tokens.
_DURATION_BILLED: Final = frozenset({"whisper-1"})


def _default_config(session_id: str) -> dict[str, Any]:
    return {
        "type": "transcription",
        "id": session_id,
        "object": "realtime.transcription_session",
        "expires_at": int(wall_time()) + _LIFETIME_SECONDS,
        "include": None,
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": {
                    "model": DEFAULT_TRANSCRIPTION_MODEL,
                    "language": None,
                    "prompt": "",
                },
                "noise_reduction": None,
                "turn_detection": {
                    "type": "server_vad",
                    "threshold": 0.5,
                    "prefix_padding_ms": 300,
                    "silence_duration_ms": 500,
                },
            }
        },
    }


class TranscriptionSession:
    """A transcription session's configuration, kept as the JSON the service would report.

    Args:
        session_id: The ``sess_…`` id.
        overrides: Changes to the defaults, merged like a ``session.update``.

    Raises:
        ValueError: ``overrides`` do not make a valid transcription session.
    """

    def __init__(self, session_id: str, overrides: Mapping[str, Any] | None = None) -> None:
        config = deep_merge(_default_config(session_id), overrides or {})
        try:
            RealtimeTranscriptionSessionCreateResponse.model_validate(config)
            _check_model_options(config)
        except ValidationError as error:
            raise ValueError(f"invalid transcription session: {error}") from None
        except InvalidRequest as refusal:
            raise ValueError(f"invalid transcription session: {refusal.message}") from None
        self._config = config

    @property
    def session_id(self) -> str:
        """The session's id."""
        return str(self._config["id"])

    def snapshot(self) -> RealtimeTranscriptionSessionCreateResponse:
        """The full session, for ``session.created`` / ``session.updated``."""
        return RealtimeTranscriptionSessionCreateResponse.model_validate(self._config)

    def update(self, request: Any) -> None:
        """Apply the ``session`` of a ``session.update`` partially.

        Raises:
            InvalidRequest: A realtime update, one that makes the session invalid, or an option
                the transcription model does not take.
        """
        merged = merge_update(self._config, request)
        try:
            RealtimeTranscriptionSessionCreateResponse.model_validate(merged)
        except ValidationError as error:
            raise session_rejection(error) from None
        _check_model_options(merged)
        self._config = merged

    @property
    def include_logprobs(self) -> bool:
        """Whether the client asked for log probabilities."""
        return LOGPROBS_INCLUDE in (self._config.get("include") or ())

    @property
    def model(self) -> str | None:
        """The transcription model."""
        return _transcription(self._config).get("model")

    def input_settings(self) -> dict[str, Any]:
        """The input settings as realtime session overrides (what the input path runs on)."""
        source = _audio_input(self._config)
        return {"audio": {"input": {name: source.get(name) for name in _INPUT_SETTINGS}}}


def _audio_input(config: Mapping[str, Any]) -> dict[str, Any]:
    audio = config.get("audio") or {}
    section = audio.get("input") if isinstance(audio, dict) else None
    return section if isinstance(section, dict) else {}


def _transcription(config: Mapping[str, Any]) -> dict[str, Any]:
    transcription = _audio_input(config).get("transcription")
    return transcription if isinstance(transcription, dict) else {}


def _check_model_options(config: Mapping[str, Any]) -> None:
    """Refuse what the diarizing model does not take: a prompt, log probabilities.

    Raises:
        InvalidRequest: Worded like the service's refusal of an unsupported parameter.
    """
    transcription = _transcription(config)
    if transcription.get("model") != DIARIZE_MODEL:
        return
    if transcription.get("prompt"):
        raise _unsupported("session.audio.input.transcription.prompt")
    if LOGPROBS_INCLUDE in (config.get("include") or ()):
        raise _unsupported("session.include")


def _unsupported(param: str) -> InvalidRequest:
    return InvalidRequest(
        f"Unsupported parameter: '{param}' is not supported with the {DIARIZE_MODEL} model.",
        code="unsupported_parameter",
        param=param,
    )


class TranscriptionConnection(Connection):
    """Serves one transcription session: the realtime input path, no responses."""

    _transcription: TranscriptionSession
    _voices: Voices

    def _new_session(
        self, session_id: str, model: str, overrides: Mapping[str, Any] | None
    ) -> SessionState:
        self._transcription = TranscriptionSession(session_id, overrides)
        self._voices = Voices()
        return SessionState(session_id, model, self._transcription.input_settings())

    async def _greet(self) -> None:
        await self._outbox.send(
            SessionCreatedEvent(event_id=self._event_id(), session=self._transcription.snapshot())
        )

    def _handler(self, event_type: str) -> _Handler:
        if event_type in _NO_RESPONSES:
            return _refuse_response
        if event_type == "session.update":
            return lambda _connection, event: self._on_transcription_update(event)
        return super()._handler(event_type)

    async def _on_transcription_update(self, event: SessionUpdateEvent) -> None:
        if not isinstance(event.session, RealtimeTranscriptionSessionCreateRequest):
            raise InvalidRequest(
                "Passing a realtime session update event to a transcription session is not "
                "allowed.",
                code="invalid_value",
                param="session.type",
            )
        self._transcription.update(event.session)
        self._session = SessionState(
            self._transcription.session_id, self._record.model, self._transcription.input_settings()
        )
        self._input.reconfigure(self._session.input_format, self._vad_settings())
        if not self._input.in_speech:
            self._speech_item_id = None
        await self._outbox.send(
            SessionUpdatedEvent(event_id=self._event_id(), session=self._transcription.snapshot())
        )

    def _turn_option(self, name: str) -> bool:
        return False  # a transcribed turn never starts or interrupts a response

    async def _check_idle_timeout(self) -> None:
        """No idle timeout: on a realtime session it commits and starts a response."""

    def _transcription_events(
        self, stored: StoredItem, samples: NDArray[np.int16]
    ) -> list[ServerEvent]:
        events = super()._transcription_events(stored, samples)
        rate = self._input.audio_format.rate
        if self._transcription.model == DIARIZE_MODEL:
            events = self._diarize(events, samples, rate)
        return [self._decorate(event, len(samples) / rate) for event in events]

    def _diarize(
        self, events: list[ServerEvent], samples: NDArray[np.int16], rate: int
    ) -> list[ServerEvent]:
        """Speaker segments in place of the deltas, sharing the completed transcript's words."""
        completed = events[-1]
        if not isinstance(completed, ConversationItemInputAudioTranscriptionCompletedEvent):
            return events  # the transcription failed: nothing to diarize
        turns = self._voices.turns(samples, rate)
        segments: list[ServerEvent] = [
            ConversationItemInputAudioTranscriptionSegmentEvent(
                event_id=self._event_id(),
                item_id=completed.item_id,
                content_index=completed.content_index,
                text=text,
                id=self._ids.make("seg"),
                speaker=turn.speaker,
                start=round(turn.start / rate, 3),
                end=round(turn.stop / rate, 3),
            )
            for turn, text in zip(turns, share_words(completed.transcript, turns), strict=True)
            if text
        ]
        return [*segments, completed]

    def _decorate(self, event: ServerEvent, audio_seconds: float) -> ServerEvent:
        """Add log probabilities when asked for, and the usage the model is billed by."""
        logprobs = self._transcription.include_logprobs
        if isinstance(event, ConversationItemInputAudioTranscriptionDeltaEvent) and logprobs:
            return event.model_copy(update={"logprobs": _logprobs(event.delta or "")})
        if isinstance(event, ConversationItemInputAudioTranscriptionCompletedEvent):
            update: dict[str, Any] = {}
            if logprobs:
                update["logprobs"] = _logprobs(event.transcript)
            if self._transcription.model in _DURATION_BILLED:
                update["usage"] = TranscriptTextUsageDuration(seconds=round(audio_seconds, 3))
            return event.model_copy(update=update)
        return event


async def _refuse_response(connection: Connection, event: Any) -> None:
    raise InvalidRequest(
        f"{event.type} is not supported in a transcription session: it has no responses.",
        code="invalid_request_error",
        param="type",
    )


def _logprobs(text: str) -> list[LogProbProperties]:
    """Deterministic log probabilities, one per word-sized token (longer words less sure)."""
    return [
        LogProbProperties(token=piece, logprob=-0.01 * len(piece), bytes=list(piece.encode()))
        for piece in text_deltas(text)
    ]
