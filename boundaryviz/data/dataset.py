"""The :class:`Dataset` type: samples of 2 to 10 classes with 2 to 1000 features, frozen and checked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset", "MAX_SAMPLES", "MAX_CLASSES", "MAX_FEATURES", "MAX_SEED"]

MAX_SAMPLES = 1_000_000
MAX_CLASSES = 10
MAX_FEATURES = 1000
MAX_SEED = 2**32 - 1  # numpy's legacy seeding, used by scikit-learn's generators, stops here


@dataclass(frozen=True, eq=False)
class Dataset:
    """Samples of K classes (2 <= K <= 10) with d features (2 <= d <= 1000).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Float coordinates in the data's own units (read-only copy).
    y : ndarray of shape (n_samples,)
        Class labels 0 to K - 1, every one present (read-only copy, dtype int64).
    name : str
        Short name used in titles and file names.
    class_names : tuple of str, optional
        What labels 0 to K - 1 stand for, shown in legends; by default "0", "1", ...
    feature_names : tuple of str, optional
        Names of the d columns, shown on the input panel's axes; by default "x1", "x2", ...
    standardize : bool, default=False
        Whether training should see standardised features (mean 0, standard deviation 1 per
        column). The network is then composed with the scaler, so every drawing stays in the
        data's own units. On by default for CSV and array data, off for the built-in sets.
    mixture : boundaryviz.data.bayes.Mixture, optional
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
    feature_names: tuple | None = None
    standardize: bool = False
    mixture: object = None

    def __post_init__(self):
        X, y = _check_arrays(self.X, self.y)
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string. Got {self.name!r}.")
        for field in ("class_names", "feature_names"):
            if isinstance(getattr(self, field), str):  # would be split into its letters
                raise TypeError(f"{field} must be a sequence of names, not one string. Got {getattr(self, field)!r}.")
        n_classes = int(y.max()) + 1
        names = tuple(str(c) for c in range(n_classes)) if self.class_names is None else tuple(
            str(c) for c in self.class_names)
        if len(names) != n_classes:
            raise ValueError(f"class_names must hold {n_classes} names, one per class. Got {self.class_names!r}.")
        n_features = X.shape[1]
        features = (tuple(f"x{k + 1}" for k in range(n_features)) if self.feature_names is None
                    else tuple(str(c) for c in self.feature_names))
        if len(features) != n_features or not all(f.strip() for f in features):
            raise ValueError(f"feature_names must hold {n_features} non-empty names, one per column of X. "
                             f"Got {self.feature_names!r}.")
        if len(set(features)) != n_features:
            raise ValueError(f"feature_names must be distinct. Got {self.feature_names!r}.")
        if not isinstance(self.standardize, bool):
            raise TypeError(f"standardize must be True or False. Got {self.standardize!r}.")
        if self.mixture is not None:
            from .bayes import Mixture

            if (not isinstance(self.mixture, Mixture) or self.mixture.n_classes != n_classes
                    or self.mixture.n_features != n_features):
                raise ValueError(f"mixture must be a bayes.Mixture of {n_classes} classes in {n_features} "
                                 f"dimensions. Got {self.mixture!r}.")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "class_names", names)
        object.__setattr__(self, "feature_names", features)

    @property
    def n_classes(self):
        """Number of classes K, an int."""
        return len(self.class_names)

    @property
    def n_features(self):
        """Number of features d (columns of ``X``), an int."""
        return int(self.X.shape[1])

    @property
    def scaler(self):
        """(mean, scale), each ndarray of shape (n_features,): what training divides out, or None.

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


    @classmethod
    def from_arrays(cls, X, y, *, name="data", feature_names=None, standardize=True):
        """Build a dataset from any labels: 2 to 10 distinct values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite coordinates, in their own units; at least 4 samples, 2 to 1000 features.
        y : array-like of shape (n_samples,)
            2 to 10 distinct labels (numbers or strings). They become classes 0, 1, ... in
            sorted order and are kept as ``class_names``.
        name : str, default="data"
            Short name for captions and file names.
        feature_names : tuple of str, optional
            One name per column; by default "x1", "x2", ...
        standardize : bool, default=True
            Train on standardised features (see :class:`Dataset`).

        Returns
        -------
        Dataset
            ``X`` as floats, ``y`` as classes 0 to K - 1, the labels in ``class_names``.

        Examples
        --------
        >>> import boundaryviz as bv
        >>> data = bv.Dataset.from_arrays([[0, 0], [1, 0], [0, 1], [1, 1]], ["no", "yes", "yes", "no"])
        >>> data.class_names, data.y.tolist()
        (('no', 'yes'), [0, 1, 1, 0])
        """
        try:
            y_arr = np.asarray(y)
        except ValueError as exc:  # ragged nested sequences
            raise ValueError(f"y must be 1-D with one label per sample. {exc}") from exc
        if y_arr.ndim != 1:
            raise ValueError(f"y must be 1-D with one label per sample. Got shape {y_arr.shape}.")
        listed = y if isinstance(y, (list, tuple)) else y_arr.tolist() if y_arr.dtype.kind == "O" else None
        if listed is not None:  # numpy would make 1 and "a" both text
            texts = [isinstance(v, (str, bytes)) for v in listed]
            if any(texts) and not all(texts):
                raise TypeError(f"y must hold numbers or strings (one kind) as labels. Got both: "
                                f"{listed[texts.index(False)]!r} and {listed[texts.index(True)]!r}.")
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
        """Number of samples, an int."""
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
        raise TypeError(f"X must be an array of numbers of shape (n_samples, n_features). {exc}") from exc
    if X.ndim != 2 or not 2 <= X.shape[1] <= MAX_FEATURES:
        raise ValueError(f"X must have shape (n_samples, n_features) with 2 to {MAX_FEATURES} features. "
                         f"Got shape {X.shape}.")
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
