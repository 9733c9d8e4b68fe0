"""Frames of an animation: one off-screen matplotlib figure whose artists are updated in place.

A :class:`Renderer` builds its figure once (no pyplot, no global state) and, for each snapshot,
changes the data of a fixed set of artists and redraws only those over a cached background
(blitting). The figure has three panels:

- **input space** (left): the probability of class 1 on a mesh grid as a banded colour field,
  the 0.5 decision contour, the zero line of each first-layer hidden unit (labelled h1, h2, …)
  and the samples;
- **hidden space** (right): the input lattice carried through the hidden layer (the plane
  folded and stretched), the output layer's probability over hidden space with its 0.5 line,
  and the samples at their hidden activations;
- **training curve** (bottom strip): loss and accuracy against epoch, the part up to the
  current epoch solid, the stop-loss threshold dashed.

Every axis limit is fixed for the whole animation, and the number of artists never changes.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import geometry
from .classes import CLASS_COLORS, CLASS_MARKERS, class_field_colors, class_levels, tie_segments_affine, tie_segments_on_grid
from ._validation import check_choice, check_int, check_render_options
from .training import History

__all__ = ["Renderer", "plot_panel", "CLASS_COLORS", "FIELD_CMAP"]

FIELD_CMAP = LinearSegmentedColormap.from_list(
    "boundaryviz", ["#8fb8de", "#d4e4f2", "#f7f7f7", "#fbd9bd", "#f2a772"]
)
"""Colormap of the probability field: class 0 blue, 0.5 white, class 1 orange."""
NAN_COLOR = "#bdbdbd"
BOUNDARY_COLOR = "#111111"
UNIT_COLORS = ("#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#8c564b", "#7f7f7f", "#bcbd22", "#17becf")
LATTICE_COLOR = "#9a9a9a"
LOSS_COLOR = "#333333"
ACC_COLOR = "#009E73"
MAX_UNIT_LABELS = 8
MAX_SHOWN_SAMPLES = 5000
BAYES_COLOR = "#111111"
MARKER_SIZE = 11
PANELS = ("input", "hidden", "curve")


def _field_colormap(levels):
    """A ListedColormap of ``levels`` bands (or a smooth 256 colours for ``levels=None``)."""
    n = 256 if levels is None else levels
    colors = FIELD_CMAP((np.arange(n) + 0.5) / n)
    return ListedColormap(colors, name=f"boundaryviz{n}").with_extremes(
        bad=NAN_COLOR, under=colors[0], over=colors[-1]
    )


class _Geometry:
    """Everything fixed for an animation: limits, meshes, projection, jitter (arrays only)."""

    def __init__(self, history, resolution, layer, lattice_lines):
        data = history.dataset
        snaps = history.snapshots
        self.layer = layer
        # Large data sets draw a fixed, stratified subsample (training used every sample).
        self.shown = geometry.shown_samples(data.y, MAX_SHOWN_SAMPLES)
        self.X, self.y = data.X[self.shown], data.y[self.shown]
        self.n_samples = data.n_samples
        self.input_limits = geometry.input_limits(data.X)
        self.xs, self.ys, self.points = geometry.mesh(self.input_limits, resolution)
        self.lattice = geometry.lattice(self.input_limits, n_lines=lattice_lines, n_points=60)
        # Hidden activations of the samples in (up to 400 evenly spaced) snapshots decide
        # the projection and the fixed hidden-space limits.
        # Epochs whose loss blew up (a diverging run) would set the scale for every frame;
        # they are left out of the limits and the projection (their points are clipped).
        losses = history.losses
        sane = np.flatnonzero(np.isfinite(losses) & (losses <= 3 * max(losses[0], 1.0)))
        sane = sane if sane.size else np.array([0])
        pick = sane[np.unique(np.linspace(0, len(sane) - 1, min(len(sane), 400)).astype(int))]
        stack = np.concatenate([snaps[i].model.hidden(self.X, layer) for i in pick])
        self.projection = geometry.fit_projection(stack)
        width = stack.shape[1]
        rng = np.random.default_rng(0)
        self.jitter = rng.uniform(-0.8, 0.8, size=len(self.shown))
        if self.projection.kind == "jitter":
            lim = geometry.robust_limits(stack, include=np.zeros(1) if _touches_zero(snaps[0]) else None)
            self.hidden_limits = np.vstack([lim, [[-1.0, 1.0]]])
        else:
            projected = self.projection.project(stack)
            include = self.projection.project(np.zeros((1, width)))[0] if _touches_zero(snaps[0]) else None
            self.hidden_limits = geometry.robust_limits(projected, include=include)
        self.hxs, self.hys, self.hpoints = geometry.mesh(self.hidden_limits, resolution)


def _touches_zero(snapshot):
    return bool(snapshot.model.rests_at_zero)


def _finite(a, fill=0.0):
    return np.nan_to_num(a, nan=fill, posinf=fill, neginf=fill)


def _clip_to(points, limits):
    """Clip points of shape (n, 2) into the box, just inside its edge."""
    pad = 0.004 * (limits[:, 1] - limits[:, 0])
    return np.clip(_finite(points), limits[:, 0] + pad, limits[:, 1] - pad)


def _contour_segments(xs, ys, z, level=0.0):
    """Lines of ``z == level`` on a grid, as a list of (n, 2) arrays (contourpy).

    Called with logits and level 0, which is the probability-0.5 line.
    """
    import contourpy

    finite = np.isfinite(z)
    if not finite.any():
        return []
    if not finite.all():
        z = np.ma.masked_invalid(z)
    gen = contourpy.contour_generator(xs, ys, z, name="serial", line_type="Separate")
    return [seg for seg in gen.lines(level) if len(seg) >= 2]


def _class1_head(model, layer):
    """The class-1 logit as ``h @ w + b`` over layer ``layer``, or None (no linear head)."""
    head = model.linear_head(layer)
    if head is None:
        return None
    W, b = np.asarray(head[0], dtype=float), np.asarray(head[1], dtype=float)
    if W.shape[1] == 1:
        return W[:, 0], float(b[0])
    if W.shape[1] == 2:  # two softmax outputs: the logit of class 1 is their difference
        return W[:, 1] - W[:, 0], float(b[1] - b[0])
    return None


def _plane_output(head, projection):
    """The class-1 logit as an affine function ``p · w + b`` of plane coordinates ``p``.

    Exact for a linear head ``h · w_out + b_out`` after the shown layer, with
    ``h = mean + p @ components`` (the identity for width 2).
    """
    w, b = head
    if projection.kind == "identity":
        return w, b
    if projection.kind == "jitter":
        return np.array([float(w[0]), 0.0]), b
    return projection.components @ w, b + float(projection.mean @ w)


def _plane_scores(model, layer, projection):
    """K class scores as affine functions ``p @ W + b`` of plane coordinates, or None.

    Returns
    -------
    (W, b) with W of shape (2, K), b of shape (K,); None without a linear head.
    """
    head = model.linear_head(layer)
    if head is None:
        return None
    W, b = np.asarray(head[0], dtype=float), np.asarray(head[1], dtype=float)
    if projection.kind == "identity":
        return W, b
    if projection.kind == "jitter":
        return np.vstack([W[:1], np.zeros((1, W.shape[1]))]), b
    return projection.components @ W, b + projection.mean @ W


def _sync_field_image(panel):
    """Give the panel's AxesImage what its field shows (for full, non-blit draws)."""
    from scipy.special import expit

    if panel.levels is not None:  # K > 2: colours straight from the levels
        panel.image.set_data(panel.level_colors[panel.levels])
        return

    with np.errstate(all="ignore"):
        proba = expit(np.array(panel.logits, dtype=float))
    panel.image.set_data(np.ma.masked_invalid(proba))


