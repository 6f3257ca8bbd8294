"""Secrets on the command line: from a file or the environment, never only from an argument.

A value given as an argument is visible to every user of the machine (``ps``, ``/proc``) and
stays in shell history, so each secret option also reads a file (``--token-file``) or an
environment variable, and an argument still works but prints a warning.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from openai_realtime.cli._common import CommandError, notice

__all__ = ["SecretOption", "add_secret_option", "read_secret"]


@dataclass(frozen=True)
class SecretOption:
    """One secret a command takes.

    Attributes:
        flag: The argument form, e.g. ``--token`` (``--token-file`` is added beside it).
        environment: The environment variable that may hold it.
        what: What it is, for help and messages ("relay token").
    """

    flag: str
    environment: str
    what: str

    @property
    def file_flag(self) -> str:
        """The option that names a file holding the secret."""
        return f"{self.flag}-file"

    @property
    def dest(self) -> str:
        """The argparse destination of the argument form."""
        return self.flag.removeprefix("--").replace("-", "_")


def add_secret_option(parser: argparse.ArgumentParser, option: SecretOption) -> None:
    """Add the argument form and the file form of a secret to a command.

    Args:
        parser: The command's parser.
        option: The secret.
    """
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        option.file_flag,
        type=Path,
        metavar="PATH",
        help=f"read the {option.what} from this file (or set {option.environment})",
    )
    group.add_argument(
        option.flag,
        metavar="VALUE",
        help=f"the {option.what} itself (visible to other users: prefer {option.file_flag})",
    )


def read_secret(args: argparse.Namespace, option: SecretOption) -> str | None:
    """The secret from the file, the argument or the environment, in that order.

    Args:
        args: The parsed options.
        option: The secret.

    Returns:
        The secret, or ``None`` when none was given.

    Raises:
        CommandError: The file cannot be read or is empty (the message names the file, never
            the secret).
    """
    path: Path | None = getattr(args, option.file_flag.removeprefix("--").replace("-", "_"))
    if path is not None:
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise CommandError(f"cannot read {option.file_flag} {path}: {error.strerror}") from None
        if not value:
            raise CommandError(f"{option.file_flag} {path} is empty")
        return value
    given: str | None = getattr(args, option.dest)
    if given is not None:
        notice(
            f"warning: {option.flag} shows the {option.what} to every user of this machine; "
            f"use {option.file_flag} or {option.environment}"
        )
        return given
    return os.environ.get(option.environment) or None
