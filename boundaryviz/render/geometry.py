"""Pure geometry behind a frame: mesh grids, fixed axis limits, the warped lattice, projections.

Nothing here draws; the renderer turns these arrays into artists. Every function is a pure
function of its arguments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "input_limits",
    "mesh",
    "robust_limits",
    "lattice",
    "line_in_box",
    "lines_in_box",
    "labels_inside",
    "spread_labels",
    "HiddenProjection",
    "fit_projection",
    "shown_samples",
]


def input_limits(X, margin=0.15):
    """Square-ish limits around the data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
    margin : float, default=0.15
        Fraction of the data range added on each side.

    Returns
    -------
    ndarray of shape (2, 2)
        ``[[xmin, xmax], [ymin, ymax]]``.
    """
    low, high = X.min(axis=0), X.max(axis=0)
    span = high - low
    # a feature that does not vary (a slice along a constant column) gets a span of its own
    # size, or 1: a span of 1e-9 made tick labels of fifteen digits
    flat = ~(span > 1e-12 * np.maximum(np.abs(low), np.abs(high)))  # none, or rounding noise
    if flat.any():
        centre = (low + high) / 2
        half = np.maximum(np.abs(centre), 1.0) / 2
        low, high = np.where(flat, centre - half, low), np.where(flat, centre + half, high)
        span = high - low
    span = np.maximum(span, 1e-9)
    return np.column_stack([low - margin * span, high + margin * span])


def mesh(limits, resolution):
    """Points of a ``resolution`` × ``resolution`` grid over ``limits``.

    Returns
    -------
    xs, ys : ndarray of shape (resolution,)
        Grid coordinates along each axis.
    points : ndarray of shape (resolution * resolution, 2)
        Row-major: ``points[i * resolution + j] == (xs[j], ys[i])``.
    """
    xs = np.linspace(limits[0, 0], limits[0, 1], resolution)
    ys = np.linspace(limits[1, 0], limits[1, 1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def robust_limits(values, *, low_pct=1.0, high_pct=99.0, margin=0.1, include=None, min_span=1e-3):
    """Axis limits that ignore rare outliers.

    Parameters
    ----------
    values : ndarray of shape (n, d)
        Points (for example, hidden activations of every sample in every snapshot);
        non-finite rows are ignored.
    low_pct, high_pct : float
        Percentiles that bound the range on each axis.
    margin : float
        Fraction of the range added on each side.
    include : ndarray of shape (d,), optional
        A point the limits must contain (the origin for ReLU, say).
    min_span : float
        Smallest width of an axis, so a collapsed layer still gets a visible range; an
        axis is also at least a quarter as wide as the widest one.

    Returns
    -------
    ndarray of shape (d, 2)
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.all(np.isfinite(values), axis=1)]
    d = values.shape[1]
    if finite.size == 0:
        low, high = np.full(d, -1.0), np.full(d, 1.0)
    else:
        low = np.percentile(finite, low_pct, axis=0)
        high = np.percentile(finite, high_pct, axis=0)
    if include is not None:
        low = np.minimum(low, include)
        high = np.maximum(high, include)
    centre = (low + high) / 2
    # a collapsed axis (a dead unit) gets a quarter of the widest axis's range
    span = np.maximum(high - low, max(min_span, 0.25 * float(np.max(high - low))))
    half = span * (0.5 + margin)
    return np.column_stack([centre - half, centre + half])


def lattice(limits, n_lines=15, n_points=80):
    """A lattice of horizontal and vertical lines over ``limits``, each finely sampled.

    Parameters
    ----------
    limits : ndarray of shape (2, 2)
    n_lines : int
        Lines in each direction.
    n_points : int
        Samples along each line.

    Returns
    -------
    ndarray of shape (2 * n_lines, n_points, 2)
        Vertical lines first, then horizontal ones.
    """
    xs = np.linspace(limits[0, 0], limits[0, 1], n_lines)
    ys = np.linspace(limits[1, 0], limits[1, 1], n_lines)
    tx = np.linspace(limits[0, 0], limits[0, 1], n_points)
    ty = np.linspace(limits[1, 0], limits[1, 1], n_points)
    vertical = np.stack([np.column_stack([np.full(n_points, x), ty]) for x in xs])
    horizontal = np.stack([np.column_stack([tx, np.full(n_points, y)]) for y in ys])
    return np.concatenate([vertical, horizontal])


