"""A wide layer's grid of logits in float32, exact (float64, to the bit) where it decides a picture.

A frame of a network with one wide tanh or sigmoid hidden layer spends most of its time in
:func:`~boundaryviz.models.network.grid_logits`: the activation over grid cells × units in
float64. Pictures read the logits only through comparisons: which side of each colour band's
threshold a cell lies on, which side of 0, and, for the cells around the zero line, the values
themselves (the line's vertices are interpolated from them). So the grid is computed here in
float32 (about a seventh of the time) together with a rigorous bound ``e`` on its distance from
the float64 grid, and only the cells whose reading the bound leaves open are computed again,
exactly as :func:`~boundaryviz.models.network.grid_logits` computes them
(:func:`~boundaryviz.models.network.grid_cell_logits`).

What :func:`decided_grid_logits` returns, given ``thresholds``:

- every cell lies on the same side (``<``, ``==``, ``>``) of each threshold and of 0 as its
  float64 value, and is NaN or infinite where that value is;
- every corner of every quad the zero line crosses or touches (corners not all finite and of
  one strict sign), every cell within ``e`` of a threshold or of 0, and every cell whose float32
  value is not finite holds the float64 value itself;
- every other cell holds its float32 value, within ``e / SAFETY`` of the float64 value and
  farther than ``e`` (never less than :data:`MIN_TOLERANCE`) from every threshold and from 0.

So colour bands cut at those thresholds, and contour lines of level 0 (contourpy: the corners'
sides and the values of the crossed quads' corners), come out as they do from the float64
grid, bit for bit. A consumer that reads the bands through a threshold moved by less than
``7/8 MIN_TOLERANCE`` sees the same bands too: a full matplotlib redraw, ``expit`` then a
colour map's ``floor(N p)``, moves them by about 1e-13.

Only one hidden layer of at least :data:`MIN_UNITS` tanh or sigmoid units and one output unit
take this path. Several such layers take :mod:`boundaryviz.models.float32_deep`'s, with a weaker
promise (matrix products, whose rows computed alone are not always the bits of the whole
product: the deciding cells are float64 up to the order of BLAS's sums, on the right side of
every threshold); relu, leaky_relu and identity layers are cheap in float64 already (64 units:
about 6 ms, against 3.4 ms for a float32 pass).

Pure functions; nothing is kept between calls.
"""

from __future__ import annotations

import numpy as np

from . import network

__all__ = ["FAST_ACTIVATIONS", "MIN_UNITS", "SAFETY", "MIN_TOLERANCE", "error_bound", "float32_logits", "decided_grid_logits",
           "reading_cuts", "cells_to_recompute", "crossed_quad_cells"]

FAST_ACTIVATIONS = ("sigmoid", "tanh")
"""tuple of str: the activations whose grids take the float32 path."""

SAFETY = 8.0
"""float: the returned bound is this many times the derived one (see :func:`error_bound`)."""

MIN_UNITS = 4
"""int: narrower layers stay in float64, which costs them no more than finding and computing
again the cells that decide (about 2.5 ms for 2 units on a 200 × 200 grid, either way)."""

MIN_TOLERANCE = 1e-9
"""float: the smallest tolerance ever used: cells this close to a threshold or to 0 are exact."""

_U32 = 2.0**-24  # unit roundoff of float32 (round to nearest)
_U64 = 2.0**-53
# absolute error of one float32 (float64) operation or conversion at the bottom of the range:
# the smallest normal number, which also covers hardware flushing subnormals to zero
_TINY32 = 2.0**-126
_TINY64 = 2.0**-1022
# float32 exp's relative error: 64 ulps (2^-23 each) allowed. NumPy's SIMD exp is within 2.52
# ulps (2.45 measured on AVX2), glibc's expf within 1, the vector libraries within 4.
_EXP32_ERROR = 64 * 2.0**-23
# the float64 activations' own error, absolute, for values in [-1, 1]: 64 ulps of 1. NumPy's
# tanh and the logistic function (an exp, a sum and a division) are within a few ulps.
_ACT64_ERROR = 64 * 2.0**-52
# magnitudes above this fall back to float64: float32 overflows at 2^128
_LARGEST = 2.0**64
_BOUND_SHARE_OF_GAP = 0.25  # a bound above this share of the thresholds' smallest gap: float64
_MOST_CELLS = 0.5  # more cells than this to compute again: the whole grid in float64


