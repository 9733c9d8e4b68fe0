"""How K classes look: colours and markers per class, the banded field of the most probable
class, and where two classes tie for first place (pure arrays; nothing here draws).

Two classes keep the reference look (a diverging blue-orange field of the probability of
class 1, the 0.5 line); K > 2 classes colour each point of the field with its most probable
class, paler where the model is less sure, in bands, with black lines where two classes tie.
"""

from __future__ import annotations

import numpy as np

from . import geometry

__all__ = [
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "CONFIDENCE_BANDS",
    "class_field_colors",
    "class_levels",
    "tie_segments_on_grid",
    "tie_segments_affine",
]

# Okabe & Ito's colour-blind-safe set (blue, vermillion, bluish green, reddish purple, orange,
# sky blue, yellow), then wine, dark brown and indigo, chosen so that no two of the ten come
# closer than the Okabe-Ito set itself does: at least 10.9 apart in CAM02-UCS under simulated
# deuteranopia, protanopia and tritanopia (colorspacious, severity 100; tests/test_classes.py).
# No grey: pale grey is the colour of "no number" in a field. Each class also has its own
# marker shape.
CLASS_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
                "#994455", "#661100", "#332288")
CLASS_MARKERS = ("o", "^", "s", "D", "v", "P", "X", "p", "h", "*")

CONFIDENCE_BANDS = (0.5, 0.6, 0.7, 0.8, 0.9)
"""Edges of the bands of the top class's probability: below 0.5, 0.5 to 0.6, ..., 0.9 to 1."""

_WEAKEST, _STRONGEST = 0.12, 0.62  # share of the class colour mixed into white


def class_field_colors(n_classes, nan_color=(189, 189, 189)):
    """The colour of every level of a K-class field, RGBA bytes.

    Level ``k * B + j`` is class ``k`` in confidence band ``j`` (B = len(CONFIDENCE_BANDS) + 1),
    the class colour mixed into white from 12 % (least sure) to 62 % (surest); the last
    level is for points where the model gave no number.

    Returns
    -------
    ndarray of shape (n_classes * B + 1, 4), dtype uint8
    """
    from matplotlib.colors import to_rgb

    n_bands = len(CONFIDENCE_BANDS) + 1
    strength = np.linspace(_WEAKEST, _STRONGEST, n_bands)
    rows = []
    for color in CLASS_COLORS[:n_classes]:
        rgb = np.array(to_rgb(color))
        for s in strength:
            rows.append(np.round(255 * (1 - s + s * rgb)))
    rows.append(np.array(nan_color, dtype=float))
    table = np.column_stack([np.array(rows), np.full(len(rows), 255.0)])
    return table.astype(np.uint8)


def class_levels(scores):
    """Field levels from class scores: the top class and its confidence band.

    Parameters
    ----------
    scores : ndarray of shape (..., K)
        Log-probabilities (or logits: any per-point constant may be added).

    Returns
    -------
    ndarray of shape (...), dtype intp
        ``k * B + j`` (see :func:`class_field_colors`); ``K * B`` where a score is not finite.
    """
    # classes first: reductions over a short, strided last axis are slow in NumPy
    by_class = np.ascontiguousarray(np.moveaxis(np.asarray(scores, dtype=float), -1, 0))
    n_classes = by_class.shape[0]
    n_bands = len(CONFIDENCE_BANDS) + 1
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        best = by_class.max(axis=0)
        # nan anywhere, or an infinite top score, makes p_top nan: no number there
        p_top = 1.0 / np.exp(by_class - best).sum(axis=0)
    bad = ~np.isfinite(p_top)
    top = np.argmax(by_class, axis=0)
    band = np.searchsorted(np.asarray(CONFIDENCE_BANDS), p_top, side="right")
    levels = top * n_bands + band
    levels[bad] = n_classes * n_bands
    return levels.astype(np.intp)


def _margins(scores):
    """``d[..., k] = s_k - max_{j != k} s_j``: positive exactly where class k is on top."""
    by_class = np.ascontiguousarray(np.moveaxis(scores, -1, 0))
    ordered = np.sort(by_class, axis=0)
    first, second = ordered[-1], ordered[-2]
    return np.moveaxis(by_class - np.where(by_class >= first, second, first), 0, -1)


def tie_segments_on_grid(xs, ys, scores, contour):
    """Lines where two classes tie for first place, from scores on a grid.

    Each is a zero line of some class's margin over the best other class. The margins of
    classes 0 to K - 2 hold every tie (each tie involves at least one of them); a tie between
    two of them comes from both and is drawn twice, on the same pixels.

    Parameters
    ----------
    xs : ndarray of shape (nx,)
    ys : ndarray of shape (ny,)
    scores : ndarray of shape (ny, nx, K)
    contour : callable
        ``contour(xs, ys, z)`` → list of (n, 2) polylines of ``z == 0``.

    Returns
    -------
    list of ndarray of shape (n, 2)
    """
    margins = _margins(np.asarray(scores, dtype=float))
    segments = []
    for k in range(margins.shape[-1] - 1):
        segments.extend(contour(xs, ys, margins[..., k]))
    return segments


def tie_segments_affine(weights, biases, limits):
    """Exact tie lines of K affine class scores over a box: straight segments.

    Scores ``s_k(p) = p @ weights[:, k] + biases[k]`` over plane points ``p``. For each
    pair (i, j) the line ``s_i = s_j`` is cut to the box and to where i and j are the top
    two (every other score is at most theirs).

    Parameters
    ----------
    weights : ndarray of shape (2, K)
    biases : ndarray of shape (K,)
    limits : ndarray of shape (2, 2)

    Returns
    -------
    list of ndarray of shape (2, 2)
    """
    weights = np.asarray(weights, dtype=float)
    biases = np.asarray(biases, dtype=float)
    n_classes = weights.shape[1]
    segments = []
    for i in range(n_classes):
        for j in range(i + 1, n_classes):
            seg = geometry.line_in_box(weights[:, i] - weights[:, j], biases[i] - biases[j], limits)
            if seg is None:
                continue
            low, high = 0.0, 1.0
            for k in range(n_classes):
                if k in (i, j):
                    continue
                # g(t) = s_i - s_k along the segment, linear in t; keep g >= 0
                g0, g1 = (seg @ (weights[:, i] - weights[:, k])) + biases[i] - biases[k]
                if g0 < 0 and g1 < 0:
                    low, high = 1.0, 0.0
                    break
                if g0 < 0 or g1 < 0:
                    t = g0 / (g0 - g1)
                    if g0 < 0:
                        low = max(low, t)
                    else:
                        high = min(high, t)
            if high > low:
                segments.append(seg[0] + np.array([[low], [high]]) * (seg[1] - seg[0]))
    return segments
