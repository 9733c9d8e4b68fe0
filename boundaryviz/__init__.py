"""boundaryviz: animate how a small neural network learns its decision boundary.

The data flows one way: a :class:`Dataset` → :func:`train` (a :class:`Snapshot` every epoch,
gathered in a :class:`History`) → :class:`Renderer` (frames) → :func:`save_animation` (files).
"""

from .datasets import DATASETS, Dataset, circles, gaussians, load_csv, make_dataset, moons, spiral, xor
from .network import ACTIVATIONS
from .optim import OPTIMIZERS
from .training import History, Snapshot, TrainConfig, iter_train, train

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "OPTIMIZERS",
    "Dataset",
    "History",
    "Snapshot",
    "TrainConfig",
    "circles",
    "gaussians",
    "iter_train",
    "load_csv",
    "make_dataset",
    "moons",
    "spiral",
    "train",
    "xor",
]
