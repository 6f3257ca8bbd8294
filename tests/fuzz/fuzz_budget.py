"""How many cases each fuzz test runs: a quick budget in ``make test``, a long one in ``make fuzz``.

``make fuzz`` runs ``pytest tests/fuzz --hypothesis-profile=fuzz``. The budgets are chosen per
test (a socket round trip costs far more than a decode), so each test states both numbers with
:func:`budget`; the profile decides which one applies. Totals: about 4,000 cases quick (a few
seconds), over 100,000 with the fuzz profile.
"""

from __future__ import annotations

from typing import Final

from hypothesis import HealthCheck, settings

__all__ = ["FUZZ_PROFILE", "FUZZ_TEST_TIMEOUT", "budget", "is_long_run"]

FUZZ_PROFILE: Final = "fuzz"
"""The profile ``make fuzz`` loads."""

FUZZ_TEST_TIMEOUT: Final = 3600
"""Seconds one fuzz test may take under the fuzz profile (the suite's default is 60)."""

# Shared by both budgets: no deadline (a socket round trip varies), no example database (the
# long runs would fill it), and the health checks that flag slow or large data are off,
# because large frames are the point. The fixtures reused across examples are meant to be.
_COMMON: Final = settings(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)

settings.register_profile(FUZZ_PROFILE, parent=_COMMON, max_examples=25_000)


def budget(*, quick: int, fuzz: int) -> settings:
    """Settings for one fuzz test: ``quick`` cases normally, ``fuzz`` under the fuzz profile.

    Args:
        quick: Cases in an ordinary run (``make test``).
        fuzz: Cases under ``--hypothesis-profile=fuzz``.

    Returns:
        Settings to decorate the test with.
    """
    return settings(parent=_COMMON, max_examples=fuzz if is_long_run() else quick)


def is_long_run() -> bool:
    """True under the fuzz profile (``make fuzz``)."""
    return settings.get_current_profile_name() == FUZZ_PROFILE
