"""``python -m openai_realtime``: the ``openai-realtime`` command line."""

from __future__ import annotations

from openai_realtime.cli import main

raise SystemExit(main())
