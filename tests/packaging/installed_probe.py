"""Run by ``test_wheel.py`` with the fresh venv's Python: reports what the installed wheel holds.

Prints one JSON object: where ``openai_realtime`` was imported from, every public module that was
imported, the package files present, and the distribution's entry points.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from importlib import metadata
from pathlib import Path

import openai_realtime

modules = ["openai_realtime"]
for module in pkgutil.walk_packages(openai_realtime.__path__, "openai_realtime."):
    if not any(part.startswith("_") for part in module.name.split(".")):
        importlib.import_module(module.name)
        modules.append(module.name)

package = Path(openai_realtime.__file__).parent
json.dump(
    {
        "package": str(package),
        "modules": modules,
        "files": sorted(
            str(path.relative_to(package)) for path in package.rglob("*") if path.is_file()
        ),
        "entry_points": sorted(
            [entry.group, entry.name, entry.value]
            for entry in metadata.distribution("openai-realtime").entry_points
        ),
    },
    sys.stdout,
)