def line_in_box(w, b, limits):
    """The segment of the line ``w · p + b = 0`` inside a box.

    Parameters
    ----------
    w : ndarray of shape (2,)
    b : float
    limits : ndarray of shape (2, 2)

    Returns
    -------
    ndarray of shape (2, 2) or None
        The two end points, or ``None`` when the line misses the box (or ``w`` is zero or
        not finite).
    """
    w = np.asarray(w, dtype=float)
    if not (np.all(np.isfinite(w)) and np.isfinite(b)) or np.allclose(w, 0):
        return None
    (x0, x1), (y0, y1) = limits
    points = []
    if abs(w[1]) > 1e-12:
        for x in (x0, x1):
            y = -(w[0] * x + b) / w[1]
            if y0 - 1e-12 <= y <= y1 + 1e-12:
                points.append((x, y))
    if abs(w[0]) > 1e-12:
        for y in (y0, y1):
            x = -(w[1] * y + b) / w[0]
            if x0 - 1e-12 <= x <= x1 + 1e-12:
                points.append((x, y))
    if len(points) < 2:
        return None
    points = np.array(points)
    # the two points farthest apart (corners can be found twice)
    dist = np.linalg.norm(points[:, None] - points[None], axis=-1)
    i, j = np.unravel_index(np.argmax(dist), dist.shape)
    if dist[i, j] < 1e-12:
        return None
    return points[[i, j]]


# the pairs of a line's four candidate end points, in the order line_in_box meets them
_END_PAIRS = np.array([(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)])


def lines_in_box(w, b, limits):
    """:func:`line_in_box` for many lines at once, with the same arithmetic (the same ends).

    Parameters
    ----------
    w : ndarray of shape (n, 2)
    b : ndarray of shape (n,)
    limits : ndarray of shape (2, 2)

    Returns
    -------
    segments : ndarray of shape (n, 2, 2)
        Each line's two end points (NaN where it misses the box).
    found : ndarray of bool of shape (n,)
        Where :func:`line_in_box` gives a segment rather than None.
    """
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    (x0, x1), (y0, y1) = limits
    n = len(b)
    with np.errstate(all="ignore"):
        usable = np.isfinite(w).all(axis=1) & np.isfinite(b) & ~(np.abs(w) <= 1e-8).all(axis=1)
        ends = np.empty((n, 4, 2))
        ends[:, 0, 0], ends[:, 1, 0] = x0, x1
        ends[:, 2, 1], ends[:, 3, 1] = y0, y1
        for slot, x in ((0, x0), (1, x1)):
            ends[:, slot, 1] = -(w[:, 0] * x + b) / w[:, 1]
        for slot, y in ((2, y0), (3, y1)):
            ends[:, slot, 0] = -(w[:, 1] * y + b) / w[:, 0]
        ys, xs = ends[:, :2, 1], ends[:, 2:, 0]
        valid = np.concatenate([(np.abs(w[:, 1:]) > 1e-12) & (y0 - 1e-12 <= ys) & (ys <= y1 + 1e-12),
                                (np.abs(w[:, :1]) > 1e-12) & (x0 - 1e-12 <= xs) & (xs <= x1 + 1e-12)], axis=1)
        first, second = ends[:, _END_PAIRS[:, 0]], ends[:, _END_PAIRS[:, 1]]
        # the two points farthest apart, the first such pair (corners can be found twice)
        gap = first - second
        dist = np.sqrt(gap[..., 0] * gap[..., 0] + gap[..., 1] * gap[..., 1])
        dist[~(valid[:, _END_PAIRS[:, 0]] & valid[:, _END_PAIRS[:, 1]])] = -np.inf
    best = np.argmax(dist, axis=1)
    rows = np.arange(n)
    found = usable & (dist[rows, best] >= 1e-12)
    segments = np.stack([first[rows, best], second[rows, best]], axis=1)
    segments[~found] = np.nan
    return segments, found


