"""Two-feature data sets of 2 to 10 classes: the reference gaussians, toy shapes, two real
data sets that scikit-learn ships, CSV files and arrays.

Every generator takes a ``seed`` and draws from ``np.random.default_rng(seed)`` only, so the
same arguments give the same points. Every loader returns a :class:`Dataset`.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass

import numpy as np

from ._validation import ParameterValueError, check_int, check_number

__all__ = [
    "Dataset",
    "DATASETS",
    "gaussians",
    "moons",
    "circles",
    "xor",
    "spiral",
    "blobs",
    "blob_centres",
    "iris",
    "wine",
    "load_csv",
    "make_dataset",
]

MAX_SAMPLES = 1_000_000
MAX_CLASSES = 10
MAX_SEED = 2**32 - 1  # numpy's legacy seeding, used by scikit-learn's generators, stops here


@dataclass(frozen=True, eq=False)
class Dataset:
    """Samples of K classes (2 <= K <= 10) in the plane.

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
        Float coordinates in the data's own units (read-only copy).
    y : ndarray of shape (n_samples,)
        Class labels 0 to K - 1, every one present (read-only copy, dtype int64).
    name : str
        Short name used in titles and file names.
    class_names : tuple of str, optional
        What labels 0 to K - 1 stand for, shown in legends; by default "0", "1", ...
    feature_names : tuple of str, default=("x1", "x2")
        Names of the two columns, shown on the input panel's axes.
    standardize : bool, default=False
        Whether training should see standardised features (mean 0, standard deviation 1 per
        column). The network is then composed with the scaler, so every drawing stays in the
        data's own units. On by default for CSV and array data, off for the built-in sets.
    mixture : boundaryviz.bayes.Mixture, optional
        The distribution the samples were drawn from, when it is known (``gaussians``,
        ``blobs``, ``xor``): it gives the Bayes-optimal classifier (``bayes=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from boundaryviz import Dataset
    >>> data = Dataset.from_arrays([[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1], name="xor4")
    >>> data.X.shape, data.y.tolist()
    ((4, 2), [0, 0, 1, 1])
    """

    X: np.ndarray
    y: np.ndarray
    name: str = "data"
    class_names: tuple | None = None
    feature_names: tuple = ("x1", "x2")
    standardize: bool = False
    mixture: object = None

    def __post_init__(self):
        X, y = _check_arrays(self.X, self.y)
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string. Got {self.name!r}.")
        n_classes = int(y.max()) + 1
        names = tuple(str(c) for c in range(n_classes)) if self.class_names is None else tuple(
            str(c) for c in self.class_names)
        if len(names) != n_classes:
            raise ValueError(f"class_names must hold {n_classes} names, one per class. Got {self.class_names!r}.")
        features = tuple(str(c) for c in self.feature_names)
        if len(features) != 2 or not all(f.strip() for f in features):
            raise ValueError(f"feature_names must hold two non-empty names. Got {self.feature_names!r}.")
        if not isinstance(self.standardize, bool):
            raise TypeError(f"standardize must be True or False. Got {self.standardize!r}.")
        if self.mixture is not None:
            from .bayes import Mixture

            if not isinstance(self.mixture, Mixture) or self.mixture.n_classes != n_classes:
                raise ValueError(f"mixture must be a bayes.Mixture of {n_classes} classes. Got {self.mixture!r}.")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "class_names", names)
        object.__setattr__(self, "feature_names", features)

    @property
    def n_classes(self):
        """int: number of classes K."""
        return len(self.class_names)

    @property
    def scaler(self):
        """(mean, scale), each ndarray of shape (2,): what training divides out, or None.

        ``None`` unless ``standardize``; a column with no spread keeps scale 1.
        """
        if not self.standardize:
            return None
        mean = self.X.mean(axis=0)
        scale = self.X.std(axis=0)
        scale[scale == 0] = 1.0
        return mean, scale

    def __eq__(self, other):
        # The generated dataclass __eq__ would compare arrays with ``==`` and raise
        # "truth value of an array is ambiguous"; compare them as whole arrays instead.
        if not isinstance(other, Dataset):
            return NotImplemented
        return (
            self.name == other.name
            and self.class_names == other.class_names
            and self.feature_names == other.feature_names
            and self.standardize == other.standardize
            and self.mixture == other.mixture
            and np.array_equal(self.X, other.X)
            and np.array_equal(self.y, other.y)
        )

    __hash__ = None

    @classmethod
    def from_arrays(cls, X, y, *, name="data", feature_names=("x1", "x2"), standardize=True):
        """Build a dataset from any labels: 2 to 10 distinct values.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)
            Finite coordinates, in their own units; at least 4 samples.
        y : array-like of shape (n_samples,)
            2 to 10 distinct labels (numbers or strings). They become classes 0, 1, ... in
            sorted order and are kept as ``class_names``.
        name : str, default="data"
        feature_names : tuple of str, default=("x1", "x2")
        standardize : bool, default=True
            Train on standardised features (see :class:`Dataset`).

        Returns
        -------
        Dataset
        """
        try:
            y_arr = np.asarray(y)
        except ValueError as exc:  # ragged nested sequences
            raise ValueError(f"y must be 1-D with one label per sample. {exc}") from exc
        if y_arr.ndim != 1:
            raise ValueError(f"y must be 1-D with one label per sample. Got shape {y_arr.shape}.")
        if y_arr.dtype.kind == "O":  # e.g. strings from a pandas column: let numpy pick a dtype
            y_arr = np.asarray(y_arr.tolist())
        if y_arr.dtype.kind not in "biufUS":
            raise TypeError(
                "y must hold numbers or strings (one kind) as labels. "
                f"Got an array of dtype {y_arr.dtype}."
            )
        if y_arr.dtype.kind == "f" and not np.all(np.isfinite(y_arr)):
            raise ValueError("y must not hold nan or infinite labels.")
        labels, codes = np.unique(y_arr, return_inverse=True)
        if not 2 <= len(labels) <= MAX_CLASSES:
            raise ValueError(
                f"y must hold 2 to {MAX_CLASSES} distinct labels. Got {len(labels)}: "
                f"{', '.join(map(str, labels[:5].tolist()))}{'...' if len(labels) > 5 else ''}."
            )
        return cls(X, codes.astype(np.int64).ravel(), name=name, class_names=tuple(str(v) for v in labels.tolist()),
                   feature_names=feature_names, standardize=standardize)

    @property
    def n_samples(self):
        """int: number of samples."""
        return int(self.X.shape[0])

    def __repr__(self):
        counts = np.bincount(self.y, minlength=self.n_classes)
        return (
            f"Dataset(name={self.name!r}, n_samples={self.n_samples}, "
            f"class_counts=({', '.join(map(str, counts))}))"
        )


def _check_arrays(X, y):
    try:
        X = np.array(X, dtype=float, copy=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"X must be an array of numbers of shape (n_samples, 2). {exc}") from exc
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n_samples, 2). Got shape {X.shape}.")
    if X.shape[0] < 4:
        raise ValueError(f"X must have at least 4 samples. Got {X.shape[0]}.")
    if not np.all(np.isfinite(X)):
        row = int(np.argwhere(~np.isfinite(X))[0, 0])
        raise ValueError(f"X must hold finite numbers. Got {X[row].tolist()} at row {row}.")
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have shape ({X.shape[0]},) to match X. Got shape {y.shape}."
        )
    if y.dtype.kind not in "biuf" or not np.all(np.isin(y, np.arange(MAX_CLASSES))):
        raise ValueError(f"y must hold the labels 0 to K - 1 (K at most {MAX_CLASSES}); "
                         "use Dataset.from_arrays for others.")
    y = y.astype(np.int64)
    present = np.unique(y)
    if len(present) < 2 or present[-1] != len(present) - 1:
        raise ValueError(f"y must hold every class from 0 to K - 1, at least two. Got {present.tolist()}.")
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


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

    Returns
    -------
    Dataset
        ``X`` of shape (n_samples, 2), ``y`` of shape (n_samples,).

    Examples
    --------
    >>> from boundaryviz.datasets import gaussians
    >>> data = gaussians()
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
    noise : float, default=0.15
        Standard deviation of the Gaussian noise added to each point.
    seed : int, default=0

    Returns
    -------
    Dataset
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
    noise : float, default=0.1
    seed : int, default=0
    factor : float, default=0.5
        Radius of the inner circle relative to the outer one, in (0, 1).

    Returns
    -------
    Dataset
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

    Returns
    -------
    Dataset
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
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to each point.
    seed : int, default=0
    turns : float, default=1.5
        How many times each arm winds around the centre (> 0, <= 10).
    n_classes : int, default=2
        Number of arms (2 to 10), evenly spaced in angle.

    Returns
    -------
    Dataset
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


def blob_centres(n_classes, radius=2.0):
    """Centres of :func:`blobs`: evenly spaced on a circle, the first at the top.

    Returns
    -------
    ndarray of shape (n_classes, 2)
    """
    angle = math.pi / 2 + 2 * math.pi * np.arange(n_classes) / n_classes
    return radius * np.column_stack([np.cos(angle), np.sin(angle)])


def blobs(n_samples=400, n_classes=3, std=0.8, seed=0, radius=2.0):
    """One normal cloud per class, the centres evenly spaced on a circle.

    Class k holds ``n_samples // n_classes`` samples (the first ``n_samples % n_classes``
    classes one more), drawn around centre k (:func:`blob_centres`) with standard deviation
    ``std`` on both axes. Neighbouring clouds overlap, so even the best classifier errs.

    Parameters
    ----------
    n_samples : int, default=400
    n_classes : int, default=3
        2 to 10.
    std : float, default=0.8
    seed : int, default=0
    radius : float, default=2.0
        Distance of each centre from the origin (> 0).

    Returns
    -------
    Dataset
    """
    n_samples, std, seed = _check_common(n_samples, std, seed, "std")
    n_classes = check_int(n_classes, "n_classes", low=2, high=MAX_CLASSES)
    radius = check_number(radius, "radius", low=0, low_open=True)
    if n_samples < 2 * n_classes:
        raise ValueError(f"n_samples must be at least 2 per class ({2 * n_classes}). Got {n_samples}.")
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % n_classes
    centres = blob_centres(n_classes, radius)
    X = centres[y] + rng.normal(scale=std, size=(n_samples, 2))
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


def _sklearn_table(loader, features, name, short):
    bunch = loader()
    names = list(bunch.feature_names)
    features = tuple(features)
    if len(features) != 2 or len(set(features)) != 2:
        raise ValueError(f"features must name two different columns of {name}. Got {features!r}.")
    for feature in features:
        if feature not in names:
            raise ValueError(f"features must be columns of {name}: {', '.join(names)}. Got {feature!r}.")
    columns = [names.index(f) for f in features]
    return Dataset(bunch.data[:, columns], bunch.target, name=short,
                   class_names=tuple(str(n) for n in bunch.target_names),
                   feature_names=features, standardize=True)


def iris(features=("petal length (cm)", "petal width (cm)")):
    """Fisher's iris flowers (150 samples, 3 species), two of the four measurements.

    The table ships inside scikit-learn (``sklearn.datasets.load_iris``): nothing is
    downloaded. Training sees standardised features; the panels keep centimetres.

    Parameters
    ----------
    features : tuple of two str, default=("petal length (cm)", "petal width (cm)")
        Column names, from sepal length (cm), sepal width (cm), petal length (cm),
        petal width (cm).

    Returns
    -------
    Dataset
    """
    from sklearn.datasets import load_iris

    return _sklearn_table(load_iris, features, "iris", "iris")


def wine(features=("flavanoids", "proline")):
    """Three cultivars of Italian wine (178 samples), two of the 13 chemical measurements.

    The table ships inside scikit-learn (``sklearn.datasets.load_wine``). The default columns
    are on very different scales (about 2 and about 750), which standardisation handles.

    Parameters
    ----------
    features : tuple of two str, default=("flavanoids", "proline")
        Column names of ``load_wine().feature_names``.

    Returns
    -------
    Dataset
    """
    from sklearn.datasets import load_wine

    return _sklearn_table(load_wine, features, "wine", "wine")


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
    from ._validation import check_choice

    check_choice(name, "dataset", DATASETS)
    if n_classes is not None and name not in MULTICLASS:
        raise ParameterValueError(f"n_classes applies to {' and '.join(MULTICLASS)}, not to {name!r}. "
                                  f"Got {n_classes!r}.", "n_classes")
    if name in REAL:
        return DATASETS[name]()
    if n_classes is not None:
        return DATASETS[name](seed=seed, n_classes=n_classes)
    return DATASETS[name](seed=seed)


def load_csv(path, *, standardize=True):
    """Read a dataset from a CSV file with columns x0, x1, label.

    A header row is optional: the first non-blank row is taken as a header when neither of its
    first two cells is a number, and its first two cells name the features (axis labels).
    Blank rows are skipped. The label column may hold 2 to 10 distinct values (numbers or
    words); they become classes 0, 1, ... in sorted order and are kept as ``class_names``.

    Parameters
    ----------
    path : str or os.PathLike
    standardize : bool, default=True
        Train on standardised features; the panels keep the file's units.

    Returns
    -------
    Dataset

    Raises
    ------
    ValueError
        For a missing file; naming the line for a row with other than three cells, a missing
        or non-numeric or non-finite coordinate, a missing label, or an eleventh distinct
        label; for fewer than 4 data rows or a single label.
    TypeError
        If ``path`` is not a path.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path. Got {path!r}.")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"data file {path!r} does not exist or is not a file.")
    rows, labels, linenos = [], [], []
    header_possible = True
    feature_names = ("x1", "x2")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for cells in reader:
                lineno = reader.line_num
                if not cells or all(not c.strip() for c in cells):
                    continue
                if len(cells) != 3:
                    raise ValueError(
                        f"{path}, line {lineno}: expected 3 columns (x0, x1, label). Got {len(cells)}."
                    )
                x0, x1, label = (c.strip() for c in cells)
                if header_possible:
                    header_possible = False
                    if not (_is_number(x0) or _is_number(x1)):
                        if x0 and x1:
                            feature_names = (x0, x1)
                        continue  # the first non-blank row is a header
                try:
                    point = (float(x0), float(x1))
                except ValueError:
                    what = "missing" if not (x0 and x1) else "not a number"
                    raise ValueError(
                        f"{path}, line {lineno}: x0 and x1 must be numbers ({what}). "
                        f"Got {x0!r}, {x1!r}."
                    ) from None
                if not all(math.isfinite(v) for v in point):
                    raise ValueError(
                        f"{path}, line {lineno}: x0 and x1 must be finite. Got {x0!r}, {x1!r}."
                    )
                if not label:
                    raise ValueError(f"{path}, line {lineno}: the label is missing.")
                rows.append(point)
                labels.append(label)
                linenos.append(lineno)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a UTF-8 text CSV file ({exc.reason}).") from None
    except csv.Error as exc:
        raise ValueError(f"{path}, line {reader.line_num}: not a valid CSV row ({exc}).") from None
    if len(rows) < 4:
        raise ValueError(f"{path}: need at least 4 data rows. Got {len(rows)}.")
    # Labels are numbers when every one is a finite number ("1" and "1.0" are then one class);
    # otherwise they are compared as text.
    numeric = all(_is_number(v) and math.isfinite(float(v)) for v in labels)
    keys = [float(v) for v in labels] if numeric else labels
    first_seen = {}
    for key, text, lineno in zip(keys, labels, linenos):
        if key not in first_seen:
            first_seen[key] = (text, lineno)
    if not 2 <= len(first_seen) <= MAX_CLASSES:
        if len(first_seen) < 2:
            detail = f"Got only {labels[0]!r}."
        else:
            seen = list(first_seen.values())
            text, line = seen[MAX_CLASSES]
            detail = (f"Line {line} holds an eleventh label {text!r} after "
                      f"{', '.join(repr(t) for t, _ in seen[:MAX_CLASSES])}.")
        raise ValueError(f"{path}: the label column must hold 2 to {MAX_CLASSES} distinct values. {detail}")
    order = sorted(first_seen)
    code = {key: k for k, key in enumerate(order)}
    y = np.array([code[key] for key in keys], dtype=np.int64)
    stem = os.path.splitext(os.path.basename(path))[0] or "data"
    return Dataset(np.array(rows), y, name=stem, class_names=tuple(first_seen[k][0] for k in order),
                   feature_names=feature_names, standardize=standardize)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True
