"""Translation sessions on the fake server (``/v1/realtime/translations?model=...``).

The channel has its own events: ``session.update``, ``session.input_audio_buffer.append`` and
``session.close`` in; ``session.created`` / ``.updated`` / ``.closed``, the input and output
transcript deltas and the output audio deltas out, all stamped with ``elapsed_ms`` on the input
clock (see :mod:`~openai_realtime.testing.translation_engine`). Input audio is PCM16 at 24 kHz,
mono; output audio is the same, declared on every delta (``sample_rate``, ``channels``,
``format``). With the server's ``pace`` the output streams at the speed of speech on its clock.

Refusals follow the live service: an event type of the realtime channel (``response.create``,
``input_audio_buffer.append``, ...) is an invalid ``type``; a parameter the channel does not
define (``session.audio.input.language`` included) is an unknown parameter; ``session.close``
flushes what is left, answers ``session.closed`` and closes the socket.
"""

from __future__ import annotations

import asyncio
import binascii
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from aiohttp import WSMsgType, web
from pydantic import TypeAdapter, ValidationError

from openai_realtime._models import RealtimeModel
from openai_realtime.protocol.audio import decode_base64
from openai_realtime.protocol.client_frames import refuse_unknown_parameters, validation_rejection
from openai_realtime.protocol.rejections import InvalidRequest, invalid_value, parse_json
from openai_realtime.testing.clock import FakeClock, wall_time
from openai_realtime.testing.ids import IdFactory
from openai_realtime.testing.outbox import ConnectionGone, Outbox
from openai_realtime.testing.record import ConnectionRecord
from openai_realtime.testing.session import deep_merge
from openai_realtime.testing.translation_engine import (
    AudioChunk,
    Transcriber,
    TranslationOutput,
    TranslationTimeline,
)
from openai_realtime.testing.vad import VADSettings
from openai_realtime.types import (
    RealtimeTranslationSession,
    TranslationSessionClosedEvent,
    TranslationSessionCloseEvent,
    TranslationSessionCreatedEvent,
    TranslationSessionInputAudioBufferAppendEvent,
    TranslationSessionInputTranscriptDeltaEvent,
    TranslationSessionOutputAudioDeltaEvent,
    TranslationSessionOutputTranscriptDeltaEvent,
    TranslationSessionUpdatedEvent,
    TranslationSessionUpdateEvent,
)
from openai_realtime.types.translation import (
    TRANSLATION_ADDRESS,
    TRANSLATION_CLIENT_EVENTS,
    TranslationClientEvent,
    TranslationServerEvent,
)

__all__ = [
    "DEFAULT_TRANSLATION_MODEL",
    "TRANSLATION_ADDRESS",
    "TRANSLATION_SAMPLE_RATE",
    "TranslationConnection",
    "TranslationSessionConfig",
    "parse_translation_frame",
]

DEFAULT_TRANSLATION_MODEL: Final = "gpt-realtime-translate"
TRANSLATION_SAMPLE_RATE: Final = 24000
"""Rate of the input and output audio of a translation session (PCM16, mono)."""

_LIFETIME_SECONDS: Final = 30 * 60
_DEFAULT_LANGUAGE: Final = "es"
_CLIENT: Final = TypeAdapter[TranslationClientEvent](TranslationClientEvent)
_CLIENT_TYPES: Final = tuple(TRANSLATION_CLIENT_EVENTS)
_VAD: Final = VADSettings(silence_duration_ms=500)


def parse_translation_frame(frame: str) -> TranslationClientEvent:
    """Validate one client frame of the translation channel.

    Raises:
        InvalidRequest: Not JSON, not an event of this channel, or not valid, worded as the
            service words it (an unknown parameter names its path).
    """
    data = parse_json(frame)
    if not isinstance(data, dict):
        raise InvalidRequest("Invalid type for event: expected an object.", code="invalid_type")
    event_id = data.get("event_id") if isinstance(data.get("event_id"), str) else None
    event_type = data.get("type")
    try:
        if event_type not in _CLIENT_TYPES:
            raise invalid_value("type", event_type, _CLIENT_TYPES)
        try:
            event = _CLIENT.validate_python(data)
        except ValidationError as error:
            raise validation_rejection(data, error.errors(include_url=False)) from None
        refuse_unknown_parameters(event, "")
    except InvalidRequest as rejection:
        rejection.event_id = event_id  # the error names the event it answers
        raise
    return event


class TranslationSessionConfig:
    """A translation session's settings, as the JSON the service reports.

    Args:
        session_id: The ``sess_…`` id.
        model: The model from the URL (or the client secret).
        overrides: Changes to the defaults (a client secret's session), merged like an update.

    Raises:
        ValueError: ``overrides`` do not make a valid translation session.
    """

    def __init__(
        self, session_id: str, model: str, overrides: Mapping[str, Any] | None = None
    ) -> None:
        defaults = {
            "id": session_id,
            "type": "translation",
            "expires_at": int(wall_time()) + _LIFETIME_SECONDS,
            "model": model,
            "audio": {
                "input": {"transcription": None, "noise_reduction": None},
                "output": {"language": _DEFAULT_LANGUAGE},
            },
        }
        self._config = deep_merge(defaults, overrides or {})
        try:
            RealtimeTranslationSession.model_validate(self._config)
        except ValidationError as error:
            raise ValueError(f"invalid translation session: {error}") from None

    def snapshot(self) -> RealtimeTranslationSession:
        """The session, for ``session.created`` / ``.updated``."""
        return RealtimeTranslationSession.model_validate(self._config)

    def update(self, changes: RealtimeModel) -> None:
        """Apply the ``session`` of a ``session.update`` partially."""
        self._config = deep_merge(self._config, changes.model_dump(mode="json", exclude_unset=True))

    @property
    def language(self) -> str:
        """The target language."""
        output = (self._config.get("audio") or {}).get("output") or {}
        return str(output.get("language") or _DEFAULT_LANGUAGE)


