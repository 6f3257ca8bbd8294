"""``RealtimeTranscriber``: a transcription-only session, its transcript kept as segments.

A transcription session takes audio in and gives transcripts back; the model never answers.
It connects with ``?intent=transcription`` (never ``?model=``: the service refuses a
transcription ``session.update`` on a model's session), configures the session with the
options given, then every server event goes through a
:class:`~openai_realtime.protocol.transcripts.TranscriptStore` before it is dispatched::

    async with RealtimeTranscriber(language="en", include_logprobs=True) as transcriber:
        transcriber.on("segment.completed", lambda change: print(change.segment.text))
        await transcriber.append_input_audio(samples)   # int16 or float, 24 kHz mono
        ...
    for segment in transcriber.segments:
        print(segment.start_ms, segment.end_ms, segment.text)

What it dispatches, besides every wire event (``server.<type>``, ``client.<type>``, routed to
its :class:`~openai_realtime.api.RealtimeAPI`):

=======================  ====================================================================
name                     payload
=======================  ====================================================================
``segment.started``      :class:`~openai_realtime.protocol.transcripts.SegmentChange`: speech
                         began (or audio was committed by hand)
``segment.updated``      the same, with the ``delta`` the text grew by
``segment.diarized``     the same, with the speaker-labelled part that arrived (``diarized``,
                         a :class:`~openai_realtime.protocol.transcripts.DiarizedSegment`), from
                         a diarizing model (``model="gpt-4o-transcribe-diarize"``)
``segment.completed``    the same, once the segment's transcript is final
``segment.failed``       the same, when transcription of the segment failed
=======================  ====================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, TypedDict, Unpack

from numpy.typing import NDArray
from pydantic import ValidationError
from yarl import URL

from openai_realtime._async_with import ConnectsOnEnter
from openai_realtime._models import validation_summary
from openai_realtime._session_audio import append_pieces
from openai_realtime._session_update import new_event_id, send_and_confirm
from openai_realtime.api import DEFAULT_URL, ConnectionOptions, RealtimeAPI
from openai_realtime.errors import ConfigurationError
from openai_realtime.events import EventEmitter, EventName, Handler
from openai_realtime.protocol.audio import SAMPLE_RATE
from openai_realtime.protocol.transcripts import (
    DIARIZE_MODEL,
    DiarizedSegment,
    TranscriptSegment,
    TranscriptStore,
)
from openai_realtime.types import (
    ClientEvent,
    InputAudioBufferAppendEvent,
    InputAudioBufferCommitEvent,
    RealtimeTranscriptionSessionCreateRequest,
    ServerEvent,
    SessionUpdatedEvent,
    SessionUpdateEvent,
    UnknownServerEvent,
)
from openai_realtime.types.params import (
    RealtimeTranscriptionSessionCreateRequestAudioInputNoiseReductionParam,
    RealtimeTurnDetectionParam,
)

__all__ = [
    "DEFAULT_TRANSCRIPTION_MODEL",
    "RealtimeTranscriber",
    "TranscriptionOptions",
    "transcription_session",
]

DEFAULT_TRANSCRIPTION_MODEL: Final = "gpt-4o-transcribe"
_LOGPROBS: Final = "item.input_audio_transcription.logprobs"
_SETUP_TIMEOUT: Final = 30.0
# Dispatched by the RealtimeAPI: `close` and local `error` events are the connection's.
_CONNECTION_EVENTS: Final = frozenset({"close", "error"})


class TranscriptionOptions(TypedDict, total=False):
    """The options of a transcription session (each maps onto the generated session params).

    Attributes:
        model: The transcription model (``audio.input.transcription.model``).
        language: The language spoken, as an ISO-639-1 code.
        prompt: Text that guides the transcription (vocabulary, style).
        keywords: Words and names to expect.
        delay: How long the model may wait for context (``minimal`` to ``xhigh``).
        noise_reduction: ``{"type": "near_field" | "far_field"}``, or ``None`` for none.
        turn_detection: Server VAD settings, or ``None`` to commit by hand (:meth:`commit`).
        include_logprobs: Ask for the log probabilities of the transcript's tokens.
    """

    model: str
    language: str
    prompt: str
    keywords: Sequence[str]
    delay: Literal["minimal", "low", "medium", "high", "xhigh"]
    noise_reduction: RealtimeTranscriptionSessionCreateRequestAudioInputNoiseReductionParam | None
    turn_detection: RealtimeTurnDetectionParam | None
    include_logprobs: bool


_OPTION_NAMES: Final = frozenset(TranscriptionOptions.__annotations__)
_TRANSCRIPTION_KEYS: Final = ("language", "prompt", "keywords", "delay")
_INPUT_KEYS: Final = ("noise_reduction", "turn_detection")
# Options the service refuses with the diarizing model.
_NOT_DIARIZED: Final = ("prompt", "include_logprobs")


def transcription_session(
    **options: Unpack[TranscriptionOptions],
) -> RealtimeTranscriptionSessionCreateRequest:
    """The ``session`` of the ``session.update`` that configures a transcription session.

    Args:
        **options: See :class:`TranscriptionOptions`; options left out keep the server's value.

    Returns:
        The typed session (``type: transcription``).

    Raises:
        ConfigurationError: An unknown option, a value the session does not accept, or an
            option the model does not take (the diarizing model takes no ``prompt`` and no
            ``include_logprobs``).
    """
    unknown = sorted(set(options) - _OPTION_NAMES)
    if unknown:
        raise ConfigurationError(
            f"unknown transcription option(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(_OPTION_NAMES))}"
        )
    if options.get("model") == DIARIZE_MODEL:
        refused = [name for name in _NOT_DIARIZED if options.get(name)]
        if refused:
            raise ConfigurationError(f"{DIARIZE_MODEL} does not take {', '.join(refused)}")
    given: dict[str, Any] = dict(options)
    transcription = {"model": given.get("model", DEFAULT_TRANSCRIPTION_MODEL)}
    transcription.update({key: given[key] for key in _TRANSCRIPTION_KEYS if key in given})
    audio_input: dict[str, Any] = {"transcription": transcription}
    audio_input.update({key: given[key] for key in _INPUT_KEYS if key in given})
    session: dict[str, Any] = {"type": "transcription", "audio": {"input": audio_input}}
    if options.get("include_logprobs"):
        session["include"] = [_LOGPROBS]
    try:
        return RealtimeTranscriptionSessionCreateRequest.model_validate(session)
    except ValidationError as error:
        problems = validation_summary(error)
        raise ConfigurationError(f"invalid transcription options: {problems}") from None


class RealtimeTranscriber(ConnectsOnEnter, EventEmitter):
    """A transcription session: audio in, segments of transcript out.

    Args:
        url: The Realtime WebSocket URL (OpenAI's by default); ``intent=transcription`` is put
            in its query and any ``model`` taken out.
        api_key: The API key, or a client secret minted for a transcription session
            (``create_client_secret(session={"type": "transcription", ...})``).
        connection: Options of the underlying :class:`~openai_realtime.api.RealtimeAPI`
            (``transport=``, ``headers=``, ``allow_insecure=``, ...).
        sample_rate: Rate of the audio :meth:`append_input_audio` is given by default; it is
            resampled to the session's 24 kHz when it differs.
        **options: The session's options (:class:`TranscriptionOptions`).

    Raises:
        ConfigurationError: An unknown option or an invalid value; nothing is sent.
    """

    def __init__(
        self,
        url: str | URL | None = None,
        api_key: str | None = None,
        *,
        connection: ConnectionOptions | None = None,
        sample_rate: int = SAMPLE_RATE,
        **options: Unpack[TranscriptionOptions],
    ) -> None:
        if sample_rate <= 0:
            raise ConfigurationError(f"sample_rate must be positive, got {sample_rate}")
        self._session = transcription_session(**options)
        target = URL(url if url is not None else DEFAULT_URL)
        query = {name: value for name, value in target.query.items() if name != "model"}
        target = target.with_query({**query, "intent": "transcription"})
        self.realtime = RealtimeAPI(target, api_key, model=None, **(connection or {}))
        """The event connection (every wire event is dispatched there)."""
        # Segment handlers count against the connection's bound, so a slow one slows reading.
        super().__init__(count_tasks_with=self.realtime)
        self.realtime.attach_state(self)
        self.store = TranscriptStore()
        """The transcript, one segment per committed stretch of speech."""
        self._sample_rate = sample_rate

    @property
    def segments(self) -> list[TranscriptSegment]:
        """Every segment so far, in the order their speech started."""
        return self.store.segments

    @property
    def speaker_segments(self) -> list[DiarizedSegment]:
        """Every speaker-labelled part so far, in order (diarizing models only).

        Each segment keeps its own in :attr:`TranscriptSegment.speakers`.
        """
        return self.store.speaker_segments

    @property
    def text(self) -> str:
        """The transcript so far, one segment per line."""
        return self.store.text

    def __repr__(self) -> str:
        return f"<RealtimeTranscriber segments={len(self.store)} realtime={self.realtime!r}>"

    def on(self, name: EventName, handler: Handler | None = None) -> Any:
        """Call ``handler`` on every ``name`` event (``segment.*`` or a wire event name)."""
        return self._subscribe(name, handler, once=False)

    def once(self, name: EventName, handler: Handler | None = None) -> Any:
        """Like :meth:`on`, but only for the next event."""
        return self._subscribe(name, handler, once=True)

    async def wait_for_next(self, name: EventName, timeout: float | None = None) -> Any:
        """Wait for the next ``name`` event and return its payload.

        Raises:
            RealtimeTimeoutError: Nothing arrived in time.
            ConnectionClosedError: The connection closed first.
        """
        return await self._wait_for(name, timeout)

    def _route(self, key: str) -> EventEmitter:
        wire = key.startswith(("server.", "client.")) or key in _CONNECTION_EVENTS
        return self.realtime if wire else self

    # EventState: applied by the RealtimeAPI before each event is dispatched.
    @property
    def received(self) -> Callable[[ServerEvent | UnknownServerEvent], None]:
        """Applies a server event to the store, then dispatches what changed."""
        return self._apply

    @property
    def sending(self) -> Callable[[ClientEvent], None]:
        """Nothing to account for: the store follows what the server says."""
        return _ignore

    def _apply(self, event: ServerEvent | UnknownServerEvent) -> None:
        change = self.store.apply(event)
        if change is not None:
            self.dispatch(f"segment.{change.kind}", change)

    async def connect(self, timeout: float = _SETUP_TIMEOUT) -> None:
        """Connect and configure the session; returns once the server has applied it.

        Args:
            timeout: Seconds to wait for the server to confirm the session.

        Raises:
            SessionRefusedError: The server refused the configuration (the connection is
                closed then).
            RealtimeConnectionError: The connection failed.
            RealtimeTimeoutError: The server did not confirm in time.
        """
        await self.realtime.connect()
        try:
            await self.update_session(self._session, timeout=timeout)
        except BaseException:
            await self.realtime.disconnect()
            raise

    async def update_session(
        self,
        session: RealtimeTranscriptionSessionCreateRequest | None = None,
        *,
        timeout: float = _SETUP_TIMEOUT,
        **options: Unpack[TranscriptionOptions],
    ) -> SessionUpdatedEvent:
        """Change the session's options and wait until the server has applied them.

        Args:
            session: A typed session; without one, it is built from ``options``.
            timeout: Seconds to wait for ``session.updated``.
            **options: See :class:`TranscriptionOptions`.

        Returns:
            The ``session.updated`` event.

        Raises:
            ConfigurationError: Unknown options or invalid values; nothing is sent.
            SessionRefusedError: The server answered with an ``error``.
            ConnectionClosedError: The connection is closed.
        """
        typed = session if session is not None else transcription_session(**options)
        event = SessionUpdateEvent(event_id=new_event_id(), session=typed)
        updated: SessionUpdatedEvent = await send_and_confirm(
            self.realtime,
            lambda: self.realtime.send(event),
            event.event_id or "",
            timeout,
            "transcription",
        )
        return updated

    async def append_input_audio(
        self, audio: bytes | NDArray[Any], *, sample_rate: int | None = None
    ) -> None:
        """Stream audio into the session.

        Args:
            audio: Mono audio: PCM16 little-endian bytes, an int16 array, or a float array in
                ``[-1, 1]``. Long audio is sent in several events.
            sample_rate: Its rate; defaults to the transcriber's ``sample_rate``. Audio at
                another rate than the session's 24 kHz is resampled.

        Raises:
            ConfigurationError: The audio is not mono PCM16 or float, or the rate is invalid.
            NotConnectedError: Before :meth:`connect`.
            ConnectionClosedError: The session is closed.
        """
        rate = self._sample_rate if sample_rate is None else sample_rate
        for piece in append_pieces(audio, rate):
            await self.realtime.send(InputAudioBufferAppendEvent(audio=piece))

    async def flush(self, timeout: float = _SETUP_TIMEOUT) -> None:
        """Return once the server has handled everything sent so far.

        Events are handled in order, so this sends an empty ``session.update`` and waits for
        its ``session.updated``: by then every segment the audio closed has been reported.

        Raises:
            ConnectionClosedError: The session is closed.
            RealtimeTimeoutError: No answer in time.
        """
        unchanged = RealtimeTranscriptionSessionCreateRequest.model_validate(
            {"type": "transcription"}
        )
        await self.update_session(unchanged, timeout=timeout)

    async def commit(self) -> None:
        """Commit the audio appended since the last segment (without VAD, or at the end).

        Raises:
            ConnectionClosedError: The session is closed.
        """
        await self.realtime.send(InputAudioBufferCommitEvent())

    async def disconnect(self) -> None:
        """Close the session (the transcript stays readable)."""
        await self.realtime.disconnect()


def _ignore(event: ClientEvent) -> None:
    """Client events change nothing in the store."""