def _shown_units(history):
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
        head = _class1_head(model, 0)
        if head is not None:
            spread = spread * _finite(np.abs(head[0]))
    # the strongest first (stable: ties go to the lower unit number), skipping a unit whose
    # line is nearly that of one already chosen (the same fold, drawn twice)
    W, b = (np.asarray(a, dtype=float) for a in first)
    lines = _normalised_lines(W, b, geometry.input_limits(history.dataset.X))
    chosen = []
    for unit in np.argsort(-spread, kind="stable"):
        if all(np.abs(lines[unit] - lines[other]).max() > 0.05 for other in chosen):
            chosen.append(unit)
        if len(chosen) == MAX_UNIT_LABELS:
            break
    return np.sort(np.array(chosen, dtype=int)), n_units


def _normalised_lines(W, b, limits):
    """Each unit's line ``x @ W[:, k] + b[k] = 0`` in box units as (cos, sin, offset), sign-fixed.

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


def _bayes_segments(mixture, geo):
    """The Bayes-optimal boundary over the input mesh: where its top two classes tie."""
    from .bayes import bayes_scores

    scores = bayes_scores(mixture, geo.points).reshape(len(geo.ys), len(geo.xs), -1)
    if scores.shape[-1] == 2:
        return _contour_segments(geo.xs, geo.ys, scores[..., 1] - scores[..., 0])
    return tie_segments_on_grid(geo.xs, geo.ys, scores, _contour_segments)


class _InputPanel:
    """Input space: field, 0.5 contour, hidden-unit zero lines, samples."""

    def __init__(self, ax, history, geo, cmap, resolution, *, legend=True, bayes=False):
        self.ax, self.geo, self.res = ax, geo, resolution
        data = history.dataset
        lim = geo.input_limits
        self.n_classes = data.n_classes
        self.levels = None
        self.level_colors = class_field_colors(self.n_classes) if self.n_classes > 2 else None
        self.image = ax.imshow(
            np.zeros((resolution, resolution)), origin="lower", extent=tuple(lim.ravel()),
            cmap=cmap, norm=Normalize(0, 1), interpolation="nearest", aspect="auto", zorder=0,
        )
        self.unit_index, self.n_units = _shown_units(history)
        colors = [UNIT_COLORS[k % len(UNIT_COLORS)] for k in range(len(self.unit_index))]
        self.units = LineCollection([], colors=colors, linewidths=1.2, linestyles=(0, (4, 2)), zorder=2)
        ax.add_collection(self.units)
        self.unit_labels = [
            ax.text(0, 0, f"h{unit + 1}", color=colors[k], fontsize=8, fontweight="bold",
                    ha="center", va="center", zorder=5, visible=False,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
            for k, unit in enumerate(self.unit_index[:MAX_UNIT_LABELS])
        ]
        self.boundary = LineCollection([], colors=BOUNDARY_COLOR, linewidths=1.8, zorder=3)
        ax.add_collection(self.boundary)
        # the Bayes-optimal boundary never moves; drawn (dotted) above the field every frame
        self.bayes = (LineCollection(_bayes_segments(data.mixture, geo), colors=BAYES_COLOR, linewidths=1.3,
                                     linestyles=(0, (1, 2)), zorder=2.5) if bayes else None)
        if self.bayes is not None:
            ax.add_collection(self.bayes)
        self.samples = [
            ax.plot(*geo.X[geo.y == c].T, ls="", marker=CLASS_MARKERS[c], ms=np.sqrt(MARKER_SIZE),
                    mfc=CLASS_COLORS[c], mew=0, zorder=4, label=data.class_names[c])[0]
            for c in range(self.n_classes)
        ]
        ax.set_xlim(*lim[0])
        ax.set_ylim(*lim[1])
        ax.set_xlabel(data.feature_names[0])
        ax.set_ylabel(data.feature_names[1])
        shown = len(self.unit_index)
        parts = ["input space"]
        if shown != self.n_units:
            parts.append(f"unit lines of {shown} of {self.n_units} units")
        if len(geo.shown) < geo.n_samples:
            parts.append(f"showing {len(geo.shown):,} of {geo.n_samples:,} points")
        ax.set_title(" · ".join(parts), fontsize=10, y=1.0)  # a fixed place: no search for room at each draw
        self.artists = [self.image, self.units, self.boundary, *self.samples, *self.unit_labels]
        if self.bayes is not None:
            self.artists.append(self.bayes)

    def update(self, snapshot):
        geo = self.geo
        model = snapshot.model
        if self.n_classes == 2:
            self.logits = model.decision_on_grid(geo.xs, geo.ys)
            self.boundary.set_segments(_contour_segments(geo.xs, geo.ys, self.logits))
        else:
            scores = model.class_scores(geo.points).reshape(len(geo.ys), len(geo.xs), -1)
            self.logits = None
            self.levels = class_levels(scores)
            self.boundary.set_segments(tie_segments_on_grid(geo.xs, geo.ys, scores, _contour_segments))
        if not self.unit_index.size:
            return
        W, b = model.first_layer()
        W, b = np.asarray(W, dtype=float)[:, self.unit_index], np.asarray(b, dtype=float)[self.unit_index]
        segments = []
        for k in range(W.shape[1]):
            seg = geometry.line_in_box(W[:, k], b[k], geo.input_limits)
            segments.append(np.full((2, 2), np.nan) if seg is None else seg)
            if k < len(self.unit_labels):
                label = self.unit_labels[k]
                label.set_visible(seg is not None)
                if seg is not None:
                    # place the label a fifth of the way along, staggered per unit; a few of
                    # many (a wide layer) are spread along their whole lines
                    t = 0.12 + 0.1 * (k % 4) if self.n_units <= MAX_UNIT_LABELS else 0.1 + 0.1 * k
                    label.set_position(seg[0] + t * (seg[1] - seg[0]))
        self.units.set_segments(segments)


class _HiddenPanel:
    """Hidden space: output probability, warped lattice, decision line, samples."""

    def __init__(self, ax, history, geo, cmap):
        self.ax, self.geo = ax, geo
        data = history.dataset
        lim = geo.hidden_limits
        self.y = geo.y
        self.X = geo.X
        self.kind = geo.projection.kind
        self.n_classes = data.n_classes
        self.levels = None
        self.level_colors = class_field_colors(self.n_classes) if self.n_classes > 2 else None
        n = len(geo.hxs)
        self.image = ax.imshow(
            np.zeros((n, n)), origin="lower", extent=tuple(lim.ravel()), cmap=cmap,
            norm=Normalize(0, 1), interpolation="nearest", aspect="auto", zorder=0,
        )
        # The lattice is one polyline broken by NaNs, drawn without antialiasing (crisp
        # one-pixel lines keep GIF frames small); moving samples are line markers. Both are
        # a single Agg path each: cheaper per frame than collections.
        (self.lattice,) = ax.plot([], [], color=LATTICE_COLOR, lw=0.5, antialiased=False, zorder=1)
        self.boundary = LineCollection([], colors=BOUNDARY_COLOR, linewidths=1.8, zorder=3)
        ax.add_collection(self.boundary)
        self.samples = [
            ax.plot([], [], ls="", marker=CLASS_MARKERS[c], ms=np.sqrt(MARKER_SIZE), mfc=CLASS_COLORS[c],
                    mew=0, zorder=4)[0]
            for c in range(self.n_classes)
        ]
        ax.set_xlim(*lim[0])
        ax.set_ylim(*lim[1])
        n_hidden = len(history.final.hidden_widths)
        xlabel, ylabel = geo.projection.axis_labels("h")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel if self.kind != "jitter" else "(jitter)")
        if self.kind == "jitter":
            ax.set_yticks([])
        where = "" if n_hidden == 1 else f" (layer {geo.layer + 1} of {n_hidden})"
        what = " — PCA projection" if self.kind == "pca" else ""
        ax.set_title(f"hidden space{where}{what}", fontsize=10, y=1.0)
        self.artists = [self.image, self.lattice, self.boundary, *self.samples]

    def update(self, snapshot):
        geo, layer = self.geo, self.geo.layer
        proj = geo.projection
        lim = geo.hidden_limits
        model = snapshot.model
        h = model.hidden(self.X, layer)
        head = _class1_head(model, layer) if self.n_classes == 2 else None
        if self.n_classes > 2:
            logits = None
            self._update_classes(model, layer)
        elif head is not None:
            # the output is affine in the plane: the field is an outer sum, no network pass
            w, b = _plane_output(head, proj)
            logits = (geo.hxs * w[0])[None, :] + (geo.hys * w[1])[:, None] + b
        elif self.kind == "jitter":
            line = model.decision_from_hidden(geo.hxs[:, None], layer)
            logits = np.broadcast_to(line, (len(geo.hys), len(geo.hxs)))
        else:
            logits = model.decision_from_hidden(proj.lift(geo.hpoints), layer)
            logits = logits.reshape(len(geo.hys), len(geo.hxs))
        if self.kind == "jitter":
            plane = np.column_stack([h[:, 0], geo.jitter])
            self.lattice_lines = np.zeros((0, 2, 2))
        else:
            plane = proj.project(h)
            warped = model.hidden(geo.lattice.reshape(-1, 2), layer)
            self.lattice_lines = _finite(proj.project(warped)).reshape(geo.lattice.shape[0], -1, 2)
        self.logits = logits
        if self.n_classes == 2:
            self.boundary.set_segments(self._boundary(head, logits, lim))
        gaps = np.full((len(self.lattice_lines), 1, 2), np.nan)
        self.lattice.set_data(*np.concatenate([self.lattice_lines, gaps], axis=1).reshape(-1, 2).T)
        self.positions = _clip_to(plane, lim)
        for c, markers in enumerate(self.samples):
            markers.set_data(*self.positions[self.y == c].T)

    def _update_classes(self, model, layer):
        """K > 2: the field's levels and the tie lines (straight with a linear head)."""
        geo = self.geo
        plane = _plane_scores(model, layer, geo.projection)
        if plane is not None:
            W, b = plane
            scores = geo.hxs[None, :, None] * W[0] + geo.hys[:, None, None] * W[1] + b
            segments = tie_segments_affine(W, b, geo.hidden_limits)
        else:
            if self.kind == "jitter":
                line = model.class_scores_from_hidden(geo.hxs[:, None], layer)
                scores = np.broadcast_to(line[None], (len(geo.hys), len(geo.hxs), line.shape[1]))
            else:
                flat = model.class_scores_from_hidden(geo.projection.lift(geo.hpoints), layer)
                scores = flat.reshape(len(geo.hys), len(geo.hxs), -1)
            segments = tie_segments_on_grid(geo.hxs, geo.hys, scores, _contour_segments)
        self.levels = class_levels(scores)
        self.boundary.set_segments(segments)

    def _boundary(self, head, logits, lim):
        geo = self.geo
        if head is not None:
            # w · h + b = 0 restricted to the plane h = mean + p @ components: a straight line
            w, b = _plane_output(head, geo.projection)
            seg = geometry.line_in_box(w, b, lim)
            return [] if seg is None else [seg]
        return _contour_segments(geo.hxs, geo.hys, logits)


