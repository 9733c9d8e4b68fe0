import os

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
