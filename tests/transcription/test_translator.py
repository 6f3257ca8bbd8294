"""RealtimeTranslator against the fake server's translation sessions, on its time scale."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import numpy as np
import pytest
from numpy.typing import NDArray
from spoken_audio import RATE, utterances_with_silences

from openai_realtime.errors import (
    ClientSecretError,
    ConfigurationError,
    ConnectionClosedError,
    NotConnectedError,
    RealtimeConnectionError,
)
from openai_realtime.secrets import create_translation_client_secret
from openai_realtime.testing import FakeRealtimeServer
from openai_realtime.translator import RealtimeTranslator
from openai_realtime.types import (
    ErrorEvent,
    TranslationSessionOutputAudioDeltaEvent,
    TranslationSessionUpdateEvent,
)
from tests.support import WAIT

TIME_SCALE = 0.02
CHUNK_MS = 100


def translation_url(server: FakeRealtimeServer) -> str:
    return server.url.replace("/v1/realtime", "/v1/realtime/translations")


async def stream(
    translator: RealtimeTranslator, server: FakeRealtimeServer, audio: NDArray[np.int16]
) -> None:
    step = RATE * CHUNK_MS // 1000
    for start in range(0, len(audio), step):
        await translator.append_input_audio(audio[start : start + step])
        await asyncio.sleep(server.clock.real_seconds(CHUNK_MS / 1000))


async def test_output_audio_matches_the_input_length_and_both_transcripts_arrive() -> None:
    audio, spans = utterances_with_silences(
        ["where is the station", "two tickets please"], [800, 1500], total_ms=8000
    )
    async with FakeRealtimeServer(time_scale=TIME_SCALE) as server:
        translator = RealtimeTranslator(translation_url(server), language="fr")
        deltas: list[TranslationSessionOutputAudioDeltaEvent] = []
        translator.on("server.session.output_audio.delta", deltas.append)
        async with translator:
            assert translator.session is not None
            assert translator.session.audio.output is not None
            assert translator.session.audio.output.language == "fr"
            await stream(translator, server, audio)
            await translator.close()
    output = translator.output_audio
    assert abs(len(output) - len(audio)) * 1000 / RATE <= 200
    transcript = translator.transcript
    # One phrase per utterance, heard then said in French (the fake marks its translations).
    assert transcript.input_text.count("seconds of audio") == len(spans)
    assert transcript.output_text.count("[fr] ") == len(spans)
    assert transcript.output_text.replace("[fr] ", "") == transcript.input_text
    for pieces in (transcript.input_pieces, transcript.output_pieces):
        elapsed = [piece.elapsed_ms for piece in pieces]
        assert all(value is not None for value in elapsed)
        assert elapsed == sorted(elapsed)  # type: ignore[type-var]
    # Each translated phrase starts where its utterance did, on the input clock.
    first_output = transcript.output_pieces[0].elapsed_ms
    assert first_output is not None and abs(first_output - spans[0].start_ms) <= 200
    # Each audio delta declares its format and where it sits on the input clock.
    position = 0
    for delta in deltas:
        assert (delta.sample_rate, delta.channels, delta.format) == (RATE, 1, "pcm16")
        assert delta.elapsed_ms == position * 1000 // RATE
        position += len(delta.delta) * 3 // 4 // 2
    assert position == len(output)
    # Silence stays silence; speech becomes sound where the utterances were.
    first = spans[0]
    speech = output[first.start_ms * RATE // 1000 : first.end_ms * RATE // 1000]
    assert np.abs(speech.astype(np.int32)).max() > 1000
    assert not output[: (first.start_ms - 100) * RATE // 1000].any()


async def test_output_is_resampled_and_made_stereo_when_asked() -> None:
    audio, _ = utterances_with_silences(["hola"], [500], total_ms=2000)
    received: list[NDArray[np.int16]] = []
    async with FakeRealtimeServer(time_scale=TIME_SCALE) as server:
        translator = RealtimeTranslator(
            translation_url(server), output_sample_rate=16000, output_channels=2
        )
        translator.on("output_audio", received.append)
        async with translator:
            await translator.append_input_audio(audio)
            await translator.close()
    output = translator.output_audio
    assert output.shape[1] == 2 and output.dtype == np.int16
    assert abs(len(output) - 2 * 16000) <= 16000 * 0.2
    assert sum(len(chunk) for chunk in received) == len(output)


async def test_paced_translated_speech_streams_at_the_speed_of_speech() -> None:
    audio, _ = utterances_with_silences(["one", "two"], [300, 1200], total_ms=4000)
    arrivals: list[tuple[float, int | None]] = []
    async with FakeRealtimeServer(time_scale=TIME_SCALE, pace=1.0) as server:
        translator = RealtimeTranslator(translation_url(server))
        translator.on(
            "server.session.output_audio.delta",
            lambda delta: arrivals.append((server.clock.now(), delta.elapsed_ms)),
        )
        async with translator:
            started = server.clock.now()
            await translator.append_input_audio(audio)  # all at once, faster than speech
            await translator.close()
    assert len(translator.output_audio) == len(audio)
    for arrived, elapsed in arrivals:
        # No delta can arrive before the audio ahead of it could have been played.
        assert elapsed is not None
        assert arrived >= started + elapsed / 1000


async def test_close_flushes_speech_still_going_on() -> None:
    speech, _ = utterances_with_silences(["unfinished sentence"], [300], total_ms=0)
    async with FakeRealtimeServer(time_scale=TIME_SCALE) as server:
        translator = RealtimeTranslator(translation_url(server))
        async with translator:
            await translator.append_input_audio(speech)
            await translator.close()
    assert len(translator.output_audio) == len(speech)
    assert translator.transcript.output_text.startswith("[es] ")


async def test_bad_inputs_get_typed_errors() -> None:
    never = RealtimeTranslator("ws://127.0.0.1:9/v1/realtime/translations")
    with pytest.raises(NotConnectedError):
        await never.append_input_audio(np.zeros(10, dtype=np.int16))
    with pytest.raises(ConfigurationError):
        RealtimeTranslator("http://127.0.0.1:9/v1/realtime/translations")
    with pytest.raises(ConfigurationError):
        RealtimeTranslator("ws://127.0.0.1:9/x", output_channels=3)
    async with FakeRealtimeServer(time_scale=TIME_SCALE) as server:
        translator = RealtimeTranslator(translation_url(server))
        async with translator:
            with pytest.raises(ConfigurationError, match="unsupported input audio"):
                await translator.append_input_audio(np.zeros((4, 2), dtype=np.int16))
            await translator.close()
        with pytest.raises(ConnectionClosedError):
            await translator.append_input_audio(np.zeros(10, dtype=np.int16))


async def test_the_fake_refuses_a_source_language_and_realtime_events() -> None:
    async with FakeRealtimeServer(time_scale=TIME_SCALE) as server:
        async with RealtimeTranslator(translation_url(server)) as translator:
            error = translator.expect("server.error", WAIT)
            update = TranslationSessionUpdateEvent.model_validate(
                {"session": {"audio": {"input": {"language": "en"}}}}
            )
            await translator.send(update)
            refused = await error
            assert isinstance(refused, ErrorEvent)
            assert refused.error.code == "unknown_parameter"
            assert refused.error.param == "session.audio.input.language"
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(translation_url(server) + "?model=gpt-realtime-translate")
            assert (await ws.receive_json())["type"] == "session.created"
            await ws.send_json({"type": "response.create"})
            error_body = (await ws.receive_json())["error"]
            assert (error_body["code"], error_body["param"]) == ("invalid_value", "type")
            await ws.close()


async def test_a_translation_client_secret_opens_its_session() -> None:
    async with FakeRealtimeServer(api_key="sk-test", time_scale=TIME_SCALE) as server:
        secret = await create_translation_client_secret(
            api_key="sk-test",
            base_url=server.http_url,
            session={"model": "gpt-realtime-translate", "audio": {"output": {"language": "de"}}},
        )
        assert secret.session.audio.output is not None
        assert secret.session.audio.output.language == "de"
        async with RealtimeTranslator(translation_url(server), secret.value, model=None) as t:
            assert t.session is not None and t.session.audio.output is not None
            assert t.session.audio.output.language == "de"
        with pytest.raises(ClientSecretError):
            await create_translation_client_secret(
                api_key="sk-wrong", base_url=server.http_url, session={"model": "m"}
            )
    created = json.loads(server.connections[0].sent[0])
    assert created["session"]["type"] == "translation"


async def test_a_refused_handshake_is_a_connection_error() -> None:
    async with FakeRealtimeServer(api_key="sk-right", time_scale=TIME_SCALE) as server:
        translator = RealtimeTranslator(translation_url(server), "sk-wrong")
        with pytest.raises(RealtimeConnectionError, match="HTTP 401"):
            await translator.connect()
        assert not translator.is_connected
        async with RealtimeTranslator(translation_url(server), "sk-right") as accepted:
            with pytest.raises(RealtimeConnectionError, match="already connected"):
                await accepted.connect()
