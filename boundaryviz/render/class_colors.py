"""How K classes look: colours and markers per class, the banded field of the most probable
class, and where two classes tie for first place (pure arrays; nothing here draws).

Two classes keep the reference look (a diverging blue-orange field of the probability of
class 1, the 0.5 line); K > 2 classes colour each point of the field with its most probable
class, paler where the model is less sure, in bands, with black lines where two classes tie.
"""

from __future__ import annotations

import numpy as np

from . import geometry
from .mesh_scores import Scratch

__all__ = [
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "CONFIDENCE_BANDS",
    "class_field_colors",
    "by_class",
    "ClassLead",
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


def _band(p):
    """The confidence band of probabilities ``p``: how many band edges each reaches."""
    return np.searchsorted(np.asarray(CONFIDENCE_BANDS), p, side="right")


# A probability's band by look-up: bin i holds [i / _BINS, (i + 1) / _BINS); the two bins on
# either side of an edge hold -1, "within 1e-3 of an edge: compute p exactly".
_BINS = 1000
_BAND_OF_BIN = _band((np.arange(_BINS + 1) + 0.5) / _BINS).astype(np.int8)
for _edge in np.rint(np.asarray(CONFIDENCE_BANDS) * _BINS).astype(int):
    _BAND_OF_BIN[_edge - 1 : _edge + 1] = -1


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


def by_class(scores):
    """Class scores with the classes first: a C-contiguous float copy of shape (K, ...).

    Reductions over a short, strided last axis are slow in NumPy; every K-class function here
    works on one class at a time, a whole field at once.
    """
    return np.ascontiguousarray(np.moveaxis(np.asarray(scores, dtype=float), -1, 0))


class ClassLead:
    """Which class leads where, from class scores computed once for a frame.

    One pass over the classes finds the top score, the runner-up score and the top class at
    every point (no sort); :meth:`levels` and :meth:`ties` use them.

    Parameters
    ----------
    scores : ndarray of shape (K, ...)
        Classes first (:func:`by_class`): log-probabilities or logits.
    runner_up : bool, default=True
        Also find the second-best score (needed by :meth:`ties`).
    scratch : Scratch, optional
        Where the work arrays live (:class:`~boundaryviz.render.mesh_scores.Scratch`); new
        arrays when omitted. The attributes below are among them (good until the scratch is
        used again); what the methods return never is.

    Attributes
    ----------
    scores : ndarray of shape (K, ...)
    first : ndarray of shape (...)
        The top score (NaN where any score is NaN).
    second : ndarray of shape (...) or None
        The second-best score, counting a tie for the top twice (the top score again).
    top : ndarray of int of shape (...)
        The top class, the first one on a tie.
    """

    def __init__(self, scores, runner_up=True, scratch=None):
        self._scratch = scratch = Scratch.or_new(scratch)
        scores = np.asarray(scores, dtype=float)
        self.scores = scores
        shape = scores.shape[1:]
        first = scratch.get("lead first", shape)
        second = scratch.get("lead second", shape) if runner_up else None
        top = scratch.get("lead top", shape, np.intp)
        lower = scratch.get("lead work", shape)
        with np.errstate(invalid="ignore", over="ignore"):
            np.copyto(first, scores[0])
            top.fill(0)
            if runner_up:
                second.fill(-np.inf)
            for k in range(1, scores.shape[0]):
                s = scores[k]
                if runner_up:
                    np.maximum(second, np.minimum(first, s, out=lower), out=second)
                np.copyto(top, k, where=s > first)
                np.maximum(first, s, out=first)
        self.first, self.second, self.top = first, second, top

    def levels(self):
        """Field levels: the top class and its confidence band.

        The band needs the top class's probability ``p = 1 / sum_k exp(s_k - s_top)`` only
        to the nearest band edge. It is estimated in single precision (the exponentials
        cost a third; relative error below 1e-5) and, within 1e-3 of an edge, computed
        again in double precision as :func:`class_levels` always has: the same levels.

        Returns
        -------
        ndarray of shape (...), dtype intp
            ``k * B + j`` (see :func:`class_field_colors`); ``K * B`` where a score is not
            finite.
        """
        scores, first = self.scores, self.first
        n_classes = scores.shape[0]
        n_bands = len(CONFIDENCE_BANDS) + 1
        diff = self._scratch.get("lead work", first.shape)
        total = self._scratch.get("lead total", first.shape, np.float32)
        term = self._scratch.get("lead term", first.shape, np.float32)
        with np.errstate(invalid="ignore", over="ignore", under="ignore"):
            # nan anywhere, or an infinite top score, makes p nan
            for k in range(n_classes):
                np.subtract(scores[k], first, out=diff)
                np.exp(diff, out=total if k == 0 else term, dtype=np.float32, casting="same_kind")
                if k:
                    total += term
            p_top = np.divide(1, total, out=total)
            # the band of each estimate by look-up, in bins of 1e-3 (a bin next to an edge says
            # "near": recompute)
            bins = self._scratch.get("lead bins", first.shape, np.int16)
            np.copyto(bins, np.multiply(p_top, _BINS, out=term), casting="unsafe")
        np.clip(bins, 0, _BINS, out=bins)
        code = _BAND_OF_BIN.take(bins)
        levels = self.top * n_bands
        levels += code
        redo = np.flatnonzero(code < 0)
        if redo.size:
            flat = levels.reshape(-1)
            flat[redo] = self.top.reshape(-1)[redo] * n_bands + _band(self._p_top(redo))
        levels[np.isnan(p_top)] = n_classes * n_bands
        return levels

    def _p_top(self, where):
        """The top class's probability at flat indices ``where``, in double precision, summed
        class by class in order (as NumPy sums over the first axis): ``class_levels``'s."""
        scores = self.scores.reshape(len(self.scores), -1)[:, where]
        first = self.first.reshape(-1)[where]
        with np.errstate(invalid="ignore", over="ignore", under="ignore"):
            total = np.exp(scores[0] - first)
            for k in range(1, len(scores)):
                total += np.exp(scores[k] - first)
            return 1.0 / total

    def margin(self, k, window=(Ellipsis,)):
        """``s_k - max_{j != k} s_j`` over ``window`` of the field: positive exactly where class
        k is alone on top."""
        s, first = self.scores[k][window], self.first[window]
        with np.errstate(invalid="ignore"):
            return s - np.where(s >= first, self.second[window], first)

    def ties(self, xs, ys, contour):
        """Lines where two classes tie for first place (see :func:`tie_segments_on_grid`).

        Each class's margin is contoured only over the box around the points where it is
        the top class (one point more on every side): its zero line lies in that box, and
        the box's edge, where the class is not on top, is crossed by none of it, so the lines
        are the same as over the whole grid.

        ``xs`` and ``ys`` are the grid's coordinates per column and row (1-D), or per point
        (2-D, as ``np.meshgrid`` gives them; ``contour`` then gets boxes of them).
        """
        segments = []
        ny, nx = self.top.shape
        present = np.flatnonzero(np.bincount(self.top.ravel(), minlength=self.scores.shape[0]))
        for k in present[present < self.scores.shape[0] - 1]:
            mine = self.top == k
            rows, cols = np.flatnonzero(mine.any(axis=1)), np.flatnonzero(mine.any(axis=0))
            r0, r1 = max(rows[0] - 1, 0), min(rows[-1] + 2, ny)
            c0, c1 = max(cols[0] - 1, 0), min(cols[-1] + 2, nx)
            window = (slice(r0, r1), slice(c0, c1))
            x, y = (xs[window], ys[window]) if xs.ndim == 2 else (xs[c0:c1], ys[r0:r1])
            segments.extend(contour(x, y, self.margin(k, window)))
        return segments


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
    return ClassLead(by_class(scores), runner_up=False).levels()


def tie_segments_on_grid(xs, ys, scores, contour):
    """Lines where two classes tie for first place, from scores on a grid.

    Each is a zero line of some class's margin over the best other class. The margins of
    classes 0 to K - 2 hold every tie (each tie involves at least one of them); a tie between
    two of them comes from both and is drawn twice, on the same pixels. A class that is top
    nowhere has no margin above zero, so no line of its own.

    Parameters
    ----------
    xs : ndarray of shape (nx,) or (ny, nx)
        The grid's x coordinates, per column or per point (as ``np.meshgrid`` gives them).
    ys : ndarray of shape (ny,) or (ny, nx)
    scores : ndarray of shape (ny, nx, K)
    contour : callable
        ``contour(xs, ys, z)`` → list of (n, 2) polylines of ``z == 0``.

    Returns
    -------
    list of ndarray of shape (n, 2)
    """
    return ClassLead(by_class(scores)).ties(np.asarray(xs), np.asarray(ys), contour)


def tie_segments_affine(weights, biases, limits):
    """Exact tie lines of K affine class scores over a box: straight segments.

    Scores ``s_k(p) = p @ weights[:, k] + biases[k]`` over plane points ``p``. For each
    pair (i, j) the line ``s_i = s_j`` is cut to the box and to where i and j are the top
    two (every other score is at most theirs). All pairs at once; the arithmetic of each is
    that of one pair on its own (:func:`~boundaryviz.render.geometry.line_in_box`, then
    ``seg @ (w_i - w_k) + b_i - b_k`` at its ends for every other class k).

    Parameters
    ----------
    weights : ndarray of shape (2, K)
    biases : ndarray of shape (K,)
    limits : ndarray of shape (2, 2)

    Returns
    -------
    list of ndarray of shape (2, 2)
        In the order of the pairs (0, 1), (0, 2), ..., (K - 2, K - 1).
    """
    weights = np.asarray(weights, dtype=float)
    biases = np.asarray(biases, dtype=float)
    n_classes = weights.shape[1]
    first, second = np.triu_indices(n_classes, 1)
    segs, found = geometry.lines_in_box((weights[:, first] - weights[:, second]).T, biases[first] - biases[second],
                                        limits)
    segs, first, second = segs[found], first[found], second[found]
    if not len(segs):
        return []
    # g = s_i - s_k at both ends of each pair's segment, for every class k (a matrix-vector
    # product each, as for one pair: the same rounding)
    towards = np.ascontiguousarray((weights[:, first, None] - weights[:, None, :]).transpose(1, 2, 0))
    with np.errstate(all="ignore"):
        g = np.matmul(segs[:, None], towards[..., None])[..., 0]
        g = g + biases[first, None, None]
        g = g - biases[None, :, None]
        g0, g1 = g[..., 0], g[..., 1]
        other = np.ones(g0.shape, dtype=bool)
        other[np.arange(len(first)), first] = other[np.arange(len(first)), second] = False
        below0, below1 = other & (g0 < 0), other & (g1 < 0)
        # keep g >= 0 along the segment: where one end is below, cut at the zero of g
        t = g0 / (g0 - g1)
        low = np.fmax.reduce(np.where(below0 & ~below1, t, np.nan), axis=1, initial=0.0)
        high = np.fmin.reduce(np.where(below1 & ~below0, t, np.nan), axis=1, initial=1.0)
    keep = ~(below0 & below1).any(axis=1) & (high > low)
    ends = np.stack([low, high], axis=1)[keep, :, None]
    start = segs[keep, :1]
    return list(start + ends * (segs[keep, 1:] - start))
