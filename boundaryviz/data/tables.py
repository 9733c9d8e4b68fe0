"""Real data: four tables scikit-learn ships (iris, wine, breast cancer, digits) and your own CSV
files."""

from __future__ import annotations

import csv
import math
import os

import numpy as np

from .dataset import MAX_CLASSES, Dataset

__all__ = ["iris", "wine", "breast_cancer", "digits", "load_csv"]


def _choose(features, names, where):
    """The chosen column names: ``"all"`` or a sequence of at least two distinct names."""
    if isinstance(features, str):
        if features == "all":
            return tuple(names)
        features = (features,)
    try:
        features = tuple(features)
    except TypeError:
        raise TypeError(f"features must be 'all' or a sequence of column names. Got {features!r}.") from None
    if len(features) < 2 or len(set(features)) != len(features):
        raise ValueError(f"features must name at least two different columns of {where}, or be 'all'. "
                         f"Got {features!r}.")
    for feature in features:
        if feature not in names:
            raise ValueError(f"features must be columns of {where}: {', '.join(names)}. Got {feature!r}.")
    return features


def _sklearn_table(loader, features, name, short):
    bunch = loader()
    names = [str(n) for n in bunch.feature_names]
    features = _choose(features, names, name)
    columns = [names.index(f) for f in features]
    return Dataset(bunch.data[:, columns], bunch.target, name=short,
                   class_names=tuple(str(n) for n in bunch.target_names),
                   feature_names=features, standardize=True)


def iris(features=("petal length (cm)", "petal width (cm)")):
    """Fisher's iris flowers (150 samples, 3 species): two of the four measurements, or all.

    The table ships inside scikit-learn (``sklearn.datasets.load_iris``): nothing is
    downloaded. Training sees standardised features; the panels keep centimetres.

    Parameters
    ----------
    features : 'all' or sequence of str, default=("petal length (cm)", "petal width (cm)")
        Column names (at least two), from sepal length (cm), sepal width (cm),
        petal length (cm), petal width (cm); ``'all'`` takes the four.

    Returns
    -------
    Dataset
        The chosen columns as ``X`` of shape (150, n_features), the species 0 to 2 as ``y``.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> bv.iris().n_features, bv.iris(features="all").n_features
    (2, 4)
    """
    from sklearn.datasets import load_iris

    return _sklearn_table(load_iris, features, "iris", "iris")


def wine(features=("flavanoids", "proline")):
    """Three cultivars of Italian wine (178 samples): two of the 13 chemical measurements, or all.

    The table ships inside scikit-learn (``sklearn.datasets.load_wine``). The default columns
    are on very different scales (about 2 and about 750), which standardisation handles.

    Parameters
    ----------
    features : 'all' or sequence of str, default=("flavanoids", "proline")
        Column names (at least two) of ``load_wine().feature_names``; ``'all'`` takes the 13.

    Returns
    -------
    Dataset
        The chosen columns as ``X`` of shape (178, n_features), the cultivars 0 to 2 as ``y``.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> bv.wine(features="all").n_features
    13
    """
    from sklearn.datasets import load_wine

    return _sklearn_table(load_wine, features, "wine", "wine")


def breast_cancer(features="all"):
    """Breast tumour cells (569 samples, malignant or benign), 30 measurements of their nuclei.

    The Wisconsin diagnostic table ships inside scikit-learn
    (``sklearn.datasets.load_breast_cancer``): nothing is downloaded. Class 0 is malignant,
    class 1 benign. The columns range from about 0.001 to about 4000, so training sees
    standardised features.

    Parameters
    ----------
    features : 'all' or sequence of str, default='all'
        Column names (at least two) of ``load_breast_cancer().feature_names``, e.g.
        ``("mean radius", "mean texture")``; ``'all'`` takes the 30.

    Returns
    -------
    Dataset
        The chosen columns as ``X`` of shape (569, n_features), the diagnosis as ``y``.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> data = bv.breast_cancer()
    >>> data.n_features, data.class_names
    (30, ('malignant', 'benign'))
    """
    from sklearn.datasets import load_breast_cancer

    return _sklearn_table(load_breast_cancer, features, "breast_cancer", "breast_cancer")


def digits(features="all"):
    """Handwritten digits 0 to 9 (1797 samples of 8 × 8 pixels, grey levels 0 to 16).

    The table ships inside scikit-learn (``sklearn.datasets.load_digits``): nothing is
    downloaded. The 64 features are the pixels row by row, named ``pixel_{row}_{column}``;
    training sees standardised features (pixels that are always blank keep scale 1).

    Parameters
    ----------
    features : 'all' or sequence of str, default='all'
        Pixel names (at least two), e.g. ``("pixel_3_3", "pixel_5_4")``; ``'all'`` takes the 64.

    Returns
    -------
    Dataset
        The chosen pixels as ``X`` of shape (1797, n_features), the digits 0 to 9 as ``y``.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> data = bv.digits()
    >>> data.n_features, data.n_classes
    (64, 10)
    """
    from sklearn.datasets import load_digits

    return _sklearn_table(load_digits, features, "digits", "digits")


