"""Generate ``src/openai_realtime/types/`` from ``schema/realtime.asyncapi.yaml``.

Usage::

    python -m codegen.generate           # write the generated files
    python -m codegen.generate --check   # regenerate into a temp dir and diff; exit 1 on change

Models come from the pinned datamodel-code-generator, whose flags live in one place:
``[tool.datamodel-codegen]`` in ``pyproject.toml``. It reads OpenAPI, so the AsyncAPI schemas are
handed to it as an OpenAPI ``components`` section (AsyncAPI writes a discriminator as a bare
property name; OpenAPI wants ``{propertyName: ...}``). What the generator cannot know (the
direction of each event, from the AsyncAPI operations) is written by the renderers in
``codegen/render.py``: the event unions, the registries and the typed ``on()`` overloads.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from codegen.import_openapi import CHANNELS, PLACEHOLDER
from codegen.render import render_documents
from codegen.render_common import GENERATED_HEADER, ChannelEvents, EventSpec

__all__ = ["PlaceholderError", "generate", "main"]

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "realtime.asyncapi.yaml"
TYPES_DIR = ROOT / "src" / "openai_realtime" / "types"
DOCS_DIR = ROOT / "docs"
# Every file this script owns, relative to the project root. Nothing else is touched.
OUTPUTS = (
    "src/openai_realtime/types/__init__.py",
    "src/openai_realtime/types/models.py",
    "src/openai_realtime/types/events.py",
    "src/openai_realtime/types/translation.py",
    "src/openai_realtime/types/rest.py",
    "src/openai_realtime/types/params.py",
    "src/openai_realtime/types/emitter.py",
    "src/openai_realtime/types/hooks.pyi",
    "docs/reference/events.md",
)


def _to_openapi(schemas: dict[str, Any]) -> dict[str, Any]:
    """Rewrite AsyncAPI schema objects into OpenAPI 3.1 ones for the model generator."""

    def convert(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: convert(v) for k, v in node.items() if not k.startswith("x-")}
            if isinstance(out.get("discriminator"), str):
                out["discriminator"] = {"propertyName": out["discriminator"]}
            return out
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    return {
        "openapi": "3.1.0",
        "info": {"title": "openai-realtime", "version": "1"},
        "paths": {},
        "components": {"schemas": convert(schemas)},
    }


def _event_specs(document: dict[str, Any], operation: str) -> list[EventSpec]:
    """The events of one AsyncAPI operation, sorted by wire type."""
    schemas = document["components"]["schemas"]
    messages = document["components"]["messages"]
    specs = []
    for ref in document["operations"][operation]["messages"]:
        message = messages[ref["$ref"].rsplit("/", 1)[-1]]
        class_name = message["payload"]["$ref"].rsplit("/", 1)[-1]
        specs.append(EventSpec(message["name"], class_name, schemas[class_name]))
    return sorted(specs, key=lambda spec: spec.event_type)


def _placeholders(document: dict[str, Any]) -> list[str]:
    """Every place in the document still carrying the importer's placeholder description."""
    found: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if value == PLACEHOLDER:
                    found.append(f"{path}/{key}")
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}/{index}")

    walk(document, "")
    return found


class PlaceholderError(RuntimeError):
    """The schema still has descriptions to write: nothing is generated until they are."""


def _run_model_generator(document: dict[str, Any], output: Path) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        source = Path(workdir) / "realtime.openapi.json"
        source.write_text(json.dumps(_to_openapi(document["components"]["schemas"])), "utf-8")
        command = [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            str(source),
            "--output",
            str(output),
            "--custom-file-header",
            GENERATED_HEADER.format(source="schema/realtime.asyncapi.yaml").rstrip("\n"),
        ]
        # Run from the project root so the generator reads [tool.datamodel-codegen].
        subprocess.run(command, cwd=ROOT, check=True)


def generate(destination: Path, schema: Path = SCHEMA) -> list[Path]:
    """Write every generated file below ``destination`` (the project root, or a temp dir).

    Args:
        destination: Root under which the paths in ``OUTPUTS`` are written.
        schema: The AsyncAPI document to generate from.

    Returns:
        The files written.

    Raises:
        PlaceholderError: A description in the schema is still the importer's placeholder.
    """
    with schema.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    missing = _placeholders(document)
    if missing:
        raise PlaceholderError(
            f"{len(missing)} description(s) in {schema.name} are still {PLACEHOLDER!r}; write"
            " them (in our own words) before generating:\n  " + "\n  ".join(missing)
        )
    models = destination / "src/openai_realtime/types/models.py"
    models.parent.mkdir(parents=True, exist_ok=True)
    _run_model_generator(document, models)
    channels = {
        channel.key: ChannelEvents(
            client=_event_specs(document, channel.send_operation),
            server=_event_specs(document, channel.receive_operation),
        )
        for channel in CHANNELS
    }
    rendered = render_documents(
        channels=channels,
        schemas=document["components"]["schemas"],
        rest=document.get("x-rest-operations", {}),
        webhooks=document.get("x-webhooks", {}),
        translation_address=document["channels"]["translation"]["address"],
    )
    for relative, text in rendered.items():
        path = destination / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    written = [destination / relative for relative in OUTPUTS]
    _format([path for path in written if path.suffix in (".py", ".pyi")])
    return written


def _format(paths: list[Path]) -> None:
    """Format with ruff under the project's own config, wherever the files were written.

    Naming the config explicitly is what makes a temp-dir regeneration byte-identical to the
    committed files: ruff would otherwise look for settings beside each file.
    """
    config = str(ROOT / "pyproject.toml")
    files = [str(path) for path in paths]
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run(
        [
            *ruff,
            "check",
            "--quiet",
            "--fix",
            "--select",
            "I,F401,UP,RUF022",
            "--config",
            config,
            *files,
        ],
        check=True,
    )
    subprocess.run([*ruff, "format", "--quiet", "--config", config, *files], check=True)


def _check() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh_root = Path(tmp)
        generate(fresh_root)
        differences = 0
        for relative in OUTPUTS:
            committed = ROOT / relative
            fresh = (fresh_root / relative).read_text(encoding="utf-8")
            current = committed.read_text(encoding="utf-8") if committed.exists() else ""
            if fresh != current:
                differences += 1
                diff = difflib.unified_diff(
                    current.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    f"committed/{relative}",
                    f"regenerated/{relative}",
                )
                sys.stdout.writelines(list(diff)[:40])
    if differences:
        print(f"\n{differences} generated file(s) differ: run `make generate` and commit.")
        return 1
    print("generated files are up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="diff instead of writing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            return _check()
        written = generate(ROOT)
    except PlaceholderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
