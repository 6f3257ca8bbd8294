"""The load harness in small: a few clients for a few seconds, nothing lost, no errors.

``make load`` runs the same code with 200 clients for a minute; this keeps it working.
"""

from __future__ import annotations

from .run_load import run


async def test_a_short_load_run_loses_nothing_and_has_no_errors() -> None:
    result = await run(clients=5, seconds=2.0)

    assert result.errors == []
    assert result.server_connections == 5
    assert result.server_sent == result.client_dispatched > 0
    assert result.server_received == result.client_sent > 0
    assert result.responses > 0
    assert result.ok
