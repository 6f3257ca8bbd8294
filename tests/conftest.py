"""Session-wide rules for every test: nothing leaves this machine.

The loopback guard (:mod:`tests.support.network`) is installed before any test module is
imported, and dependencies' telemetry switches are turned off. A test that tried to reach or
resolve an outside address fails at the end of the phase (setup, call or teardown) where it
happened, naming the address, even if the error was swallowed on the way.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

from tests.support.network import GUARD, OFFLINE_ENVIRONMENT


def pytest_configure(config: pytest.Config) -> None:
    os.environ.update(OFFLINE_ENVIRONMENT)
    GUARD.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    GUARD.uninstall()


def _fail_on_outside_attempts(phase: str) -> Generator[None, None, None]:
    try:
        yield
    finally:
        violations = GUARD.take_violations()
    if violations:
        # The attempt may come from a background thread of an earlier test; it still fails here.
        pytest.fail(f"outside-address attempts during {phase}:\n" + "\n".join(violations))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    yield from _fail_on_outside_attempts("setup")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    yield from _fail_on_outside_attempts("the test")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    yield from _fail_on_outside_attempts("teardown")


def pytest_sessionfinish(session: pytest.Session) -> None:
    violations = GUARD.take_violations()
    if violations:
        # Attempts after the last test (a straggling thread): fail the run all the same.
        print("\noutside-address attempts after the last test:\n" + "\n".join(violations))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
