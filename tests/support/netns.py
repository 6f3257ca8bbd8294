"""A network namespace of the test's own, for tests whose peers must not use this machine's
addresses (WebRTC: ICE skips loopback, so two local peers would meet on a real interface).

:func:`run_in_network_namespace` runs a command under ``unshare -n`` after giving the new
namespace loopback and a veth pair carrying :data:`NAMESPACE_ADDRESSES`, the only addresses
ICE can then gather. Inside, :data:`INSIDE_VARIABLE` is set and tests wrap their work in
``allow_namespace_network(NAMESPACE_NETWORK)``, which lets the loopback guard pass exactly
those two addresses.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from typing import Final

from .system import require_binary

__all__ = [
    "INSIDE_VARIABLE",
    "NAMESPACE_ADDRESSES",
    "NAMESPACE_NETWORK",
    "inside_network_namespace",
    "run_in_network_namespace",
]

NAMESPACE_NETWORK: Final = "10.231.0.0/30"
"""The veth pair's network: two usable addresses, nothing else."""

NAMESPACE_ADDRESSES: Final = ("10.231.0.1", "10.231.0.2")

INSIDE_VARIABLE: Final = "OPENAI_REALTIME_TEST_NETNS"
"""Set (to the network) in the environment of a command run inside the namespace."""


def run_in_network_namespace(
    command: Sequence[str], *, timeout: float, cwd: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in a fresh network namespace with the test veth pair.

    Fails the test (naming ``make system-deps``) when ``unshare`` or ``ip`` is missing.

    Args:
        command: The program and its arguments.
        timeout: Seconds before the command is killed.
        cwd: Its working directory.

    Returns:
        The finished process, with stdout and stderr captured as text.
    """
    unshare = require_binary("unshare")
    ip = require_binary("ip")
    first, second = NAMESPACE_ADDRESSES
    prefix = NAMESPACE_NETWORK.rpartition("/")[2]
    setup = (
        "set -e\n"
        f"{ip} link set lo up\n"
        f"{ip} link add veth0 type veth peer name veth1\n"
        f"{ip} addr add {first}/{prefix} dev veth0\n"
        f"{ip} addr add {second}/{prefix} dev veth1\n"
        f"{ip} link set veth0 up\n"
        f"{ip} link set veth1 up\n"
        'exec "$@"\n'
    )
    return subprocess.run(
        [unshare, "--net", "sh", "-c", setup, "sh", *command],
        env={**os.environ, INSIDE_VARIABLE: NAMESPACE_NETWORK},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def inside_network_namespace() -> bool:
    """Whether this process runs inside a namespace made by :func:`run_in_network_namespace`."""
    return os.environ.get(INSIDE_VARIABLE) == NAMESPACE_NETWORK
