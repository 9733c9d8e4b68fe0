"""Every notebook in notebooks/ runs top to bottom in a real Jupyter kernel.

The kernel is this interpreter (``sys.executable``), through a kernelspec written to a
temporary folder and found through ``JUPYTER_PATH``: a ``python3`` kernelspec elsewhere on the
machine (user or system wide) could start another Python without boundaryviz.
"""

import base64
import io
import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from PIL import Image

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
TOUR = Path(__file__).parents[1] / "notebooks" / "tour.ipynb"
"""The tour, whose promises are tested by name: renamed or gone, those tests fail."""
KERNEL = "boundaryviz-tests"
GIF_DATA = re.compile(r'<img src="data:image/gif;base64,([A-Za-z0-9+/=]+)"')
# Without ipywidgets, tqdm.auto falls back to a text bar and says so once; anything else
# that looks like a warning is a fault of the notebook or the library.
TOLERATED_STDERR = ("IProgress not found",)


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "boundaryviz tests",
        "language": "python",
    }))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")])))
        yield KERNEL


_RUNS = {}


def _execute(path, kernel_name, tmp_path_factory):
    """(path, executed notebook, folder it ran in); each notebook runs once per session."""
    if path not in _RUNS:
        _RUNS[path] = _run(path, kernel_name, tmp_path_factory)
    return _RUNS[path]


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def executed(request, kernel_name, tmp_path_factory):
    return _execute(request.param, kernel_name, tmp_path_factory)


@pytest.fixture(scope="module")
def tour(kernel_name, tmp_path_factory):
    assert TOUR.is_file(), f"the tour notebook {TOUR} is missing (renamed? update TOUR here)"
    return _execute(TOUR, kernel_name, tmp_path_factory)


def _run(path, kernel_name, tmp_path_factory):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nprint(sys.executable)"))
    # runs in a temporary folder, so whatever the notebook writes (its _out/) lands there
    folder = tmp_path_factory.mktemp(path.stem)
    client = NotebookClient(nb, kernel_name=kernel_name, timeout=120,
                            resources={"metadata": {"path": str(folder)}})
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    return path, nb, folder


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert path.stat().st_size < 100_000


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            for output in cell.outputs:
                yield cell, output


def test_notebook_runs_cleanly(executed):
    _, nb, _ = executed
    outputs = list(_outputs(nb))
    assert not [o for _, o in outputs if o.output_type == "error"]
    assert nb.cells[-1].outputs[0].text.strip() == sys.executable  # the kernel we asked for

    noise = [
        o.text for _, o in outputs
        if o.output_type == "stream" and o.name == "stderr" and "Warning" in o.text
        and not any(tolerated in o.text for tolerated in TOLERATED_STDERR)
    ]
    assert not noise, noise

    images = [o for _, o in outputs if "image/png" in o.get("data", {})]
    animations = [o for _, o in outputs if GIF_DATA.search(o.get("data", {}).get("text/html", ""))]
    assert images or animations, "no cell shows a picture"
    for output in images:
        with Image.open(io.BytesIO(base64.b64decode(output.data["image/png"]))) as image:
            assert image.format == "PNG" and min(image.size) > 100
    for output in animations:
        data = base64.b64decode(GIF_DATA.search(output.data["text/html"]).group(1))
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "GIF" and image.n_frames > 1


def test_tour_shows_every_kind_of_output(tour):
    """The tour's promises: a frame from ``Renderer.draw``, History tables, inline GIFs."""
    path, nb, folder = tour
    outputs = list(_outputs(nb))
    draws = [o for c, o in outputs if ".draw(" in c.source.splitlines()[-1]]
    assert draws and all("image/png" in o.data for o in draws)  # the Figure, not its text repr
    html = [o.get("data", {}).get("text/html", "") for _, o in outputs]
    assert sum("<table class='boundaryviz-history'>" in h for h in html) >= 2
    assert sum(bool(GIF_DATA.search(h)) for h in html) >= 3
    assert (folder / "_out" / "relu.gif").is_file()


def test_tour_shows_the_player_and_the_explorer(tour):
    """``bv.show(..., player=True)`` is the player page in an ``<iframe srcdoc>``; ``bv.explore`` a widget."""
    path, nb, _ = tour
    outputs = list(_outputs(nb))
    players = [o for c, o in outputs if "player=True" in c.source]
    assert len(players) == 1 and players[0].data["text/html"].startswith("<iframe srcdoc=")
    assert "id=&quot;bv-player&quot;" in players[0].data["text/html"]
    explorers = [o for c, o in outputs if "bv.explore(" in c.source and o.output_type == "execute_result"]
    assert len(explorers) == 1 and "application/vnd.jupyter.widget-view+json" in explorers[0].data
