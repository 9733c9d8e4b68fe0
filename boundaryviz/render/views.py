"""What each panel of a frame shows, as arrays: pure functions of a snapshot and the geometry.

In the spirit of scikit-learn's ``DecisionBoundaryDisplay.from_estimator``, the computing is
kept apart from the drawing: :class:`~boundaryviz.render.frame_geometry.FrameGeometry` holds
everything fixed for an animation (limits, meshes, the hidden-space projection, which samples
and unit lines are shown), and
:func:`input_view`, :func:`hidden_view`, :func:`curve_view` and :func:`status_values` turn a
snapshot into finished arrays that the artists in :mod:`boundaryviz.render.panels` only display.

Nothing here imports matplotlib; contour lines come from contourpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models.mlp import MLP
from . import geometry
from .class_colors import ClassLead, by_class, tie_segments_affine, tie_segments_on_grid
from .frame_geometry import MAX_UNIT_LABELS, FrameGeometry, class1_head, finite
from .mesh_scores import Scratch, mesh_class_scores
from .plane import on_plane

LABEL_MARGIN = 0.035
"""How far inside the input panel a unit label's centre stays, as a share of each side: half a
label ("h12" in bold 8 pt with its box is about 22 px wide and 14 px high, in a panel of about
385 x 290 px)."""
LABEL_SIZE = (0.065, 0.055)
"""A unit label's box as shares of the input panel's width and height, with a few pixels to
spare: labels whose centres are closer than this on both axes overlap."""
LABEL_FRACTIONS = (0.12, 0.27, 0.42, 0.57, 0.72, 0.87, 0.2, 0.35, 0.5, 0.65, 0.8)
"""Where along its line a label that would overlap another tries to go instead."""

__all__ = [
    "FrameGeometry",
    "FieldView",
    "InputView",
    "HiddenView",
    "CurveView",
    "input_view",
    "hidden_view",
    "curve_view",
    "status_values",
    "contour_segments",
    "plane_affine",
    "plane_scores",
    "bayes_segments",
    "plane_agreement",
]


@dataclass(frozen=True, eq=False)
class FieldView:
    """A probability field and the decision boundary over it, on a panel's mesh.

    Attributes
    ----------
    logits : ndarray of shape (ny, nx) or None
        Two classes: the class-1 logit on the mesh (NaN where not finite); else None. An input
        view made with ``thresholds`` (:func:`input_view`) may hold float32 values away from
        them and from the boundary: exact as to every cell's colour band and side of 0.
    levels : ndarray of int of shape (ny, nx) or None
        K > 2 classes: the field's colour level per mesh cell
        (:func:`~boundaryviz.render.class_colors.class_levels`); else None.
    boundary : list of ndarray of shape (n, 2)
        The decision boundary (p = 0.5, or where the top two classes tie).
    """

    logits: np.ndarray | None
    levels: np.ndarray | None
    boundary: list


@dataclass(frozen=True, eq=False)
class InputView(FieldView):
    """What the input panel shows for one snapshot: a :class:`FieldView` on the input mesh,
    and the first-layer unit lines with their labels.

    Attributes
    ----------
    units : list of ndarray of shape (2, 2)
        Each shown unit's zero line clipped to the panel; all NaN when it misses the view.
    label_positions : ndarray of shape (n_shown_units, 2)
        Where each unit's label sits (NaN when hidden).
    label_visible : ndarray of bool of shape (n_shown_units,)
    agrees : ndarray of bool of shape (n_shown,) or None
        With a view plane: whether each shown sample's predicted class at its real point
        equals the field's class at its projection (:func:`plane_agreement`); else None.
    agreement : float or None
        The share of all shown samples that agree.
    """

    units: list
    label_positions: np.ndarray
    label_visible: np.ndarray
    agrees: np.ndarray | None = None
    agreement: float | None = None


@dataclass(frozen=True, eq=False)
class HiddenView(FieldView):
    """What the hidden panel shows for one snapshot: a :class:`FieldView` on the hidden-plane
    mesh, and the warped lattice and the samples.

    Attributes
    ----------
    lattice : ndarray of shape (n_lines, n_points, 2)
        The input lattice carried through the layer and projected (no lines for a width-one
        layer).
    positions : ndarray of shape (n_shown, 2)
        The shown samples on the plane, clipped into the panel.
    """

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

def _clip_to(points, limits):
    """Clip points of shape (n, 2) into the box, just inside its edge."""
    pad = 0.004 * (limits[:, 1] - limits[:, 0])
    return np.clip(finite(points), limits[:, 0] + pad, limits[:, 1] - pad)


def contour_segments(xs, ys, z, level=0.0):
    """Lines of ``z == level`` on a grid (contourpy).

    Called with logits and level 0, which is the probability-0.5 line.

    Parameters
    ----------
    xs : ndarray of shape (nx,) or (ny, nx)
        The grid's x coordinates, per column or per point (as ``np.meshgrid`` gives them).
    ys : ndarray of shape (ny,) or (ny, nx)
    z : ndarray of shape (ny, nx)
        Non-finite values are masked.
    level : float, default=0.0

    Returns
    -------
    list of ndarray of shape (n, 2)
        Polylines of at least two points.
    """
    import contourpy

    z = np.asarray(z, dtype=float)
    finite = np.isfinite(z)
    if not finite.any():
        return []
    mask = None if finite.all() else ~finite
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if xs.ndim == 1:
        xs, ys = np.meshgrid(xs, ys)
    # contourpy's serial generator as contour_generator(xs, ys, masked z, name="serial",
    # line_type="Separate") makes it, without the factory's checks and masked-array round trip
    # (most of the time of a small grid's lines)
    cls = contourpy.SerialContourGenerator
    try:
        gen = cls(xs, ys, z, mask, corner_mask=True, line_type=contourpy.LineType.Separate,
                  fill_type=cls.default_fill_type, quad_as_tri=False, z_interp=contourpy.ZInterp.Linear,
                  x_chunk_size=0, y_chunk_size=0)
    except TypeError:  # pragma: no cover - a contourpy whose generators take other arguments
        gen = contourpy.contour_generator(xs, ys, z if mask is None else np.ma.masked_invalid(z), name="serial",
                                          line_type="Separate")
    return [seg for seg in gen.lines(level) if len(seg) >= 2]

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

def bayes_segments(mixture, geo):
    """The Bayes-optimal boundary over the input mesh: where its top two classes tie.

    Returns
    -------
    list of ndarray of shape (n, 2)
    """
    from ..data.bayes import bayes_scores

    points = geo.points if geo.plane is None else geo.plane.lift(geo.points)
    scores = bayes_scores(mixture, points).reshape(len(geo.ys), len(geo.xs), -1)
    if scores.shape[-1] == 2:
        return contour_segments(*geo.grid, scores[..., 1] - scores[..., 0])
    return tie_segments_on_grid(*geo.grid, scores, contour_segments)


def _predicted(model, X):
    """Predicted class (n,) of ``model`` at points ``X``: the top class score (class 0 on a tie)."""
    return np.argmax(finite(model.class_scores(X), fill=-np.inf), axis=1)


def plane_agreement(model, plane, X, XY):
    """Where the field on the plane tells a sample's class truly.

    Parameters
    ----------
    model : Model
        Taking points of the input space (n, d).
    plane : Plane
    X : ndarray of shape (n, d)
        The samples where they are.
    XY : ndarray of shape (n, 2)
        Their projections onto the plane, in plane coordinates.

    Returns
    -------
    ndarray of bool of shape (n,)
        Whether the class predicted at each real point equals the class of the field on the
        plane at its projection.
    """
    return _predicted(model, X) == _predicted(on_plane(model, plane), XY)


def input_view(snapshot, geo, scratch=None, thresholds=None):
    """What the input panel shows for ``snapshot``: field, boundary, unit lines and labels.

    With a view plane, the field, the boundary and the unit lines are the model's on the plane
    (exact: the model composed with ``x = origin + s u + t v``), and the view says where the
    plane agrees with the model at the samples.

    Parameters
    ----------
    snapshot : Snapshot
    geo : FrameGeometry
    scratch : Scratch, optional
        Work arrays kept from frame to frame (:class:`~boundaryviz.render.mesh_scores.Scratch`);
        the view returned holds none of them.
    thresholds : ndarray of shape (n,), optional
        Two classes: the logits where the field's colour changes
        (:func:`~boundaryviz.render.style.field_thresholds`). When given, the built-in
        :class:`~boundaryviz.MLP` may compute the field's logits in float32 away from them
        (:meth:`MLP.decision_on_grid <boundaryviz.MLP.decision_on_grid>`): the colour bands
        and the boundary are those of the exact logits, bit for bit (several hidden layers:
        the bands and the squares the boundary crosses; its vertices typically within 1e-13
        of a cell). Any other model, and every model without ``thresholds``, gives its exact
        logits.

    Returns
    -------
    InputView
    """
    model = on_plane(snapshot.model, geo.plane)
    if geo.n_classes == 2:
        if thresholds is not None and isinstance(model, MLP):
            logits = model.decision_on_grid(geo.xs, geo.ys, thresholds=thresholds)
        else:
            logits = model.decision_on_grid(geo.xs, geo.ys)
        levels = None
        boundary = contour_segments(*geo.grid, logits)
    else:
        # the class scores once, classes first: the levels and the tie lines both come from them
        scores = mesh_class_scores(model, geo.points, scratch).reshape(-1, len(geo.ys), len(geo.xs))
        lead = ClassLead(scores, scratch=scratch)
        logits, levels = None, lead.levels()
        boundary = lead.ties(*geo.grid, contour_segments)
    n_shown = len(geo.unit_index)
    units = []
    positions = np.full((n_shown, 2), np.nan)
    visible = np.zeros(n_shown, dtype=bool)
    if n_shown:
        W, b = model.first_layer()
        W, b = np.asarray(W, dtype=float)[:, geo.unit_index], np.asarray(b, dtype=float)[geo.unit_index]
        segs, visible = geometry.lines_in_box(W.T, b, geo.input_limits)  # NaN where a line misses
        units = list(segs)
        # a label a fifth of the way along, staggered per unit; a few of many (a wide layer)
        # are spread along their whole lines
        k = np.arange(n_shown)
        t = 0.12 + 0.1 * (k % 4) if geo.n_units <= MAX_UNIT_LABELS else 0.1 + 0.1 * k
        positions[visible] = (segs[:, 0] + t[:, None] * (segs[:, 1] - segs[:, 0]))[visible]
        positions = geometry.labels_inside(positions, segs, geo.input_limits, LABEL_MARGIN)
        positions = geometry.spread_labels(positions, segs, geo.input_limits, LABEL_SIZE, LABEL_FRACTIONS,
                                           LABEL_MARGIN)
    agrees = agreement = None
    if geo.plane is not None:
        agrees = _predicted(snapshot.model, geo.X) == _predicted(model, geo.XY)  # plane_agreement
        agreement = float(agrees.mean()) if agrees.size else 1.0
    return InputView(logits=logits, levels=levels, boundary=boundary, units=units,
                     label_positions=positions, label_visible=visible, agrees=agrees, agreement=agreement)


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


def _hidden_classes(model, geo, scratch=None):
    """K > 2 on the hidden plane: the field's levels and the tie lines (straight with a
    linear head)."""
    plane = plane_scores(model, geo.layer, geo.projection)
    if plane is not None:
        W, b = plane
        # s_k = (x w0k + y w1k) + b_k on the mesh, built classes first
        scores = Scratch.or_new(scratch).get("hidden scores", (len(b), len(geo.hys), len(geo.hxs)))
        np.multiply(geo.hxs[None, None, :], W[0][:, None, None], out=scores)
        scores += geo.hys[None, :, None] * W[1][:, None, None]
        scores += b[:, None, None]
        return (ClassLead(scores, runner_up=False, scratch=scratch).levels(),
                tie_segments_affine(W, b, geo.hidden_limits))
    lead = ClassLead(by_class(_grid_from_plane(model.class_scores_from_hidden, geo, (-1,))), scratch=scratch)
    return lead.levels(), lead.ties(*geo.hidden_grid, contour_segments)


def hidden_view(snapshot, geo, scratch=None):
    """What the hidden panel shows for ``snapshot``: field, boundary, warped lattice, samples.

    With a linear head after the shown layer the field is an outer sum and the two-class
    boundary the straight line ``w · p + b = 0`` on the plane (no network pass); otherwise
    both come from the layers after it, over the plane lifted into the layer.

    Parameters
    ----------
    snapshot : Snapshot
    geo : FrameGeometry
    scratch : Scratch, optional
        Work arrays kept from frame to frame, as for :func:`input_view`.

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
        levels, boundary = _hidden_classes(model, geo, scratch)
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
        warped = model.hidden(geo.lattice_points, layer)
        lattice = finite(proj.project(warped)).reshape(geo.lattice.shape[0], -1, 2)
    if plane_head is not None:
        # w · h + b = 0 restricted to the plane h = mean + p @ components: a straight line
        seg = geometry.line_in_box(*plane_head, lim)
        boundary = [] if seg is None else [seg]
    elif geo.n_classes == 2:
        boundary = contour_segments(*geo.hidden_grid, logits)
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
    losses = finite(history.losses, fill=np.nan)
    kept = losses[np.isfinite(losses)]
    first = kept[0] if kept.size else 1.0
    highest = float(np.percentile(kept, 99)) if kept.size else 1.0
    top = max(min(highest, 3 * first) * 1.1, history.stop_loss * 1.2, 0.1)
    best = None
    if bayes:
        from ..data.bayes import bayes_reference

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