def _gamma(n, u):
    """Higham's ``n u / (1 - n u)``: the relative error of ``n`` roundings in any order."""
    return n * u / (1.0 - n * u)


def _as_logistic(weights, biases, activation):
    """The network as ``C + sum_k v_k r(x P[0, k] + y P[1, k] + Q_k)``, ``r(s) = 1 / (1 + exp(s))``.

    ``sigmoid(z) = r(-z)`` and ``tanh(z) = 1 - 2 r(2 z)``: ``P, Q, v = -W, -b, w`` and
    ``C = c`` for sigmoid units, ``P, Q, v = 2 W, 2 b, -2 w`` and ``C = c + sum(w)`` for tanh
    units. Negating and doubling are exact in binary floating point; only the sum in ``C``
    rounds.

    Returns
    -------
    P : ndarray of shape (2, m)
    Q, v : ndarray of shape (m,)
    C : float
    """
    W, b, w, c = weights[0], biases[0], weights[1][:, 0], float(biases[1][0])
    if activation == "sigmoid":
        return -W, -b, w, c
    return 2.0 * W, 2.0 * b, -2.0 * w, c + float(w.sum())


def _grid_error(P, Q, v, C, x_max, y_max, u, tiny, act_error, lipschitz):
    """A bound on the distance between the real logits and those computed with roundoff ``u``.

    For ``C + sum_k v_k act(x P[0, k] + y P[1, k] + Q_k)`` over ``|x| <= x_max``,
    ``|y| <= y_max``, the coordinates and parameters rounded to the format first (a no-op in
    float64). A pre-activation has at most five roundings a term (two conversions, a product
    and two sums), so it is within ``gamma_5 M_k`` of its real value, with
    ``M_k = y_max |P[1, k]| + |Q_k| + x_max |P[0, k]|``; the activation moves that by at most
    ``lipschitz`` times and adds its own ``act_error`` (its values within [-1, 1]); the
    output adds ``m`` products and ``C`` with at most ``m + 2`` roundings a term in any order
    (a BLAS, SIMD or sequential sum alike): ``gamma_(m+2) (|C| + sum_k |v_k| (1 + act_error))``.
    At the bottom of the range each of those operations may be off by ``tiny`` (flushed to
    zero, even), carried by factors of at most ``scale``.
    """
    m = len(v)
    av = np.abs(v)
    terms = y_max * np.abs(P[1]) + np.abs(Q) + x_max * np.abs(P[0])
    scale = 2.0 * max(1.0, x_max, y_max, np.abs(P).max(initial=0.0), np.abs(Q).max(initial=0.0))
    pre = _gamma(5, u) * terms + 9 * tiny * scale
    head = _gamma(m + 2, u) * (abs(C) + av.sum() * (1 + act_error))
    return float(av @ (lipschitz * pre + act_error) + head + (2 * m + 2) * tiny * 2.0 * max(1.0, av.max(initial=0.0)))