class _CurvePanel:
    """Loss and accuracy against epoch; the run faint, the part so far solid."""

    def __init__(self, ax, history, bayes=False):
        self.ax = ax
        self.epochs = np.array([s.epoch for s in history.snapshots], dtype=float)
        self.losses = _finite(history.losses, fill=np.nan)
        self.acc = history.accuracies
        finite = self.losses[np.isfinite(self.losses)]
        first = finite[0] if finite.size else 1.0
        highest = float(np.percentile(finite, 99)) if finite.size else 1.0
        top = max(min(highest, 3 * first) * 1.1, history.stop_loss * 1.2, 0.1)
        self.losses_clipped = np.clip(self.losses, 0, top)
        ax.set_xlim(0, max(self.epochs[-1], 1))
        ax.set_ylim(0, top)
        self.acc_ax = ax.twinx()
        self.acc_ax.set_ylim(0, 1.02)
        ax.plot(self.epochs, self.losses_clipped, color=LOSS_COLOR, alpha=0.18, lw=1)
        self.acc_ax.plot(self.epochs, self.acc, color=ACC_COLOR, alpha=0.18, lw=1)
        best = None
        if bayes:
            from .bayes import bayes_reference

            best, _ = bayes_reference(history.dataset.mixture)
        if history.stop_loss > 0:
            # the label goes under its line when the Bayes line runs just above it
            under = best is not None and 0 <= best - history.stop_loss < 0.08 * top
            ax.axhline(history.stop_loss, color=LOSS_COLOR, lw=0.8, ls="--", alpha=0.7)
            ax.text(0.005, history.stop_loss, f"stop_loss {history.stop_loss:g}", fontsize=7,
                    color=LOSS_COLOR, va="top" if under else "bottom", ha="left",
                    transform=ax.get_yaxis_transform())
        if best is not None:
            ax.axhline(best, color=BAYES_COLOR, lw=0.9, ls=(0, (1, 3)))
            ax.text(0.995, best, f"Bayes-optimal loss {best:.3f}", fontsize=7, color=BAYES_COLOR,
                    va="bottom", ha="right", transform=ax.get_yaxis_transform())
        (self.loss_line,) = ax.plot([], [], color=LOSS_COLOR, lw=1.6, label="loss")
        (self.acc_line,) = self.acc_ax.plot([], [], color=ACC_COLOR, lw=1.6, label="accuracy")
        (self.loss_dot,) = ax.plot([], [], "o", color=LOSS_COLOR, ms=4)
        (self.acc_dot,) = self.acc_ax.plot([], [], "o", color=ACC_COLOR, ms=4)
        ax.set_xlabel("epoch", labelpad=1)
        ax.set_ylabel("loss", color=LOSS_COLOR)
        self.acc_ax.set_ylabel("accuracy", color=ACC_COLOR)
        self.acc_ax.tick_params(axis="y", colors=ACC_COLOR)
        self.artists = [self.loss_line, self.acc_line, self.loss_dot, self.acc_dot]

    def update(self, index):
        stop = index + 1
        self.loss_line.set_data(self.epochs[:stop], self.losses_clipped[:stop])
        self.acc_line.set_data(self.epochs[:stop], self.acc[:stop])
        self.loss_dot.set_data(self.epochs[index : index + 1], self.losses_clipped[index : index + 1])
        self.acc_dot.set_data(self.epochs[index : index + 1], self.acc[index : index + 1])


