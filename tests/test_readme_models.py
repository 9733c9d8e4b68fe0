"""README's "Your own model" snippets run as written (in a scratch folder), each writing its GIF."""

import os
import pathlib
import re
import subprocess
import sys

import pytest
from conftest import need
from readback import read_animation

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def _snippets():
    text = README.read_text()
    section = text.split("## Your own model", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_has_the_three_snippets():
    snippets = _snippets()
    assert len(snippets) == 3
    assert ["import torch" in snippets[0], "import keras" in snippets[1], "MLPClassifier" in snippets[2]] == [True] * 3


@pytest.mark.parametrize("index, modules, extra, gif", [(0, ("torch",), "torch", "torch.gif"),
                                                        (1, ("keras", "jax"), "keras", "keras.gif"),
                                                        (2, ("sklearn",), None, "sklearn.gif")])
def test_readme_snippet_runs(tmp_path, index, modules, extra, gif):
    need(*modules)
    # as a user would run it: no KERAS_BACKEND from the test set-up
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    proc = subprocess.run([sys.executable, "-c", _snippets()[index]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    frames, durations, loop = read_animation(tmp_path / gif)
    assert 40 <= len(frames) <= 101 and frames[0].shape == (560, 960, 3)
