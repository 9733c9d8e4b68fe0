"""The grid of logits of several tanh or sigmoid layers in float32, float64 where it decides a picture.

A frame of a network of several tanh or sigmoid hidden layers spends most of its time in
:func:`~boundaryviz.models.network.grid_logits`, which for such a network is
:func:`~boundaryviz.models.network.predict_logits` on all the grid's points: BLAS products and
the activation over grid cells × units in float64, layer after layer. As for one layer
(:mod:`boundaryviz.models.float32_grid`, whose bounds, constants and cell choices this module
shares), the grid is computed in float32 with a rigorous bound ``e`` on its distance from the
float64 grid (:func:`deep_error_bound`), and only the cells that decide the picture are
computed again in float64.

Several tanh or sigmoid hidden layers (one at least :data:`MIN_UNITS` wide), 2 inputs and one
output unit take this path. Its promise is weaker than one layer's (there, the deciding cells
hold the grid's very bits): BLAS products computed for a few rows are not always the bits of
the same rows in the whole product (OpenBLAS sums some rows, e.g. the last ``n mod 4`` of a
product, in another order), so the deciding cells, computed again by ``predict_logits`` on
their points (the grid's operations on fewer rows), may differ from the grid in the last bits.
What :func:`decided_deep_logits` returns, given ``thresholds``:

- every cell lies on the same side (``<``, ``==``, ``>``) of each threshold and of 0 as the
  float64 grid's value. A float32 cell is within ``e / SAFETY`` of it and farther than ``e``
  (never less than :data:`MIN_TOLERANCE`) from each. A recomputed cell is a float64 value of
  the same network, within ``reorder`` / :data:`SAFETY` of the grid's whatever the order of
  the sums (``reorder``: twice the float64 error bound, :data:`SAFETY` times over, never below
  :data:`MIN_TOLERANCE`), and is kept only when it lies farther than ``reorder`` from every
  threshold and 0; one that does not (a cell a few ulps from a band edge, or not finite) makes
  the whole grid be computed as before, bit for bit;
- every corner of every quad the zero line crosses or touches, every cell within ``e`` of a
  threshold or of 0, and every cell whose float32 value is not finite holds a float64 value:
  ``predict_logits`` at its point, the grid's value up to the order of BLAS's sums, a few ulps
  of the larger of 1 and the value apart (the tests see at most 10), usually the very bits
  (all but a handful of cells a grid);
- every other cell holds its float32 value.

So the colour bands (also read through a threshold moved by less than ``7/8 MIN_TOLERANCE``),
and which quads the zero line crosses, are the float64 grid's; only the zero line's vertices,
interpolated from the crossed quads' corners, may move: by ``d / |z0 - z1|`` of a cell, ``d``
the corners' few-ulp difference and ``|z0 - z1| > 7/4 MIN_TOLERANCE`` (opposite signs, each
that far from 0), typically 1e-15 to 1e-13 of a cell. Why frames cannot differ in practice: a
vertex reaches the pixels through matplotlib's transform, path simplification and Agg, which
keeps coordinates to 1/256 of a pixel; a move of 1e-13 pixel changes a pixel only when a
coordinate (or a simplification's distance) lies within 1e-13 pixel of one of those steps,
odds of about 1e-10 per vertex and a few hundred vertices a frame. Every frame of a 200-epoch
(32, 32) tanh run at the default resolution, and of the tests' runs
(``tests/test_render.py``), is byte for byte that of the float64 grid.

Pure functions; nothing is kept between calls.
"""

from __future__ import annotations

import numpy as np

from . import network
from .float32_grid import (
    _ACT64_ERROR,
    _BOUND_SHARE_OF_GAP,
    _EXP32_ERROR,
    _LARGEST,
    _MOST_CELLS,
    _TINY32,
    _TINY64,
    _U32,
    _U64,
    FAST_ACTIVATIONS,
    MIN_TOLERANCE,
    MIN_UNITS,
    SAFETY,
    _gamma,
    cells_to_recompute,
    crossed_quad_cells,
    reading_cuts,
)

__all__ = ["deep_error_bound", "deep_float32_logits", "decided_deep_logits"]


def _deep_applies(weights, activation):
    """Several hidden layers of :data:`FAST_ACTIVATIONS` on 2 inputs, one output unit, one at
    least :data:`MIN_UNITS` wide."""
    return (len(weights) > 2 and activation in FAST_ACTIVATIONS and weights[0].shape[0] == 2
            and weights[-1].shape[1] == 1 and max(W.shape[1] for W in weights[:-1]) >= MIN_UNITS)