def _status_values(history, index):
    """The changing part of the status line for snapshot ``index``: epoch, loss, accuracy, note."""
    snap = history.snapshots[index]
    note = ""
    last = index == len(history) - 1
    if history.stop_reason == "diverged" and (last or not snap.is_finite):
        note = f"diverged at epoch {history.epochs_run}"
    elif last and history.stop_reason == "stop_loss":
        note = f"stopped: loss < {history.stop_loss:g}"
    loss = f"{snap.loss:.4f}" if abs(snap.loss) < 1e4 else f"{snap.loss:.2e}"  # a diverging run
    return (f"{snap.epoch}/{history.epochs_run}", loss, f"{snap.accuracy:.1%}", note)


class _Sprite:
    """One text rendered once onto transparent pixels, blended into frames at will.

    Agg takes about 0.1 ms a glyph to lay out and rasterise text; a label that only moves, or
    a number made of cached digits, costs a few microseconds instead. Make many at once with
    :meth:`batch` (one scratch draw for all of them).
    """

    SLOT = 96  # pixels of scratch canvas per sprite, each way

    def __init__(self, premultiplied, alpha, offset):
        self.premultiplied = premultiplied
        self.alpha = alpha
        self.offset = offset

    @classmethod
    def batch(cls, specs):
        """Render ``(text_artist, string or None, ha or None)`` specs into sprites.

        Returns
        -------
        list of _Sprite
        """
        if not specs:
            return []
        dpi = specs[0][0].figure.dpi
        size = cls.SLOT
        scratch = Figure(figsize=(size * len(specs) / dpi, size / dpi), dpi=dpi)
        scratch.patch.set_alpha(0)
        canvas = FigureCanvasAgg(scratch)
        anchors = []
        for k, (text, string, ha) in enumerate(specs):
            ha = ha or text.get_horizontalalignment()
            # the anchor sits on a whole pixel, left of centre for left-aligned text
            anchor = (k * size + (size // 8 if ha == "left" else size // 2), size // 2)
            copy = scratch.text(*anchor, text.get_text() if string is None else string,
                                fontproperties=text.get_fontproperties(), color=text.get_color(),
                                ha=ha, va=text.get_verticalalignment(), transform=None)
            patch = text.get_bbox_patch()
            if patch is not None:
                copy.set_bbox(dict(boxstyle=patch.get_boxstyle(), fc=patch.get_facecolor(),
                                   ec=patch.get_edgecolor(), lw=patch.get_linewidth()))
            anchors.append(anchor)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba()).astype(np.float32) / 255.0
        sprites = []
        for k, anchor in enumerate(anchors):
            slot = rgba[:, k * size : (k + 1) * size]
            alpha = slot[:, :, 3]
            rows = np.flatnonzero(alpha.any(axis=1))
            cols = np.flatnonzero(alpha.any(axis=0))
            if rows.size == 0:
                sprites.append(cls(np.zeros((0, 0, 3), np.float32), np.zeros((0, 0, 1), np.float32), (0, 0)))
                continue
            window = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
            a = alpha[window][:, :, None]
            # where the crop's top-left sits relative to the anchor pixel (buffer rows go down)
            offset = (int(rows[0]) - (size - anchor[1]), int(cols[0]) + k * size - anchor[0])
            sprites.append(cls(slot[window][:, :, :3] * 255.0 * a, a, offset))
        return sprites

    def stamp(self, buffer, x, y):
        """Blend into ``buffer`` (H, W, 4) with the anchor at display pixel ``(x, y)``."""
        h, w = self.alpha.shape[:2]
        top = int(round(buffer.shape[0] - y)) + self.offset[0]
        left = int(round(x)) + self.offset[1]
        r0, c0 = max(top, 0), max(left, 0)
        r1, c1 = min(top + h, buffer.shape[0]), min(left + w, buffer.shape[1])
        if r0 >= r1 or c0 >= c1:
            return
        region = buffer[r0:r1, c0:c1, :3]
        a = self.alpha[r0 - top : r1 - top, c0 - left : c1 - left]
        src = self.premultiplied[r0 - top : r1 - top, c0 - left : c1 - left]
        region[...] = (region * (1.0 - a) + src + 0.5).astype(np.uint8)


class _Digits:
    """Strings of a fixed alphabet composed from cached glyph sprites (hinted advances)."""

    ALPHABET = "0123456789./%-+einfa"

    def __init__(self, text):
        from matplotlib.font_manager import findfont, get_font

        prop = text.get_fontproperties()
        font = get_font(findfont(prop))
        font.set_size(prop.get_size_in_points(), text.figure.dpi)
        self.advance = {c: font.load_char(ord(c)).horiAdvance / 64 for c in self.ALPHABET}
        sprites = _Sprite.batch([(text, c, "left") for c in self.ALPHABET])
        self.glyphs = dict(zip(self.ALPHABET, sprites))

    def covers(self, string):
        return all(c in self.glyphs for c in string)

    def stamp(self, buffer, string, x, y, align):
        """Blend ``string`` with its left or right end at display ``x`` and centre line ``y``."""
        width = sum(self.advance[c] for c in string)
        cursor = x - width if align == "right" else x
        for c in string:
            self.glyphs[c].stamp(buffer, cursor, y)
            cursor += self.advance[c]


class _StatusLine:
    """The title row: static labels drawn once, small value texts updated per frame.

    Rendering text is slow (about 0.1 ms a glyph), so only the digits change.
    """

    def __init__(self, fig, history, y=0.955, fontsize=11):
        head = f"{history.headline}  ·  "
        n = history.epochs_run
        slots = [("epoch ", f"{n}/{n}"), ("  ·  loss ", "0.0000"), ("  ·  accuracy ", "100.0%")]
        renderer = fig.canvas.get_renderer()
        self.static, self.values = [], []
        x = 0.065
        fig_width = fig.bbox.width
        for label, widest in [(head, "")] + slots:
            text = fig.text(x, y, label, fontsize=fontsize, ha="left", va="center")
            self.static.append(text)
            x += text.get_window_extent(renderer).width / fig_width
            if widest:
                # each value is right-aligned in a slot as wide as its widest form
                probe = fig.text(x, y, widest, fontsize=fontsize, ha="left", va="center")
                x += probe.get_window_extent(renderer).width / fig_width
                probe.remove()
                self.values.append(fig.text(x, y, "", fontsize=fontsize, ha="right", va="center"))
        # "diverged at epoch N" / "stopped: ...": inside the curve strip, top centre
        self.note = fig.text(0.5, 0.215, "", fontsize=fontsize, ha="center", va="center",
                             color="#b2182b", fontweight="bold",
                             bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="#b2182b", lw=0.8))
        self.values.append(self.note)
        self.artists = list(self.values)
        self.right = x  # figure fraction where the last value ends
        self._digits = None

    def update(self, values):
        for text, value in zip(self.values, values):
            text.set_text(value)

    def stamp(self, buffer):
        """Blit path: draw the values from cached glyphs (the note, rare, as a normal text)."""
        if self._digits is None:
            self._digits = _Digits(self.values[0])
        renderer = self.note.figure.canvas.get_renderer()
        for text in self.values:
            string = text.get_text()
            if not string:
                continue
            x, y = text.get_transform().transform(text.get_position())
            if text is not self.note and self._digits.covers(string):
                self._digits.stamp(buffer, string, x, y, text.get_horizontalalignment())
            else:
                text.draw(renderer)

    @property
    def text(self):
        """str: the whole status line as shown."""
        parts = [self.static[0].get_text()]
        for label, value in zip(self.static[1:], self.values):
            parts += [label.get_text(), value.get_text()]
        if self.note.get_text():
            parts += ["  ·  ", self.note.get_text()]
        return "".join(parts)


