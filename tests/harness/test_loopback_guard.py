"""The loopback guard: outside addresses fail the test, naming the address; loopback passes."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.network import (
    GUARD,
    OFFLINE_ENVIRONMENT,
    OutsideAddressError,
    allow_namespace_network,
)

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = "192.0.2.1"  # TEST-NET-1: documentation space, never a real host
NAME = re.escape("example.com")


def refused_once(address: str) -> None:
    """Assert the guard recorded exactly one refusal, naming ``address``, and forget it."""
    violations = GUARD.take_violations()
    assert len(violations) == 1 and repr(address) in violations[0], violations


def test_the_guard_is_installed_for_the_session() -> None:
    assert GUARD.installed


def test_connect_to_an_outside_address_fails_naming_it() -> None:
    with socket.socket() as sock, pytest.raises(OutsideAddressError, match=re.escape(OUTSIDE)):
        sock.connect((OUTSIDE, 9))
    refused_once(OUTSIDE)


def test_connect_ex_is_guarded_too() -> None:
    with socket.socket() as sock, pytest.raises(OutsideAddressError, match=re.escape(OUTSIDE)):
        sock.connect_ex((OUTSIDE, 9))
    refused_once(OUTSIDE)


def test_a_datagram_to_an_outside_address_fails() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
        pytest.raises(OutsideAddressError, match=re.escape(OUTSIDE)),
    ):
        sock.sendto(b"stun?", (OUTSIDE, 3478))
    refused_once(OUTSIDE)


def test_an_ipv4_mapped_outside_address_fails() -> None:
    mapped = f"::ffff:{OUTSIDE}"
    with pytest.raises(OutsideAddressError, match=re.escape(mapped)):
        GUARD.check_host(mapped, "connect to")
    refused_once(mapped)


async def test_asyncio_connections_go_through_the_guard() -> None:
    with pytest.raises(OutsideAddressError, match=re.escape(OUTSIDE)):
        await asyncio.open_connection(OUTSIDE, 9)
    refused_once(OUTSIDE)


@pytest.mark.parametrize("lookup", ["gethostbyname", "gethostbyname_ex"])
def test_resolving_a_name_fails_naming_it(lookup: str) -> None:
    with pytest.raises(OutsideAddressError, match=NAME):
        getattr(socket, lookup)("example.com")
    refused_once("example.com")


def test_getaddrinfo_of_a_name_fails_before_any_dns_query() -> None:
    with pytest.raises(OutsideAddressError, match=NAME):
        socket.getaddrinfo("example.com", 443)
    refused_once("example.com")


async def test_asyncio_name_lookups_go_through_the_guard() -> None:
    with pytest.raises(OutsideAddressError, match=NAME):
        await asyncio.get_running_loop().getaddrinfo("example.com", 443)
    refused_once("example.com")


async def test_loopback_connections_pass() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        for host in ("127.0.0.1", "localhost"):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"ping\n")
            assert await reader.readline() == b"ping\n"
            writer.close()
            await writer.wait_closed()
    assert GUARD.take_violations() == []


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "localhost"]
)
def test_every_loopback_spelling_passes(host: str) -> None:
    GUARD.check_host(host, "connect to")


def test_unix_sockets_pass(tmp_path: Path) -> None:
    path = str(tmp_path / "socket")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
            accepted, _ = server.accept()
            client.sendall(b"x")
            assert accepted.recv(1) == b"x"
            accepted.close()


def test_a_namespace_network_is_allowed_only_inside_its_block() -> None:
    with allow_namespace_network("10.231.0.0/24"):
        GUARD.check_host("10.231.0.2", "connect to")
        with pytest.raises(OutsideAddressError, match=re.escape("10.231.1.2")):
            GUARD.check_host("10.231.1.2", "connect to")
        refused_once("10.231.1.2")
    with pytest.raises(OutsideAddressError, match=re.escape("10.231.0.2")):
        GUARD.check_host("10.231.0.2", "connect to")
    refused_once("10.231.0.2")


@pytest.mark.parametrize("cidr", ["8.8.8.0/24", "0.0.0.0/0", "10.0.0.0/7"])
def test_only_private_networks_can_be_allowed(cidr: str) -> None:
    with pytest.raises(ValueError, match="private"), allow_namespace_network(cidr):
        pass


def test_telemetry_is_switched_off_for_the_session() -> None:
    assert {name: os.environ.get(name) for name in OFFLINE_ENVIRONMENT} == OFFLINE_ENVIRONMENT
    assert os.environ["OPENAI_AGENTS_DISABLE_TRACING"] == "1"


def test_a_swallowed_attempt_still_fails_its_test() -> None:
    """A child pytest runs tests that hide the guard's error; they fail, naming the address."""
    probe = "tests/harness/outside_probe.py"
    child = subprocess.run(
        [sys.executable, "-m", "pytest", probe, "-p", "no:cacheprovider", "-q", "-rA"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = child.stdout
    assert child.returncode == 1, report
    outcomes = {
        line.split(" ")[1].split("::")[1]: line
        for line in report.splitlines()
        if line.startswith(("PASSED ", "FAILED ")) and "::" in line
    }
    assert set(outcomes) == {
        "test_swallowed_connect",
        "test_swallowed_lookup_in_a_thread",
        "test_loopback_passes",
    }, report
    assert outcomes["test_loopback_passes"].startswith("PASSED"), report
    assert outcomes["test_swallowed_connect"].startswith("FAILED"), report
    assert outcomes["test_swallowed_lookup_in_a_thread"].startswith("FAILED"), report
    assert f"refused to connect to '{OUTSIDE}'" in report
    assert "refused to resolve 'example.com'" in report
