"""Helpers shared by every test folder (import as ``tests.support``; pytest puts the project root
on ``sys.path``).

- :mod:`tests.support.waiting`: the ``WAIT`` budget and ``until()``.
- :mod:`tests.support.system`: ``require_binary`` / ``require_library`` for Debian packages.
- :mod:`tests.support.network`: the loopback guard and ``allow_namespace_network``.
- :mod:`tests.support.tools`: tool definitions (``WEATHER_TOOL``).
- :mod:`tests.support.calls`: webhook vectors and a webhook endpoint for the call tests.
"""

from __future__ import annotations

from .network import OutsideAddressError, allow_namespace_network
from .system import require_binary, require_library
from .tools import WEATHER_TOOL
from .waiting import WAIT, until

__all__ = [
    "WAIT",
    "WEATHER_TOOL",
    "OutsideAddressError",
    "allow_namespace_network",
    "require_binary",
    "require_library",
    "until",
]
