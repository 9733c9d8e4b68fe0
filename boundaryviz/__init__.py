"""boundaryviz: animate how a small neural network learns its decision boundary.

The data flows one way: a :class:`Dataset` → :func:`train` (a :class:`Snapshot` every epoch,
gathered in a :class:`History`) → :class:`Renderer` (frames) → :func:`save_animation` (files).

Examples
--------
>>> import boundaryviz as bv
>>> history = bv.train(bv.gaussians(), activation="tanh", learning_rate=0.1)
>>> bv.save_animation(history, "tanh.gif")  # doctest: +SKIP
"""

from ._version import __version__

from .output.animation import Animation, animation_palette, frame_indices, save_animation, save_animations, show
from .data.catalogue import DATASETS, make_dataset
from .data.synthetic import blobs, circles, gaussians, moons, spiral, xor
from .data.dataset import Dataset
from .data.tables import iris, load_csv, wine
from .output.explorer import Explorer, explore
from .runs.grid import grid_specs
from .gallery.compare import write_compare
from .gallery.build import write_gallery
from .gallery.page import write_index
from .gallery.summary import write_summary
from .models.protocol import MLP, Model, ModelBase
from .models.network import ACTIVATIONS
from .models.optim import OPTIMIZERS
from .options import AnimationOptions
from .runs.run import RunResult, RunSpec, run_one
from .runs.sweep import reference_specs, run_sweep
from .train.recorder import Recorder
from .train.config import ENGINES, TrainConfig
from .train.history import History, Snapshot
from .train.loop import iter_train, train



def __getattr__(name):
    # The renderer needs matplotlib (about half a second to import): load it on first use,
    # so the command line answers --help and bad input at once, and a parent process that
    # only hands runs to workers never loads it.
    if name in ("Renderer", "plot_panel"):
        from .render import renderer as render

        return getattr(render, name)
    raise AttributeError(f"module 'boundaryviz' has no attribute {name!r}")


__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "ENGINES",
    "MLP",
    "Model",
    "ModelBase",
    "Recorder",
    "OPTIMIZERS",
    "Animation",
    "AnimationOptions",
    "Dataset",
    "Explorer",
    "History",
    "Renderer",
    "RunResult",
    "RunSpec",
    "Snapshot",
    "TrainConfig",
    "blobs",
    "circles",
    "iris",
    "wine",
    "explore",
    "frame_indices",
    "gaussians",
    "grid_specs",
    "iter_train",
    "load_csv",
    "make_dataset",
    "moons",
    "plot_panel",
    "reference_specs",
    "run_one",
    "run_sweep",
    "save_animation",
    "save_animations",
    "animation_palette",
    "show",
    "spiral",
    "train",
    "write_compare",
    "write_gallery",
    "write_index",
    "write_summary",
    "xor",
]
