"""Conversation steps the commands share: awaiting answers, spoken turns, saving the speech.

Answers are awaited through :class:`Responses`, which queues every ``response.done`` from the
moment it is created: a step that triggers two responses (a tool call and the answer after it)
cannot miss the second one however fast it comes.

A spoken turn is streamed in 100 ms chunks with server VAD deciding where it ends; silence is
appended so that it does end. Which response answers it is only known once the server has seen
all the audio (a pause in a long recording may have made several turns, each answered, and each
answer cut short by the next turn), so :func:`speak_turn` waits for one round trip after the
audio and then for the response to the last turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from openai_realtime.audio import SAMPLE_RATE, chunk_samples, ms_to_samples, write_wav
from openai_realtime.cli._common import CommandError
from openai_realtime.cli._wav_input import CHUNK_MS
from openai_realtime.client import RealtimeClient
from openai_realtime.errors import ConnectionClosedError
from openai_realtime.local_events import CloseEvent
from openai_realtime.protocol.items import ConversationItem
from openai_realtime.types import (
    ConversationItemInputAudioTranscriptionCompletedEvent,
    ConversationItemInputAudioTranscriptionFailedEvent,
    InputAudioBufferCommittedEvent,
    InputAudioBufferSpeechStartedEvent,
    InputAudioBufferSpeechStoppedEvent,
    RealtimeResponse,
    ResponseCreatedEvent,
    ResponseDoneEvent,
)
from openai_realtime.types.params import AudioTranscriptionParam, ServerVADParam

__all__ = [
    "CHUNK_MS",
    "REPLY_TIMEOUT",
    "SERVER_VAD",
    "TRAILING_SILENCE_MS",
    "TRANSCRIPTION",
    "Responses",
    "items_of",
    "round_trip",
    "save_speech",
    "speak_turn",
    "stream_audio",
]

SERVER_VAD: Final[ServerVADParam] = {"type": "server_vad", "silence_duration_ms": 500}
TRANSCRIPTION: Final[AudioTranscriptionParam] = {"model": "gpt-4o-mini-transcribe"}
"""Input transcription for the commands that speak: the user's words appear as they talk."""
"""The turn detection the commands configure: a half-second pause ends a turn."""
TRAILING_SILENCE_MS: Final = 1000
"""Silence appended to a spoken turn: twice the pause that ends it."""
REPLY_TIMEOUT: Final = 60.0
"""Seconds to wait for an answer; the live API can be slow, the fake server never is."""
TRANSCRIPT_GRACE: Final = 10.0
"""Seconds to wait, after the answer, for user transcripts that are still being made."""
_GAP_MS: Final = 300


class Responses:
    """Every ``response.done`` of a client, queued in order, for steps to take one by one.

    Args:
        client: The client whose responses to collect (from now on).
    """

    def __init__(self, client: RealtimeClient) -> None:
        self._queue: asyncio.Queue[RealtimeResponse | CloseEvent] = asyncio.Queue()
        client.on("server.response.done", self._on_done)
        client.on("close", self._queue.put_nowait)

    def _on_done(self, event: ResponseDoneEvent) -> None:
        self._queue.put_nowait(event.response)

    async def next(self, timeout: float = REPLY_TIMEOUT) -> RealtimeResponse:
        """The oldest finished response not taken yet, waiting for one if there is none.

        Args:
            timeout: Seconds to wait.

        Returns:
            The response, as ``response.done`` reported it.

        Raises:
            CommandError: None within ``timeout`` seconds.
            ConnectionClosedError: The connection ended first.
        """
        try:
            async with asyncio.timeout(timeout):
                done = await self._queue.get()
        except TimeoutError:
            raise CommandError(f"no answer from the server within {timeout:g} s") from None
        if isinstance(done, CloseEvent):
            self._queue.put_nowait(done)  # every later wait fails the same way
            raise ConnectionClosedError(done.code, done.reason)
        return done


