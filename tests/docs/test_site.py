"""The documentation site builds with ``mkdocs build --strict``: a broken page fails the tests.

Strict mode turns every warning into a failure: a page missing from the nav, a link to a page
or anchor that does not exist, an API reference entry that does not resolve, an example snippet
that is gone.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The build takes a few seconds; stay well below pytest's 60 s.
BUILD_TIMEOUT_SECONDS = 50.0


def test_site_builds_strictly(tmp_path: Path) -> None:
    for plugin in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        if importlib.util.find_spec(plugin) is None:
            pytest.fail(f"{plugin} is not installed: install the dev extra (make install)")
    # Material prints a banner about its successor unless told not to; it is noise here.
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert (tmp_path / "site" / "index.html").is_file()
