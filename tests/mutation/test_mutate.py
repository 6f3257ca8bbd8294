"""The mutator itself: its operators, and the equivalent-mutant table staying in step with the code.

These run in ``make test`` (they only parse and compile); ``make mutate`` is the slow run.
"""

from __future__ import annotations

import ast
import types
from pathlib import Path

import mutate
import pytest
from mutate import ROOT, TARGETS, Mutant, apply_mutant, find_mutants

SAMPLE = '''
"""A docstring the mutator leaves alone."""
LIMIT = 3


def clamp(value: int, *, strict: bool = False) -> int | None:
    """Docstring."""
    if value > LIMIT and not strict:
        value = value - 1
    items = [1, 2, 3][1:value]
    if value in items:
        return -value
    return value
'''


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "sample.py").write_text(SAMPLE)
    monkeypatch.setattr(mutate, "ROOT", tmp_path)
    return "sample.py"


def run(mutant: Mutant) -> types.ModuleType:
    module = types.ModuleType("sample")
    exec(apply_mutant(mutant), module.__dict__)
    return module


def test_each_operator_finds_its_mutation_points(sample: str) -> None:
    found = {(m.line, m.operator, m.description) for m in find_mutants(sample)}
    assert {
        (3, "const", "3 -> 4"),
        (6, "const", "False -> True"),
        (8, "negate", "condition negated"),
        (8, "cmp", "> -> >="),
        (8, "bool", "and -> or"),
        (8, "negate", "not x -> x"),
        (9, "arith", "- -> +"),
        (9, "stmt", "statement removed: value = value - 1"),
        (10, "slice", "lower bound removed"),
        (10, "slice", "upper bound removed"),
        (11, "cmp", "in -> not in"),
        (13, "return", "return value -> None"),
    } <= found
    assert not any(m.line in (2, 7) for m in find_mutants(sample)), "docstrings are not mutated"


def test_a_mutant_changes_only_its_own_point(sample: str) -> None:
    mutants = {(m.line, m.description): m for m in find_mutants(sample)}
    original = types.ModuleType("sample")
    exec(compile(SAMPLE, "sample.py", "exec"), original.__dict__)
    assert original.clamp(5) == 4

    assert original.clamp(3) == -3
    assert run(mutants[(8, "> -> >=")]).clamp(3) == -2
    assert run(mutants[(8, "not x -> x")]).clamp(5) == 5
    assert run(mutants[(8, "not x -> x")]).clamp(5, strict=True) == 4
    assert run(mutants[(9, "- -> +")]).clamp(5) == 6
    assert run(mutants[(13, "return value -> None")]).clamp(0) is None
    assert run(mutants[(9, "statement removed: value = value - 1")]).clamp(5) == 5
    assert run(mutants[(3, "3 -> 4")]).clamp(4) == 4


def test_every_mutant_of_the_core_compiles() -> None:
    for file in TARGETS:
        mutants = find_mutants(file)
        assert mutants, file
        for mutant in mutants[:: max(1, len(mutants) // 25)]:
            assert isinstance(apply_mutant(mutant), types.CodeType)


def test_every_mapped_test_file_exists() -> None:
    for file, tests in TARGETS.items():
        assert (ROOT / file).exists(), file
        for test in tests:
            assert (ROOT / test).exists(), f"{file} maps to missing {test}"


def test_every_equivalent_annotation_matches_a_mutant_and_gives_a_reason() -> None:
    equivalents = mutate.load_equivalents()
    mutants = [m for file in TARGETS for m in find_mutants(file)]
    stale = [e for e in equivalents if not any(e.matches(m) for m in mutants)]
    assert not stale, f"annotations that match no mutant (the code changed?): {stale}"
    assert all(len(e.reason) > 20 for e in equivalents)


def test_an_annotation_without_a_reason_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "equivalent.toml"
    table.write_text(
        '[[equivalent]]\nfile = "a.py"\ncode = "x"\noperator = "cmp"\nmutation = "y"\n'
    )
    with pytest.raises(ValueError, match="reason"):
        mutate.load_equivalents(table)


def test_source_files_are_never_written(sample: str) -> None:
    before = (mutate.ROOT / sample).read_text()
    for mutant in find_mutants(sample):
        apply_mutant(mutant)
    assert (mutate.ROOT / sample).read_text() == before
    ast.parse(before)
