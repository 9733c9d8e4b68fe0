import os
import shutil

import matplotlib
import pytest

matplotlib.use("Agg")
# Keras 3 on JAX, as boundaryviz imports it, for tests and the subprocesses they start.
os.environ.setdefault("KERAS_BACKEND", "jax")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def chromium():
    """Path of a Chromium to drive; skip (or fail on CI) when there is none."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
        why = "the playwright package is not installed (pip install playwright; no browser download needed)"
    else:
        why = "Chromium is not installed: apt-get install chromium"
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser test, but {why}")
        pytest.skip(why)
    return path
