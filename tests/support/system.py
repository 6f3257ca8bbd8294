"""System parts the tests use: binaries and shared libraries, with the Debian package of each.

A test that needs one asks for it by name::

    chromium = require_binary("chromium")
    require_library("libportaudio.so.2")

and FAILS, never skips, with a message naming ``make system-deps`` when it is missing: a green run
must mean every test ran. Only registered names are accepted, and a test keeps every package
named here inside the Makefile's ``SYSTEM_PACKAGES``, the list ``make system-deps`` installs.
"""

from __future__ import annotations

import ctypes
import shutil

import pytest

__all__ = ["SYSTEM_BINARIES", "SYSTEM_LIBRARIES", "require_binary", "require_library"]

# Executable name -> the Debian package that ships it.
SYSTEM_BINARIES: dict[str, str] = {
    "chromium": "chromium",
    "chromedriver": "chromium-driver",
    "pulseaudio": "pulseaudio",
    "pactl": "pulseaudio-utils",
    "pacat": "pulseaudio-utils",
    "parec": "pulseaudio-utils",
    "aplay": "alsa-utils",
    "arecord": "alsa-utils",
    "ip": "iproute2",
    "unshare": "util-linux",
    "npm": "npm",
    "git": "git",
    "openssl": "openssl",
}

# Shared library soname (as the dynamic loader finds it) -> the Debian package that ships it.
SYSTEM_LIBRARIES: dict[str, str] = {
    "libportaudio.so.2": "libportaudio2",
}

# Administration tools (ip) live in sbin, which a non-root PATH often leaves out.
_SBIN = "/usr/local/sbin:/usr/sbin:/sbin"

_INSTALL_HINT = "run `make system-deps` (as root; otherwise `sudo make system-deps`)"


def require_binary(name: str) -> str:
    """Return the path of a registered system executable, failing the test if it is missing.

    Args:
        name: A key of :data:`SYSTEM_BINARIES`, such as ``"chromium"``.

    Returns:
        The executable's absolute path.

    Raises:
        ValueError: ``name`` is not registered in :data:`SYSTEM_BINARIES`.
    """
    package = _package(name, SYSTEM_BINARIES, "SYSTEM_BINARIES")
    path = shutil.which(name) or shutil.which(name, path=_SBIN)
    if path is None:
        pytest.fail(f"{name} is not installed (Debian package {package}): {_INSTALL_HINT}")
    return path


def require_library(soname: str) -> None:
    """Fail the test unless the dynamic loader can load a registered shared library.

    Args:
        soname: A key of :data:`SYSTEM_LIBRARIES`, such as ``"libportaudio.so.2"``.

    Raises:
        ValueError: ``soname`` is not registered in :data:`SYSTEM_LIBRARIES`.
    """
    package = _package(soname, SYSTEM_LIBRARIES, "SYSTEM_LIBRARIES")
    try:
        ctypes.CDLL(soname)
    except OSError as error:
        pytest.fail(
            f"{soname} cannot be loaded ({error}; Debian package {package}): {_INSTALL_HINT}"
        )


def _package(name: str, registry: dict[str, str], registry_name: str) -> str:
    try:
        return registry[name]
    except KeyError:
        raise ValueError(
            f"{name!r} is not in tests/support/system.py {registry_name}: register it with its "
            "Debian package, and add the package to SYSTEM_PACKAGES in the Makefile"
        ) from None
