"""Speech translation: stream a WAV file in, get translated speech and both transcripts back.

Run:  python docs/examples/translate_speech.py [input.wav] [--to es] [--live]

The translated speech is written to translated.wav at 16 kHz (the translator resamples what the
server sends). Without input.wav the example makes two spoken-like phrases.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
from example_support import argument_parser, realtime_url
from numpy.typing import NDArray

from openai_realtime.audio import chunk_samples, read_wav, write_wav
from openai_realtime.testing.synth import synthesize_speech
from openai_realtime.translator import RealtimeTranslator


def sample_speech(rate: int = 24_000) -> NDArray[np.int16]:
    pause = np.zeros(rate // 2, dtype=np.int16)
    phrases = ("good morning", "where is the train station")
    return np.concatenate(
        [part for text in phrases for part in (pause, synthesize_speech(text, rate))] + [pause]
    )


async def main(wav: Path | None, language: str, live: bool) -> None:
    samples = read_wav(wav) if wav else sample_speech()
    async with realtime_url(live) as url:
        # The translation endpoint sits next to the Realtime one (OpenAI's when url is None).
        where = url.replace("/v1/realtime", "/v1/realtime/translations") if url else None
        translator = RealtimeTranslator(where, language=language, output_sample_rate=16_000)
        async with translator:
            for chunk in chunk_samples(samples, chunk_ms=100):
                await translator.append_input_audio(chunk)
            await translator.close()  # session.close: the rest is flushed, then session.closed
    write_wav("translated.wav", translator.output_audio, rate=16_000)
    print(f"heard: {translator.transcript.input_text}")
    print(f"said: {translator.transcript.output_text}")
    seconds_in, seconds_out = len(samples) / 24_000, len(translator.output_audio) / 16_000
    print(f"input {seconds_in:.1f} s, translated speech {seconds_out:.1f} s")


if __name__ == "__main__":
    parser = argument_parser(__doc__)
    parser.add_argument("wav", nargs="?", type=Path, help="a PCM WAV file")
    parser.add_argument("--to", default="es", help="the target language (default: es)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.wav, arguments.to, arguments.live))