def items_of(client: RealtimeClient, response: RealtimeResponse) -> list[ConversationItem]:
    """The client's items for a response's output, in order (those it still has).

    Args:
        client: The client that received the response.
        response: A finished response.

    Returns:
        The conversation items.
    """
    items = (client.conversation.get_item(output.id or "") for output in response.output or [])
    return [item for item in items if item is not None]


async def round_trip(client: RealtimeClient, timeout: float = REPLY_TIMEOUT) -> None:
    """Send an empty ``session.update`` and wait for its ``session.updated``.

    The server handles events in order, so by then it has handled everything sent before, and
    the client has received what that produced (VAD events, an earlier ``session.updated``).

    Raises:
        RealtimeTimeoutError: No answer within ``timeout`` seconds.
        ConnectionClosedError: The connection ended first.
    """
    updated = asyncio.ensure_future(client.wait_for_next("server.session.updated", timeout))
    try:
        await client.update_session()
    except BaseException:
        updated.cancel()
        raise
    await updated


async def stream_audio(
    client: RealtimeClient,
    samples: NDArray[np.int16],
    *,
    realtime: bool = False,
    on_progress: Callable[[float], None] | None = None,
) -> None:
    """Append audio in :data:`CHUNK_MS` chunks, then :data:`TRAILING_SILENCE_MS` of silence.

    Args:
        client: A connected client.
        samples: 24 kHz mono PCM16.
        realtime: Send at the pace of speech instead of as fast as possible.
        on_progress: Called with the seconds of ``samples`` sent so far, after each chunk.
    """
    silence = np.zeros(ms_to_samples(TRAILING_SILENCE_MS), dtype=np.int16)
    loop = asyncio.get_running_loop()
    started = loop.time()
    sent = 0
    for index, chunk in enumerate(
        chunk_samples(np.concatenate((samples, silence)), chunk_ms=CHUNK_MS)
    ):
        if realtime:
            await asyncio.sleep(max(0.0, started + index * CHUNK_MS / 1000 - loop.time()))
        await client.append_input_audio(chunk)
        sent += len(chunk)
        if on_progress is not None:
            on_progress(min(sent, len(samples)) / SAMPLE_RATE)


class _TurnWatcher:
    """Follows server VAD and responses: how many turns ended, which response answers the last.

    The answer to the last turn is a response created after that turn began and not cancelled
    because another turn began: the server may create the answer to a turn only after it has
    already heard the next one, and then cancels it at once.

    Also tracks the transcripts still being made for committed audio, when the session asks for
    transcription.
    """

    def __init__(self, client: RealtimeClient, *, transcribing: bool) -> None:
        self._client = client
        self._transcribing = transcribing
        self.turns = 0
        self.speaking = False
        self._since_last_turn: set[str] = set()
        self._untranscribed: set[str] = set()
        self.transcripts_done = asyncio.Event()
        self.transcripts_done.set()
        client.on("server.input_audio_buffer.speech_started", self._on_started)
        client.on("server.input_audio_buffer.speech_stopped", self._on_stopped)
        client.on("server.input_audio_buffer.committed", self._on_committed)
        client.on("server.response.created", self._on_response_created)
        client.on(
            "server.conversation.item.input_audio_transcription.completed", self._on_transcribed
        )
        client.on("server.conversation.item.input_audio_transcription.failed", self._on_transcribed)

    def close(self) -> None:
        """Remove the handlers."""
        self._client.off("server.input_audio_buffer.speech_started", self._on_started)
        self._client.off("server.input_audio_buffer.speech_stopped", self._on_stopped)
        self._client.off("server.input_audio_buffer.committed", self._on_committed)
        self._client.off("server.response.created", self._on_response_created)
        self._client.off(
            "server.conversation.item.input_audio_transcription.completed", self._on_transcribed
        )
        self._client.off(
            "server.conversation.item.input_audio_transcription.failed", self._on_transcribed
        )

    def answers_last_turn(self, response: RealtimeResponse) -> bool:
        """Whether ``response`` is the answer to the latest turn heard so far."""
        details = response.status_details
        superseded = details is not None and details.reason == "turn_detected"
        return response.id in self._since_last_turn and not superseded

    def _on_started(self, event: InputAudioBufferSpeechStartedEvent) -> None:
        self.speaking = True
        self._since_last_turn.clear()

    def _on_stopped(self, event: InputAudioBufferSpeechStoppedEvent) -> None:
        self.speaking = False
        self.turns += 1

    def _on_response_created(self, event: ResponseCreatedEvent) -> None:
        if event.response.id is not None:
            self._since_last_turn.add(event.response.id)

    def _on_committed(self, event: InputAudioBufferCommittedEvent) -> None:
        if self._transcribing:
            self._untranscribed.add(event.item_id)
            self.transcripts_done.clear()

    def _on_transcribed(
        self,
        event: ConversationItemInputAudioTranscriptionCompletedEvent
        | ConversationItemInputAudioTranscriptionFailedEvent,
    ) -> None:
        self._untranscribed.discard(event.item_id)
        if not self._untranscribed:
            self.transcripts_done.set()


