"""Mutation testing of the pure core: does some test fail when the code is subtly wrong?

Run it with ``make mutate`` (or ``python -m tests.mutation.mutate --help``). For every source
module in :data:`TARGETS` it makes one mutant per mutation point (a flipped comparison, ``and``
for ``or``, a constant off by one, a statement removed, ...), runs only that module's test files
against the mutant and counts the mutant as killed when they fail (or time out). Survivors are
written to a report; survivors that cannot change behaviour are annotated in
``tests/mutation/equivalent.toml`` with the reason.

Each mutant runs in a forked child of one process that has already imported pytest, numpy,
pydantic and the package, so a mutant costs only its test run: the child swaps the mutated
module (and every package module that imports it) out of ``sys.modules``, so the tests import
the mutant, and runs pytest in-process. Nothing is written to the source tree.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import random
import select
import signal
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, ModuleType

__all__ = [
    "TARGETS",
    "Equivalent",
    "Mutant",
    "apply_mutant",
    "find_mutants",
    "load_equivalents",
    "main",
]

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "openai_realtime"
EQUIVALENT_FILE = Path(__file__).with_name("equivalent.toml")
DEFAULT_REPORT = ROOT / "build" / "mutation" / "survivors.txt"

# Source module -> the test files that must catch its mutants. Only these run for a mutant, so
# a module's score says how well its own tests pin it down.
TARGETS: dict[str, tuple[str, ...]] = {
    "src/openai_realtime/protocol/audio.py": ("tests/protocol/test_audio.py",),
    "src/openai_realtime/protocol/_g711.py": ("tests/protocol/test_audio.py",),
    "src/openai_realtime/protocol/_resample.py": ("tests/protocol/test_audio.py",),
    "src/openai_realtime/protocol/codec.py": (
        "tests/protocol/test_codec_frames.py",
        "tests/protocol/test_codec.py",
    ),
    "src/openai_realtime/protocol/conversation.py": (
        "tests/protocol/test_conversation.py",
        "tests/protocol/test_conversation_events.py",
    ),
    "src/openai_realtime/protocol/_conversation_store.py": (
        "tests/protocol/test_conversation.py",
        "tests/protocol/test_conversation_events.py",
    ),
    "src/openai_realtime/protocol/_conversation_items.py": (
        "tests/protocol/test_conversation.py",
        "tests/protocol/test_conversation_events.py",
    ),
    "src/openai_realtime/protocol/_conversation_responses.py": (
        "tests/protocol/test_conversation.py",
        "tests/protocol/test_conversation_events.py",
    ),
    "src/openai_realtime/protocol/_conversation_input.py": (
        "tests/protocol/test_conversation.py",
        "tests/protocol/test_conversation_events.py",
    ),
    "src/openai_realtime/protocol/input_audio.py": (
        "tests/protocol/test_input_audio.py",
        "tests/protocol/test_conversation.py",
    ),
    "src/openai_realtime/protocol/items.py": (
        "tests/protocol/test_items.py",
        "tests/protocol/test_conversation.py",
    ),
    "src/openai_realtime/protocol/session_options.py": ("tests/protocol/test_session_options.py",),
    "src/openai_realtime/tools.py": ("tests/client/test_tools.py",),
    "src/openai_realtime/relay/policy.py": ("tests/relay/test_policy.py",),
}

_CMP_FLIPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_ARITH_FLIPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}
_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.And: "and",
    ast.Or: "or",
}

OPERATORS = ("cmp", "bool", "arith", "const", "stmt", "return", "negate", "slice")
"""The mutation operators, as named in reports and in ``equivalent.toml``."""


@dataclass(frozen=True)
class Mutant:
    """One mutation of one source file.

    Attributes:
        file: The source path relative to the project root.
        index: Its position in the file's mutant list (stable while the file does not change).
        line: The 1-based line of the mutated node.
        column: Its 0-based column (tells apart equal mutations on one line).
        operator: One of :data:`OPERATORS`.
        description: What changed, e.g. ``< -> <=``.
        code: The stripped source line, which identifies the mutant across line shifts.
    """

    file: str
    index: int
    line: int
    column: int
    operator: str
    description: str
    code: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: [{self.operator}] {self.description}  | {self.code}"


@dataclass(frozen=True)
class Equivalent:
    """An annotation: mutants matching it cannot change behaviour, for the given reason.

    ``column`` is needed only when one line has two equal mutations (e.g. two constants 2).
    """

    file: str
    code: str
    operator: str
    mutation: str
    reason: str
    column: int | None = None

    def matches(self, mutant: Mutant) -> bool:
        """True when ``mutant`` is the one this annotation describes."""
        return (
            mutant.file == self.file
            and mutant.code == self.code
            and mutant.operator == self.operator
            and mutant.description == self.mutation
            and self.column in (None, mutant.column)
        )


# -- finding mutation points ------------------------------------------------------------------

# A mutation point: how to change the node in place (on a fresh parse) plus its description.
_Edit = Callable[[ast.AST], None]


@dataclass
class _Point:
    node_path: tuple[int, ...]
    line: int
    column: int
    operator: str
    description: str
    edit: _Edit


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _segment(lines: Sequence[str], node: ast.stmt) -> str:
    first = lines[node.lineno - 1][node.col_offset :].strip()
    return first if len(first) <= 60 else first[:57] + "..."


class _Collector:
    """Walks a module in a fixed order and lists its mutation points.

    Nodes are addressed by their path of child indexes from the module, so the same walk over a
    fresh parse finds the node to change. Annotations, docstrings, ``__all__``, type aliases and
    module-level statements (constants aside) are left alone: mutating them changes no behaviour
    or breaks the import, which says nothing about the tests.
    """

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines()
        self.points: list[_Point] = []
        self._keyword = ""  # the keyword argument being walked, which names its constant

    def collect(self, tree: ast.Module) -> list[_Point]:
        self._visit(tree, (), in_function=False)
        return self.points

    def _add(self, path: tuple[int, ...], node: ast.AST, op: str, text: str, edit: _Edit) -> None:
        line, column = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        self.points.append(_Point(path, line, column, op, text, edit))

    def _children(self, node: ast.AST) -> Iterator[tuple[int, str, ast.AST]]:
        index = 0
        for name, value in ast.iter_fields(node):
            values = value if isinstance(value, list) else [value]
            for child in values:
                if isinstance(child, ast.AST):
                    yield index, name, child
                index += 1

    def _visit(self, node: ast.AST, path: tuple[int, ...], *, in_function: bool) -> None:
        if self._skipped(node):
            return
        self._mutations(node, path, in_function=in_function)
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for index, name, child in self._children(node):
            if name in ("annotation", "returns", "decorator_list", "type_comment", "cause"):
                continue
            self._keyword = node.arg or "" if isinstance(node, ast.keyword) else ""
            self._visit(child, (*path, index), in_function=inside)

    def _skipped(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Expr) and _is_docstring(node):
            return True
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return node.value.value is Ellipsis  # an overload's or a protocol's body
        if isinstance(node, ast.JoinedStr):
            return True  # messages: their wording is not behaviour the mutator judges
        if isinstance(node, ast.AnnAssign) and isinstance(node.annotation, ast.Name):
            return node.annotation.id == "TypeAlias"
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            return "__all__" in names
        return isinstance(node, ast.ImportFrom | ast.Import)

    def _mutations(self, node: ast.AST, path: tuple[int, ...], *, in_function: bool) -> None:
        if isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                flip = _CMP_FLIPS.get(type(op))
                if flip is not None:
                    text = f"{_SYMBOLS[type(op)]} -> {_SYMBOLS[flip]}"
                    self._add(path, node, "cmp", text, _set_cmp(position, flip))
        elif isinstance(node, ast.BoolOp):
            other = ast.Or if isinstance(node.op, ast.And) else ast.And
            text = f"{_SYMBOLS[type(node.op)]} -> {_SYMBOLS[other]}"
            self._add(path, node, "bool", text, _set_attr("op", other))
        elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _ARITH_FLIPS:
            flip_op = _ARITH_FLIPS[type(node.op)]
            text = f"{_SYMBOLS[type(node.op)]} -> {_SYMBOLS[flip_op]}"
            self._add(path, node, "arith", text, _set_attr("op", flip_op))
        elif isinstance(node, ast.Constant):
            self._constant(node, path)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self._add(path, node, "negate", "not x -> x", _drop_not)
        elif isinstance(node, ast.Slice):
            for bound in ("lower", "upper"):
                if getattr(node, bound) is not None:
                    self._add(path, node, "slice", f"{bound} bound removed", _set_attr(bound, None))
        # `not x` conditions are left to the `not x -> x` mutant, which is the same change.
        if (
            in_function
            and isinstance(node, ast.If | ast.While | ast.IfExp)
            and not (isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not))
        ):
            self._add(path, node, "negate", "condition negated", _negate_test)
        # A constant is the const operator's job (`return None` for `return False` repeats it).
        if (
            in_function
            and isinstance(node, ast.Return)
            and node.value is not None
            and not isinstance(node.value, ast.Constant)
        ):
            self._add(path, node, "return", "return value -> None", _set_attr("value", None))
        if in_function and isinstance(node, ast.stmt):
            self._statement(node, path)

    def _constant(self, node: ast.Constant, path: tuple[int, ...]) -> None:
        value = node.value
        name = f"{self._keyword}=" if self._keyword else ""
        if isinstance(value, bool):
            text = f"{name}{value} -> {not value}"
            self._add(path, node, "const", text, _set_attr("value", not value))
        elif isinstance(value, int | float):
            bumped = value + 1 if value != 1 else 0
            text = f"{name}{value!r} -> {bumped!r}"
            self._add(path, node, "const", text, _set_attr("value", bumped))
        elif value is None:
            self._add(path, node, "const", f"{name}None -> True", _set_attr("value", True))

    def _statement(self, node: ast.stmt, path: tuple[int, ...]) -> None:
        removable = (
            ast.Expr,
            ast.Assign,
            ast.AugAssign,
            ast.AnnAssign,
            ast.Delete,
            ast.Raise,
            ast.Break,
            ast.Continue,
        )
        if isinstance(node, removable):
            if isinstance(node, ast.AnnAssign) and node.value is None:
                return
            text = f"statement removed: {_segment(self.lines, node)}"
            self._add(path, node, "stmt", text, _replace_with_pass)


def _set_cmp(position: int, op: type[ast.cmpop]) -> _Edit:
    def edit(node: ast.AST) -> None:
        assert isinstance(node, ast.Compare)
        node.ops[position] = op()

    return edit


def _set_attr(name: str, value: object) -> _Edit:
    def edit(node: ast.AST) -> None:
        setattr(node, name, value() if isinstance(value, type) else value)

    return edit


def _become(node: ast.AST, replacement: ast.AST) -> None:
    """Turn ``node`` into ``replacement`` in place: its parent keeps pointing at the object."""
    location = {name: getattr(node, name) for name in node._attributes if hasattr(node, name)}
    object.__setattr__(node, "__class__", type(replacement))
    node.__dict__.clear()
    node.__dict__.update(replacement.__dict__, **location)


def _drop_not(node: ast.AST) -> None:
    assert isinstance(node, ast.UnaryOp)
    _become(
        node, ast.Call(func=ast.Name(id="bool", ctx=ast.Load()), args=[node.operand], keywords=[])
    )


def _negate_test(node: ast.AST) -> None:
    assert isinstance(node, ast.If | ast.While | ast.IfExp)
    node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)


def _replace_with_pass(node: ast.AST) -> None:
    _become(node, ast.Expr(value=ast.Constant(value=None)))


def _node_at(tree: ast.AST, path: tuple[int, ...]) -> ast.AST:
    node = tree
    for step in path:
        children: list[ast.AST | None] = []
        for _, value in ast.iter_fields(node):
            children.extend(value if isinstance(value, list) else [value])
        child = children[step]
        assert isinstance(child, ast.AST)
        node = child
    return node


def _points(path: str) -> tuple[str, list[_Point]]:
    source = (ROOT / path).read_text()
    return source, _Collector(source).collect(ast.parse(source, path))


def find_mutants(path: str) -> list[Mutant]:
    """Every mutant of one source file (relative to the project root), in a stable order."""
    source, points = _points(path)
    lines = source.splitlines()
    return [
        Mutant(path, index, p.line, p.column, p.operator, p.description, lines[p.line - 1].strip())
        for index, p in enumerate(points)
    ]


def apply_mutant(mutant: Mutant) -> CodeType:
    """Compile the mutated module (the source file itself is never written)."""
    source, points = _points(mutant.file)
    tree = ast.parse(source, mutant.file)
    point = points[mutant.index]
    point.edit(_node_at(tree, point.node_path))
    ast.fix_missing_locations(tree)
    return compile(tree, str(ROOT / mutant.file), "exec")


# -- equivalent mutants -----------------------------------------------------------------------


def load_equivalents(path: Path = EQUIVALENT_FILE) -> list[Equivalent]:
    """The annotated equivalent mutants; every entry needs all five keys."""
    data = tomllib.loads(path.read_text()) if path.exists() else {}
    entries = []
    for row in data.get("equivalent", []):
        missing = {"file", "code", "operator", "mutation", "reason"} - row.keys()
        if missing or not str(row.get("reason", "")).strip():
            raise ValueError(f"{path.name}: entry {row!r} lacks {sorted(missing) or ['reason']}")
        entries.append(
            Equivalent(
                row["file"],
                row["code"],
                row["operator"],
                row["mutation"],
                row["reason"],
                row.get("column"),
            )
        )
    return entries


# -- running mutants --------------------------------------------------------------------------


def _module_name(path: str) -> str:
    return path.removeprefix("src/").removesuffix(".py").replace("/", ".")


def _importers(target: str) -> set[str]:
    """The package modules that import ``target``, directly or not (static import analysis)."""
    imports: dict[str, set[str]] = {}
    for file in (ROOT / "src").rglob("*.py"):
        name = _module_name(str(file.relative_to(ROOT)).removesuffix("/__init__.py"))
        found: set[str] = set()
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        imports[name] = found
    # A package's lazy exports import its submodules on first access: drop the parents too.
    parts = target.split(".")
    result = {target} | {".".join(parts[:i]) for i in range(1, len(parts))}
    grew = True
    while grew:
        grew = False
        for name, found in imports.items():
            if name not in result and found & result:
                result.add(name)
                grew = True
    return result


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the mutated code object when the target module is imported."""

    def __init__(self, name: str, code: CodeType) -> None:
        self.name = name
        self.code = code

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.code.co_filename)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__file__ = self.code.co_filename
        exec(self.code, module.__dict__)


