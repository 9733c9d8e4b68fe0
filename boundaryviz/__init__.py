"""boundaryviz: animate how a small neural network learns its decision boundary.

The data flows one way, and so do the subpackages: :mod:`~boundaryviz.data` (a
:class:`Dataset`) → :mod:`~boundaryviz.models` (the model protocol, :class:`MLP`, adapters) →
:mod:`~boundaryviz.train` (:func:`train`: a :class:`Snapshot` every epoch, gathered in a
:class:`History`) → :mod:`~boundaryviz.render` (:class:`Renderer`: frames) →
:mod:`~boundaryviz.output` (:func:`save_animation`: files) → :mod:`~boundaryviz.runs` (many
runs, :func:`run_sweep`) → :mod:`~boundaryviz.gallery` (:func:`write_gallery`) →
:mod:`~boundaryviz.cli` (``python -m boundaryviz``). This module is the public face: what a
user calls, imported from where it lives.

Examples
--------
>>> import boundaryviz as bv
>>> history = bv.train(bv.gaussians(), activation="tanh", learning_rate=0.1)
>>> bv.save_animation(history, "tanh.gif")  # doctest: +SKIP
"""

from ._extras import MissingExtraError
from ._validation import ParameterTypeError, ParameterValueError
from ._version import __version__ as __version__
from .data.catalogue import DATASETS, make_dataset
from .data.dataset import Dataset
from .data.synthetic import blobs, circles, gaussians, moons, spiral, xor
from .data.tables import breast_cancer, digits, iris, load_csv, wine
from .gallery.build import write_gallery
from .models.mlp import MLP
from .models.network import ACTIVATIONS
from .models.optim import OPTIMIZERS
from .models.protocol import Model, ModelBase
from .options import AnimationOptions
from .output.animation import Animation, save_animation, save_animations, show
from .output.explorer import Explorer, explore
from .render.plane import Plane
from .runs.grid import grid_specs
from .runs.run import RunResult, RunSpec
from .runs.sweep import reference_specs, run_sweep
from .train.config import ENGINES, TrainConfig
from .train.history import History, Snapshot
from .train.loop import iter_train, train
from .train.recorder import Recorder

# The renderer needs matplotlib (about half a second to import): loaded on first use, so the
# command line answers --help and bad input at once, and a parent process that only hands
# runs to workers never loads it.
_LAZY = {"Renderer": "boundaryviz.render.renderer", "plot_panel": "boundaryviz.render.renderer"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'boundaryviz' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ACTIVATIONS",
    "Animation",
    "AnimationOptions",
    "DATASETS",
    "Dataset",
    "ENGINES",
    "Explorer",
    "History",
    "MLP",
    "MissingExtraError",
    "Model",
    "ModelBase",
    "OPTIMIZERS",
    "ParameterTypeError",
    "ParameterValueError",
    "Plane",
    "Recorder",
    "Renderer",
    "RunResult",
    "RunSpec",
    "Snapshot",
    "TrainConfig",
    "blobs",
    "breast_cancer",
    "circles",
    "digits",
    "explore",
    "gaussians",
    "grid_specs",
    "iris",
    "iter_train",
    "load_csv",
    "make_dataset",
    "moons",
    "plot_panel",
    "reference_specs",
    "run_sweep",
    "save_animation",
    "save_animations",
    "show",
    "spiral",
    "train",
    "wine",
    "write_gallery",
    "xor",
]
