"""The package's shape: one subpackage per part of the flow, imports that run one way only,
no import circles (lazy imports inside functions included), a sorted public API, and the
checks (ruff, mypy) that keep it so."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import need

import boundaryviz as bv

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "boundaryviz"

FLOW = ("data", "models", "train", "render", "output", "runs", "gallery", "cli")
"""The parts in the order the data flows; a part may import only from parts before it (data
and models are both first: neither imports the other)."""
RANK = {"data": 0, "models": 0, "train": 1, "render": 2, "output": 3, "runs": 4, "gallery": 5, "cli": 6}
TOP_FILES = {"__init__.py", "__main__.py", "_version.py", "options.py", "_validation.py", "_extras.py",
             "_colors.py", "py.typed"}
"""What may sit at the top of the package: the public face, the entry point, and what stands
beside the flow (the version, the options object, small private helpers)."""


def _module_name(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules():
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name, path, known):
    """Every boundaryviz module that ``path`` imports, at module level or inside functions.

    Returns
    -------
    list of (str, int)
        The imported module and the line of the import.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("boundaryviz")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("boundaryviz"):
                target = node.module
            else:
                continue
            for alias in node.names:  # `from . import network` imports the submodule
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in known else target, node.lineno))
    return found


def _part(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def flow_problems(modules):
    """Imports that run back up the flow, and import circles, as readable lines."""
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    problems = []
    for name, targets in graph.items():
        source = _part(name)
        for target, line in targets:
            if name in ("boundaryviz", "boundaryviz.__main__"):
                continue  # the public face imports from every part
            if target == "boundaryviz":
                problems.append(f"{name}:{line} imports the package's __init__ (import from the module instead)")
                continue
            goal = _part(target)
            if source is None and goal is not None:
                problems.append(f"{name}:{line} stands beside the flow but imports {target}")
            elif source is not None and goal is not None and RANK[goal] > RANK[source]:
                problems.append(f"{name}:{line} imports {target}, later in the flow ({source} → {goal})")
            elif source is not None and goal is not None and RANK[goal] == RANK[source] and goal != source:
                problems.append(f"{name}:{line} imports {target}: {source} and {goal} stand side by side")
    # circles: a depth-first search over module → module edges
    edges = {name: sorted({t for t, _ in targets if t in graph and t != name}) for name, targets in graph.items()}
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt]
                problems.append("import circle: " + " → ".join(cycle))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state and node != "boundaryviz":
            visit(node)
    return problems


def test_imports_run_one_way_with_no_circles():
    assert flow_problems(_modules()) == []


def test_the_import_check_sees_a_bad_import(tmp_path):
    # a planted import from render back into the gallery, inside a function, and a circle
    modules = _modules()
    planted = tmp_path / "boundaryviz" / "render" / "planted.py"
    planted.parent.mkdir(parents=True)
    planted.write_text("def f():\n    from ..gallery.build import write_gallery\n    return write_gallery\n")
    circle_a = tmp_path / "boundaryviz" / "data" / "circle_a.py"
    circle_a.parent.mkdir(parents=True)
    circle_a.write_text("from .circle_b import B\nA = 1\n")
    circle_b = tmp_path / "boundaryviz" / "data" / "circle_b.py"
    circle_b.write_text("from .circle_a import A\nB = 2\n")
    extra = {"boundaryviz.render.planted": planted, "boundaryviz.data.circle_a": circle_a,
             "boundaryviz.data.circle_b": circle_b}
    problems = flow_problems({**modules, **extra})
    assert "boundaryviz.render.planted:2 imports boundaryviz.gallery.build, later in the flow (render → gallery)" in problems
    assert any(p.startswith("import circle: boundaryviz.data.circle_a → boundaryviz.data.circle_b") for p in problems)


def test_top_of_the_package_and_one_folder_per_part():
    top = {p.name for p in PACKAGE.iterdir() if not p.name.startswith((".", "__pycache__"))}
    assert top - set(FLOW) == TOP_FILES
    assert set(FLOW) <= top
    for part in FLOW:
        init = PACKAGE / part / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        assert doc, f"{part}/__init__.py has no docstring"
        modules = sorted(p.stem for p in (PACKAGE / part).glob("*.py") if p.stem != "__init__")
        missing = [m for m in modules if f"``{m}``" not in doc]
        assert not missing, f"{part}/__init__.py's docstring does not name {missing}"
        assert not [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], \
            f"{part}/__init__.py imports something: it must stay light"


def test_no_module_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}


def test_public_api_sorted_complete_and_lazy():
    assert bv.__all__ == sorted(bv.__all__)
    for name in bv.__all__:
        assert getattr(bv, name) is not None
    # the errors a user catches are exported; internal helpers are not
    for name in ("MissingExtraError", "ParameterValueError", "ParameterTypeError"):
        assert name in bv.__all__ and issubclass(getattr(bv, name), Exception)
    for helper in ("frame_indices", "animation_palette", "run_one", "write_index"):
        assert helper not in bv.__all__
    # the lazily loaded names tab-complete
    assert {"Renderer", "plot_panel"} <= set(dir(bv))
    code = ("import sys, boundaryviz as bv; dir(bv); "
            "print(sorted(m for m in ('matplotlib', 'torch', 'keras', 'jax', 'dask') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_every_subpackage_imports_without_matplotlib():
    code = ("import sys, importlib\n"
            f"for part in {FLOW!r}:\n"
            "    importlib.import_module('boundaryviz.' + part)\n"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def _tool(module):
    need(module)


def test_ruff_is_clean():
    _tool("ruff")
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], capture_output=True, text=True,
                         cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_is_clean():
    # incremental, with mypy's cache in the checkout's .mypy_cache (ignored by git): a cold run
    # checks everything (about 15 s on two cores), a warm one only what changed (about 1 s);
    # mypy tells a stale cache entry by the file's hash, so the answer is the same either way
    _tool("mypy")
    out = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
