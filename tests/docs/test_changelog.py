"""CHANGELOG.md keeps its shape, and the deprecation rule is written where maintainers look."""

from __future__ import annotations

import re
import tomllib
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
RELEASES_PAGE = (ROOT / "docs" / "maintainers" / "releases.md").read_text(encoding="utf-8")
GROUPS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
RELEASE = re.compile(r"(\d+)\.(\d+)\.(\d+) - \d{4}-\d{2}-\d{2}")


def test_unreleased_comes_first_then_releases_newest_first() -> None:
    sections = re.findall(r"^## (.+)$", CHANGELOG, re.MULTILINE)
    assert sections[0] == "Unreleased"
    releases = [RELEASE.fullmatch(section) for section in sections[1:]]
    assert all(releases), sections
    versions = [tuple(int(part) for part in match.groups()) for match in releases if match]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert tuple(int(part) for part in project["version"].split(".")) >= versions[0]


def test_changes_are_grouped_the_keep_a_changelog_way() -> None:
    groups = set(re.findall(r"^### (.+)$", CHANGELOG, re.MULTILINE))
    assert groups and groups <= GROUPS


def test_the_deprecation_rule_heads_the_changelog_and_the_maintainers_page() -> None:
    header = CHANGELOG.split("\n## ", 1)[0]
    for text in (header, RELEASES_PAGE):
        flat = " ".join(text.split())
        assert "one minor version" in flat and "DeprecationWarning" in flat
        assert "names its replacement" in flat


def test_the_documented_shim_warns_and_still_works() -> None:
    (shim,) = re.findall(r"```python\n(.*?)```", RELEASES_PAGE, re.DOTALL)
    module = types.ModuleType("renamed_demo")
    module.new_name = object()  # type: ignore[attr-defined]
    exec(compile(shim, "releases.md", "exec"), module.__dict__)
    with pytest.warns(DeprecationWarning, match="use renamed_demo.new_name"):
        assert module.old_name is module.new_name
    with pytest.raises(AttributeError):
        _ = module.missing