def _as_logistic_layers(weights, biases, activation):
    """The network as layers of ``r(s) = 1 / (1 + exp(s))`` units.

    ``s_1 = x P_1[0] + y P_1[1] + Q_1``, ``r_l = r(s_l)``, ``s_l = r_(l-1) P_l + Q_l`` and the
    logit ``r_L v + C``. Sigmoid units: ``sigmoid(z) = r(-z)``, so ``P, Q = -W, -b``, ``v = w``,
    ``C = c``. Tanh units: ``tanh(z) = 1 - 2 r(2 z)``, so ``P_1, Q_1 = 2 W_1, 2 b_1``, then
    ``P_l = -4 W_l`` and ``Q_l = 2 (b_l + sum_i W_l[i])``, ``v = -2 w`` and ``C = c + sum(w)``.
    Negating and multiplying by 2 or 4 are exact; only the folded sums round, by at most
    ``fold`` (in units of ``s``, and of the logit for the last).

    Returns
    -------
    P : list of ndarray of shape (n_in, n_out)
    Q, fold : list of ndarray of shape (n_out,)
    v : ndarray of shape (m,)
    C, fold_out : float
    """
    w, c = weights[-1][:, 0], float(biases[-1][0])
    if activation == "sigmoid":
        zeros = [np.zeros(len(b)) for b in biases[:-1]]
        return [-W for W in weights[:-1]], [-b for b in biases[:-1]], zeros, w, c, 0.0
    P, Q, fold = [2.0 * weights[0]], [2.0 * biases[0]], [np.zeros(len(biases[0]))]
    for W, b in zip(weights[1:-1], biases[1:-1]):
        P.append(-4.0 * W)
        Q.append(2.0 * (b + W.sum(axis=0)))
        fold.append(2.0 * _gamma(len(W) + 1, _U64) * (np.abs(b) + np.abs(W).sum(axis=0)))
    fold_out = _gamma(len(w) + 1, _U64) * (abs(c) + float(np.abs(w).sum()))
    return P, Q, fold, -2.0 * w, c + float(w.sum()), fold_out


def _deep_error(P, Q, fold, v, C, fold_out, x_max, y_max, u, tiny, act_error, lipschitz, high):
    """A bound on the distance between the real logits and those computed with roundoff ``u``.

    For the network ``s_1 = x P_1[0] + y P_1[1] + Q_1``, ``a_l = act(s_l)``,
    ``s_l = a_(l-1) P_l + Q_l``, logit ``a_L v + C``, with ``|a| <= high`` (1 for tanh, sigmoid
    and ``r``) and each activation ``lipschitz``-Lipschitz with its own error ``act_error``,
    over ``|x| <= x_max``, ``|y| <= y_max``, parameters rounded to the format first. Unit by
    unit, layer by layer: the first layer's pre-activation within ``gamma_5`` of its terms
    (two conversions, a product, two sums); a later one within ``|P_l|^T d`` of the layer
    below's error ``d``, plus ``gamma_(n+2)`` (a product or sum of ``n`` terms in any order,
    a bias, the conversions) of ``|P_l|^T (high + d) + |Q_l|``, plus the fold's rounding;
    its activation moves that by at most ``lipschitz`` times and adds ``act_error``; the
    logit adds ``|v|^T d`` and ``gamma_(m+2) (|v|^T (high + d) + |C|)``. At the bottom of the
    range each operation may be off by ``tiny`` (flushed to zero, even), carried by factors of
    at most ``scale``.

    Returns
    -------
    float
    """
    P0, Q0 = P[0], Q[0]
    scale = 2.0 * max(1.0, x_max, y_max, np.abs(P0).max(initial=0.0), np.abs(Q0).max(initial=0.0))
    pre = _gamma(5, u) * (y_max * np.abs(P0[1]) + np.abs(Q0) + x_max * np.abs(P0[0])) + 9 * tiny * scale + fold[0]
    d = lipschitz * pre + act_error
    for Pl, Ql, fl in zip(P[1:], Q[1:], fold[1:]):
        n, aP = len(Pl), np.abs(Pl)
        scale = 2.0 * max(1.0, aP.max(initial=0.0), np.abs(Ql).max(initial=0.0))
        pre = d @ aP + _gamma(n + 2, u) * ((high + d) @ aP + np.abs(Ql)) + (2 * n + 3) * tiny * scale + fl
        d = lipschitz * pre + act_error
    av = np.abs(v)
    head = _gamma(len(v) + 2, u) * ((high + d) @ av + abs(C)) + (2 * len(v) + 3) * tiny * 2.0 * max(1.0, av.max(initial=0.0))
    return float(d @ av + head + fold_out)