def labels_inside(points, segments, limits, margin):
    """Move label points that lie too near the box's edge inward, along their own lines.

    A point already at least ``margin`` (a share of each side) inside the box stays exactly
    where it is. One nearer the edge goes to the nearest point of its segment in that inner
    box; when the segment never enters the inner box (a line that only cuts a corner), the point
    is clamped into it, the label then sitting just beside its line rather than cut by the edge.

    Parameters
    ----------
    points : ndarray of shape (n, 2)
        Label centres on their segments (NaN for hidden labels, left NaN).
    segments : ndarray of shape (n, 2, 2)
        The lines' ends in the box.
    limits : ndarray of shape (2, 2)
        ``[[x_min, x_max], [y_min, y_max]]``.
    margin : float
        The inner box's inset, as a share of the box's width and height (0 to 0.5).

    Returns
    -------
    ndarray of shape (n, 2)

    Examples
    --------
    >>> import numpy as np
    >>> box = np.array([[0.0, 10.0], [0.0, 10.0]])
    >>> line = np.array([[[0.0, 0.0], [10.0, 10.0]]])  # the diagonal
    >>> labels_inside(np.array([[0.1, 0.1]]), line, box, 0.05)  # slid along it to 5 % inside
    array([[0.5, 0.5]])
    """
    points = np.array(points, dtype=float)
    limits = np.asarray(limits, dtype=float)
    inset = (limits[:, 1] - limits[:, 0]) * margin
    inner = np.stack([limits[:, 0] + inset, limits[:, 1] - inset], axis=1)
    with np.errstate(invalid="ignore"):
        near_edge = np.isfinite(points).all(axis=1) & ~((points >= inner[:, 0]) & (points <= inner[:, 1])).all(axis=1)
    if not near_edge.any():
        return points
    segs = np.asarray(segments, dtype=float)[near_edge]
    d = segs[:, 1] - segs[:, 0]
    with np.errstate(all="ignore"):
        # each segment's stretch inside the inner box, as a range of its parameter t in [0, 1]
        lo = np.zeros(len(segs))
        hi = np.ones(len(segs))
        for axis in range(2):
            t0 = (inner[axis, 0] - segs[:, 0, axis]) / d[:, axis]
            t1 = (inner[axis, 1] - segs[:, 0, axis]) / d[:, axis]
            flat = np.abs(d[:, axis]) <= 1e-12
            inside_flat = (segs[:, 0, axis] >= inner[axis, 0]) & (segs[:, 0, axis] <= inner[axis, 1])
            lo = np.where(flat, np.where(inside_flat, lo, np.inf), np.maximum(lo, np.minimum(t0, t1)))
            hi = np.where(flat, hi, np.minimum(hi, np.maximum(t0, t1)))
        t_now = ((points[near_edge] - segs[:, 0]) * d).sum(axis=1) / (d * d).sum(axis=1)
        t = np.clip(t_now, lo, hi)
        moved = segs[:, 0] + t[:, None] * d
    enters = np.isfinite(moved).all(axis=1) & (lo <= hi)
    clamped = np.clip(points[near_edge], inner[:, 0], inner[:, 1])
    points[near_edge] = np.where(enters[:, None], moved, clamped)
    return points


def spread_labels(points, segments, limits, size, fractions, margin):
    """Move labels that would overlap an earlier one to another place along their own lines.

    Labels are placed in order. One whose box would overlap a box already placed tries the
    ``fractions`` of the way along its segment (each kept inside the box, see
    :func:`labels_inside`), nearest first, and takes the first that overlaps nothing; when
    none does, it stays where it was. A label that overlaps nothing never moves.

    Parameters
    ----------
    points : ndarray of shape (n, 2)
        Each label's preferred centre (NaN for hidden labels, left NaN).
    segments : ndarray of shape (n, 2, 2)
    limits : ndarray of shape (2, 2)
    size : tuple of float
        A label's width and height as shares of the box's, padded a little.
    fractions : sequence of float
        The places along a segment to try, as fractions from its first end.
    margin : float
        As for :func:`labels_inside`.

    Returns
    -------
    ndarray of shape (n, 2)

    Examples
    --------
    >>> import numpy as np
    >>> box = np.array([[0.0, 1.0], [0.0, 1.0]])
    >>> lines = np.array([[[0.0, 0.5], [1.0, 0.5]], [[0.5, 0.0], [0.5, 1.0]]])  # a cross
    >>> spread_labels([[0.5, 0.5], [0.5, 0.5]], lines, box, (0.065, 0.055), (0.2, 0.35, 0.65), 0.035)
    array([[0.5 , 0.5 ],
           [0.5 , 0.35]])
    """
    points = np.array(points, dtype=float)
    limits = np.asarray(limits, dtype=float)
    span = limits[:, 1] - limits[:, 0]
    # centres closer than this on both axes overlap (plain floats: a few labels, many tests)
    reach_x, reach_y = (float(r) for r in np.asarray(size, dtype=float) * span)
    placed: list[tuple[float, float]] = []
    wanted = [(x, y) for x, y in points.tolist() if math.isfinite(x) and math.isfinite(y)]

    def free(x, y, others):
        return all(abs(x - px) >= reach_x or abs(y - py) >= reach_y for px, py in others)

    for k, (x, y) in enumerate(points.tolist()):
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        if not free(x, y, placed):
            # a new place must not take a later label's own place either (that one would move)
            taken = placed + wanted[len(placed) + 1 :]
            ends = segments[k]
            tries = ends[0] + np.asarray(fractions, dtype=float)[:, None] * (ends[1] - ends[0])
            tries = labels_inside(tries, np.repeat(ends[None], len(tries), axis=0), limits, margin)
            # the nearest free place first: a label that must move moves as little as it can
            tries = tries[np.argsort(np.hypot(*((tries - (x, y)) / span).T), kind="stable")]
            x, y = next(((cx, cy) for cx, cy in tries.tolist() if free(cx, cy, taken)), (x, y))
            points[k] = x, y
        placed.append((x, y))
    return points


