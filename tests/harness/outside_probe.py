"""Tests that break the loopback rule, run only in a child pytest by ``test_loopback_guard.py``.

The file name does not match ``test_*.py``, so the suite never collects it; the child run names
it explicitly. Each rule-breaking test hides the guard's error the way a careless library would,
and must fail all the same.
"""

from __future__ import annotations

import contextlib
import socket
import threading


def test_swallowed_connect() -> None:
    with socket.socket() as sock, contextlib.suppress(Exception):
        sock.connect(("192.0.2.1", 9))


def test_swallowed_lookup_in_a_thread() -> None:
    def lookup() -> None:
        with contextlib.suppress(Exception):
            socket.getaddrinfo("example.com", 443)

    worker = threading.Thread(target=lookup)
    worker.start()
    worker.join()


def test_loopback_passes() -> None:
    with (
        socket.create_server(("127.0.0.1", 0)) as server,
        socket.create_connection(server.getsockname()[:2]),
    ):
        pass