def deep_error_bound(weights, biases, xs, ys, activation):
    """Bounds for the float32 grid of several hidden layers, or None for no float32 path.

    None when the network is not several hidden layers of :data:`FAST_ACTIVATIONS` on 2
    inputs with one output unit, or when a parameter or coordinate is not finite or so large
    that float32 could overflow.

    :func:`_deep_error` bounds the float32 forward pass's distance from the real logits
    (``r`` units, 1/4-Lipschitz, within ``eps / 4`` and two roundings for an ``exp`` within
    a relative ``eps``, 64 ulps allowed; values in [0, 1]) and the float64 one's
    (:func:`~boundaryviz.models.network.predict_logits`: BLAS products, any order of the
    sums; tanh 1-Lipschitz, the logistic function 1/4, each allowed 64 ulps).

    Parameters
    ----------
    weights, biases : tuple of ndarray
        As for :func:`~boundaryviz.models.network.forward`.
    xs : ndarray of shape (nx,)
    ys : ndarray of shape (ny,)
    activation : str

    Returns
    -------
    bound : float
        :data:`SAFETY` times the sum of the two, never below :data:`MIN_TOLERANCE`: bounds
        ``|deep_float32_logits - grid_logits|``.
    reorder : float
        :data:`SAFETY` times twice the float64 one, never below :data:`MIN_TOLERANCE`: bounds
        the distance between two float64 evaluations of a cell whose sums ran in different
        orders (the grid's rows and the same rows computed alone).
    or None
    """
    if not _deep_applies(weights, activation):
        return None
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    arrays = (*weights, *biases, xs, ys)
    if not all(np.all(np.isfinite(a)) for a in arrays) or max(np.abs(a).max(initial=0.0) for a in arrays) > _LARGEST:
        return None
    x_max, y_max = float(np.abs(xs).max(initial=0.0)), float(np.abs(ys).max(initial=0.0))
    W0, b0 = weights[0], biases[0]
    sums = [(y_max * np.abs(W0[1]) + np.abs(b0) + x_max * np.abs(W0[0])).max(initial=0.0)]
    sums += [(np.abs(W).sum(axis=0) + np.abs(b)).max(initial=0.0) for W, b in zip(weights[1:], biases[1:])]
    if max(sums) > _LARGEST:
        return None
    lipschitz = 1.0 if activation == "tanh" else 0.25
    no_fold = [np.zeros(len(b)) for b in biases[:-1]]
    float64 = _deep_error(weights[:-1], biases[:-1], no_fold, weights[-1][:, 0], float(biases[-1][0]), 0.0,
                          x_max, y_max, _U64, _TINY64, _ACT64_ERROR, lipschitz, 1.0)
    P, Q, fold, v, C, fold_out = _as_logistic_layers(weights, biases, activation)
    r_error = 1.01 * _EXP32_ERROR / 4 + 2.1 * _U32 + 3 * _TINY32
    float32 = _deep_error(P, Q, fold, v, C, fold_out, x_max, y_max, _U32, _TINY32, r_error, 0.25, 1.0)
    return max(SAFETY * (float32 + float64), MIN_TOLERANCE), max(SAFETY * 2.0 * float64, MIN_TOLERANCE)


def _block(nx, most):
    """Points per matrix product: the largest divisor of ``nx`` up to ``most``, or ``nx`` when
    that is below 16 (a prime ``nx``: products of a few rows cost more than a second thread)."""
    block = max(d for d in range(1, nx + 1) if nx % d == 0 and d <= max(1, most))
    return block if block >= 16 else nx


