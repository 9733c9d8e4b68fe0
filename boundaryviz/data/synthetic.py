"""Synthetic two-feature data sets of 2 to 10 classes: the reference gaussians and toy shapes.

Every generator takes a ``seed`` and draws from ``np.random.default_rng(seed)`` only, so the
same arguments give the same points, and returns a :class:`~boundaryviz.Dataset` that knows
its mixture where the distribution is known (for the Bayes reference).
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_int, check_number
from .dataset import MAX_CLASSES, MAX_FEATURES, MAX_SAMPLES, MAX_SEED, Dataset

__all__ = ["gaussians", "moons", "circles", "xor", "spiral", "blobs", "blob_centres"]


def _check_common(n_samples, noise, seed, noise_name="noise"):
    n_samples = check_int(n_samples, "n_samples", low=4, high=MAX_SAMPLES)
    noise = check_number(noise, noise_name, low=0)
    seed = check_int(seed, "seed", low=0, high=MAX_SEED)
    return n_samples, noise, seed


def gaussians(n_samples=400, std=0.5, seed=0):
    """The reference data: three normal clouds on the diagonal, the middle one against the others.

    Class 0 is one cloud centred on (0, 0) holding half the samples; class 1 is two clouds
    centred on (-1, -1) and (1, 1) holding a quarter each. Every cloud has standard deviation
    ``std`` on both axes. A straight line cannot separate the classes; two hidden units can.

    Parameters
    ----------
    n_samples : int, default=400
        Total number of samples (at least 4).
    std : float, default=0.5
        Standard deviation of each cloud (>= 0).
    seed : int, default=0
        Seed of the random generator: the same seed gives the same points.

    Returns
    -------
    Dataset
        ``X`` of shape (n_samples, 2), ``y`` of shape (n_samples,), with the known mixture
        for the Bayes reference.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> data = bv.gaussians()
    >>> data.X.shape, int(data.y.sum())
    ((400, 2), 200)
    """
    n_samples, std, seed = _check_common(n_samples, std, seed, "std")
    rng = np.random.default_rng(seed)
    n_middle = n_samples // 2
    n_low = (n_samples - n_middle) // 2
    n_high = n_samples - n_middle - n_low
    centres = np.repeat(np.array([[0.0, 0.0], [-1.0, -1.0], [1.0, 1.0]]), [n_middle, n_low, n_high], axis=0)
    X = centres + rng.normal(scale=std, size=(n_samples, 2))
    y = np.repeat([0, 1, 1], [n_middle, n_low, n_high])
    return Dataset(X, y, name="gaussians", mixture=_mixture(
        (0, 1, 1), (n_middle, n_low, n_high), ((0.0, 0.0), (-1.0, -1.0), (1.0, 1.0)), std))


def moons(n_samples=400, noise=0.15, seed=0):
    """Two interleaving half circles (scikit-learn's ``make_moons``).

    Parameters
    ----------
    n_samples : int, default=400
        Total number of samples (at least 4), split evenly between the two classes.
    noise : float, default=0.15
        Standard deviation of the Gaussian noise added to each point (>= 0).
    seed : int, default=0
        Seed of the random generator: the same seed gives the same points.

    Returns
    -------
    Dataset
        ``X`` of shape (n_samples, 2), ``y`` of shape (n_samples,) with classes 0 and 1.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> data = bv.moons(n_samples=100, noise=0.1)
    >>> data.X.shape, data.n_classes
    ((100, 2), 2)
    """
    from sklearn.datasets import make_moons

    n_samples, noise, seed = _check_common(n_samples, noise, seed)
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return Dataset(X, y, name="moons")


def circles(n_samples=400, noise=0.1, seed=0, factor=0.5):
    """A small circle inside a larger one (scikit-learn's ``make_circles``).

    Parameters
    ----------
    n_samples : int, default=400
        Total number of samples (at least 4), split evenly between the two circles.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to each point (>= 0).
    seed : int, default=0
        Seed of the random generator: the same seed gives the same points.
    factor : float, default=0.5
        Radius of the inner circle relative to the outer one, in (0, 1).

    Returns
    -------
    Dataset
        ``X`` of shape (n_samples, 2), ``y`` of shape (n_samples,): class 0 on the outer
        circle, class 1 on the inner one.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> data = bv.circles(n_samples=100, factor=0.3)
    >>> data.X.shape, data.n_classes
    ((100, 2), 2)
    """
    from sklearn.datasets import make_circles

    n_samples, noise, seed = _check_common(n_samples, noise, seed)
    factor = check_number(factor, "factor", low=0, high=1, low_open=True, high_open=True)
    X, y = make_circles(n_samples=n_samples, noise=noise, random_state=seed, factor=factor)
    return Dataset(X, y, name="circles")


def xor(n_samples=400, noise=0.25, seed=0):
    """Four clouds on the corners of a square; diagonal corners share a class.

    Clouds centred on (±1, ±1) with standard deviation ``noise``; class 1 where the signs of
    the two coordinates differ.

    Parameters
    ----------
    n_samples : int, default=400
        Total number of samples (at least 4), dealt to the four corners in turn.
    noise : float, default=0.25
        Standard deviation of each cloud (>= 0).
    seed : int, default=0
        Seed of the random generator: the same seed gives the same points.

    Returns
    -------
    Dataset
        ``X`` of shape (n_samples, 2), ``y`` of shape (n_samples,), with the known mixture
        for the Bayes reference.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> data = bv.xor(n_samples=100)
    >>> data.X.shape, int(data.y.sum())
    ((100, 2), 50)
    """
    n_samples, noise, seed = _check_common(n_samples, noise, seed)
    rng = np.random.default_rng(seed)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    which = np.arange(n_samples) % 4
    X = corners[which] + rng.normal(scale=noise, size=(n_samples, 2))
    y = (which >= 2).astype(np.int64)
    counts = np.bincount(which, minlength=4)
    return Dataset(X, y, name="xor", mixture=_mixture((0, 0, 1, 1), counts, tuple(map(tuple, corners)), noise))


def spiral(n_samples=400, noise=0.1, seed=0, turns=1.5, n_classes=2):
    """Interleaved spiral arms, one per class.

    Parameters
    ----------
    n_samples : int, default=400
        Total number of samples (at least 4, and 2 per class), dealt to the arms in turn.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to each point (>= 0).
    seed : int, default=0
        Seed of the random generator: the same seed gives the same points.
    turns : float, default=1.5
        How many times each arm winds around the centre (> 0, <= 10).
    n_classes : int, default=2
        Number of arms (2 to 10), evenly spaced in angle.

    Returns
    -------
    Dataset
        ``X`` of shape (n_samples, 2), ``y`` of shape (n_samples,) with classes 0 to
        ``n_classes - 1``.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> data = bv.spiral(n_samples=300, n_classes=3)
    >>> data.X.shape, data.n_classes
    ((300, 2), 3)
    """
    n_samples, noise, seed = _check_common(n_samples, noise, seed)
    turns = check_number(turns, "turns", low=0, high=10, low_open=True)
    n_classes = check_int(n_classes, "n_classes", low=2, high=MAX_CLASSES)
    if n_samples < 2 * n_classes:
        raise ValueError(f"n_samples must be at least 2 per class ({2 * n_classes}). Got {n_samples}.")
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % n_classes
    t = np.sort(rng.uniform(0.05, 1.0, size=n_samples))
    angle = 2 * math.pi * turns * t + 2 * math.pi * y / n_classes
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)]) * 2
    X += rng.normal(scale=noise, size=X.shape)
    return Dataset(X, y, name="spiral")


def blob_centres(n_classes, radius=2.0, n_features=2):
    """Centres of :func:`blobs`: evenly spaced on a circle, the first at the top.

    With more than two features the circle lies in the plane spanned by the orthonormal
    vectors ``u_j = sqrt(2 / d) cos(t_j)`` and ``v_j = sqrt(2 / d) sin(t_j)`` with
    ``t_j = (2 pi j + pi / 4) / d`` (j = 0 to d - 1; the quarter turn keeps every ``u_j`` and
    ``v_j`` away from 0), so that every feature tells the classes apart a little and none
    alone does it all.

    Returns
    -------
    ndarray of shape (n_classes, n_features)
    """
    angle = math.pi / 2 + 2 * math.pi * np.arange(n_classes) / n_classes
    circle = radius * np.column_stack([np.cos(angle), np.sin(angle)])
    if n_features == 2:
        return circle
    turn = (2 * math.pi * np.arange(n_features) + math.pi / 4) / n_features
    plane = math.sqrt(2 / n_features) * np.vstack([np.cos(turn), np.sin(turn)])
    return circle @ plane


def blobs(n_samples=400, n_classes=3, std=0.8, seed=0, radius=2.0, n_features=2):
    """One normal cloud per class, the centres evenly spaced on a circle.

    Class k holds ``n_samples // n_classes`` samples (the first ``n_samples % n_classes``
    classes one more), drawn around centre k (:func:`blob_centres`) with standard deviation
    ``std`` on every axis. Neighbouring clouds overlap, so even the best classifier errs.
    With ``n_features`` > 2 the circle lies in a plane across every feature; the
    Bayes-optimal reference is the same as in two dimensions.

    Parameters
    ----------
    n_samples : int, default=400
        Total number of samples (at least 4, and 2 per class).
    n_classes : int, default=3
        Number of classes, 2 to 10.
    std : float, default=0.8
        Standard deviation of each cloud on every axis (>= 0).
    seed : int, default=0
        Seed of the random generator: the same seed gives the same points.
    radius : float, default=2.0
        Distance of each centre from the origin (> 0).
    n_features : int, default=2
        Number of features d, 2 to 1000.

    Returns
    -------
    Dataset
        ``X`` of shape (n_samples, n_features), ``y`` of shape (n_samples,), with the known
        mixture for the Bayes reference.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> bv.blobs(n_features=5).X.shape
    (400, 5)
    """
    n_samples, std, seed = _check_common(n_samples, std, seed, "std")
    n_classes = check_int(n_classes, "n_classes", low=2, high=MAX_CLASSES)
    radius = check_number(radius, "radius", low=0, low_open=True)
    n_features = check_int(n_features, "n_features", low=2, high=MAX_FEATURES)
    if n_samples < 2 * n_classes:
        raise ValueError(f"n_samples must be at least 2 per class ({2 * n_classes}). Got {n_samples}.")
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % n_classes
    centres = blob_centres(n_classes, radius, n_features)
    X = centres[y] + rng.normal(scale=std, size=(n_samples, n_features))
    return Dataset(X, y, name="blobs", mixture=_mixture(
        tuple(range(n_classes)), np.bincount(y, minlength=n_classes), tuple(map(tuple, centres)), std))


def _mixture(labels, counts, means, std):
    """The known distribution of a synthetic set: cloud weights in the drawn proportions,
    or None when a standard deviation of 0 leaves no density."""
    if std <= 0:
        return None
    from .bayes import Mixture

    counts = np.asarray(counts, dtype=float)
    keep = counts > 0
    return Mixture(tuple(int(c) for c, k in zip(labels, keep) if k), tuple((counts / counts.sum())[keep].tolist()),
                   tuple(tuple(float(v) for v in m) for m, k in zip(means, keep) if k), tuple(float(std) for k in keep if k))