class _FieldPixels:
    """Writes a probability field straight into the canvas buffer through a lookup table.

    Mirrors what ``imshow(..., interpolation='nearest')`` draws, without resampling through
    matplotlib: a table maps each field cell to its colour, and fixed index arrays map each
    pixel of the axes to its nearest cell.
    """

    def __init__(self, ax, field_shape, extent, cmap, fig_height):
        n_levels = cmap.N
        # p >= k / N  <=>  logit >= log(k / (N - k)): bands straight from logits
        k = np.arange(1, n_levels)
        self.thresholds = np.log(k / (n_levels - k))
        table = cmap(np.arange(n_levels), bytes=True)
        bad = cmap(np.ma.masked_invalid([np.nan]), bytes=True)
        lut = np.vstack([table, bad.reshape(1, 4)]).astype(np.uint8)
        lut[:, 3] = 255
        self.lut = np.ascontiguousarray(lut).view(np.uint32)[:, 0]  # one RGBA word per level
        self.n_levels = n_levels
        bbox = ax.bbox
        cols = np.arange(int(np.floor(bbox.x0)), int(np.ceil(bbox.x1)))
        cols = cols[(cols + 0.5 >= bbox.x0) & (cols + 0.5 <= bbox.x1)]
        rows = np.arange(int(np.floor(fig_height - bbox.y1)), int(np.ceil(fig_height - bbox.y0)))
        disp_y = fig_height - (rows + 0.5)
        rows = rows[(disp_y >= bbox.y0) & (disp_y <= bbox.y1)]
        disp_y = fig_height - (rows + 0.5)
        (x0, x1), (y0, y1) = extent
        n_rows, n_cols = field_shape
        data_x = x0 + (cols + 0.5 - bbox.x0) / bbox.width * (x1 - x0)
        data_y = y0 + (disp_y - bbox.y0) / bbox.height * (y1 - y0)
        self.col_index = np.clip(((data_x - x0) / (x1 - x0) * n_cols).astype(int), 0, n_cols - 1)
        self.row_index = np.clip(((data_y - y0) / (y1 - y0) * n_rows).astype(int), 0, n_rows - 1)
        self.rows = slice(rows[0], rows[-1] + 1)
        self.cols = slice(cols[0], cols[-1] + 1)
        # flat index of the field cell under each pixel
        self.cell = (self.row_index[:, None] * n_cols + self.col_index[None, :]).astype(np.intp)

    def write_levels(self, buffer, levels, colors):
        """Paint a field of K-class ``levels`` (:func:`~boundaryviz.classes.class_levels`)
        with ``colors`` (RGBA bytes per level) into ``buffer`` (H, W, 4) uint8."""
        lut = np.ascontiguousarray(colors).view(np.uint32)[:, 0]
        words = buffer.view(np.uint32)[:, :, 0]
        words[self.rows, self.cols] = lut.take(levels.ravel().take(self.cell))

    def write(self, buffer, logits):
        """Paint a field of ``logits`` (NaN allowed) into ``buffer`` (H, W, 4) uint8."""
        level = np.searchsorted(self.thresholds, logits.ravel(), side="right")
        level[np.isnan(logits.ravel())] = self.n_levels
        words = buffer.view(np.uint32)[:, :, 0]
        words[self.rows, self.cols] = self.lut.take(level.take(self.cell))


