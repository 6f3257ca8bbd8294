"""``openai-realtime transcribe IN.wav [--srt OUT.srt] [--vtt OUT.vtt]``: live captions.

The WAV file (any rate or channel count: converted to 24 kHz mono) is streamed into a
transcription session; each segment is printed as it completes, with its timing, while a
progress bar on stderr shows how much of the file has been sent. At the end the captions are
written as SubRip and/or WebVTT (and JSON Lines with ``--jsonl``).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from openai_realtime.audio import SAMPLE_RATE
from openai_realtime.captions import to_json_lines, to_srt, to_webvtt
from openai_realtime.cli._common import (
    CommandError,
    Progress,
    Subparsers,
    add_connection_options,
    check_output_paths,
    open_target,
)
from openai_realtime.cli._wav_input import (
    add_pace_option,
    read_input,
    stream_chunks,
)
from openai_realtime.errors import RealtimeTimeoutError
from openai_realtime.protocol.transcripts import SegmentChange
from openai_realtime.recording import Recorder
from openai_realtime.transcriber import DEFAULT_TRANSCRIPTION_MODEL, RealtimeTranscriber

__all__ = ["register", "run"]

TRAILING_SILENCE_MS: Final = 1500
"""Silence sent after the file, so the last stretch of speech ends under VAD."""
FINISH_TIMEOUT: Final = 60.0


def register(subparsers: Subparsers) -> None:
    """Add the ``transcribe`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "transcribe",
        help="live captions for a WAV file, saved as SRT/WebVTT (fake server unless --live)",
        description=(
            "Stream a WAV file into a transcription session, print each caption as it "
            "completes and write the captions as SubRip and/or WebVTT files."
        ),
    )
    add_connection_options(parser, model=DEFAULT_TRANSCRIPTION_MODEL, what="transcription")
    parser.add_argument("input", type=Path, metavar="IN.wav", help="the speech: a PCM WAV file")
    parser.add_argument("--srt", type=Path, metavar="OUT.srt", help="write SubRip captions")
    parser.add_argument("--vtt", type=Path, metavar="OUT.vtt", help="write WebVTT captions")
    parser.add_argument(
        "--jsonl", type=Path, metavar="OUT.jsonl", help="write the captions as JSON Lines"
    )
    parser.add_argument("--language", help="the language spoken (ISO-639-1, e.g. en)")
    add_pace_option(parser)
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    """Stream the file, print the captions, write the caption files.

    Args:
        args: ``input``, ``srt``, ``vtt``, ``jsonl``, ``language``, ``realtime``, ``live``,
            ``url``, ``model`` and ``record`` are read.

    Returns:
        0 when every segment was transcribed and the files written.

    Raises:
        CommandError: An output file cannot be written, the input is not a readable WAV file,
            or the transcripts did not finish in time.
        RealtimeError: The connection failed or the session was refused.
    """
    check_output_paths(args.srt, args.vtt, args.jsonl, args.record)
    samples = read_input(args.input)
    seconds = len(samples) / SAMPLE_RATE
    options = {"language": args.language} if args.language else {}
    async with open_target(args) as target:
        print(f"openai-realtime transcribe: transcribing with {target.description}", flush=True)
        transcriber = RealtimeTranscriber(target.url, model=args.model, **options)
        transcriber.on("segment.completed", _print_caption)
        transcriber.on("segment.failed", _print_failure)
        recorder = Recorder.attach(transcriber.realtime, args.record) if args.record else None
        try:
            async with transcriber:
                progress = Progress(f"streaming {args.input.name}", seconds)
                await stream_chunks(
                    transcriber.append_input_audio, samples, progress, realtime=args.realtime
                )
                await transcriber.append_input_audio(_silence(TRAILING_SILENCE_MS))
                await _finish(transcriber)
        finally:
            if recorder is not None:
                recorder.close()
    segments = transcriber.segments
    for path, write in ((args.srt, to_srt), (args.vtt, to_webvtt), (args.jsonl, to_json_lines)):
        if path is not None:
            path.write_text(write(segments), encoding="utf-8")
            print(f"Wrote {path.resolve()}", flush=True)
    print(f"{len(transcriber.store.completed)} captions from {seconds:.1f} s of audio", flush=True)
    return 0


async def _finish(transcriber: RealtimeTranscriber) -> None:
    """Wait until every segment is final (committing speech the VAD has not closed)."""
    await transcriber.flush()
    if any(segment.status == "speaking" for segment in transcriber.segments):
        await transcriber.commit()
    finished = asyncio.Event()

    def check(change: SegmentChange | None = None) -> None:
        if all(segment.is_final for segment in transcriber.segments):
            finished.set()

    transcriber.on("segment.completed", check)
    transcriber.on("segment.failed", check)
    check()
    try:
        async with asyncio.timeout(FINISH_TIMEOUT):
            await finished.wait()
    except TimeoutError:
        raise CommandError(
            f"the transcripts did not finish within {FINISH_TIMEOUT:.0f} s"
        ) from RealtimeTimeoutError("transcription")


def _silence(ms: int) -> NDArray[np.int16]:
    return np.zeros(SAMPLE_RATE * ms // 1000, dtype=np.int16)


def _timestamp(ms: int | None) -> str:
    if ms is None:
        return "--:--.---"
    minutes, rest = divmod(ms, 60_000)
    return f"{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _print_caption(change: SegmentChange) -> None:
    segment = change.segment
    timing = f"[{_timestamp(segment.start_ms)} --> {_timestamp(segment.end_ms)}]"
    print(f"{timing} {segment.text}", flush=True)


def _print_failure(change: SegmentChange) -> None:
    error = change.segment.error
    reason = error.message if error is not None else "unknown error"
    print(f"[{_timestamp(change.segment.start_ms)}] (transcription failed: {reason})", flush=True)
