"""The developer-experience tests run sample user projects with pytest's own ``pytester``."""

from __future__ import annotations

pytest_plugins = ["pytester"]