def _make_room_for_legend(fig, legend, status_right, panels, gap_px=12):
    """Keep the legend off the status line, whatever the class names' length.

    It stays on the status line's row, right-aligned, when it fits there; otherwise it gets a
    row of its own (two when one is too narrow) under the status line, centred, and the
    panels give up that height at their top.
    """
    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    box = legend.get_window_extent(renderer)
    if box.x0 >= status_right * width + gap_px:
        return
    handles, n = legend.legend_handles, len(legend.legend_handles)
    labels = [t.get_text() for t in legend.get_texts()]
    options = dict(fontsize=8, frameon=False, handletextpad=0.3, columnspacing=1.0)
    legend.remove()
    for rows in range(1, n + 1):
        ncol = -(-n // rows)
        row_height = 0.035
        top = 0.925
        new = fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, top + 0.01),
                         ncol=ncol, **options)
        if new.get_window_extent(renderer).width <= 0.96 * width or ncol == 1:
            break
        new.remove()
    shrink = rows * row_height + 0.015
    for ax in panels:
        x0, y0, w, h = ax.get_position().bounds
        ax.set_position((x0, y0, w, h - shrink))


def _keep_tick_labels_inside(fig, ax, pad_px=3):
    """Move the input panel right when its y tick labels and label would leave the figure.

    Plain tick labels (no offset or multiplier text) of data in large or small units can be
    wide; the default layout has room for about five characters.
    """
    ax.ticklabel_format(axis="both", style="plain", useOffset=False)
    ticks = ax.get_yticks()
    labels = ax.yaxis.get_major_formatter().format_ticks(ticks)
    if max((len(t) for t in labels), default=0) <= 5:
        return
    renderer = fig.canvas.get_renderer()
    left = ax.get_tightbbox(renderer).x0
    if left >= pad_px:
        return
    shift = (pad_px - left) / fig.bbox.width
    x0, y0, w, h = ax.get_position().bounds
    ax.set_position((x0 + shift, y0, w - shift, h))


def _class_label(name):
    """'class 0' for a bare label; a name that already says class stays as it is."""
    return name if name.lower().startswith("class") else f"class {name}"


def _check_bayes(bayes, history):
    if bayes and history.dataset.mixture is None:
        raise ValueError(
            "bayes=True needs a data set whose distribution is known (gaussians, blobs, xor). "
            f"Got {history.dataset.name!r}."
        )
    return bayes


def _check_classes(history):
    model_k, data_k = history.final.model.n_classes, history.dataset.n_classes
    if model_k != data_k:
        raise ValueError(f"the model gives {model_k} classes but the dataset has {data_k} "
                         f"({', '.join(history.dataset.class_names)}).")


class _FrameFigure(Figure):
    """A Figure that shows itself in Jupyter even before pyplot's inline backend is on."""

    def _repr_png_(self):
        import io

        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        return buffer.getvalue()