def deep_float32_logits(weights, biases, xs, ys, activation, work=1 << 18, cache=1 << 16):
    """The grid of :func:`~boundaryviz.models.network.grid_logits` of several hidden layers,
    in float32.

    Layers of ``r(s) = 1 / (1 + exp(s))`` units (:func:`_as_logistic_layers`): an exp, a sum
    and a division, less than NumPy's float32 tanh. A few rows of the grid at a time (about
    ``cache`` values a layer, so they stay in the cache); each matrix product is a stack of
    products of at most ``work`` multiply-adds, one NumPy call: OpenBLAS computes each in one
    thread (a second thread costs more CPU time than it saves on so small a product, many
    times more on a busy machine).

    Parameters
    ----------
    weights, biases : tuple of ndarray
        Several hidden layers of :data:`FAST_ACTIVATIONS`, 2 inputs, one output unit.
    xs : ndarray of shape (nx,)
    ys : ndarray of shape (ny,)
    activation : str
    work : int, default=2**18
        Multiply-adds of one matrix product, at most (unless no divisor of ``nx`` fits).
    cache : int, default=2**16
        Values of the widest layer per step.

    Returns
    -------
    ndarray of shape (ny, nx), dtype float32
    """
    P, Q, _, v, C, _ = _as_logistic_layers(weights, biases, activation)
    f32 = np.float32
    xs, ys = np.asarray(xs, dtype=f32), np.asarray(ys, dtype=f32)
    P, Q, v = [p.astype(f32) for p in P], [q.astype(f32) for q in Q], v.astype(f32)
    rows = ys[:, None] * P[0][1] + Q[0]  # (ny, m): y P[1, k] + Q_k
    cols = xs[:, None] * P[0][0]  # (nx, m)
    ny, nx = len(ys), len(xs)
    step = min(ny, max(1, cache // (nx * max(len(q) for q in Q))))
    block = _block(nx, work // max(p.size for p in P[1:]))
    shape = (step * nx // block, block)  # a step's points, one matrix product a row
    first = np.empty((step, nx, len(Q[0])), dtype=f32)
    later = [np.empty((*shape, len(q)), dtype=f32) for q in Q[1:]]
    biases32 = [np.broadcast_to(q, b.shape).copy() for q, b in zip(Q[1:], later)]  # a plain sum, not a broadcast
    out = np.empty((ny, nx), dtype=f32)
    with np.errstate(over="ignore", under="ignore"):  # exp is inf past 88.7, and then r = 0
        for start in range(0, ny, step):
            k = min(step, ny - start)
            n = k * nx // block
            a = first[:k]
            np.add(rows[start : start + k, None, :], cols[None, :, :], out=a)
            a = a.reshape(n, block, -1)
            for layer in range(len(P)):
                if layer:
                    s = later[layer - 1][:n]
                    np.matmul(a, P[layer], out=s)
                    s += biases32[layer - 1][:n]
                    a = s
                np.exp(a, out=a)
                a += f32(1)
                np.divide(f32(1), a, out=a)  # a division, correctly rounded
            np.matmul(a, v, out=out[start : start + k].reshape(n, block))
    out += f32(C)
    return out


def decided_deep_logits(weights, biases, xs, ys, activation, thresholds):
    """:func:`~boundaryviz.models.network.grid_logits` of several hidden layers, float64 only
    where it decides a picture.

    See the module's docstring for what the values promise; the network's grid in float64
    when the float32 path does not apply (:func:`deep_error_bound`), when the bound is not small
    against the gaps between the thresholds, when most cells would be computed again, or when
    a cell computed again lies within ``reorder`` of a threshold or 0.

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
    cuts = reading_cuts(thresholds)
    bounds = deep_error_bound(weights, biases, xs, ys, activation) if min(len(xs), len(ys)) >= 2 else None
    if bounds is None or bounds[0] > _BOUND_SHARE_OF_GAP * np.diff(cuts).min(initial=np.inf):
        return network.grid_logits(weights, biases, xs, ys, activation)
    bound, reorder = bounds
    values = deep_float32_logits(weights, biases, xs, ys, activation).astype(float)
    redo = cells_to_recompute(values, bound, cuts)
    if np.count_nonzero(redo) > _MOST_CELLS * values.size:
        return network.grid_logits(weights, biases, xs, ys, activation)
    done = _recompute_points(values, redo, weights, biases, xs, ys, activation)
    # a cell recomputed within `reorder` of a cut (or not finite) may lie on the other side of
    # it in the grid, whose sums ran in another order: then the grid itself
    if np.any(cells_to_recompute(done, reorder, cuts)):
        return network.grid_logits(weights, biases, xs, ys, activation)
    more = crossed_quad_cells(values) & ~redo
    _recompute_points(values, more, weights, biases, xs, ys, activation)
    return values


def _recompute_points(values, cells, weights, biases, xs, ys, activation, work=1 << 18):
    """Put float64 values into ``values`` at ``cells``, in place, and return them.

    :func:`~boundaryviz.models.network.predict_logits` on those cells' points, as
    :func:`~boundaryviz.models.network.grid_logits` computes a grid of several layers, a few
    hundred points at a time (products of at most ``work`` multiply-adds: one thread): the
    grid's operations on fewer rows, whose BLAS sums may run in another order.
    """
    flat = np.flatnonzero(cells)
    if not flat.size:
        return np.empty(0)
    i, j = np.divmod(flat, len(xs))
    points = np.column_stack([xs[j], ys[i]])
    step = max(1, work // max(W.size for W in weights))
    done = np.concatenate([network.predict_logits(weights, biases, points[start : start + step], activation)
                           for start in range(0, len(points), step)])
    values.ravel()[flat] = done
    return done