def load_csv(path, *, label=None, features=None, standardize=True):
    """Read a dataset from a CSV file: numeric feature columns and one label column.

    By default the label is the last column and every other column is a feature (at least
    two). A header row is optional: the first non-blank row is taken as a header when none of
    its cells but the last is a number, and it names the columns (axis labels); without one
    the feature columns are called x1, x2, ... Blank rows are skipped; every other row has as
    many cells as the first. The label column may hold 2 to 10 distinct values (numbers or
    words); they become classes 0, 1, ... in sorted order and are kept as ``class_names``.
    Columns that are neither chosen features nor the label are not read.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file to read.
    label : str, optional
        Name of the label column (the file needs a header); by default the last column.
    features : sequence of str, optional
        Names of the feature columns to use, at least two, in this order; by default every
        column but the label.
    standardize : bool, default=True
        Train on standardised features; the panels keep the file's units.

    Returns
    -------
    Dataset
        The feature columns as ``X`` of shape (n_samples, n_features), the labels as classes
        0, 1, ... in ``y``, named after the file.

    Raises
    ------
    ValueError
        For a missing file; for ``label`` or ``features`` naming no column; naming the line
        (and the column) for a row with another number of cells, a missing or non-numeric or
        non-finite feature, a missing label, or an eleventh distinct label; for fewer than 4
        data rows or a single label.
    TypeError
        If ``path`` is not a path.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> data = bv.load_csv("patients.csv", label="diagnosis")  # doctest: +SKIP
    >>> data = bv.load_csv("patients.csv", features=["age", "weight"])  # doctest: +SKIP
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path. Got {path!r}.")
    if label is not None and (not isinstance(label, str) or not label.strip()):
        raise TypeError(f"label must be a column name. Got {label!r}.")
    if features is not None:
        if isinstance(features, str):
            raise TypeError(f"features must be a sequence of column names. Got {features!r}.")
        features = tuple(features)
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"data file {path!r} does not exist or is not a file.")
    rows, labels, linenos = [], [], []
    layout = None  # (feature column indices, their names, label column index)
    width = first_line = None
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for cells in reader:
                lineno = reader.line_num
                if not cells or all(not c.strip() for c in cells):
                    continue
                cells = [c.strip() for c in cells]
                if width is None:
                    width, first_line = len(cells), lineno
                    if width < 3:
                        raise ValueError(f"{path}, line {lineno}: expected at least 3 columns (two features "
                                         f"and a label). Got {width}.")
                    if not any(_is_number(c) for c in cells[:-1]):  # a header
                        layout = _csv_layout(path, lineno, cells, label, features)
                        continue
                    layout = _csv_layout(path, None, cells, label, features)
                if len(cells) != width:
                    raise ValueError(f"{path}, line {lineno}: expected {width} columns, as on line "
                                     f"{first_line}. Got {len(cells)}.")
                columns, names, label_at = layout
                point = []
                for k, name in zip(columns, names):
                    text = cells[k]
                    try:
                        value = _number(text)
                    except ValueError:
                        what = "missing" if not text else "not a number"
                        raise ValueError(f"{path}, line {lineno}, column {name!r}: features must be "
                                         f"numbers ({what}). Got {text!r}.") from None
                    if not math.isfinite(value):
                        raise ValueError(f"{path}, line {lineno}, column {name!r}: features must be "
                                         f"finite. Got {text!r}.")
                    point.append(value)
                if not cells[label_at]:
                    raise ValueError(f"{path}, line {lineno}: the label is missing.")
                if _is_number(cells[label_at]) and not math.isfinite(float(cells[label_at])):
                    raise ValueError(f"{path}, line {lineno}: the label must be a class, not a missing or "
                                     f"infinite number. Got {cells[label_at]!r}.")
                rows.append(point)
                labels.append(cells[label_at])
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
    keys = [_number(v) for v in labels] if numeric else labels
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
    _, feature_names, _ = layout
    try:
        return Dataset(np.array(rows), y, name=stem, class_names=tuple(first_seen[k][0] for k in order),
                       feature_names=feature_names, standardize=standardize)
    except ValueError as exc:  # too many features, say: in the file's terms
        raise ValueError(f"{path}: {exc}") from None


def _csv_layout(path, header_line, cells, label, features):
    """(feature column indices, feature names, label column index) of a CSV file.

    ``header_line`` is the header's line number, or None when the file has no header: its
    columns are then called x1, x2, ... (the label column last, unnamed).
    """
    width = len(cells)
    if header_line is None:
        if label is not None:
            raise ValueError(f"{path}: label={label!r} names a column, but the file has no header row.")
        names = [f"x{k + 1}" for k in range(width - 1)] + [""]
        label_at = width - 1
    else:
        names = [c or f"x{k + 1}" for k, c in enumerate(cells)]  # an unnamed column: by its place
        if label is None:
            label_at = width - 1
        elif label in names:
            label_at = names.index(label)
        else:
            raise ValueError(f"{path}, line {header_line}: label={label!r} is not a column. "
                             f"The columns are {', '.join(repr(n) for n in names if n)}.")
    others = [k for k in range(width) if k != label_at]
    if features is None:
        columns = others
    else:
        if len(features) < 2 or len(set(features)) != len(features):
            raise ValueError(f"{path}: features must name at least two different columns. Got {features!r}.")
        columns = []
        for feature in features:
            if feature == names[label_at]:
                raise ValueError(f"{path}: features={feature!r} is the label column.")
            if feature not in names:
                where = "no header row" if header_line is None else f"header on line {header_line}"
                raise ValueError(f"{path} ({where}): features={feature!r} is not a column. "
                                 f"The feature columns are {', '.join(repr(names[k]) for k in others)}.")
            columns.append(names.index(feature))
    chosen = [names[k] for k in columns]
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"{path}, line {header_line}: the feature columns must have different names. "
                         f"Got {', '.join(repr(n) for n in chosen)}.")
    return columns, tuple(chosen), label_at


def _number(text):
    """``float(text)``, but for Python's digit separators: "1_000" is not a number in a CSV."""
    if "_" in text:
        raise ValueError(text)
    return float(text)


def _is_number(text):
    try:
        _number(text)
    except ValueError:
        return False
    return True
