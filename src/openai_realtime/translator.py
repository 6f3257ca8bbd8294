"""``RealtimeTranslator``: speech in one language in, translated speech and text out.

Translation sessions have their own endpoint (``/v1/realtime/translations?model=...``) and their
own events, so this is a connection of its own rather than a :class:`~openai_realtime.RealtimeAPI`
(whose events are the realtime channel's). Audio is streamed in continuously; the translated
speech and both transcripts stream back, stamped with ``elapsed_ms`` on the input's clock::

    async with RealtimeTranslator(language="es", output_sample_rate=16000) as translator:
        translator.on("output_transcript", lambda piece: print(piece.text, end=""))
        await translator.append_input_audio(samples)   # int16 or float, 24 kHz mono
        await translator.close()                      # flushes: session.close -> session.closed
    write_wav("out.wav", translator.output_audio, rate=16000)

What it dispatches, besides every wire event as ``server.<type>`` / ``client.<type>``:

=======================  ===================================================================
name                     payload
=======================  ===================================================================
``input_transcript``     :class:`~openai_realtime.protocol.transcripts.TranscriptPiece` heard
``output_transcript``    :class:`~openai_realtime.protocol.transcripts.TranscriptPiece` said
``output_audio``         the new output samples (int16, the app's rate and channels)
``error``                :class:`~openai_realtime.local_events.LocalErrorEvent`: a bad frame
``close``                :class:`~openai_realtime.local_events.CloseEvent`
=======================  ===================================================================
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from yarl import URL

from openai_realtime._async_with import ConnectsOnEnter
from openai_realtime._session_audio import append_pieces
from openai_realtime._session_update import new_event_id, send_and_confirm
from openai_realtime._wire_connection import WireConnection
from openai_realtime.api import USER_AGENT
from openai_realtime.credentials import redact_url, require_secure_transport
from openai_realtime.errors import (
    ConfigurationError,
    ConnectionClosedError,
    ProtocolError,
    RealtimeConnectionError,
)
from openai_realtime.events import EventEmitter
from openai_realtime.local_events import CloseEvent, LocalErrorEvent
from openai_realtime.protocol.audio import SAMPLE_RATE, decode_base64, resample
from openai_realtime.protocol.codec import decode_translation_event
from openai_realtime.protocol.transcripts import TranslationTranscript
from openai_realtime.transports import Connector, Transport, TransportClosed, WebSocketConnector
from openai_realtime.types import (
    RealtimeTranslationSession,
    TranslationSessionCloseEvent,
    TranslationSessionInputAudioBufferAppendEvent,
    TranslationSessionInputTranscriptDeltaEvent,
    TranslationSessionOutputAudioDeltaEvent,
    TranslationSessionUpdateEvent,
    UnknownServerEvent,
)
from openai_realtime.types.emitter import TranslationEventsMixin
from openai_realtime.types.translation import (
    TRANSLATION_ADDRESS,
    TranslationClientEvent,
    TranslationServerEvent,
)

__all__ = ["DEFAULT_TRANSLATION_MODEL", "DEFAULT_TRANSLATION_URL", "RealtimeTranslator"]

DEFAULT_TRANSLATION_MODEL: Final = "gpt-realtime-translate"
DEFAULT_TRANSLATION_URL: Final = "wss://api.openai.com" + TRANSLATION_ADDRESS
_OPENAI_HOST: Final = "api.openai.com"
_TIMEOUT: Final = 30.0

logger = logging.getLogger("openai_realtime")


class RealtimeTranslator(ConnectsOnEnter, WireConnection, TranslationEventsMixin, EventEmitter):
    """A translation session: stream speech in, get translated speech and both transcripts.

    Args:
        url: The translation WebSocket URL (OpenAI's by default); ``model`` goes in its query.
        api_key: The API key (``OPENAI_API_KEY`` for OpenAI's host) or a translation client
            secret (:func:`~openai_realtime.secrets.create_translation_client_secret`).
        model: The translation model.
        language: The target language (``audio.output.language``); ``None`` keeps the
            session's (a client secret may have set it).
        input_transcription_model: Transcribe the source audio with this model.
        sample_rate: Rate of the audio given to :meth:`append_input_audio` by default (it is
            resampled to the session's 24 kHz when it differs).
        output_sample_rate: Rate of :attr:`output_audio` and ``output_audio`` events.
        output_channels: Channels of :attr:`output_audio` (1 mono; 2 interleaved stereo).
        headers: Extra handshake headers.
        allow_insecure: Allow the key over plain ``ws://`` to a host that is not loopback.
        transport: A connector to use instead of aiohttp's WebSocket.

    Raises:
        ConfigurationError: A bad URL or rate, or no key for OpenAI's host.
        InsecureTransportError: The key would go over plain ``ws://`` to a remote host.
    """

    def __init__(
        self,
        url: str | URL | None = None,
        api_key: str | None = None,
        *,
        model: str | None = DEFAULT_TRANSLATION_MODEL,
        language: str | None = None,
        input_transcription_model: str | None = None,
        sample_rate: int = SAMPLE_RATE,
        output_sample_rate: int = SAMPLE_RATE,
        output_channels: int = 1,
        headers: dict[str, str] | None = None,
        allow_insecure: bool = False,
        transport: Connector | None = None,
    ) -> None:
        super().__init__()
        target = URL(url if url is not None else DEFAULT_TRANSLATION_URL)
        if target.scheme not in ("ws", "wss") or not target.host:
            raise ConfigurationError(f"url must be a ws:// or wss:// URL, got {redact_url(target)}")
        if min(sample_rate, output_sample_rate) <= 0 or output_channels not in (1, 2):
            raise ConfigurationError("rates must be positive and output_channels 1 or 2")
        if model is not None:
            target = target.update_query(model=model)
        if api_key is None and target.host == _OPENAI_HOST:
            api_key = os.environ.get("OPENAI_API_KEY") or None
            if api_key is None and transport is None:
                raise ConfigurationError(f"no API key for {_OPENAI_HOST}: set OPENAI_API_KEY")
        self._headers = {"User-Agent": USER_AGENT, **(headers or {})}
        if api_key is not None:
            self._headers["Authorization"] = f"Bearer {api_key}"
            require_secure_transport(target, allow_insecure=allow_insecure)
        self._url = target
        self._connector: Connector = transport or WebSocketConnector(
            session=None, max_message_size=32 * 1024 * 1024, heartbeat=20.0
        )
        self._language = language
        self._input_transcription_model = input_transcription_model
        self._sample_rate = sample_rate
        self._output_rate = output_sample_rate
        self._output_channels = output_channels
        self._transport = None
        self._receive_task: asyncio.Task[None] | None = None
        self._send_lock = asyncio.Lock()
        self._output: list[NDArray[np.int16]] = []
        self.transcript = TranslationTranscript()
        """The input and output transcripts, each piece with its ``elapsed_ms``."""
        self.session: RealtimeTranslationSession | None = None
        """The session as the server last reported it."""

    def __repr__(self) -> str:
        return f"<RealtimeTranslator url={redact_url(self._url)!r} connected={self.is_connected}>"

    @property
    def output_audio(self) -> NDArray[np.int16]:
        """The translated speech so far: int16 at ``output_sample_rate``; ``(n, 2)`` if stereo."""
        if not self._output:
            shape = (0, 2) if self._output_channels == 2 else (0,)
            return np.zeros(shape, dtype=np.int16)
        return np.concatenate(self._output)

    async def connect(self, timeout: float = _TIMEOUT) -> None:
        """Connect, wait for ``session.created`` and apply the session options.

        Raises:
            RealtimeConnectionError: Already connected, refused or unreachable.
            SessionRefusedError: The server refused the session options.
            RealtimeTimeoutError: The server did not answer in time.
        """
        if self._transport is not None:
            raise RealtimeConnectionError("already connected or connecting")
        created = self.expect("server.session.created", timeout)
        try:
            transport = await self._connector(self._url, self._headers)
        except BaseException:
            created.cancel()
            raise
        self._transport = transport
        self._last_close = None
        self._receive_task = asyncio.create_task(self._receive_loop(transport))
        try:
            await created
            changes = self._session_changes()
            if changes:
                await self._update(changes, timeout)
        except BaseException:
            await self.disconnect()
            raise

    def _session_changes(self) -> dict[str, Any]:
        audio: dict[str, Any] = {}
        if self._language is not None:
            audio["output"] = {"language": self._language}
        if self._input_transcription_model is not None:
            audio["input"] = {"transcription": {"model": self._input_transcription_model}}
        return {"audio": audio} if audio else {}

    async def _update(self, changes: dict[str, Any], timeout: float) -> None:
        try:
            event = TranslationSessionUpdateEvent.model_validate(
                {"event_id": new_event_id(), "session": changes}
            )
        except ValueError as error:
            raise ConfigurationError(f"invalid translation session options: {error}") from None
        await send_and_confirm(
            self, lambda: self.send(event), event.event_id or "", timeout, "translation"
        )

    async def send(self, event: TranslationClientEvent) -> None:
        """Send one translation client event, then dispatch it as ``client.<type>``.

        Raises:
            NotConnectedError: Before :meth:`connect`.
            ConnectionClosedError: The connection has closed.
        """
        transport = self._open_connection()
        frame = event.model_dump_json(exclude_unset=True)
        async with self._send_lock:
            await transport.send_text(frame)
        for observer in self._frame_observers:
            observer("client", frame)
        self.dispatch(f"client.{event.type}", event)

    async def append_input_audio(
        self, audio: bytes | NDArray[Any], *, sample_rate: int | None = None
    ) -> None:
        """Stream source-language speech in.

        Args:
            audio: Mono PCM16 little-endian bytes, an int16 array or a float array in [-1, 1].
            sample_rate: Its rate (default: the translator's ``sample_rate``).

        Raises:
            ConfigurationError: The audio is not mono PCM16 or float, or the rate is invalid.
            NotConnectedError: Before :meth:`connect`.
            ConnectionClosedError: The session is closed.
        """
        rate = self._sample_rate if sample_rate is None else sample_rate
        pieces = append_pieces(audio, rate)
        self._open_connection()
        for piece in pieces:
            await self.send(TranslationSessionInputAudioBufferAppendEvent(audio=piece))

    async def close(self, timeout: float = _TIMEOUT) -> None:
        """Finish the session: the server flushes what is left, says ``session.closed``, closes.

        Returns once the connection has closed; :attr:`output_audio` and :attr:`transcript`
        are then complete.

        Raises:
            NotConnectedError: Before :meth:`connect`.
            ConnectionClosedError: Already closed.
            RealtimeTimeoutError: The server did not close in time.
        """
        closed = self.expect("server.session.closed", timeout)
        await self.send(TranslationSessionCloseEvent())
        await closed
        await self.disconnect()

    async def disconnect(self) -> None:
        """Close the connection at once (no flush); does nothing when not connected."""
        transport, task = self._transport, self._receive_task
        if transport is None or task is None:
            return
        await transport.close()
        await asyncio.shield(task)
        await self.drain()

    async def _receive_loop(self, transport: Transport) -> None:
        code: int | None = 1006
        reason = "connection lost"
        try:
            while True:
                message = await transport.receive()
                if isinstance(message, TransportClosed):
                    code, reason = message.code, message.reason
                    break
                self._receive(message)
        finally:
            await transport.close()
            self._transport = None
            self._receive_task = None
            self._last_close = (code, reason)
            self.dispatch("close", CloseEvent(code, reason, True))
            self.release_waiters(ConnectionClosedError(code, reason))

    def _receive(self, frame: str | bytes) -> None:
        for observer in self._frame_observers:
            observer("server", frame)
        try:
            if isinstance(frame, bytes):
                raise ProtocolError("server sent a binary frame", raw=frame)
            event = decode_translation_event(frame)
        except ProtocolError as error:
            logger.warning("ignored an invalid translation frame: %s", error)
            self.dispatch("error", LocalErrorEvent(str(error), error, raw=error.raw))
            return
        self._apply(event)
        self.dispatch(f"server.{event.type}", event)

    def _apply(self, event: TranslationServerEvent | UnknownServerEvent) -> None:
        session = getattr(event, "session", None)
        if isinstance(session, RealtimeTranslationSession):
            self.session = session
        piece = self.transcript.apply(event)
        if piece is not None:
            side = isinstance(event, TranslationSessionInputTranscriptDeltaEvent)
            self.dispatch("input_transcript" if side else "output_transcript", piece)
        if isinstance(event, TranslationSessionOutputAudioDeltaEvent):
            samples = self._convert(event)
            self._output.append(samples)
            self.dispatch("output_audio", samples)

    def _convert(self, event: TranslationSessionOutputAudioDeltaEvent) -> NDArray[np.int16]:
        """The delta's audio at the app's rate and channels."""
        channels = event.channels or 1
        rate = event.sample_rate or SAMPLE_RATE
        frames = decode_base64(event.delta).reshape(-1, channels)
        mono = frames[:, 0] if channels == 1 else frames.mean(axis=1).round().astype(np.int16)
        if rate != self._output_rate:
            mono = resample(mono, rate, self._output_rate)
        if self._output_channels == 2:
            return np.repeat(mono[:, None], 2, axis=1)
        return mono
