"""Live captions: a transcription session turns speech into timed segments, then SRT and WebVTT.

Run:  python docs/examples/live_captions.py [input.wav] [--live]

Without input.wav the example makes three spoken-like phrases with pauses between them. Each
completed segment is printed with its timing; the captions are written next to the input.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
from example_support import argument_parser, realtime_url
from numpy.typing import NDArray

from openai_realtime.audio import chunk_samples, read_wav
from openai_realtime.captions import to_srt, to_webvtt
from openai_realtime.protocol.transcripts import SegmentChange
from openai_realtime.testing.synth import synthesize_speech
from openai_realtime.transcriber import RealtimeTranscriber


def sample_speech(rate: int = 24_000) -> NDArray[np.int16]:
    """Three phrases, each after a pause longer than the VAD's silence setting."""
    pause = np.zeros(rate, dtype=np.int16)
    phrases = ("welcome to the show", "today we talk about captions", "thanks for listening")
    return np.concatenate(
        [part for text in phrases for part in (pause, synthesize_speech(text, rate))] + [pause]
    )


def show(change: SegmentChange) -> None:
    segment = change.segment
    print(f"[{segment.start_ms} ms -> {segment.end_ms} ms] {segment.text}")


async def main(wav: Path | None, live: bool) -> None:
    samples = read_wav(wav) if wav else sample_speech()
    async with realtime_url(live) as url, RealtimeTranscriber(url, language="en") as transcriber:
        transcriber.on("segment.completed", show)
        for chunk in chunk_samples(samples, chunk_ms=100):
            await transcriber.append_input_audio(chunk)
        await transcriber.flush()  # every segment the audio closed has now been reported
    stem = wav.with_suffix("") if wav else Path("captions")
    Path(f"{stem}.srt").write_text(to_srt(transcriber.segments), encoding="utf-8")
    Path(f"{stem}.vtt").write_text(to_webvtt(transcriber.segments), encoding="utf-8")
    print(f"{len(transcriber.store.completed)} captions written to {stem}.srt and {stem}.vtt")


if __name__ == "__main__":
    parser = argument_parser(__doc__)
    parser.add_argument("wav", nargs="?", type=Path, help="a PCM WAV file")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.wav, arguments.live))
