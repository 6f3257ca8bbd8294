"""The shared ``until()`` and ``WAIT`` budget."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import WAIT, until


async def test_until_returns_once_the_condition_holds() -> None:
    flag: list[int] = []
    checks: list[bool] = []

    def condition() -> bool:
        checks.append(bool(flag))
        return bool(flag)

    asyncio.get_running_loop().call_soon(flag.append, 1)
    await until(condition)
    assert checks[-1] is True and checks.count(True) == 1 and len(checks) >= 2


async def test_until_checks_without_waiting_when_already_true() -> None:
    checks: list[int] = []

    def condition() -> bool:
        checks.append(1)
        return True

    await until(condition)
    assert checks == [1]


async def test_until_gives_up_after_its_timeout() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await until(lambda: False, timeout=0.05)
    assert 0.05 <= loop.time() - started < WAIT


def test_the_wait_budget_fails_a_test_before_the_runner_timeout(
    pytestconfig: pytest.Config,
) -> None:
    assert 0 < WAIT < float(pytestconfig.getini("timeout"))
