"""Real data: two tables scikit-learn ships (iris, wine) and your own CSV files."""

from __future__ import annotations

import csv
import math
import os

import numpy as np

from .dataset import MAX_CLASSES, Dataset

__all__ = ["iris", "wine", "load_csv"]


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
