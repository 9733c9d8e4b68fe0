"""What stays fixed for a whole animation: the view plane, limits, meshes, the hidden-space
projection, which samples and which first-layer unit lines are drawn (pure arrays; no matplotlib)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import geometry
from .plane import data_scale, fade, on_plane, resolve_view

__all__ = ["FrameGeometry", "MAX_UNIT_LABELS", "MAX_SHOWN_SAMPLES", "class1_head", "finite", "normalised_lines",
           "shown_units"]

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
    X : ndarray of shape (n_shown, d)
        The shown samples where they are, in input space.
    y : ndarray of int of shape (n_shown,)
    n_samples : int
        Samples in the data set (drawn or not).
    plane : Plane or None
        The plane the input panel shows (:mod:`~boundaryviz.render.plane`); None for the data's
        own plane (two features, no view asked for), where nothing is projected.
    XY : ndarray of shape (n_shown, 2)
        The shown samples on the input panel: their projections onto the plane (``X`` itself
        without a plane).
    distance : ndarray of shape (n_shown,) or None
        Each shown sample's distance from the plane, in standard deviations of the data.
    alpha : ndarray of shape (n_shown,) or None
        Opacity of each shown sample, fading with its distance (:func:`~boundaryviz.render.plane.fade`).
    input_limits : ndarray of shape (2, 2)
        ``[[xmin, xmax], [ymin, ymax]]`` of the input panel.
    xs, ys : ndarray of shape (resolution,)
        Input mesh coordinates.
    points : ndarray of shape (resolution * resolution, 2)
        The input mesh, row by row (``ys`` outer).
    lattice : ndarray of shape (2 * lattice_lines, n_points, 2)
        Lines of the input plane that the hidden panel shows warped.
    lattice_points : ndarray of shape (2 * lattice_lines * n_points, d)
        The lattice's points in input space (lifted from the plane).
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
    plane: object
    XY: np.ndarray
    distance: np.ndarray | None
    alpha: np.ndarray | None
    input_limits: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    points: np.ndarray
    lattice: np.ndarray
    lattice_points: np.ndarray
    projection: geometry.HiddenProjection
    jitter: np.ndarray
    hidden_limits: np.ndarray
    hxs: np.ndarray
    hys: np.ndarray
    hpoints: np.ndarray
    unit_index: np.ndarray
    n_units: int

    @classmethod
    def from_history(cls, history, resolution, layer, lattice_lines, view=None, anchor=None):
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
        view, anchor
            The plane shown (:func:`~boundaryviz.render.plane.resolve_view`).

        Returns
        -------
        FrameGeometry
        """
        data = history.dataset
        snaps = history.snapshots
        # Large data sets draw a fixed, stratified subsample (training used every sample).
        shown = geometry.shown_samples(data.y, MAX_SHOWN_SAMPLES)
        X, y = data.X[shown], data.y[shown]
        plane = resolve_view(view, anchor, data.X, data.y, data.feature_names)
        if plane is None:
            XY, distance, alpha = X, None, None
            limits = geometry.input_limits(data.X)
        else:
            scale = data_scale(data.X)
            XY, distance = plane.coordinates(X, scale), plane.distance(X, scale)
            alpha = fade(distance)
            limits = geometry.input_limits(plane.coordinates(data.X, scale))
        xs, ys, points = geometry.mesh(limits, resolution)
        lattice = geometry.lattice(limits, n_lines=lattice_lines, n_points=60)
        lattice_points = lattice.reshape(-1, 2) if plane is None else plane.lift(lattice.reshape(-1, 2))
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
        unit_index, n_units = shown_units(history, plane, limits)
        return cls(layer=layer, n_classes=data.n_classes, shown=shown, X=X, y=y, n_samples=data.n_samples,
                   plane=plane, XY=XY, distance=distance, alpha=alpha, input_limits=limits, xs=xs, ys=ys,
                   points=points, lattice=lattice, lattice_points=lattice_points, projection=projection,
                   jitter=jitter, hidden_limits=hidden_limits, hxs=hxs, hys=hys, hpoints=hpoints,
                   unit_index=unit_index, n_units=n_units)

    @cached_property
    def grid(self):
        """The input mesh as ``np.meshgrid(xs, ys)``: x and y, each of shape (ny, nx) (made on
        first use, for contour lines)."""
        return tuple(np.ascontiguousarray(c.reshape(len(self.ys), len(self.xs))) for c in self.points.T)

    @cached_property
    def hidden_grid(self):
        """The hidden-plane mesh as ``np.meshgrid(hxs, hys)``, as :attr:`grid`."""
        return tuple(np.ascontiguousarray(c.reshape(len(self.hys), len(self.hxs))) for c in self.hpoints.T)


def finite(a, fill=0.0):
    """``a`` with NaN and infinities replaced by ``fill`` (an array of the same shape)."""
    return np.nan_to_num(a, nan=fill, posinf=fill, neginf=fill)


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


def shown_units(history, plane=None, limits=None):
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
        spread = finite(model.hidden(history.dataset.X[shown], 0).std(axis=0))
        head = class1_head(model, 0)
        if head is not None:
            spread = spread * finite(np.abs(head[0]))
    # the strongest first (stable: ties go to the lower unit number), skipping a unit whose
    # line is nearly that of one already chosen (the same fold, drawn twice)
    if plane is None:
        W, b = (np.asarray(a, dtype=float) for a in first)
        lines = normalised_lines(W, b, geometry.input_limits(history.dataset.X))
    else:
        W, b = (np.asarray(a, dtype=float) for a in on_plane(model, plane).first_layer())
        lines = normalised_lines(W, b, limits)
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
    return finite(out)
