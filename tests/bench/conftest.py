"""Prints the one results table of the benchmark suite after the last benchmark has run."""

from __future__ import annotations

import pytest
from bench_report import format_table, machine_facts, recorded_rows


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Write the table of every row recorded in this session (nothing when none was)."""
    rows = recorded_rows()
    if not rows:
        return
    terminalreporter.section("openai-realtime benchmarks (issue 7)")
    terminalreporter.write_line(f"machine: {machine_facts()}")
    terminalreporter.write_line("")
    for text in format_table(rows).splitlines():
        terminalreporter.write_line(text)