def error_bound(weights, biases, xs, ys, activation):
    """A bound on ``|float32_logits - grid_logits|`` over a grid, or None for no float32 path.

    None when the network is not one hidden layer of :data:`FAST_ACTIVATIONS` and one output
    unit, or when a parameter or coordinate is not finite or so large that float32 could
    overflow.

    The float32 grid's distance from the real logits and the float64 grid's
    (:func:`_grid_error`: roundings counted per operation, each activation's Lipschitz
    constant, its own error), plus the rounding of ``C`` (:func:`_as_logistic`), bound the
    distance between the grids. The float32 units are ``r(s) = 1 / (1 + exp(s))``, computed
    as ``E = exp(s)``, ``E + 1`` and ``1 / (E + 1)``: with ``exp`` within a relative ``eps``
    (64 ulps allowed), ``r`` is within ``eps / 4`` (``E / (E + 1)^2 <= 1/4``) and two
    roundings, and ``r`` is 1/4-Lipschitz. The float64 grid's tanh (1-Lipschitz) and logistic
    function (1/4) are allowed 64 ulps too. Nothing depends on the CPU beyond those functions'
    own errors, which every known implementation keeps far within what is allowed, so the
    bound holds on any; it is returned :data:`SAFETY` times over, and never below
    :data:`MIN_TOLERANCE`.

    Parameters
    ----------
    weights, biases : tuple of ndarray
        As for :func:`~boundaryviz.models.network.forward`.
    xs : ndarray of shape (nx,)
    ys : ndarray of shape (ny,)
    activation : str

    Returns
    -------
    float or None
    """
    if len(weights) != 2 or weights[1].shape[1] != 1 or weights[0].shape[0] != 2 or activation not in FAST_ACTIVATIONS:
        return None
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    arrays = (*weights, *biases, xs, ys)
    if not all(np.all(np.isfinite(a)) for a in arrays) or max(np.abs(a).max(initial=0.0) for a in arrays) > _LARGEST:
        return None
    x_max, y_max = float(np.abs(xs).max(initial=0.0)), float(np.abs(ys).max(initial=0.0))
    w, c = weights[1][:, 0], float(biases[1][0])
    largest = (y_max * np.abs(weights[0][1]) + np.abs(biases[0]) + x_max * np.abs(weights[0][0])).max(initial=0.0)
    if largest > _LARGEST or abs(c) + np.abs(w).sum() > _LARGEST:
        return None
    lipschitz = 1.0 if activation == "tanh" else 0.25
    float64 = _grid_error(weights[0], biases[0], w, c, x_max, y_max, _U64, _TINY64, _ACT64_ERROR, lipschitz)
    P, Q, v, C = _as_logistic(weights, biases, activation)
    r_error = 1.01 * _EXP32_ERROR / 4 + 2.1 * _U32 + 3 * _TINY32
    float32 = _grid_error(P, Q, v, C, x_max, y_max, _U32, _TINY32, r_error, 0.25)
    fold = _gamma(len(w), _U64) * (abs(c) + np.abs(w).sum()) if activation == "tanh" else 0.0
    return max(SAFETY * (float32 + float64 + fold), MIN_TOLERANCE)