class Renderer:
    """Draw the snapshots of a :class:`History` as frames of one fixed figure.

    Parameters
    ----------
    history : History
    resolution : int, default=200
        Mesh points per axis of the probability fields (2 to 2000).
    layer : int, optional
        Hidden layer shown in the hidden panel (0-based; negative counts from the last); by
        default the history's own (``History.default_layer``: the last, or the layer a
        :class:`~boundaryviz.Recorder` was given).
    size : tuple of int, default=(960, 560)
        Frame width and height in pixels (both even, for video).
    levels : int or None, default=10
        Colour bands of the probability field (2 to 256): 10 gives steps of 0.1 with the
        0.5 line on a band edge; ``None`` for a smooth field. Bands read like contour
        levels and keep animation files small.
    lattice_lines : int, default=15
        Lines of the input lattice drawn warped in hidden space, per direction.
    bayes : bool, default=False
        Also draw the Bayes-optimal boundary (dotted) in the input panel and the
        Bayes-optimal expected loss (dotted, labelled) in the training curve: the best any
        model can do. Needs a data set whose distribution is known (``gaussians``,
        ``blobs``, ``xor``; ``Dataset.mixture``).

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The one figure every frame is drawn into.
    n_frames : int

    Notes
    -----
    For a hidden layer wider than 2 the hidden panel shows the plane spanned by the first two
    principal components of the layer's activations over all snapshots (fitted once, signs
    fixed). The field and the 0.5 line there are exact on that plane (through the mean
    activation); samples lie off the plane, so a sample's colour side can differ from its
    predicted class. For a hidden layer that is not the last, the 0.5 line is a contour of the
    field rather than a straight line.

    Examples
    --------
    >>> from boundaryviz import Renderer, gaussians, train
    >>> history = train(gaussians(), epochs=20)
    >>> renderer = Renderer(history)
    >>> renderer.frame(-1).shape
    (560, 960, 3)
    """

    def __init__(self, history, *, resolution=200, layer=None, size=(960, 560), levels=10, lattice_lines=15,
                 bayes=False):
        if not isinstance(history, History):
            raise TypeError(f"history must be a boundaryviz History. Got {type(history).__name__}.")
        _check_classes(history)
        self.history = history
        options = check_render_options(
            {"resolution": resolution, "layer": history.default_layer if layer is None else layer,
             "size": size, "levels": levels, "bayes": bayes,
             "lattice_lines": lattice_lines},
            len(history.final.hidden_widths),
        )
        self.resolution, self.layer = options["resolution"], options["layer"]
        self.levels, self.lattice_lines = options["levels"], options["lattice_lines"]
        self.size = options["size"]
        self.bayes = _check_bayes(options["bayes"], history)
        width, height = self.size
        self.cmap = _field_colormap(levels)
        self.geometry = _Geometry(history, self.resolution, self.layer, self.lattice_lines)

        # The layout is designed at 9.6 inches wide; other sizes change the dpi, so fonts,
        # lines and markers scale with the frame and nothing overlaps when it is small.
        dpi = width / 9.6
        self.figure = _FrameFigure(figsize=(9.6, height / dpi), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        fig = self.figure
        ax_in = fig.add_axes((0.065, 0.34, 0.40, 0.56))
        ax_hid = fig.add_axes((0.575, 0.34, 0.40, 0.56))
        ax_curve = fig.add_axes((0.065, 0.075, 0.865, 0.17))
        for ax in (ax_in, ax_hid, ax_curve):
            ax.tick_params(labelsize=8)
        self.input_panel = _InputPanel(ax_in, history, self.geometry, self.cmap, self.resolution, bayes=self.bayes)
        self.hidden_panel = _HiddenPanel(ax_hid, history, self.geometry, self.cmap)
        self.curve_panel = _CurvePanel(ax_curve, history, bayes=self.bayes)
        self.status = _StatusLine(fig, history)
        n_classes = history.dataset.n_classes
        handles = [
            Line2D([], [], ls="", marker=CLASS_MARKERS[c], color=CLASS_COLORS[c], mec="white",
                   ms=7, label=_class_label(history.dataset.class_names[c]))
            for c in range(n_classes)
        ]
        handles.append(Line2D([], [], color=BOUNDARY_COLOR, lw=1.8, label="p = 0.5" if n_classes == 2 else "tie"))
        if self.bayes:
            handles.append(Line2D([], [], color=BAYES_COLOR, lw=1.3, ls=(0, (1, 2)), label="Bayes-optimal"))
        legend = fig.legend(handles=handles, loc="center right", bbox_to_anchor=(0.975, 0.955),
                            ncol=len(handles), fontsize=8, frameon=False, handletextpad=0.3, columnspacing=1.0)
        _make_room_for_legend(fig, legend, self.status.right, (ax_in, ax_hid))
        _keep_tick_labels_inside(fig, ax_in)
        ax_hid.ticklabel_format(axis="both", style="plain", useOffset=False)
        self.axes = {"input": ax_in, "hidden": ax_hid, "curve": ax_curve}
        self._animated = (
            self.input_panel.artists + self.hidden_panel.artists + self.curve_panel.artists
            + self.status.artists
        )
        # Blitting draws the fields as pixels; every other animated artist is drawn per axes
        # in z-order, then the axes' spines on top, as a full draw would.
        self._spines = [sp for ax in (ax_in, ax_hid) for sp in ax.spines.values()]
        self._animated += self._spines
        self._field_images = (self.input_panel.image, self.hidden_panel.image)
        self._field_pixels = None
        self._blit_steps = None
        self._background = None
        self._current = None

    # ------------------------------------------------------------------ public
    @property
    def n_frames(self):
        """int: number of frames, one per snapshot."""
        return len(self.history)

    def __len__(self):
        return self.n_frames

    def key_colors(self):
        """Colours every frame is made of, for a fixed animation palette.

        Returns
        -------
        ndarray of shape (n_colors, 3), dtype uint8
        """
        from matplotlib.colors import to_rgba_array

        n_classes = self.history.dataset.n_classes
        named = (*CLASS_COLORS[:n_classes], NAN_COLOR, BOUNDARY_COLOR, LATTICE_COLOR, LOSS_COLOR, ACC_COLOR,
                 *UNIT_COLORS, "white", "black")
        # the same float-to-byte conversion Agg and the colour map use
        lines = (to_rgba_array(named) * 255).astype(np.uint8)[:, :3]
        if n_classes > 2:
            field = class_field_colors(n_classes)[:, :3]
        else:
            field = self.cmap(np.arange(self.cmap.N), bytes=True)[:, :3]
        return np.vstack([field, lines])

    def update(self, index):
        """Set every artist to show snapshot ``index``; draws nothing."""
        index = self._index(index)
        if self._current == index:
            return index
        snap = self.history.snapshots[index]
        with np.errstate(all="ignore"):
            self.input_panel.update(snap)
            self.hidden_panel.update(snap)
        self.curve_panel.update(index)
        self.status.update(_status_values(self.history, index))
        self._current = index
        return index

    def draw(self, index=-1):
        """Show snapshot ``index`` and return the figure (a notebook cell displays it).

        Returns
        -------
        matplotlib.figure.Figure
        """
        self.update(index)
        self._set_animated(False)
        _sync_field_image(self.input_panel)
        _sync_field_image(self.hidden_panel)
        return self.figure

    def frame(self, index=-1):
        """Pixels of the frame for snapshot ``index``.

        Returns
        -------
        ndarray of shape (height, width, 3), dtype uint8
        """
        return self._rgba(index)[:, :, :3].copy()

    def frame_rgba(self, index=-1):
        """The canvas buffer showing snapshot ``index``, without a copy.

        Returns
        -------
        ndarray of shape (height, width, 4), dtype uint8
            A view of the figure's pixels: valid until the next frame is drawn; copy it to
            keep it.
        """
        return self._rgba(index)

    def frames(self, start=0, stop=None, step=1):
        """Yield frames one at a time (never all in memory).

        Yields
        ------
        ndarray of shape (height, width, 3), dtype uint8
        """
        for index in range(len(self))[start:stop:step]:
            yield self.frame(index)

    def frame_full_redraw(self, index=-1):
        """The same frame drawn without blitting (a slow reference for tests)."""
        self.draw(index)
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())[:, :, :3].copy()

    # ----------------------------------------------------------------- private
    def _index(self, index):
        n = len(self.history)
        index = check_int(index, "index", low=-n, high=n - 1)
        return index % n

    def _set_animated(self, flag):
        for artist in self._animated:
            artist.set_animated(flag)

    def _rgba(self, index):
        self.update(index)
        if self._background is None:
            self._set_animated(True)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._set_animated(True)
        if self._field_pixels is None:
            self._prepare_blit()
        self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        buffer = np.asarray(self.canvas.buffer_rgba())
        for pixels, panel in zip(self._field_pixels, (self.input_panel, self.hidden_panel)):
            if panel.levels is not None:
                pixels.write_levels(buffer, panel.levels, panel.level_colors)
            else:
                pixels.write(buffer, panel.logits)
        for step in self._blit_steps:
            step(renderer, buffer)
        return buffer

    def _prepare_blit(self):
        """Plan the blit: field pixels, then each axes' artists in z-order, then the status.

        Texts whose string never changes (the h1, h2, ... labels) are stamped from sprites;
        the status values are composed from cached glyphs.
        """
        height = self.figure.bbox.height
        self._field_pixels = tuple(
            _FieldPixels(image.axes, image.get_array().shape,
                         np.reshape(image.get_extent(), (2, 2)), self.cmap, height)
            for image in self._field_images
        )
        status = set(self.status.artists)
        animated = [a for a in self._animated
                    if a not in self._field_images and a not in self._spines and a not in status]
        labels = self.input_panel.unit_labels
        sprites = dict(zip(labels, _Sprite.batch([(label, None, None) for label in labels])))
        steps = []
        for ax in self.figure.axes:
            mine = sorted((a for a in animated if a.axes is ax), key=lambda a: a.get_zorder())
            for artist in mine:
                steps.append(_sprite_step(artist, sprites[artist]) if artist in sprites
                             else _draw_step(artist))
            if any(image.axes is ax for image in self._field_images):
                # the field pixels covered the spines: blend them back, captured once
                steps.append(_overlay_step(_Overlay(self.canvas, list(ax.spines.values()), ax.bbox)))
        steps.append(lambda renderer, buffer: self.status.stamp(buffer))
        self._blit_steps = steps


