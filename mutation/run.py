"""Mutation testing for the modules where a silent bug reaches users.

Each mutant changes one small thing in one module (an operator, a comparison, a constant, a
returned value, a call left out) and runs only that module's test files against it; a mutant
is *killed* when a test fails (or the run times out) and *survives* when every test passes.
A module's score is the share of its mutants killed.

The mutants of a module are made in a fixed order and a seeded sample of them is run (all of
them when there are fewer than ``--per-module``), so a run is repeatable and the numbers
compare from one run to the next. The repository is copied to a scratch folder first and the
mutants are made there: the checkout is never touched.

Usage (from the repository root; not part of the test line, about an hour on two busy cores)::

    python mutation/run.py                         # every module, 20 mutants each
    python mutation/run.py network optim -n 60     # some modules, 60 mutants each
    python mutation/run.py --list network          # the sampled mutants, without running
    python mutation/run.py --rerun mutation/last.json   # only the survivors of an earlier run
    python mutation/run.py --tests-from main       # the score of the tests as they were on main

It writes what happened to ``mutation/last.json`` (ignored by git); the survivors that stay,
and why, are listed in ``mutation/survivors.md``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODULES = {
    # name: (file, its test files, fastest first (-x stops at the first failure), the one function in scope or None)
    "network": ("boundaryviz/models/network.py", ["tests/test_network.py", "tests/test_training.py"], None),
    "optim": ("boundaryviz/models/optim.py", ["tests/test_network.py", "tests/test_training.py"], None),
    "palette": ("boundaryviz/output/palette.py", ["tests/test_writers.py"], None),
    "writers": ("boundaryviz/output/writers.py", ["tests/test_writers.py"], None),
    "webp": ("boundaryviz/output/webp.py", ["tests/test_writers.py"], None),
    "atomic": ("boundaryviz/output/atomic.py", ["tests/test_atomic.py", "tests/test_interrupts.py"], None),
    "views": ("boundaryviz/render/views.py", ["tests/test_views.py", "tests/test_render.py"], None),
    "blit": ("boundaryviz/render/blit.py", ["tests/test_render.py"], None),
    "player": ("boundaryviz/output/player.py", ["tests/test_player.py", "tests/test_writers.py"], None),
    "player.html": ("boundaryviz/output/player.html", ["tests/test_player.py"], None),
    "tables": ("boundaryviz/data/tables.py", ["tests/test_datasets.py"], "load_csv"),
    "formats": ("boundaryviz/output/formats.py", ["tests/test_format_registry.py", "tests/test_writers.py"], None),
}
"""What is mutated, which tests judge it, and (for tables) the one function in scope."""

SEED = 23


@dataclass
class Mutant:
    module: str
    index: int
    line: int
    kind: str
    before: str
    after: str
    start: int  # character offsets in the file
    end: int
    status: str = ""
    seconds: float = 0.0

    def apply(self, text):
        return text[: self.start] + self.after + text[self.end :]

    def label(self):
        return f"{self.module}#{self.index} line {self.line} {self.kind}: {self.before!r} -> {self.after!r}"


# -- making the mutants of a Python module ---------------------------------------------------

BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
          ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr}
CMPOPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
          ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
LOG_METHODS = {"debug", "info", "warning", "error", "exception"}


def _offsets(text):
    starts, pos = [], 0
    for line in text.splitlines(keepends=True):
        starts.append(pos)
        pos += len(line)
    return starts


def _skipped(tree):
    """Nodes whose subtrees are not mutated: docstrings, annotations, f-strings (their inner
    positions are unreliable), ``__all__``, and calls to a logger (messages for people)."""
    skip = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            skip.add(id(body[0]))
        for field in ("annotation", "returns"):
            if getattr(node, field, None) is not None:
                skip.add(id(getattr(node, field)))
        if isinstance(node, ast.JoinedStr):
            skip.add(id(node))
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            skip.add(id(node))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LOG_METHODS \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in {"logger", "log", "LOGGER"}:
            skip.add(id(node))
    return skip


def _walk(node, skip):
    if id(node) in skip:
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _walk(child, skip)


def _variants(node):
    """(kind, mutated node or replacement text) for one node."""
    if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
        yield "operator", ast.BinOp(node.left, BINOPS[type(node.op)](), node.right)
    elif isinstance(node, ast.AugAssign) and type(node.op) in BINOPS:
        yield "operator", ast.AugAssign(node.target, BINOPS[type(node.op)](), node.value)
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in CMPOPS:
                ops = list(node.ops)
                ops[i] = CMPOPS[type(op)]()
                yield "comparison", ast.Compare(node.left, ops, node.comparators)
    elif isinstance(node, ast.BoolOp):
        yield "boolean", ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "negation", node.operand
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        yield "constant", node.operand
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield "constant", ast.Constant(not value)
        elif isinstance(value, int):
            yield "constant", ast.Constant(value + 1)
        elif isinstance(value, float):
            yield "constant", ast.Constant(value * 2 if value else 1.0)
        elif isinstance(value, str) and value:
            yield "string", ast.Constant(f"XX{value}XX")
    elif isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        yield "return", "return None"
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        yield "call dropped", "pass"
    elif isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, bool):
        yield "keyword", ast.keyword(node.arg, ast.Constant(not node.value.value))


def python_mutants(module, text, scope):
    tree = ast.parse(text)
    starts = _offsets(text)
    low, high = 0, len(text)
    if scope:
        funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == scope]
        low, high = starts[funcs[0].lineno - 1], starts[funcs[0].end_lineno] if funcs[0].end_lineno < len(starts) else len(text)
    found, seen = [], set()
    for node in _walk(tree, _skipped(tree)):
        if getattr(node, "lineno", None) is None or isinstance(node, ast.keyword) and node.lineno is None:
            continue
        start = starts[node.lineno - 1] + node.col_offset
        end = starts[node.end_lineno - 1] + node.end_col_offset
        if not low <= start < high:
            continue
        before = text[start:end]
        for kind, new in _variants(node):
            after = new if isinstance(new, str) else ast.unparse(ast.fix_missing_locations(copy.copy(new)))
            if isinstance(node, (ast.BinOp, ast.BoolOp, ast.Compare)) or kind == "negation":
                after = f"({after})"
            try:
                ast.parse(text[:start] + after + text[end:])
            except SyntaxError:
                continue
            key = (start, end, after)
            if after == before or key in seen:
                continue
            seen.add(key)
            found.append(Mutant(module, 0, node.lineno, kind, before, after, start, end))
    return found


# -- making the mutants of the player's page (its script) -----------------------------------

JS_SWAPS = [("===", "!=="), ("!==", "==="), ("<=", "<"), (">=", ">"), ("&&", "||"), ("||", "&&"),
            ("true", "false"), ("false", "true"), ("+ ", "- "), ("- ", "+ "), ("*", "/")]


def html_mutants(module, text):
    script = re.search(r"<script>(.*?)</script>", text, re.S)
    found = []
    body_start = script.start(1)
    body = script.group(1)
    line_of = _offsets(text)

    def line(pos):
        return sum(1 for s in line_of if s <= pos)

    for old, new in JS_SWAPS:
        for match in re.finditer(re.escape(old) if old[0].isalpha() is False else rf"\b{old}\b", body):
            pos = body_start + match.start()
            before_line = text[text.rfind("\n", 0, pos) + 1:pos]
            if before_line.lstrip().startswith("//"):
                continue
            found.append(Mutant(module, 0, line(pos), "script", old, new, pos, pos + len(old)))
    for match in re.finditer(r"(?<![\w.])(\d+)(?![\w.])", body):
        pos = body_start + match.start()
        found.append(Mutant(module, 0, line(pos), "script number", match.group(1), str(int(match.group(1)) + 1),
                            pos, pos + len(match.group(1))))
    for match in re.finditer(r"\n(\s*)([^\n]*\([^\n]*\);)[ \t]*(?=\n)", body):  # a call statement left out
        stmt = match.group(2)
        if stmt.lstrip().startswith(("//", "return", "const", "let", "var", "if", "}")) or "=" in stmt.split("(")[0]:
            continue
        pos = body_start + match.start(2)
        found.append(Mutant(module, 0, line(pos), "script call dropped", stmt, ";", pos, pos + len(stmt)))
    found.sort(key=lambda m: (m.start, m.after))
    return found


def mutants_of(module, sample, seed):
    path, _, scope = MODULES[module]
    text = (ROOT / path).read_text(encoding="utf-8")
    found = html_mutants(module, text) if path.endswith(".html") else python_mutants(module, text, scope)
    found.sort(key=lambda m: (m.start, m.end, m.after))
    for i, m in enumerate(found):
        m.index = i
    total = len(found)
    if sample and total > sample:
        found = sorted(random.Random(f"{seed}:{module}").sample(found, sample), key=lambda m: m.index)
    return found, total


# -- running ---------------------------------------------------------------------------------


def scratch_copy(tests_from=None):
    """A copy of the checkout (package, tests, configuration) to mutate; its tests as of the
    git commit ``tests_from`` if given (to score the tests before a change)."""
    where = Path(tempfile.mkdtemp(prefix="boundaryviz-mutation-"))
    for name in ("boundaryviz", "tests", "notebooks", "docs", "examples", "pyproject.toml", "README.md"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=shutil.ignore_patterns("__pycache__", "_build", "auto_examples"))
        elif source.exists():
            shutil.copy2(source, where / name)
    if tests_from:
        shutil.rmtree(where / "tests")
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", tests_from, "tests"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    return where


def preload():
    """Import the heavy libraries once; each mutant's pytest runs in a fork of this process,
    which has not imported boundaryviz (so each child imports the mutated copy)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import numpy  # noqa: F401
    import PIL.Image  # noqa: F401
    import pytest  # noqa: F401

    for optional in ("hypothesis", "imageio", "sklearn.decomposition", "playwright.sync_api"):
        try:
            __import__(optional)
        except ImportError:
            pass
    assert "boundaryviz" not in sys.modules


