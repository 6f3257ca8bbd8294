"""``openai-realtime translate IN.wav --to es --out OUT.wav``: speech translated to a file.

The WAV file is streamed into a translation session; what was heard and what the translation
says are printed as they arrive (``heard:`` and ``said:`` lines), then ``session.close`` flushes
the rest and the translated speech is written to a WAV file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from yarl import URL

from openai_realtime.audio import SAMPLE_RATE, write_wav
from openai_realtime.cli._common import (
    Progress,
    Subparsers,
    add_connection_options,
    check_output_paths,
    open_target,
)
from openai_realtime.cli._wav_input import (
    add_output_wav_option,
    add_pace_option,
    read_input,
    stream_chunks,
)
from openai_realtime.protocol.transcripts import TranscriptPiece
from openai_realtime.recording import Recorder
from openai_realtime.translator import DEFAULT_TRANSLATION_MODEL, RealtimeTranslator
from openai_realtime.types.translation import TRANSLATION_ADDRESS

__all__ = ["register", "run", "translation_url"]


def register(subparsers: Subparsers) -> None:
    """Add the ``translate`` command.

    Args:
        subparsers: The main parser's subcommands.
    """
    parser = subparsers.add_parser(
        "translate",
        help="translate the speech of a WAV file into another language (fake server unless "
        "--live or --url)",
        description=(
            "Stream a WAV file into a translation session, print what was heard and what the "
            "translation says, and write the translated speech to a WAV file."
        ),
    )
    add_connection_options(parser, model=DEFAULT_TRANSLATION_MODEL, what="translation")
    parser.add_argument("input", type=Path, metavar="IN.wav", help="the speech: a PCM WAV file")
    parser.add_argument(
        "--to", required=True, metavar="LANGUAGE", help="the target language, e.g. es"
    )
    add_output_wav_option(parser, default="translated.wav", what="the translated speech")
    add_pace_option(parser)
    parser.set_defaults(run=run)


def translation_url(realtime_url: str | None) -> str | None:
    """The translation endpoint next to a Realtime endpoint (``None``: OpenAI's).

    Args:
        realtime_url: A ``.../v1/realtime`` URL, or one already ending in the translation path.

    Returns:
        The ``.../v1/realtime/translations`` URL with the same host and query.
    """
    if realtime_url is None:
        return None
    url = URL(realtime_url)
    if url.path.endswith(TRANSLATION_ADDRESS):
        return realtime_url
    return str(url.with_path(url.path.rstrip("/") + "/translations"))


async def run(args: argparse.Namespace) -> int:
    """Stream the file, print both transcripts, write the translated speech.

    Args:
        args: ``input``, ``to``, ``out``, ``realtime``, ``live``, ``url``, ``model`` and
            ``record`` are read.

    Returns:
        0 when the translation was written.

    Raises:
        CommandError: An output file cannot be written or the input is not a WAV file.
        RealtimeError: The connection failed or the session was refused.
    """
    check_output_paths(args.out, args.record)
    samples = read_input(args.input)
    seconds = len(samples) / SAMPLE_RATE
    async with open_target(args) as target:
        print(f"openai-realtime translate: translating with {target.description}", flush=True)
        translator = RealtimeTranslator(
            translation_url(target.url), model=args.model, language=args.to
        )
        printer = _TranscriptPrinter()
        translator.on("input_transcript", lambda piece: printer.show("heard", piece))
        translator.on("output_transcript", lambda piece: printer.show("said", piece))
        recorder = None
        if args.record:
            recorder = Recorder(args.record, model=translator.model, url=translator.url)
            translator.observe_frames(recorder.observe)
        try:
            async with translator:
                progress = Progress(f"streaming {args.input.name}", seconds)
                await stream_chunks(
                    translator.append_input_audio, samples, progress, realtime=args.realtime
                )
                await translator.close()
        finally:
            if recorder is not None:
                recorder.close()
        printer.end()
    write_wav(args.out, translator.output_audio, rate=SAMPLE_RATE)
    written = len(translator.output_audio) / SAMPLE_RATE
    print(f"Input transcript: {translator.transcript.input_text}", flush=True)
    print(f"Translation: {translator.transcript.output_text}", flush=True)
    print(f"Wrote {written:.1f} s of translated speech to {args.out.resolve()}", flush=True)
    return 0


class _TranscriptPrinter:
    """Prints transcript pieces as they come, starting a new line when the side changes."""

    def __init__(self) -> None:
        self._side: str | None = None

    def show(self, side: str, piece: TranscriptPiece) -> None:
        if side != self._side:
            self.end()
            print(f"{side}: ", end="", flush=True)
            self._side = side
        print(piece.text, end="", flush=True)

    def end(self) -> None:
        if self._side is not None:
            print(flush=True)
            self._side = None
