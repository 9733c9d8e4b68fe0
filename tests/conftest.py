import os
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

# Let ``pytest`` import the package from this checkout without installing it.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