@dataclass
class _Child:
    pid: int
    started: float
    mutant: Mutant | None


class _HypothesisProfile:
    """A pytest plugin: property tests without an example database or deadlines, and shorter.

    A mutant's failing examples must not be saved and replayed in later real runs; a slow
    example on a busy machine is not a kill; property tests dominate a survivor's run time.
    Hypothesis is imported only once pytest runs (it is a pytest plugin: importing it earlier
    would keep pytest from rewriting its asserts, a warning the suite turns into an error).
    """

    def pytest_configure(self, config: object) -> None:
        from hypothesis import settings

        settings.register_profile("mutate", database=None, deadline=None, max_examples=25)
        settings.load_profile("mutate")


def _fork_tests(
    tests: Sequence[str], target: str, code: CodeType | None, timeout: float, purge: set[str]
) -> int:
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: never returns
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        if code is not None:
            for name in [n for n in sys.modules if n in purge]:
                del sys.modules[name]
            sys.meta_path.insert(0, _MutantFinder(target, code))
        import pytest

        args = [*tests, "-x", "-q", "-p", "no:cacheprovider", "-o", f"timeout={timeout:.0f}"]
        status = pytest.main(args, plugins=[_HypothesisProfile()])
        os._exit(int(status))
    except BaseException:
        os._exit(70)