def _transcribes(client: RealtimeClient) -> bool:
    session = client.session
    audio_input = session.audio.input if session is not None and session.audio else None
    return audio_input is not None and audio_input.transcription is not None


async def speak_turn(
    client: RealtimeClient,
    responses: Responses,
    samples: NDArray[np.int16],
    *,
    realtime: bool = False,
    on_progress: Callable[[float], None] | None = None,
    timeout: float = REPLY_TIMEOUT,
) -> RealtimeResponse:
    """Stream audio as the user's turn under server VAD and wait for the answer to it.

    Args:
        client: A connected client whose session has server VAD on.
        responses: The client's response queue; responses to earlier turns of this audio are
            taken from it and dropped.
        samples: The user's audio, 24 kHz mono PCM16.
        realtime: Stream at the pace of speech.
        on_progress: See :func:`stream_audio`.
        timeout: Seconds to wait for the answer once the audio is sent.

    Returns:
        The response to the last turn the audio made. With input transcription on, the
        transcripts of the audio have arrived too (or :data:`TRANSCRIPT_GRACE` has passed).

    Raises:
        CommandError: The server heard no speech, or did not answer in time.
        ConnectionClosedError: The connection ended first.
    """
    watcher = _TurnWatcher(client, transcribing=_transcribes(client))
    try:
        await stream_audio(client, samples, realtime=realtime, on_progress=on_progress)
        await round_trip(client, timeout)
        if watcher.turns == 0 and not watcher.speaking:
            raise CommandError("the server heard no speech in the audio")
        response = await responses.next(timeout)
        while not watcher.answers_last_turn(response):
            response = await responses.next(timeout)
        try:
            async with asyncio.timeout(TRANSCRIPT_GRACE):
                await watcher.transcripts_done.wait()
        except TimeoutError:
            pass  # the answer matters more than a late transcript
        return response
    finally:
        watcher.close()


def save_speech(path: Path, items: Sequence[ConversationItem]) -> float:
    """Write the items' audio to a 24 kHz mono WAV file, with a short pause between items.

    Args:
        path: Where to write.
        items: Conversation items; those without audio are skipped.

    Returns:
        The seconds of audio written.

    Raises:
        CommandError: None of the items has audio.
        OSError: The file cannot be written.
    """
    spoken = [item.formatted.audio for item in items if len(item.formatted.audio)]
    if not spoken:
        raise CommandError("the answer has no audio to write")
    gap = np.zeros(ms_to_samples(_GAP_MS), dtype=np.int16)
    pieces: list[NDArray[np.int16]] = []
    for audio in spoken:
        pieces.extend((gap, audio) if pieces else (audio,))
    joined = np.concatenate(pieces)
    # Opened here, not by `wave`: its writer prints an "Exception ignored" traceback when it
    # fails to open the file itself.
    with path.open("wb") as file:
        write_wav(file, joined)
    return len(joined) / SAMPLE_RATE