def _has(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def run_tests(where, tests, timeout, extra=()):
    """Run pytest on ``tests`` in a fork; 'passed', 'failed' or 'timeout', and the seconds."""
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.setpgid(0, 0)
            os.chdir(where)
            sys.path.insert(0, str(where))
            os.environ["PYTHONPATH"] = os.pathsep.join([str(where), os.environ.get("PYTHONPATH", "")])
            sys.dont_write_bytecode = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            import pytest

            parallel = ["-n", "0"] if _has("xdist") else []  # one process per mutant, whatever addopts says
            code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *parallel, *extra, *tests])
        except BaseException:
            code = 99
        os._exit(int(code))
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                pid = 0
                code = os.waitstatus_to_exitcode(status)
                return ("passed" if code == 0 else "failed"), time.monotonic() - start
            if time.monotonic() - start > timeout:
                return "timeout", time.monotonic() - start
            time.sleep(0.05)
    finally:  # a timeout, or this script stopped: the child and what it started go too
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)} (default: all)")
    parser.add_argument("-n", "--per-module", type=int, default=20, help="mutants sampled per module (0: all)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--list", action="store_true", help="list the sampled mutants, do not run them")
    parser.add_argument("--rerun", type=Path, help="run only the survivors recorded in this results file")
    parser.add_argument("--tests-from", metavar="COMMIT", help="run the tests as of this git commit (e.g. main)")
    parser.add_argument("--out", type=Path, default=ROOT / "mutation" / "last.json")
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    unknown = sorted(set(modules) - set(MODULES))
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(MODULES)}")

    plan, totals, earlier = {}, {}, {}
    for module in modules:
        plan[module], totals[module] = mutants_of(module, args.per_module, args.seed)
    if args.rerun:
        previous = json.loads(args.rerun.read_text(encoding="utf-8"))
        for row in previous["mutants"]:
            earlier[(row["module"], row["index"])] = row["status"]
    if args.list:
        for module in modules:
            print(f"== {module}: {len(plan[module])} of {totals[module]} mutants")
            for m in plan[module]:
                print("  " + m.label())
        return 0

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the finally clauses run
    preload()
    where = scratch_copy(args.tests_from)
    results = []
    try:
        for module in modules:
            path, tests, _ = MODULES[module]
            target = where / path
            original = target.read_text(encoding="utf-8")
            clean, seconds = run_tests(where, tests, timeout=1800)
            if clean != "passed":
                print(f"{module}: the tests fail without a mutant; skipped", flush=True)
                continue
            timeout = 3 * seconds + 20
            print(f"== {module}: {len(plan[module])} of {totals[module]} mutants; clean tests {seconds:.0f} s", flush=True)
            for m in plan[module]:
                old = earlier.get((module, m.index))
                if args.rerun and old in ("killed", "timeout"):
                    m.status = old
                    results.append(m)
                    continue
                target.write_text(m.apply(original), encoding="utf-8")
                try:
                    outcome, m.seconds = run_tests(where, tests, timeout)
                finally:
                    target.write_text(original, encoding="utf-8")
                m.status = {"failed": "killed", "timeout": "timeout", "passed": "survived"}[outcome]
                results.append(m)
                print(f"  {m.status.upper() if m.status == 'survived' else m.status} {m.seconds:.0f} s  {m.label()}",
                      flush=True)
            _save(args, totals, results)
    finally:
        shutil.rmtree(where, ignore_errors=True)

    print()
    print(f"{'module':<12} {'killed':>7} {'of':>4} {'score':>6}")
    for module in modules:
        rows = [m for m in results if m.module == module]
        if rows:
            killed = sum(m.status != "survived" for m in rows)
            print(f"{module:<12} {killed:>7} {len(rows):>4} {killed / len(rows):>6.0%}")
    _save(args, totals, results)
    return 0


def _save(args, totals, results):
    args.out.write_text(json.dumps({"seed": args.seed, "per_module": args.per_module, "totals": totals,
                                    "mutants": [asdict(m) for m in results]}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
