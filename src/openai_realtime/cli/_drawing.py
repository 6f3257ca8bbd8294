"""What ``timeline`` and ``inspect`` share: read a recording, write one picture of it.

Each of them is a :class:`DrawingCommand`: its name and help, its default output file, the
output suffixes it can write and the function that writes them. The command checks the
output's suffix and that it can be written before it reads the recording.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from openai_realtime.cli._common import (
    Subparsers,
    UsageError,
    check_output_paths,
    read_recording_file,
)
from openai_realtime.recording import Recording

__all__ = ["HTML_SUFFIXES", "DrawingCommand"]

HTML_SUFFIXES: Final = frozenset({".html", ".htm"})
"""Output names that mean a self-contained HTML page."""


@dataclass(frozen=True)
class DrawingCommand:
    """A command that draws a recording into one file.

    Attributes:
        name: The command's name.
        help: Its one line in the main ``--help``.
        description: Its own ``--help`` text.
        default_output: The file written when ``-o`` is not given.
        output_help: What the output is, for ``--help`` (the default is appended).
        suffixes: The output suffixes it writes, in lower case.
        wrong_suffix: The usage error for any other suffix; ``{output}`` stands for the file.
        drawn: What was written, for the line printed at the end (``timeline``).
        write: Writes the recording to the file, in the format its suffix names.
    """

    name: str
    help: str
    description: str
    default_output: str
    output_help: str
    suffixes: frozenset[str]
    wrong_suffix: str
    drawn: str
    write: Callable[[Recording, Path], object]

    def register(self, subparsers: Subparsers) -> None:
        """Add the command: the recording, and ``-o`` / ``--output``.

        Args:
            subparsers: The main parser's subcommands.
        """
        parser = subparsers.add_parser(self.name, help=self.help, description=self.description)
        parser.add_argument("recording", help="the .jsonl recording file")
        parser.add_argument(
            "-o",
            "--output",
            default=self.default_output,
            help=f"{self.output_help} (default: {self.default_output})",
        )
        parser.set_defaults(run=self.run)

    def run(self, args: argparse.Namespace) -> int:
        """Write the picture.

        Args:
            args: ``recording`` and ``output`` are read.

        Returns:
            0.

        Raises:
            UsageError: The output's suffix is not one the command writes.
            CommandError: The output cannot be written, or the file is not a recording.
            ConfigurationError: The format needs a library that is not installed.
            OSError: A file cannot be read or written.
        """
        output = Path(args.output)
        if output.suffix.lower() not in self.suffixes:
            raise UsageError(self.wrong_suffix.format(output=output))
        check_output_paths(output)
        self.write(read_recording_file(args.recording), output)
        print(f"{self.drawn} written to {output}")
        return 0