@dataclass(frozen=True)
class HiddenProjection:
    """A fixed affine map from a hidden layer to the 2-D plane of the hidden panel.

    ``project(h) = (h - mean) @ components.T``; for width 2 it is the identity.

    Attributes
    ----------
    mean : ndarray of shape (width,)
    components : ndarray of shape (2, width)
        Orthonormal rows (or the identity for width 2).
    explained : ndarray of shape (2,) or None
        Share of variance along each component (PCA only).
    kind : {'identity', 'pca', 'jitter'}
    """

    mean: np.ndarray
    components: np.ndarray
    explained: np.ndarray | None
    kind: str

    def project(self, h):
        """Map hidden activations of shape (n, width) to plane coordinates (n, 2)."""
        if self.kind == "identity":
            return np.asarray(h, dtype=float)
        return (np.asarray(h, dtype=float) - self.mean) @ self.components.T

    def lift(self, p):
        """Map plane coordinates (n, 2) back to hidden activations (n, width) on the plane."""
        if self.kind == "identity":
            return np.asarray(p, dtype=float)
        return self.mean + np.asarray(p, dtype=float) @ self.components

    def axis_labels(self, layer_name="h"):
        """tuple of str: labels for the panel's x and y axes."""
        if self.kind == "identity":
            return f"{layer_name}1", f"{layer_name}2"
        if self.kind == "jitter":
            return f"{layer_name}1", ""
        return tuple(f"PC{k + 1} ({100 * e:.0f} %)" for k, e in enumerate(self.explained))


def fit_projection(hidden_stack, max_rows=200_000):
    """Choose the projection of a hidden layer for a whole animation.

    Width 2: the identity. Width above 2: scikit-learn's PCA fitted once on the hidden
    activations of every snapshot, with each component's sign fixed so its largest loading
    is positive (so a refit on the same data never flips an axis). Width 1 gives ``kind='jitter'``
    (the renderer plots activation against a fixed jitter).

    Parameters
    ----------
    hidden_stack : ndarray of shape (n_rows, width)
        Finite rows are used; at most ``max_rows`` evenly spaced ones.

    Returns
    -------
    HiddenProjection
    """
    hidden_stack = np.asarray(hidden_stack, dtype=float)
    width = hidden_stack.shape[1]
    if width == 2:
        return HiddenProjection(np.zeros(2), np.eye(2), None, "identity")
    if width == 1:
        return HiddenProjection(np.zeros(1), np.ones((1, 1)), None, "jitter")
    from sklearn.decomposition import PCA

    # finite rows of a sane size: a diverging run's last epochs must not swamp the fit
    with np.errstate(invalid="ignore"):
        keep = np.all(np.isfinite(hidden_stack) & (np.abs(hidden_stack) < 1e100), axis=1)
    rows = hidden_stack[keep]
    if len(rows) > max_rows:
        rows = rows[np.linspace(0, len(rows) - 1, max_rows).astype(int)]
    if len(rows) < 3 or np.allclose(rows.std(axis=0), 0):
        comps = np.eye(2, width)
        return HiddenProjection(np.zeros(width), comps, np.array([0.0, 0.0]), "pca")
    with np.errstate(all="ignore"):
        pca = PCA(n_components=2, svd_solver="full").fit(rows)
    comps = pca.components_.copy()
    signs = np.sign(comps[np.arange(2), np.argmax(np.abs(comps), axis=1)])
    signs[signs == 0] = 1
    comps *= signs[:, None]
    explained = np.nan_to_num(pca.explained_variance_ratio_, nan=0.0)
    return HiddenProjection(pca.mean_.copy(), comps, explained, "pca")


def shown_samples(y, limit=5000, seed=0):
    """Which samples a frame draws: all of up to ``limit``, else a stratified subsample.

    Every class keeps its share (largest remainders, at least one sample), drawn without replacement
    from ``np.random.default_rng(seed)``, so the same data gives the same points in every
    frame and every run.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Class labels 0 to K - 1.
    limit : int, default=5000
    seed : int, default=0

    Returns
    -------
    ndarray of int, sorted
        Indices into the samples.
    """
    y = np.asarray(y)
    n = len(y)
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    counts = np.bincount(y)
    # largest remainders: the quotas add up to ``limit`` exactly
    exact = counts * limit / n
    quota = np.floor(exact).astype(int)
    quota[np.argsort(-(exact - quota), kind="stable")[: limit - quota.sum()]] += 1
    quota = np.maximum(quota, np.minimum(counts, 1))
    picked = [rng.choice(np.flatnonzero(y == k), size=min(q, c), replace=False)
              for k, (q, c) in enumerate(zip(quota, counts)) if c]
    return np.sort(np.concatenate(picked))
