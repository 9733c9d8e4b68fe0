"""The catalogue of named data sets: ``--dataset NAME`` and :func:`make_dataset`."""

from __future__ import annotations

from .._validation import ParameterValueError, check_choice
from .synthetic import blobs, circles, gaussians, moons, spiral, xor
from .tables import breast_cancer, digits, iris, wine

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
    "breast_cancer": breast_cancer,
    "digits": digits,
}
"""dict: name → generator function (the synthetic ones called as ``f(seed=...)``)."""

MULTICLASS = ("spiral", "blobs")
"""Synthetic sets that take ``n_classes``."""
REAL = ("iris", "wine", "breast_cancer", "digits")
"""Real data sets shipped by scikit-learn: fixed samples, no seed, no n_classes."""


def make_dataset(name, *, seed=0, n_classes=None, features=None):
    """Return the named built-in dataset with its default size and noise.

    Parameters
    ----------
    name : {'blobs', 'breast_cancer', 'circles', 'digits', 'gaussians', 'iris', 'moons', 'spiral', 'wine', 'xor'}
        The data set, a key of :data:`~boundaryviz.DATASETS`.
    seed : int, default=0
        Ignored by the real data sets (iris, wine, breast_cancer, digits).
    n_classes : int, optional
        Classes of ``blobs`` (default 3) and ``spiral`` (default 2); the others have a fixed
        number.
    features : 'all' or sequence of str, optional
        Columns of a real data set (see :func:`~boundaryviz.iris`); by default its own choice.

    Returns
    -------
    Dataset
        The data set, as its own function returns it.

    Raises
    ------
    ParameterValueError
        For an unknown ``name``, or ``n_classes`` or ``features`` given to a data set that
        does not take it.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> data = bv.make_dataset("spiral", seed=1, n_classes=3)
    >>> data.name, data.n_classes
    ('spiral', 3)
    """
    check_choice(name, "dataset", DATASETS)
    if n_classes is not None and name not in MULTICLASS:
        raise ParameterValueError(f"n_classes applies to {' and '.join(MULTICLASS)}, not to {name!r}. "
                                  f"Got {n_classes!r}.", "n_classes")
    if features is not None and name not in REAL:
        raise ParameterValueError(f"features applies to the real data sets ({', '.join(REAL)}), not to "
                                  f"{name!r}. Got {features!r}.", "features")
    if name in REAL:
        return DATASETS[name]() if features is None else DATASETS[name](features=features)
    if n_classes is not None:
        return DATASETS[name](seed=seed, n_classes=n_classes)
    return DATASETS[name](seed=seed)