class _Overlay:
    """Artists that never change, captured once as sparse premultiplied pixels.

    Drawn on black and on white, a pixel of coverage ``a`` and colour ``C`` reads ``C a`` and
    ``C a + 255 (1 - a)``: both are recovered, and each frame blends them over what is below.
    Only the pixels of ``bbox`` (display units) grown by ``margin`` pixels are examined.
    """

    def __init__(self, canvas, artists, bbox, margin=4):
        renderer = canvas.get_renderer()
        buffer = np.asarray(canvas.buffer_rgba())
        height, width = buffer.shape[:2]
        top = max(int(np.floor(height - bbox.y1)) - margin, 0)
        bottom = min(int(np.ceil(height - bbox.y0)) + margin, height)
        left = max(int(np.floor(bbox.x0)) - margin, 0)
        right = min(int(np.ceil(bbox.x1)) + margin, width)
        window = buffer[top:bottom, left:right]
        saved = window.copy()
        looks = []
        for fill in (0, 255):
            window[:, :, :3] = fill
            for artist in artists:
                artist.draw(renderer)
            looks.append(window[:, :, :3].astype(np.float32))
        window[...] = saved
        on_black, on_white = looks
        alpha = 1.0 - (on_white - on_black).mean(axis=2) / 255.0
        inside = np.flatnonzero(alpha.ravel() > 1e-3)
        rows, cols = np.divmod(inside, right - left)
        self.index = (rows + top) * width + cols + left  # flat pixel index in the whole frame
        self.alpha = alpha.ravel()[inside][:, None]
        self.premultiplied = on_black.reshape(-1, 3)[inside]

    def blend(self, buffer):
        pixels = buffer.reshape(-1, 4)
        below = pixels[self.index, :3]
        pixels[self.index, :3] = (below * (1.0 - self.alpha) + self.premultiplied + 0.5).astype(np.uint8)


def _overlay_step(overlay):
    def step(renderer, buffer):
        overlay.blend(buffer)

    return step


def _draw_step(artist):
    def step(renderer, buffer):
        if artist.get_visible():
            artist.draw(renderer)

    return step


def _sprite_step(text, sprite):
    def step(renderer, buffer):
        if text.get_visible():
            x, y = text.get_transform().transform(text.get_position())
            sprite.stamp(buffer, x, y)

    return step


def plot_panel(history, index=-1, *, panel="input", ax=None, resolution=200, layer=None, levels=10, bayes=False):
    """Draw one panel of one snapshot into a matplotlib Axes.

    Parameters
    ----------
    history : History
    index : int, default=-1
        Snapshot to show.
    panel : {'input', 'hidden', 'curve'}, default='input'
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted. Its labels and limits are set by
        the panel.
    resolution, layer, levels
        As for :class:`Renderer`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from boundaryviz import gaussians, plot_panel, train
    >>> history = train(gaussians(), epochs=30)
    >>> fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4))  # doctest: +SKIP
    >>> plot_panel(history, panel="input", ax=left)  # doctest: +SKIP
    >>> plot_panel(history, panel="hidden", ax=right)  # doctest: +SKIP
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a boundaryviz History. Got {type(history).__name__}.")
    check_choice(panel, "panel", PANELS)
    n = len(history)
    index = check_int(index, "index", low=-n, high=n - 1) % n
    layer = history.default_layer if layer is None else layer
    options = check_render_options({"resolution": resolution, "layer": layer, "levels": levels, "bayes": bayes},
                                   len(history.final.hidden_widths))
    resolution, layer, levels = options["resolution"], options["layer"], options["levels"]
    if ax is None:
        ax = Figure(figsize=(4.5, 4)).add_subplot()
        FigureCanvasAgg(ax.figure)
    elif not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes. Got {type(ax).__name__}.")
    cmap = _field_colormap(levels)
    bayes = _check_bayes(options["bayes"], history)
    if panel == "curve":
        _CurvePanel(ax, history, bayes=bayes).update(index)
        return ax
    geo = _Geometry(history, resolution, layer, 15)
    snap = history.snapshots[index]
    with np.errstate(all="ignore"):
        if panel == "input":
            drawn = _InputPanel(ax, history, geo, cmap, resolution, bayes=bayes)
        else:
            drawn = _HiddenPanel(ax, history, geo, cmap)
        drawn.update(snap)
        _sync_field_image(drawn)
    return ax
