"""
A grid of settings and its gallery page
=======================================

:func:`boundaryviz.grid_specs` makes one run per combination of the settings in ``grid``;
:func:`boundaryviz.run_sweep` runs them (on all cores, or a Dask cluster) and yields each result
as it finishes, and :func:`boundaryviz.write_gallery` writes the page: ``index.html`` with every
animation, its settings and outcome and the HTML to paste into a post, ``summary.png`` (the
last frame of each run) and ``compare.gif`` (all runs side by side).

The same from the command line::

    python -m boundaryviz --activations relu,tanh --seeds 0,1 --epochs 40 --out grid/
"""

from pathlib import Path

import boundaryviz as bv

Path("grid").mkdir(exist_ok=True)
options = bv.AnimationOptions(max_frames=15, size=(480, 280), resolution=40)
specs = bv.grid_specs(bv.gaussians(), "grid", epochs=40, learning_rate=0.1, options=options, tiles=True,
                      grid={"activation": ["relu", "tanh"], "seed": [0, 1]})
results = list(bv.run_sweep(specs, jobs=1))
for result in results:
    print(result.name, result.history.headline)
files = bv.write_gallery(results, "grid", max_frames=15)
