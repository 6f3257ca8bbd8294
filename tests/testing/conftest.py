"""Every fake-server test runs under one seed, reported when the test fails.

The fake server makes the choices the live service may make either way (such as whether an
input transcript finishes before or after ``response.created``) from its seed. Here each test
gets a seed, from ``OPENAI_REALTIME_FAKE_SEED`` when it is set, else a fresh random one; a
failing test's report names it, and setting the variable to it reruns the same choices.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from openai_realtime.testing.seeds import SEED_VARIABLE, seed_from_environment

_SEED_KEY = pytest.StashKey[int]()


@pytest.fixture(autouse=True)
def fake_server_seed(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[int]:
    """The seed every FakeRealtimeServer made in this test uses unless given one."""
    seed = seed_from_environment()  # the variable's value, or a fresh random seed
    monkeypatch.setenv(SEED_VARIABLE, str(seed))
    request.node.stash[_SEED_KEY] = seed
    yield seed


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    seed = item.stash.get(_SEED_KEY, None)
    if report.failed and seed is not None:
        report.sections.append(
            ("fake server seed", f"rerun with {SEED_VARIABLE}={seed} to repeat its choices")
        )
    return report
