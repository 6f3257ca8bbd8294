"""The loopback guard: the test process reaches nothing but this machine.

The root ``tests/conftest.py`` installs :data:`GUARD` for the whole session. From then on every
IP connection (``socket.connect`` / ``connect_ex``, which asyncio and aiohttp use), every
datagram sent to an address (``sendto``) and every name lookup (``getaddrinfo``,
``gethostbyname``) is checked first. Loopback (``127.0.0.0/8``, ``::1``, ``localhost``) passes, and
so do the networks a test registers for a network namespace it created itself
(:func:`allow_namespace_network`). Anything else raises :class:`OutsideAddressError` naming the
address, and the guard also records it, so the test fails even when a library swallows the
error (a tracing exporter in a background thread, a resolver with a fallback).

Unix sockets and other non-IP families pass: they cannot leave the machine.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "GUARD",
    "OFFLINE_ENVIRONMENT",
    "LoopbackGuard",
    "OutsideAddressError",
    "allow_namespace_network",
]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Off switches for what dependencies would otherwise send out on their own; the root conftest
# sets them at session start. The guard would catch each of these, but a test should fail for
# what it does, not for a dependency's phone-home.
OFFLINE_ENVIRONMENT: dict[str, str] = {
    # openai-agents exports traces to OpenAI's tracing endpoint by default.
    "OPENAI_AGENTS_DISABLE_TRACING": "1",
    # OpenTelemetry (pulled in by mcp): no SDK, no exporters.
    "OTEL_SDK_DISABLED": "true",
    "OTEL_TRACES_EXPORTER": "none",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
    # Selenium Manager: never download a driver or browser, never send usage statistics.
    "SE_OFFLINE": "true",
    "SE_AVOID_STATS": "true",
    # The pyright wrapper asks PyPI for a newer release on every run.
    "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1",
    # npm asks its registry whether a newer npm exists.
    "NPM_CONFIG_UPDATE_NOTIFIER": "false",
    # pip asks PyPI whether a newer pip exists (the packaging test runs pip offline).
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    # The common opt-out that several tools honour.
    "DO_NOT_TRACK": "1",
}

_LOCAL_NAMES = frozenset({"localhost", "localhost."})
_IP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


class OutsideAddressError(RuntimeError):
    """A test tried to reach or resolve an address outside loopback and its own namespaces."""


class LoopbackGuard:
    """Checks every connection and name lookup of the process against an allow list.

    One instance (:data:`GUARD`) serves the whole test session; tests use
    :func:`allow_namespace_network` rather than calling :meth:`allow` directly.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._networks: list[IPNetwork] = []
        self._violations: list[str] = []
        self._originals: dict[tuple[object, str], Any] = {}

    @property
    def installed(self) -> bool:
        """Whether the socket functions are patched."""
        return bool(self._originals)

    def install(self) -> None:
        """Patch the socket functions; idempotent."""
        if self.installed:
            return
        self._patch(socket.socket, "connect", self._guard_connect)
        self._patch(socket.socket, "connect_ex", self._guard_connect)
        self._patch(socket.socket, "sendto", self._guard_sendto)
        self._patch(socket, "getaddrinfo", self._guard_resolve)
        self._patch(socket, "gethostbyname", self._guard_resolve)
        self._patch(socket, "gethostbyname_ex", self._guard_resolve)

    def uninstall(self) -> None:
        """Restore the original socket functions."""
        for (owner, name), original in self._originals.items():
            setattr(owner, name, original)
        self._originals.clear()

    def allow(self, network: IPNetwork) -> None:
        """Let the process reach ``network`` until :meth:`disallow`."""
        with self._lock:
            self._networks.append(network)

    def disallow(self, network: IPNetwork) -> None:
        """Undo one :meth:`allow` of ``network``."""
        with self._lock:
            self._networks.remove(network)

    def take_violations(self) -> list[str]:
        """Return the refused attempts recorded since the last call, and forget them."""
        with self._lock:
            taken, self._violations = self._violations, []
        return taken

    def check_host(self, host: object, action: str) -> None:
        """Raise (and record) :class:`OutsideAddressError` unless ``host`` stays on this machine.

        Args:
            host: An IP address literal or a host name, as given to ``connect`` or ``getaddrinfo``.
            action: What was attempted, for the message (``"connect to"``, ``"resolve"``).

        Raises:
            OutsideAddressError: ``host`` is neither loopback nor in an allowed namespace network.
        """
        if self._is_local(host):
            return
        shown = host.decode(errors="replace") if isinstance(host, bytes) else str(host)
        message = (
            f"the loopback guard refused to {action} {shown!r}: tests reach only loopback "
            "(127.0.0.0/8, ::1, localhost) and networks registered with allow_namespace_network()"
        )
        with self._lock:
            self._violations.append(message)
        raise OutsideAddressError(message)

    def _is_local(self, host: object) -> bool:
        if host is None or host in ("", b""):
            return True  # getaddrinfo(None, port): this machine's own wildcard / loopback
        text = host.decode(errors="replace") if isinstance(host, bytes) else str(host)
        if text.lower() in _LOCAL_NAMES:
            return True
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return False  # a host name: looking it up would already ask a DNS server
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_loopback:
            return True
        with self._lock:
            return any(address in network for network in self._networks)

    def _patch(self, owner: object, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        self._originals[(owner, name)] = original
        setattr(owner, name, make(original))

    def _guard_connect(self, original: Callable[..., Any]) -> Callable[..., Any]:
        guard = self

        def connect(sock: socket.socket, address: Any) -> Any:
            if sock.family in _IP_FAMILIES:
                guard.check_host(address[0], "connect to")
            return original(sock, address)

        return connect

    def _guard_sendto(self, original: Callable[..., Any]) -> Callable[..., Any]:
        guard = self

        def sendto(sock: socket.socket, data: Any, *flags_and_address: Any) -> Any:
            # sendto(data, address) or sendto(data, flags, address): the address comes last.
            if sock.family in _IP_FAMILIES and flags_and_address:
                guard.check_host(flags_and_address[-1][0], "send to")
            return original(sock, data, *flags_and_address)

        return sendto

    def _guard_resolve(self, original: Callable[..., Any]) -> Callable[..., Any]:
        guard = self

        def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
            guard.check_host(host, "resolve")
            return original(host, *args, **kwargs)

        return resolve


GUARD = LoopbackGuard()


@contextmanager
def allow_namespace_network(cidr: str) -> Iterator[IPNetwork]:
    """Let the test reach a network of a namespace it created, for the ``with`` block.

    A WebRTC test, for example, creates a network namespace with a veth pair on
    ``10.231.0.0/24`` (ICE skips loopback) and wraps its exchange in
    ``with allow_namespace_network("10.231.0.0/24"):``.

    Args:
        cidr: The namespace's network, such as ``"10.231.0.0/24"``; it must be private-use
            address space (RFC 1918 or IPv6 unique-local), never a public range.

    Yields:
        The parsed network.

    Raises:
        ValueError: ``cidr`` is not a network, or not private-use address space.
    """
    network = ipaddress.ip_network(cidr)
    if not network.is_private or network.prefixlen < (8 if network.version == 4 else 48):
        raise ValueError(f"{cidr} is not a private-use network a test namespace may use")
    GUARD.allow(network)
    try:
        yield network
    finally:
        GUARD.disallow(network)
