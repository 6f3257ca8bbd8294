"""Validate ``schema/realtime.asyncapi.yaml`` against the official AsyncAPI 3.0 JSON Schema.

Usage::

    python -m codegen.validate_asyncapi [DOCUMENT]

The official schema ships in the ``@asyncapi/specs`` npm package. It is installed on demand into
``.asyncapi-specs/`` (ignored by git, never committed) with the machine's ``npm``; the version is
pinned here so every run validates against the same rules.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

__all__ = ["SPECS_VERSION", "load_official_schema", "main", "validate"]

ROOT = Path(__file__).resolve().parent.parent
SPECS_VERSION = "6.11.1"
CACHE = ROOT / ".asyncapi-specs"
SCHEMA_FILE = "node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"


def load_official_schema(cache: Path = CACHE) -> dict[str, Any]:
    """Return the AsyncAPI 3.0.0 JSON Schema, installing ``@asyncapi/specs`` if needed.

    Raises:
        RuntimeError: npm is missing or the install failed.
    """
    path = cache / SCHEMA_FILE
    marker = cache / f"installed-{SPECS_VERSION}"
    if not marker.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to fetch @asyncapi/specs (apt-get install npm)")
        cache.mkdir(exist_ok=True)
        command = [
            npm,
            "install",
            "--prefix",
            str(cache),
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--loglevel=error",
            f"@asyncapi/specs@{SPECS_VERSION}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not path.exists():
            raise RuntimeError(f"npm install @asyncapi/specs failed:\n{result.stderr}")
        marker.touch()
    with path.open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def validate(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Return one line per violation of ``schema`` in ``document`` (empty when valid)."""
    validator = Draft7Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
        where = "/".join(str(part) for part in error.path) or "<root>"
        problems.append(f"{where}: {error.message[:300]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "document", nargs="?", type=Path, default=ROOT / "schema" / "realtime.asyncapi.yaml"
    )
    args = parser.parse_args(argv)
    with args.document.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    problems = validate(document, load_official_schema())
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(f"{args.document}: {len(problems)} AsyncAPI 3.0 violation(s)", file=sys.stderr)
        return 1
    print(f"{args.document}: valid AsyncAPI {document['asyncapi']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
