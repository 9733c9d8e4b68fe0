"""What each panel of a frame shows, as arrays: pure functions of a snapshot and the geometry.

In the spirit of scikit-learn's ``DecisionBoundaryDisplay.from_estimator``, the computing is
kept apart from the drawing: :class:`FrameGeometry` holds everything fixed for an animation
(limits, meshes, the hidden-space projection, which samples and unit lines are shown), and
:func:`input_view`, :func:`hidden_view`, :func:`curve_view` and :func:`status_values` turn a
snapshot into finished arrays that the artists in :mod:`boundaryviz.panels` only display.

Nothing here imports matplotlib; contour lines come from contourpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import geometry
from .classes import class_levels, tie_segments_affine, tie_segments_on_grid

__all__ = [
    "FrameGeometry",
    "InputView",
    "HiddenView",
    "CurveView",
    "input_view",
    "hidden_view",
    "curve_view",
    "status_values",
    "contour_segments",
    "class1_head",
    "plane_affine",
    "plane_scores",
    "shown_units",
    "normalised_lines",
    "bayes_segments",
]

MAX_UNIT_LABELS = 8
"""Most first-layer unit lines drawn (and labelled h1, h2, ...) in the input panel."""
MAX_SHOWN_SAMPLES = 5000
"""Most samples drawn; larger data sets show a fixed stratified subsample."""


@dataclass(frozen=True, eq=False)
class FrameGeometry:
    """Everything fixed for an animation: limits, meshes, projection, jitter, shown units.

    Build it with :meth:`from_history`.

    Attributes
    ----------
    layer : int
        Hidden layer shown in the hidden panel (0-based).
    n_classes : int
    shown : ndarray of int of shape (n_shown,)
        Indices of the samples drawn.
    X : ndarray of shape (n_shown, 2)
    y : ndarray of int of shape (n_shown,)
    n_samples : int
        Samples in the data set (drawn or not).
    input_limits : ndarray of shape (2, 2)
        ``[[xmin, xmax], [ymin, ymax]]`` of the input panel.
    xs, ys : ndarray of shape (resolution,)
        Input mesh coordinates.
    points : ndarray of shape (resolution * resolution, 2)
        The input mesh, row by row (``ys`` outer).
    lattice : ndarray of shape (2 * lattice_lines, n_points, 2)
        Lines of the input plane that the hidden panel shows warped.
    projection : geometry.HiddenProjection
        From the shown hidden layer to the hidden panel's plane.
    jitter : ndarray of shape (n_shown,)
        Vertical positions of the samples when the layer is one unit wide.
    hidden_limits : ndarray of shape (2, 2)
    hxs, hys : ndarray of shape (resolution,)
        Hidden-plane mesh coordinates.
    hpoints : ndarray of shape (resolution * resolution, 2)
    unit_index : ndarray of int of shape (n_shown_units,)
        First-layer units whose lines are drawn (:func:`shown_units`).
    n_units : int
        Width of the first layer (0 without an exact first layer).
    """

    layer: int
    n_classes: int
    shown: np.ndarray
    X: np.ndarray
    y: np.ndarray
    n_samples: int
    input_limits: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    points: np.ndarray
    lattice: np.ndarray
    projection: geometry.HiddenProjection
    jitter: np.ndarray
    hidden_limits: np.ndarray
    hxs: np.ndarray
    hys: np.ndarray
    hpoints: np.ndarray
    unit_index: np.ndarray
    n_units: int

    @classmethod
    def from_history(cls, history, resolution, layer, lattice_lines):
        """The geometry of an animation of ``history``.

        Parameters
        ----------
        history : History
        resolution : int
            Mesh points per axis of both fields.
        layer : int
            Hidden layer shown (0-based).
        lattice_lines : int
            Lattice lines per direction.

        Returns
        -------
        FrameGeometry
        """
        data = history.dataset
        snaps = history.snapshots
        # Large data sets draw a fixed, stratified subsample (training used every sample).
        shown = geometry.shown_samples(data.y, MAX_SHOWN_SAMPLES)
        X, y = data.X[shown], data.y[shown]
        limits = geometry.input_limits(data.X)
        xs, ys, points = geometry.mesh(limits, resolution)
        lattice = geometry.lattice(limits, n_lines=lattice_lines, n_points=60)
        # Hidden activations of the samples in (up to 400 evenly spaced) snapshots decide
        # the projection and the fixed hidden-space limits.
        # Epochs whose loss blew up (a diverging run) would set the scale for every frame;
        # they are left out of the limits and the projection (their points are clipped).
        losses = history.losses
        sane = np.flatnonzero(np.isfinite(losses) & (losses <= 3 * max(losses[0], 1.0)))
        sane = sane if sane.size else np.array([0])
        pick = sane[np.unique(np.linspace(0, len(sane) - 1, min(len(sane), 400)).astype(int))]
        stack = np.concatenate([snaps[i].model.hidden(X, layer) for i in pick])
        projection = geometry.fit_projection(stack)
        width = stack.shape[1]
        rng = np.random.default_rng(0)
        jitter = rng.uniform(-0.8, 0.8, size=len(shown))
        rests_at_zero = bool(snaps[0].model.rests_at_zero)
        if projection.kind == "jitter":
            lim = geometry.robust_limits(stack, include=np.zeros(1) if rests_at_zero else None)
            hidden_limits = np.vstack([lim, [[-1.0, 1.0]]])
        else:
            projected = projection.project(stack)
            include = projection.project(np.zeros((1, width)))[0] if rests_at_zero else None
            hidden_limits = geometry.robust_limits(projected, include=include)
        hxs, hys, hpoints = geometry.mesh(hidden_limits, resolution)
        unit_index, n_units = shown_units(history)
        return cls(layer=layer, n_classes=data.n_classes, shown=shown, X=X, y=y, n_samples=data.n_samples,
                   input_limits=limits, xs=xs, ys=ys, points=points, lattice=lattice, projection=projection,
                   jitter=jitter, hidden_limits=hidden_limits, hxs=hxs, hys=hys, hpoints=hpoints,
                   unit_index=unit_index, n_units=n_units)


@dataclass(frozen=True, eq=False)
class InputView:
    """What the input panel shows for one snapshot.

    Attributes
    ----------
    logits : ndarray of shape (ny, nx) or None
        Class-1 logit on the input mesh (two classes; NaN where not finite), else None.
    levels : ndarray of int of shape (ny, nx) or None
        K > 2 classes: the field's colour level per mesh cell
        (:func:`~boundaryviz.classes.class_levels`), else None.
    boundary : list of ndarray of shape (n, 2)
        The decision boundary (p = 0.5, or where the top two classes tie).
    units : list of ndarray of shape (2, 2)
        Each shown unit's zero line clipped to the panel; all NaN when it misses the view.
    label_positions : ndarray of shape (n_shown_units, 2)
        Where each unit's label sits (NaN when hidden).
    label_visible : ndarray of bool of shape (n_shown_units,)
    """

    logits: np.ndarray | None
    levels: np.ndarray | None
    boundary: list
    units: list
    label_positions: np.ndarray
    label_visible: np.ndarray


@dataclass(frozen=True, eq=False)
class HiddenView:
    """What the hidden panel shows for one snapshot.

    Attributes
    ----------
    logits : ndarray of shape (ny, nx) or None
        Class-1 logit on the hidden-plane mesh (two classes), else None.
    levels : ndarray of int of shape (ny, nx) or None
        K > 2 classes: colour level per mesh cell, else None.
    boundary : list of ndarray of shape (n, 2)
        The decision boundary on the plane.
    lattice : ndarray of shape (n_lines, n_points, 2)
        The input lattice carried through the layer and projected (no lines for a width-one
        layer).
    positions : ndarray of shape (n_shown, 2)
        The shown samples on the plane, clipped into the panel.
    """

    logits: np.ndarray | None
    levels: np.ndarray | None
    boundary: list
    lattice: np.ndarray
    positions: np.ndarray


@dataclass(frozen=True, eq=False)
class CurveView:
    """The training curve of a whole run; a frame shows it up to its snapshot.

    Attributes
    ----------
    epochs : ndarray of shape (n_snapshots,)
    losses : ndarray of shape (n_snapshots,)
        Losses clipped into ``[0, top]`` (NaN where not finite).
    accuracies : ndarray of shape (n_snapshots,)
    top : float
        Upper limit of the loss axis.
    stop_loss : float
        The stop threshold (0 for none).
    bayes_loss : float or None
        The Bayes-optimal expected loss, when asked for.
    """

    epochs: np.ndarray
    losses: np.ndarray
    accuracies: np.ndarray
    top: float
    stop_loss: float
    bayes_loss: float | None


def _finite(a, fill=0.0):
    return np.nan_to_num(a, nan=fill, posinf=fill, neginf=fill)


def _clip_to(points, limits):
    """Clip points of shape (n, 2) into the box, just inside its edge."""
    pad = 0.004 * (limits[:, 1] - limits[:, 0])
    return np.clip(_finite(points), limits[:, 0] + pad, limits[:, 1] - pad)


def contour_segments(xs, ys, z, level=0.0):
    """Lines of ``z == level`` on a grid (contourpy).

    Called with logits and level 0, which is the probability-0.5 line.

    Parameters
    ----------
    xs : ndarray of shape (nx,)
    ys : ndarray of shape (ny,)
    z : ndarray of shape (ny, nx)
        Non-finite values are masked.
    level : float, default=0.0

    Returns
    -------
    list of ndarray of shape (n, 2)
        Polylines of at least two points.
    """
    import contourpy

    finite = np.isfinite(z)
    if not finite.any():
        return []
    if not finite.all():
        z = np.ma.masked_invalid(z)
    gen = contourpy.contour_generator(xs, ys, z, name="serial", line_type="Separate")
    return [seg for seg in gen.lines(level) if len(seg) >= 2]


def class1_head(model, layer):
    """The class-1 logit as ``h @ w + b`` over layer ``layer``, or None (no linear head).

    Returns
    -------
    (w, b) with w of shape (d,) and b a float, or None
    """
    head = model.linear_head(layer)
    if head is None:
        return None
    W, b = np.asarray(head[0], dtype=float), np.asarray(head[1], dtype=float)
    if W.shape[1] == 1:
        return W[:, 0], float(b[0])
    if W.shape[1] == 2:  # two softmax outputs: the logit of class 1 is their difference
        return W[:, 1] - W[:, 0], float(b[1] - b[0])
    return None


def plane_affine(W, b, projection):
    """An affine function ``h @ W + b`` of the hidden layer as one of plane coordinates ``p``.

    Exact on the plane ``h = mean + p @ components`` (the identity for width 2; for width 1
    the plane's second coordinate is jitter and counts for nothing).

    Parameters
    ----------
    W : ndarray of shape (d,) or (d, K)
    b : float or ndarray of shape (K,)
    projection : geometry.HiddenProjection

    Returns
    -------
    W_plane : ndarray of shape (2,) or (2, K)
    b_plane : float or ndarray of shape (K,)
    """
    if projection.kind == "identity":
        return W, b
    if projection.kind == "jitter":
        return np.concatenate([W[:1], np.zeros_like(W[:1])]), b
    return projection.components @ W, b + projection.mean @ W


def plane_scores(model, layer, projection):
    """K class scores as affine functions ``p @ W + b`` of plane coordinates, or None.

    Returns
    -------
    (W, b) with W of shape (2, K), b of shape (K,); None without a linear head.
    """
    head = model.linear_head(layer)
    if head is None:
        return None
    W, b = np.asarray(head[0], dtype=float), np.asarray(head[1], dtype=float)
    return plane_affine(W, b, projection)


def shown_units(history):
    """Which first-layer units draw their lines: all of up to ``MAX_UNIT_LABELS``, else the
    ones that move the output most.

    A unit's weight is the spread (standard deviation over the samples) of its activation at
    the final snapshot, times the size of its outgoing weight when the output is affine in the
    first layer. The choice is fixed for the whole animation.

    Returns
    -------
    index : ndarray of int, sorted
        Units whose lines are drawn (empty when the model has no exact first layer).
    n_units : int
        Width of the first layer.
    """
    model = history.final.model
    first = model.first_layer()
    if first is None:
        return np.zeros(0, dtype=int), 0
    n_units = np.asarray(first[1]).shape[0]
    if n_units <= MAX_UNIT_LABELS:
        return np.arange(n_units), n_units
    with np.errstate(all="ignore"):
        shown = geometry.shown_samples(history.dataset.y, MAX_SHOWN_SAMPLES)
        spread = _finite(model.hidden(history.dataset.X[shown], 0).std(axis=0))
        head = class1_head(model, 0)
        if head is not None:
            spread = spread * _finite(np.abs(head[0]))
    # the strongest first (stable: ties go to the lower unit number), skipping a unit whose
    # line is nearly that of one already chosen (the same fold, drawn twice)
    W, b = (np.asarray(a, dtype=float) for a in first)
    lines = normalised_lines(W, b, geometry.input_limits(history.dataset.X))
    chosen = []
    for unit in np.argsort(-spread, kind="stable"):
        if all(np.abs(lines[unit] - lines[other]).max() > 0.05 for other in chosen):
            chosen.append(unit)
        if len(chosen) == MAX_UNIT_LABELS:
            break
    return np.sort(np.array(chosen, dtype=int)), n_units


def normalised_lines(W, b, limits):
    """Each unit's line ``x @ W[:, k] + b[k] = 0`` in box units as (cos, sin, offset), sign-fixed.

    Parameters
    ----------
    W : ndarray of shape (2, m)
    b : ndarray of shape (m,)
    limits : ndarray of shape (2, 2)

    Returns
    -------
    ndarray of shape (m, 3)
    """
    centre = limits.mean(axis=1)
    half = (limits[:, 1] - limits[:, 0]) / 2
    w = W * half[:, None]                    # in box coordinates u = (x - centre) / half
    c = b + centre @ W
    norm = np.hypot(w[0], w[1])
    norm[norm == 0] = 1.0
    out = np.column_stack([w[0] / norm, w[1] / norm, c / norm])
    flip = (out[:, 0] < 0) | ((out[:, 0] == 0) & (out[:, 1] < 0))
    out[flip] *= -1
    return _finite(out)


def bayes_segments(mixture, geo):
    """The Bayes-optimal boundary over the input mesh: where its top two classes tie.

    Returns
    -------
    list of ndarray of shape (n, 2)
    """
    from .bayes import bayes_scores

    scores = bayes_scores(mixture, geo.points).reshape(len(geo.ys), len(geo.xs), -1)
    if scores.shape[-1] == 2:
        return contour_segments(geo.xs, geo.ys, scores[..., 1] - scores[..., 0])
    return tie_segments_on_grid(geo.xs, geo.ys, scores, contour_segments)


def input_view(snapshot, geo):
    """What the input panel shows for ``snapshot``: field, boundary, unit lines and labels.

    Parameters
    ----------
    snapshot : Snapshot
    geo : FrameGeometry

    Returns
    -------
    InputView
    """
    model = snapshot.model
    if geo.n_classes == 2:
        logits, levels = model.decision_on_grid(geo.xs, geo.ys), None
        boundary = contour_segments(geo.xs, geo.ys, logits)
    else:
        scores = model.class_scores(geo.points).reshape(len(geo.ys), len(geo.xs), -1)
        logits, levels = None, class_levels(scores)
        boundary = tie_segments_on_grid(geo.xs, geo.ys, scores, contour_segments)
    n_shown = len(geo.unit_index)
    units = []
    positions = np.full((n_shown, 2), np.nan)
    visible = np.zeros(n_shown, dtype=bool)
    if n_shown:
        W, b = model.first_layer()
        W, b = np.asarray(W, dtype=float)[:, geo.unit_index], np.asarray(b, dtype=float)[geo.unit_index]
        for k in range(W.shape[1]):
            seg = geometry.line_in_box(W[:, k], b[k], geo.input_limits)
            units.append(np.full((2, 2), np.nan) if seg is None else seg)
            if seg is not None:
                # a label a fifth of the way along, staggered per unit; a few of many (a wide
                # layer) are spread along their whole lines
                t = 0.12 + 0.1 * (k % 4) if geo.n_units <= MAX_UNIT_LABELS else 0.1 + 0.1 * k
                positions[k] = seg[0] + t * (seg[1] - seg[0])
                visible[k] = True
    return InputView(logits=logits, levels=levels, boundary=boundary, units=units,
                     label_positions=positions, label_visible=visible)


def _grid_from_plane(from_hidden, geo, tail=()):
    """A function of the hidden layer (``from_hidden(h, layer)``) on the hidden-plane mesh.

    Parameters
    ----------
    from_hidden : callable
        ``(H of shape (n, d), layer) -> ndarray of shape (n, *tail)``.
    geo : FrameGeometry
    tail : tuple, default=()
        Shape of one point's value: ``()`` for a logit, ``(-1,)`` for class scores.

    Returns
    -------
    ndarray of shape (ny, nx, *tail)
    """
    shape = (len(geo.hys), len(geo.hxs))
    if geo.projection.kind == "jitter":  # the value does not depend on the jitter coordinate
        line = from_hidden(geo.hxs[:, None], geo.layer)
        return np.broadcast_to(line[None], shape + line.shape[1:])
    return from_hidden(geo.projection.lift(geo.hpoints), geo.layer).reshape(shape + tail)


def _hidden_classes(model, geo):
    """K > 2 on the hidden plane: the field's levels and the tie lines (straight with a
    linear head)."""
    plane = plane_scores(model, geo.layer, geo.projection)
    if plane is not None:
        W, b = plane
        scores = geo.hxs[None, :, None] * W[0] + geo.hys[:, None, None] * W[1] + b
        segments = tie_segments_affine(W, b, geo.hidden_limits)
    else:
        scores = _grid_from_plane(model.class_scores_from_hidden, geo, (-1,))
        segments = tie_segments_on_grid(geo.hxs, geo.hys, scores, contour_segments)
    return class_levels(scores), segments


def hidden_view(snapshot, geo):
    """What the hidden panel shows for ``snapshot``: field, boundary, warped lattice, samples.

    With a linear head after the shown layer the field is an outer sum and the two-class
    boundary the straight line ``w · p + b = 0`` on the plane (no network pass); otherwise
    both come from the layers after it, over the plane lifted into the layer.

    Parameters
    ----------
    snapshot : Snapshot
    geo : FrameGeometry

    Returns
    -------
    HiddenView
    """
    proj, lim, layer = geo.projection, geo.hidden_limits, geo.layer
    model = snapshot.model
    h = model.hidden(geo.X, layer)
    head = class1_head(model, layer) if geo.n_classes == 2 else None
    logits = levels = plane_head = None
    if geo.n_classes > 2:
        levels, boundary = _hidden_classes(model, geo)
    elif head is not None:
        # the output is affine in the plane: the field is an outer sum, no network pass
        plane_head = plane_affine(*head, proj)
        w, b = plane_head
        logits = (geo.hxs * w[0])[None, :] + (geo.hys * w[1])[:, None] + b
    else:
        logits = _grid_from_plane(model.decision_from_hidden, geo)
    if proj.kind == "jitter":
        plane = np.column_stack([h[:, 0], geo.jitter])
        lattice = np.zeros((0, 2, 2))
    else:
        plane = proj.project(h)
        warped = model.hidden(geo.lattice.reshape(-1, 2), layer)
        lattice = _finite(proj.project(warped)).reshape(geo.lattice.shape[0], -1, 2)
    if plane_head is not None:
        # w · h + b = 0 restricted to the plane h = mean + p @ components: a straight line
        seg = geometry.line_in_box(*plane_head, lim)
        boundary = [] if seg is None else [seg]
    elif geo.n_classes == 2:
        boundary = contour_segments(geo.hxs, geo.hys, logits)
    return HiddenView(logits=logits, levels=levels, boundary=boundary, lattice=lattice,
                      positions=_clip_to(plane, lim))


def curve_view(history, bayes=False):
    """The loss and accuracy curves of ``history`` and the fixed loss axis.

    Parameters
    ----------
    history : History
    bayes : bool, default=False
        Also give the Bayes-optimal expected loss (needs ``history.dataset.mixture``).

    Returns
    -------
    CurveView
    """
    epochs = np.array([s.epoch for s in history.snapshots], dtype=float)
    losses = _finite(history.losses, fill=np.nan)
    finite = losses[np.isfinite(losses)]
    first = finite[0] if finite.size else 1.0
    highest = float(np.percentile(finite, 99)) if finite.size else 1.0
    top = max(min(highest, 3 * first) * 1.1, history.stop_loss * 1.2, 0.1)
    best = None
    if bayes:
        from .bayes import bayes_reference

        best, _ = bayes_reference(history.dataset.mixture)
    return CurveView(epochs=epochs, losses=np.clip(losses, 0, top), accuracies=history.accuracies, top=top,
                     stop_loss=history.stop_loss, bayes_loss=best)


def status_values(history, index):
    """The changing part of the status line for snapshot ``index``.

    Returns
    -------
    tuple of str
        Epoch (``"12/200"``), loss, accuracy and a note (``""``, ``"diverged at epoch N"`` or
        ``"stopped: loss < x"``).
    """
    snap = history.snapshots[index]
    note = ""
    last = index == len(history) - 1
    if history.stop_reason == "diverged" and (last or not snap.is_finite):
        note = f"diverged at epoch {history.epochs_run}"
    elif last and history.stop_reason == "stop_loss":
        note = f"stopped: loss < {history.stop_loss:g}"
    loss = f"{snap.loss:.4f}" if abs(snap.loss) < 1e4 else f"{snap.loss:.2e}"  # a diverging run
    return (f"{snap.epoch}/{history.epochs_run}", loss, f"{snap.accuracy:.1%}", note)
