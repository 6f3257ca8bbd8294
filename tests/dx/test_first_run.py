"""``make demo`` on a fresh clone installs only what the demo needs, and shows pip's progress.

Measured on this machine (fresh clone, ``PIP_NO_CACHE_DIR=1 make demo``): about 44 s from
nothing to the demo's last line, under the load of other jobs. The full run needs the package
index, so this test reads the plan ``make -n`` prints in a copy with no ``.venv`` instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def planned(target: str, tmp_path: Path) -> list[str]:
    make = shutil.which("make")
    assert make is not None, "make is not installed"
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    # Run from `make test`, the outer make's flags would reach this one (and with them its
    # "Entering directory" lines): plan as a make started by hand.
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    }
    completed = subprocess.run(
        [make, "--no-print-directory", "-n", target],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return completed.stdout.splitlines()


def test_the_first_demo_installs_the_runtime_only_with_progress(tmp_path: Path) -> None:
    plan = planned("demo", tmp_path)
    installs = [line for line in plan if "pip install" in line]

    assert installs == [
        ".venv/bin/python -m pip install --disable-pip-version-check --progress-bar on -e ."
    ]
    assert plan[0] == "python3 -m venv .venv"
    assert plan[-1] == ".venv/bin/openai-realtime demo"


def test_the_test_target_still_installs_the_dev_tools(tmp_path: Path) -> None:
    plan = planned("install", tmp_path)

    assert any("pip install --quiet -e '.[dev]'" in line for line in plan)
    assert any(line.startswith("touch") and ".runtime-installed" in line for line in plan)
