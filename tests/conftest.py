"""Shared set-up: the Agg backend, figures closed after each test, and what a test needs.

A test that needs something this machine may lack (PyTorch, Keras, Dask, ffmpeg, Chromium,
a test tool) asks for it with :func:`need` (or the ``needs`` marker): it skips, saying why,
where that is missing, and fails on CI (the ``CI`` environment variable set), where
everything is installed and a skip would hide a test that did not run.
"""

import importlib
import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
# The package of this checkout, not whichever one `pip install -e` last pointed at (another
# worktree): pyproject's `pythonpath` puts it first for the tests, this for the subprocesses,
# notebook kernels and cluster workers they start.
ROOT = Path(__file__).resolve().parents[1]
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
# Keras 3 on JAX, as boundaryviz imports it, for tests and the subprocesses they start.
os.environ.setdefault("KERAS_BACKEND", "jax")

WHY = {
    "torch": "PyTorch is not installed (pip install 'boundaryviz[torch]')",
    "keras": "Keras is not installed (pip install 'boundaryviz[keras]')",
    "jax": "JAX is not installed (pip install 'boundaryviz[keras]')",
    "imageio_ffmpeg": 'MP4 needs the video extra: pip install "boundaryviz[video]"',
    "dask": "Dask is not installed (pip install 'boundaryviz[cluster]')",
    "distributed": "Dask's distributed is not installed (pip install 'boundaryviz[cluster]')",
    "playwright.sync_api": "the playwright package is not installed (pip install playwright; no browser download needed)",
}
"""Why a test skips when a module is missing (others: 'pip install -e ".[test]"')."""
EXTRA_MODULES = {"video": ("imageio_ffmpeg",), "torch": ("torch",), "keras": ("keras", "jax"),
                 "cluster": ("dask", "distributed")}
"""The modules each of boundaryviz's extras brings."""


def missing(why):
    """Skip the current test (or module) because ``why``; on CI, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"CI needs this test, but {why}", pytrace=False)
    pytest.skip(why, allow_module_level=True)


def has(module):
    """Whether ``module`` imports here (to choose what a test covers, never to skip it)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def need(*modules):
    """Import the modules a test needs and return them (one module, or a tuple); skip, or
    fail on CI, when one does not import."""
    found = []
    for name in modules:
        try:
            found.append(importlib.import_module(name))
        except ImportError as exc:
            why = f"{WHY.get(name, f'{name} is not installed (pip install -e .[test])')} ({exc})"
        else:
            continue
        missing(why)  # outside the except: no chained traceback
    return found[0] if len(found) == 1 else tuple(found)


# The test files that take longest, longest first (wall time on two busy cores, measured with
# --durations): with README's `pytest -n auto --dist loadfile` a file runs whole on one worker,
# and handing out the long ones first keeps both workers busy to the end instead of leaving one
# file running alone. Other files follow in their usual order; a file missing here only runs
# later. Keep it roughly in order when a file grows or shrinks a lot.
SLOW_FILES = ("test_docs.py", "test_cluster.py", "test_cli.py", "test_engines.py", "test_readme_models.py",
              "test_animation.py", "test_player.py", "test_interrupts.py", "test_render.py", "test_recorder.py",
              "test_gallery.py", "test_grid.py", "test_tiles.py", "test_cli_flags.py", "test_formats.py",
              "test_notebooks.py", "test_many_features.py")


def pytest_configure(config):
    config.addinivalue_line("markers", "needs(*modules): the test imports these; skip without them, fail on CI")
    if getattr(config.option, "dist", None) == "loadfile":
        # hand the files out in the order collected (slowest first, see SLOW_FILES), not by
        # their number of tests (pytest-xdist's default)
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOW_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FILES)))  # stable: a file's tests keep their order


def pytest_runtest_setup(item):
    for mark in item.iter_markers("needs"):
        need(*mark.args)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def chromium():
    """Path of a Chromium to drive; skip (or fail on CI) when there is none."""
    need("playwright.sync_api")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        missing("Chromium is not installed: apt-get install chromium")
    return path
