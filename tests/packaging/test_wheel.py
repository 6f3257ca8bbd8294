"""The wheel and sdist build offline, and the wheel works on its own in a fresh venv.

The wheel is installed with ``--no-deps --no-index`` into a new venv; its dependencies come from
the project's ``.venv`` through a path entry in a ``.pth`` file, which adds that directory without
running ``.venv``'s own ``.pth`` files, so the editable install of the project stays out of sight.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.support import require_binary

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "openai_realtime"

# Files inside the package that are not Python modules, relative to the package directory.
# Later issues add theirs here (the web page, for example).
PACKAGE_DATA = [
    "py.typed",
    "types/hooks.pyi",
    # The voice page (`openai-realtime serve`): plain files, no build step.
    *(
        f"web/static/{name}"
        for name in (
            "app.js",
            "audio.js",
            "capture-worklet.js",
            "index.html",
            "playback-worklet.js",
            "relay-mode.js",
            "style.css",
            "transcript.js",
            "webrtc-mode.js",
        )
    ),
    "recording/inspector.css",
    "recording/inspector.html",
    "recording/inspector.js",
]

# (group, name, object reference) of every entry point the distribution declares.
# Later issues add theirs here.
ENTRY_POINTS = [
    ["console_scripts", "openai-realtime", "openai_realtime.cli:main"],
    ["pytest11", "openai_realtime", "openai_realtime.testing.pytest_plugin"],
]


def run(*command: str | Path, cwd: Path = ROOT) -> str:
    completed = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it, with the build backend already in .venv."""
    outdir = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", outdir, ROOT)
    return outdir


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A fresh venv with only the wheel installed, and what the probe saw inside it."""
    environment = tmp_path_factory.mktemp("venv")
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    (wheel,) = dist.glob("*.whl")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "--disable-pip-version-check", "--quiet", wheel)  # fmt: skip
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    report = json.loads(run(python, Path(__file__).with_name("installed_probe.py")))
    return environment, report


def test_the_sdist_holds_the_sources_and_no_local_state(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "src/openai_realtime/py.typed"} <= names
    assert not [name for name in names if name.startswith((".venv", ".git/", "site/"))]


def test_the_wheel_holds_exactly_the_package_sources(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = {name for name in archive.namelist() if name.startswith("openai_realtime/")}
    tracked = run(require_binary("git"), "ls-files", "src/openai_realtime").split()
    assert packaged == {name.removeprefix("src/") for name in tracked}


def test_the_installed_wheel_is_used_not_the_source_tree(
    installed: tuple[Path, dict[str, Any]],
) -> None:
    environment, report = installed
    assert Path(report["package"]).is_relative_to(environment)


def test_every_public_module_imports_from_the_wheel(installed: tuple[Path, dict[str, Any]]) -> None:
    _, report = installed
    public = {
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py")
        if not any(part.startswith("_") for part in path.relative_to(PACKAGE).parts[:-1])
        and (not path.name.startswith("_") or path.name == "__init__.py")
    }
    assert set(report["modules"]) == public
    assert {"openai_realtime.testing", "openai_realtime.types", "openai_realtime.cli"} <= public


def test_the_package_data_is_installed(installed: tuple[Path, dict[str, Any]]) -> None:
    _, report = installed
    data = [name for name in report["files"] if not name.endswith((".py", ".pyc"))]
    assert sorted(data) == sorted(PACKAGE_DATA)


def test_the_entry_points_are_declared(installed: tuple[Path, dict[str, Any]]) -> None:
    _, report = installed
    assert report["entry_points"] == sorted(ENTRY_POINTS)


def test_the_console_script_runs(installed: tuple[Path, dict[str, Any]]) -> None:
    environment, _ = installed
    usage = run(environment / "bin" / "openai-realtime", "--help")
    assert usage.startswith("usage: openai-realtime")
