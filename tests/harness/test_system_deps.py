"""`make system-deps`: one package list, a registry of the parts tests need, helpers that fail."""

from __future__ import annotations

import ast
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.system import (
    SYSTEM_BINARIES,
    SYSTEM_LIBRARIES,
    require_binary,
    require_library,
)

ROOT = Path(__file__).resolve().parents[2]
HELPERS = {"require_binary": SYSTEM_BINARIES, "require_library": SYSTEM_LIBRARIES}


def system_packages() -> list[str]:
    printed = subprocess.run(
        ["make", "--no-print-directory", "-s", "system-packages"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return printed.split()


def required_names() -> dict[str, set[str]]:
    """Every literal name a test module passes to a require_* helper, per helper."""
    found: dict[str, set[str]] = {name: set() for name in HELPERS}
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            function = node.func
            name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
            argument = node.args[0]
            if name in HELPERS and isinstance(argument, ast.Constant):
                found[name].add(str(argument.value))
    return found


def test_every_registered_part_comes_from_a_package_make_system_deps_installs() -> None:
    packages = system_packages()
    assert len(packages) == len(set(packages))
    registered = {**SYSTEM_BINARIES, **SYSTEM_LIBRARIES}
    outside = {name: package for name, package in registered.items() if package not in packages}
    assert outside == {}


def test_every_name_a_test_requires_is_registered() -> None:
    found = required_names()
    assert {"chromium", "npm"} <= found["require_binary"]  # the scan sees real call sites
    for helper, names in found.items():
        assert names <= set(HELPERS[helper]), helper


def test_every_registered_part_is_present_on_this_machine() -> None:
    """What `make system-deps` installed: every registered binary runs, every library loads."""
    for binary in SYSTEM_BINARIES:
        assert Path(require_binary(binary)).is_file()
    for library in SYSTEM_LIBRARIES:
        require_library(library)


def test_a_missing_binary_fails_naming_make_system_deps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception) as failure:
        require_binary("chromium")
    message = str(failure.value)
    assert "make system-deps" in message and "chromium" in message


def test_a_missing_library_fails_naming_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = "libnot-installed.so.7"  # a variable: the registry scan reads literal names only
    monkeypatch.setitem(SYSTEM_LIBRARIES, missing, "libnot-installed7")
    with pytest.raises(pytest.fail.Exception) as failure:
        require_library(missing)
    assert "libnot-installed7" in str(failure.value)
    assert "make system-deps" in str(failure.value)


@pytest.mark.parametrize("helper", [require_binary, require_library])
def test_an_unregistered_name_is_refused(helper: Callable[[str], object]) -> None:
    unregistered = "firefox"
    with pytest.raises(ValueError, match="SYSTEM_PACKAGES"):
        helper(unregistered)


STUBS = {
    # Installed packages answer "ii "; the listing shows what installed ones provide, a package
    # that is not installed (its Provides must not count), then a long tail, as on a real
    # machine: a reader that stops at the first match must not break the script's pipes.
    "dpkg-query": """
if [ $# -ge 3 ]; then
  for package in $STUB_INSTALLED; do [ "$package" = "$3" ] && { printf 'ii '; exit 0; }; done
  echo "dpkg-query: no packages found matching $3" >&2; exit 1
fi
printf 'ii |%s\\n' "$STUB_PROVIDES"
printf 'un |ghost\\n'
seq 50000 | sed 's/^/ii |filler/'
""",
    "id": 'echo "$STUB_UID"',
    "apt-get": 'echo "apt-get $*" >> "$STUB_LOG"',
}


def run_system_deps(
    tmp_path: Path, packages: list[str], installed: str, uid: int = 0, provides: str = ""
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    stubs = tmp_path / "bin"
    stubs.mkdir(exist_ok=True)
    for name, body in STUBS.items():
        (stubs / name).write_text(f"#!/usr/bin/env bash\n{body}\n")
        (stubs / name).chmod(0o755)
    log = tmp_path / "apt.log"
    environment = {
        **os.environ,
        "PATH": f"{stubs}:/usr/bin:/bin",
        "STUB_INSTALLED": installed,
        "STUB_PROVIDES": provides,
        "STUB_UID": str(uid),
        "STUB_LOG": str(log),
    }
    result = subprocess.run(
        ["bash", str(ROOT / ".ci" / "system-deps"), *packages],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    return result, log.read_text().splitlines() if log.exists() else []


def test_nothing_is_installed_when_everything_is_present(tmp_path: Path) -> None:
    result, apt = run_system_deps(tmp_path, ["chromium", "npm"], installed="chromium npm")
    assert (result.returncode, apt) == (0, [])


def test_root_installs_only_the_missing_packages_after_an_update(tmp_path: Path) -> None:
    result, apt = run_system_deps(tmp_path, ["chromium", "pulseaudio", "npm"], installed="npm")
    assert result.returncode == 0, result.stderr
    assert apt == ["apt-get update -qq", "apt-get install -y -qq chromium pulseaudio"]


def test_a_non_root_user_is_told_to_run_it_with_sudo(tmp_path: Path) -> None:
    result, apt = run_system_deps(tmp_path, ["chromium", "npm"], installed="npm", uid=1000)
    assert (result.returncode, apt) == (1, [])
    assert "chromium" in result.stderr and "sudo make system-deps" in result.stderr


def test_a_package_provided_by_an_installed_one_counts(tmp_path: Path) -> None:
    # NodeSource's nodejs provides npm; only a provider that is installed counts.
    result, apt = run_system_deps(
        tmp_path, ["npm", "ghost"], installed="nodejs", provides="nodejs-dev, npm (= 9.2.0)"
    )
    assert result.returncode == 0, result.stderr
    assert apt == ["apt-get update -qq", "apt-get install -y -qq ghost"]


def test_ci_runs_system_deps_then_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL)
    assert first_block is not None
    test_command = next(
        line.split("#")[0].strip() for line in first_block[1].splitlines() if "test" in line
    )
    assert test_command == "make test"
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in script if line and not line.startswith("#")]
    assert commands[0] == "set -euo pipefail"
    assert commands[-2:] == ["make system-deps", test_command]
    assert "sudo make system-deps" in readme