def _wait(pid: int, deadline: float) -> int | None:
    """The child's exit status, or ``None`` (and the child killed) past the deadline."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        select.select([], [], [], 0.02)


@dataclass
class ModuleResult:
    """The outcome for one source module."""

    file: str
    killed: list[Mutant] = field(default_factory=list)
    survived: list[Mutant] = field(default_factory=list)
    equivalent: list[tuple[Mutant, str]] = field(default_factory=list)
    timed_out: int = 0

    @property
    def tried(self) -> int:
        return len(self.killed) + len(self.survived) + len(self.equivalent)

    @property
    def score(self) -> float:
        """Percent of non-equivalent mutants killed."""
        judged = len(self.killed) + len(self.survived)
        return 100.0 * len(self.killed) / judged if judged else 100.0


def _run_module(
    file: str, mutants: Sequence[Mutant], equivalents: Sequence[Equivalent], jobs: int
) -> ModuleResult:
    tests = [t for t in TARGETS[file] if (ROOT / t).exists()]
    target = _module_name(file)
    purge = _importers(target)
    result = ModuleResult(file)
    started = time.monotonic()
    pid = _fork_tests(tests, target, None, 60, purge)
    status = _wait(pid, started + 120)
    baseline = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"{file}: its tests fail (or hang) without any mutant: {tests}")
    timeout = max(10.0, 5 * baseline)
    queue = list(mutants)
    running: list[_Child] = []
    while queue or running:
        while queue and len(running) < jobs:
            mutant = queue.pop(0)
            reason = next((e.reason for e in equivalents if e.matches(mutant)), None)
            if reason is not None:
                result.equivalent.append((mutant, reason))
                continue
            pid = _fork_tests(tests, target, apply_mutant(mutant), timeout, purge)
            running.append(_Child(pid, time.monotonic(), mutant))
        for child in list(running):
            done, status = os.waitpid(child.pid, os.WNOHANG)
            overdue = time.monotonic() > child.started + timeout
            if not done and not overdue:
                continue
            if not done:
                os.kill(child.pid, signal.SIGKILL)
                os.waitpid(child.pid, 0)
                result.timed_out += 1
                code = 1
            else:
                code = os.waitstatus_to_exitcode(status)
            running.remove(child)
            assert child.mutant is not None
            # pytest exits 0 when every test passed: the mutant survived. Anything else
            # (failures, errors in collection, an import that crashed) killed it.
            (result.survived if code == 0 else result.killed).append(child.mutant)
            if result.tried % 50 == 0:
                print(f"  {file}: {result.tried}/{len(mutants)}", flush=True)
        if running:
            select.select([], [], [], 0.01)
    return result


def _preload() -> None:
    """Import what every child would otherwise import again (pytest, numpy, the package)."""
    import numpy  # noqa: F401
    import pydantic  # noqa: F401
    import pytest  # noqa: F401

    for file in TARGETS:
        importlib.import_module(_module_name(file))
    for name in ("openai_realtime.relay", "openai_realtime.testing", "openai_realtime.client"):
        importlib.import_module(name)


def _table(results: Sequence[ModuleResult]) -> str:
    header = f"{'module':<34} {'tried':>6} {'killed':>7} {'survived':>9} {'equiv':>6} {'score':>7}"
    rows = [header, "-" * len(header)]
    for r in results:
        name = r.file.removeprefix("src/openai_realtime/")
        rows.append(
            f"{name:<34} {r.tried:>6} {len(r.killed):>7} {len(r.survived):>9} "
            f"{len(r.equivalent):>6} {r.score:>6.1f}%"
        )
    killed = sum(len(r.killed) for r in results)
    judged = killed + sum(len(r.survived) for r in results)
    rows.append("-" * len(header))
    overall = 100.0 * killed / judged if judged else 100.0
    rows.append(
        f"{'total':<34} {sum(r.tried for r in results):>6} {killed:>7} {judged - killed:>9} "
        f"{sum(len(r.equivalent) for r in results):>6} {overall:>6.1f}%"
    )
    return "\n".join(rows)


def _select(modules: str) -> list[str]:
    if not modules:
        return list(TARGETS)
    wanted = [m.strip() for m in modules.replace(",", " ").split() if m.strip()]
    chosen = [f for f in TARGETS if any(f.endswith(f"/{w}.py") or f == w for w in wanted)]
    unknown = [w for w in wanted if not any(f.endswith(f"/{w}.py") or f == w for f in TARGETS)]
    if unknown:
        names = ", ".join(Path(f).stem for f in TARGETS)
        raise SystemExit(f"unknown module(s) {', '.join(unknown)}; known: {names}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    """Run the mutation test and print the table; 1 when the score is under ``--fail-under``."""
    parser = argparse.ArgumentParser(prog="python -m tests.mutation.mutate", description=__doc__)
    parser.add_argument("--modules", default="", help="e.g. 'codec conversation' (default: all)")
    parser.add_argument("--sample", type=int, default=0, help="at most N random mutants a module")
    parser.add_argument("--seed", type=int, default=13, help="the sample's random seed")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="survivors file")
    parser.add_argument("--fail-under", type=float, default=0.0, help="minimum overall score")
    parser.add_argument("--index", type=int, action="append", help="only mutant #N (repeatable)")
    parser.add_argument(
        "--survivors", type=Path, help="only the survivors listed in an earlier report"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    equivalents = load_equivalents()
    files = _select(args.modules)
    plan: dict[str, list[Mutant]] = {}
    for file in files:
        mutants = find_mutants(file)
        if args.index:
            mutants = [m for m in mutants if m.index in args.index]
        if args.survivors:
            listed = set(args.survivors.read_text().splitlines())
            mutants = [m for m in mutants if str(m) in listed]
        if args.sample and len(mutants) > args.sample:
            mutants = sorted(random.Random(args.seed).sample(mutants, args.sample), key=_index)
        plan[file] = mutants
    if args.list:
        for mutants in plan.values():
            for mutant in mutants:
                print(f"#{mutant.index:<4} {mutant}")
        return 0
    _preload()
    results = []
    started = time.monotonic()
    for file, mutants in plan.items():
        result = _run_module(file, mutants, equivalents, max(1, args.jobs))
        judged = len(result.killed) + len(result.survived)
        print(f"{file}: {len(result.killed)}/{judged} killed", flush=True)
        results.append(result)
    table = _table(results)
    elapsed = time.monotonic() - started
    sampled = f", at most {args.sample} mutants a module (seed {args.seed})" if args.sample else ""
    print(f"\n{table}\n\n{elapsed:.0f} s{sampled}; survivors in {args.report}")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    lines = [table, "", "Survivors (file:line:column: [operator] mutation | source line):"]
    lines += [str(m) for r in results for m in r.survived]
    lines += ["", "Annotated equivalent (file:line:column: [operator] mutation | line # reason):"]
    lines += [f"{m}  # {reason}" for r in results for m, reason in r.equivalent]
    args.report.write_text("\n".join(lines) + "\n")
    killed = sum(len(r.killed) for r in results)
    judged = killed + sum(len(r.survived) for r in results)
    score = 100.0 * killed / judged if judged else 100.0
    return 1 if score < args.fail_under else 0


def _index(mutant: Mutant) -> int:
    return mutant.index


if __name__ == "__main__":
    sys.exit(main())
