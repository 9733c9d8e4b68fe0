"""The catalogue of named data sets: ``--dataset NAME`` and :func:`make_dataset`."""

from __future__ import annotations

from .._validation import ParameterValueError, check_choice
from .synthetic import blobs, circles, gaussians, moons, spiral, xor
from .tables import iris, wine

__all__ = ["DATASETS", "MULTICLASS", "REAL", "make_dataset"]

DATASETS = {
    "gaussians": gaussians,
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "spiral": spiral,
    "blobs": blobs,
    "iris": iris,
    "wine": wine,
}
"""dict: name → generator function (the synthetic ones called as ``f(seed=...)``)."""

MULTICLASS = ("spiral", "blobs")
"""Synthetic sets that take ``n_classes``."""
REAL = ("iris", "wine")
"""Real data sets shipped by scikit-learn: fixed samples, no seed, no n_classes."""


def make_dataset(name, *, seed=0, n_classes=None):
    """Return the named built-in dataset with its default size and noise.

    Parameters
    ----------
    name : {'blobs', 'circles', 'gaussians', 'iris', 'moons', 'spiral', 'wine', 'xor'}
    seed : int, default=0
        Ignored by the real data sets (iris, wine).
    n_classes : int, optional
        Classes of ``blobs`` (default 3) and ``spiral`` (default 2); the others have a fixed
        number.
    """
    check_choice(name, "dataset", DATASETS)
    if n_classes is not None and name not in MULTICLASS:
        raise ParameterValueError(f"n_classes applies to {' and '.join(MULTICLASS)}, not to {name!r}. "
                                  f"Got {n_classes!r}.", "n_classes")
    if name in REAL:
        return DATASETS[name]()
    if n_classes is not None:
        return DATASETS[name](seed=seed, n_classes=n_classes)
    return DATASETS[name](seed=seed)