class TranslationConnection:
    """Serves one translation WebSocket until it closes.

    Args:
        websocket: The prepared server-side WebSocket.
        outbox: Sends on it.
        record: Where received frames are recorded.
        session: The session's settings.
        transcribe: Transcribes each stretch of speech (the responder's ``transcribe``).
        chunk_ms: Audio per output delta.
        clock: The server's clock.
        pace: ``None`` sends output as soon as it is made; 1.0 streams the translated speech
            at the speed of speech on the server's clock (each audio delta no earlier than the
            previous one has played), as the live service does; other values are multiples.
    """

    def __init__(
        self,
        websocket: web.WebSocketResponse,
        outbox: Outbox,
        record: ConnectionRecord,
        session: TranslationSessionConfig,
        transcribe: Transcriber,
        chunk_ms: int,
        clock: FakeClock,
        pace: float | None,
    ) -> None:
        self._websocket = websocket
        self._outbox = outbox
        self._record = record
        self._session = session
        self._ids = IdFactory()
        self._timeline = TranslationTimeline(TRANSLATION_SAMPLE_RATE, transcribe, _VAD, chunk_ms)
        self._closing = False
        self._clock = clock
        self._pace = pace
        # Output waits here for its turn; one task sends it, so pacing never stalls input.
        self._pending: asyncio.Queue[tuple[float, TranslationServerEvent]] = asyncio.Queue()
        self._next_send = 0.0

    async def run(self) -> None:
        """Send ``session.created``, then serve the client until either side closes."""
        sender = asyncio.create_task(self._send_paced())
        try:
            await self._send(
                TranslationSessionCreatedEvent(
                    event_id=self._event_id(), session=self._session.snapshot()
                )
            )
            async for message in self._websocket:
                if message.type is not WSMsgType.TEXT:
                    break
                await self._handle_text(message.data)
                if self._closing:
                    await self._websocket.close()
                    break
        except ConnectionGone:
            pass
        finally:
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
            self._record.closed = True

    async def _handle_text(self, frame: str) -> None:
        event_id: str | None = None
        try:
            event = parse_translation_frame(frame)
            event_id = event.event_id
            self._record.record_received(frame, event.type)
            if isinstance(event, TranslationSessionInputAudioBufferAppendEvent):
                await self._on_append(event)
            elif isinstance(event, TranslationSessionUpdateEvent):
                self._session.update(event.session)
                await self._send(
                    TranslationSessionUpdatedEvent(
                        event_id=self._event_id(), session=self._session.snapshot()
                    )
                )
            else:
                await self._on_close(event)
        except InvalidRequest as rejection:
            rejection.event_id = rejection.event_id or event_id
            if event_id is None:
                self._record.record_received(frame, "<invalid>")
            await self._outbox.send(rejection.to_event(self._event_id()))

    async def _on_append(self, event: TranslationSessionInputAudioBufferAppendEvent) -> None:
        try:
            samples = decode_base64(event.audio)
        except (ValueError, binascii.Error) as error:
            raise InvalidRequest(
                f"Invalid input audio: {error}", code="invalid_value", param="audio"
            ) from None
        await self._emit(self._timeline.append(samples, self._session.language))

    async def _on_close(self, event: TranslationSessionCloseEvent) -> None:
        await self._emit(self._timeline.flush(self._session.language))
        await self._pending.join()  # everything translated has gone out
        await self._send(TranslationSessionClosedEvent(event_id=self._event_id()))
        self._closing = True

    async def _emit(self, outputs: list[TranslationOutput]) -> None:
        for output in outputs:
            event: TranslationServerEvent
            if isinstance(output, AudioChunk):
                event = TranslationSessionOutputAudioDeltaEvent(
                    event_id=self._event_id(),
                    delta=_encode(output.samples),
                    sample_rate=TRANSLATION_SAMPLE_RATE,
                    channels=1,
                    format="pcm16",
                    elapsed_ms=output.elapsed_ms,
                )
            elif output.side == "input":
                event = TranslationSessionInputTranscriptDeltaEvent(
                    event_id=self._event_id(), delta=output.text, elapsed_ms=output.elapsed_ms
                )
            else:
                event = TranslationSessionOutputTranscriptDeltaEvent(
                    event_id=self._event_id(), delta=output.text, elapsed_ms=output.elapsed_ms
                )
            self._pending.put_nowait((self._send_time(output), event))

    def _send_time(self, output: TranslationOutput) -> float:
        """When ``output`` may go out: at once unpaced, else after the audio before it."""
        if self._pace is None:
            return 0.0
        self._next_send = max(self._next_send, self._clock.now())
        send_at = self._next_send
        if isinstance(output, AudioChunk):
            self._next_send += len(output.samples) / TRANSLATION_SAMPLE_RATE / self._pace
        return send_at

    async def _send_paced(self) -> None:
        gone = False  # once the client has gone, output is dropped (close still finishes)
        while True:
            send_at, event = await self._pending.get()
            try:
                if not gone:
                    await self._clock.sleep_until(send_at)
                    await self._send(event)
            except ConnectionGone:
                gone = True
            finally:
                self._pending.task_done()

    async def _send(self, event: TranslationServerEvent) -> None:
        await self._outbox.send_encoded(event.model_dump_json(exclude_unset=True), event.type)

    def _event_id(self) -> str:
        return self._ids.make("event")


def _encode(samples: np.ndarray[Any, np.dtype[np.int16]]) -> str:
    return binascii.b2a_base64(samples.astype("<i2").tobytes(), newline=False).decode("ascii")
