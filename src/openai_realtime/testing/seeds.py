"""The fake server's seed: one number that fixes every choice the live service may make either
way, so a test that fails on one of them can be rerun exactly.
"""

from __future__ import annotations

import os
import secrets
from typing import Final

__all__ = ["SEED_VARIABLE", "seed_from_environment"]

SEED_VARIABLE: Final = "OPENAI_REALTIME_FAKE_SEED"
"""The environment variable a server without an explicit ``seed`` reads its seed from."""


def seed_from_environment() -> int:
    """The seed in :data:`SEED_VARIABLE`, or a new random one when it is unset.

    Raises:
        ValueError: The variable is set but is not an integer.
    """
    value = os.environ.get(SEED_VARIABLE, "").strip()
    if not value:
        return secrets.randbelow(2**32)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{SEED_VARIABLE} must be an integer, got {value!r}") from None