def float32_logits(weights, biases, xs, ys, activation, chunk=1 << 18):
    """The grid of :func:`~boundaryviz.models.network.grid_logits` computed in float32.

    As ``C + sum_k v_k / (1 + exp(s_k))`` (:func:`_as_logistic`): an exp, a sum and a
    division cost less than NumPy's float32 tanh (a third less on AVX2). The units of a few
    rows at a time (``chunk`` values) are one array, so each step is one pass of a NumPy loop.

    Parameters
    ----------
    weights, biases : tuple of ndarray
        One hidden layer of :data:`FAST_ACTIVATIONS`, one output unit.
    xs : ndarray of shape (nx,)
    ys : ndarray of shape (ny,)
    activation : str
    chunk : int, default=2**18
        Values (cells × units) per step.

    Returns
    -------
    ndarray of shape (ny, nx), dtype float32
    """
    P, Q, v, C = _as_logistic(weights, biases, activation)
    f32 = np.float32
    xs, ys = np.asarray(xs, dtype=f32), np.asarray(ys, dtype=f32)
    P, Q, v = P.astype(f32), Q.astype(f32), v.astype(f32)
    rows = P[1][:, None] * ys + Q[:, None]  # (m, ny): y P[1, k] + Q_k
    cols = P[0][:, None] * xs  # (m, nx)
    m, ny, nx = len(v), len(ys), len(xs)
    out = np.empty((ny, nx), dtype=f32)
    step = max(1, chunk // max(1, m * nx))
    work = np.empty((m, min(step, ny), nx), dtype=f32)
    scale = v[:, None, None]
    with np.errstate(over="ignore", under="ignore"):  # exp is inf past 88.7, and then r = 0
        for start in range(0, ny, step):
            s = work[:, : min(step, ny - start)]
            np.add(rows[:, start : start + step, None], cols[:, None, :], out=s)
            np.exp(s, out=s)
            s += f32(1)
            np.divide(f32(1), s, out=s)  # a division, correctly rounded (not an approximate reciprocal)
            s *= scale
            np.add.reduce(s, axis=0, out=out[start : start + step])
    out += f32(C)
    return out


def reading_cuts(thresholds):
    """The sorted, distinct, finite ``thresholds`` and 0: where a reading of the grid changes.

    Parameters
    ----------
    thresholds : array-like of float

    Returns
    -------
    ndarray of shape (n,)
    """
    cuts = np.asarray(thresholds, dtype=float).ravel()
    return np.unique(np.append(cuts[np.isfinite(cuts)], 0.0))


def cells_to_recompute(values, bound, cuts):
    """Cells whose reading ``values`` within ``bound`` leaves open: near a cut, or not finite.

    Parameters
    ----------
    values : ndarray of shape (ny, nx)
        Approximate values, each within ``bound`` of the true one.
    bound : float
    cuts : ndarray of shape (n,)
        Sorted thresholds.

    Returns
    -------
    ndarray of bool of shape (ny, nx)
        Where a cut lies in ``(value - bound, value + bound]``, or the value is not finite.
    """
    lower = np.searchsorted(cuts, values - bound, side="right")
    upper = np.searchsorted(cuts, values + bound, side="right")
    return (lower != upper) | ~np.isfinite(values)


def crossed_quad_cells(values):
    """The corners of every quad the zero line may cross: corners not all finite and of one sign.

    Parameters
    ----------
    values : ndarray of shape (ny, nx)
        Each value's sign (``> 0``, ``< 0``, else) is the true one.

    Returns
    -------
    ndarray of bool of shape (ny, nx)
    """
    above, below = values > 0, values < 0
    one_side = ((above[:-1, :-1] & above[1:, :-1] & above[:-1, 1:] & above[1:, 1:])
                | (below[:-1, :-1] & below[1:, :-1] & below[:-1, 1:] & below[1:, 1:]))
    crossed = ~one_side
    cells = np.zeros(values.shape, dtype=bool)
    cells[:-1, :-1] |= crossed
    cells[1:, :-1] |= crossed
    cells[:-1, 1:] |= crossed
    cells[1:, 1:] |= crossed
    return cells


def decided_grid_logits(weights, biases, xs, ys, activation, thresholds):
    """:func:`~boundaryviz.models.network.grid_logits`, exact only where it decides a picture.

    See the module's docstring for what the values promise; the network's grid in float64
    when the float32 path does not apply (:func:`error_bound`), for fewer than
    :data:`MIN_UNITS` units, when the bound is not small against the gaps between the
    thresholds, or when most cells would be computed again.

    Parameters
    ----------
    weights, biases : tuple of ndarray
        As for :func:`~boundaryviz.models.network.forward`.
    xs : ndarray of shape (nx,)
    ys : ndarray of shape (ny,)
    activation : str
    thresholds : array-like of float
        Where a reading of the values changes (the edges of colour bands); 0 is always one.

    Returns
    -------
    ndarray of shape (ny, nx)
    """
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if len(weights) != 2 or weights[0].shape[1] < MIN_UNITS or min(len(xs), len(ys)) < 2:
        return network.grid_logits(weights, biases, xs, ys, activation)
    bound = error_bound(weights, biases, xs, ys, activation)
    cuts = reading_cuts(thresholds)
    if bound is None or bound > _BOUND_SHARE_OF_GAP * np.diff(cuts).min(initial=np.inf):
        return network.grid_logits(weights, biases, xs, ys, activation)
    values = float32_logits(weights, biases, xs, ys, activation).astype(float)
    redo = cells_to_recompute(values, bound, cuts)
    if np.count_nonzero(redo) > _MOST_CELLS * values.size:
        return network.grid_logits(weights, biases, xs, ys, activation)
    _recompute(values, redo, weights, biases, xs, ys, activation)
    # with those exact, every sign is the true one: the quads the zero line crosses follow
    more = crossed_quad_cells(values) & ~redo
    _recompute(values, more, weights, biases, xs, ys, activation)
    return values


def _recompute(values, cells, weights, biases, xs, ys, activation):
    """Put the float64 values (the grid's bits) into ``values`` at ``cells``, in place."""
    flat = np.flatnonzero(cells)
    if flat.size:
        i, j = np.divmod(flat, len(xs))
        values.ravel()[flat] = network.grid_cell_logits(weights, biases, xs[j], ys[i], activation)
