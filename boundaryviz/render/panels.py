"""The artists of a frame: each panel builds its artists once on an Axes and shows views.

A panel's ``show`` only hands finished arrays (an :class:`~boundaryviz.render.views.InputView`,
:class:`~boundaryviz.render.views.HiddenView` or the index into a
:class:`~boundaryviz.render.views.CurveView`) to its artists with ``set_data`` / ``set_segments``;
the computing is in :mod:`boundaryviz.render.views`. Also here: the status line's texts, the legend
and the two layout helpers that keep it and the tick labels inside the figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from .._colors import STOPPED
from .axis_text import as_written, short_name
from .class_colors import CLASS_COLORS, CLASS_MARKERS, class_field_colors
from .frame_geometry import MAX_UNIT_LABELS
from .style import ACC_COLOR, BAYES_COLOR, BOUNDARY_COLOR, DISAGREE_COLOR, LATTICE_COLOR, LOSS_COLOR, MARKER_SIZE, UNIT_COLORS

__all__ = ["InputPanel", "HiddenPanel", "CurvePanel", "StatusLine", "add_legend"]


class _FieldPanel:
    """A panel with a probability field (an AxesImage) under its other artists."""

    def _add_field(self, ax, shape, limits, cmap, n_classes):
        self.level_colors = class_field_colors(n_classes) if n_classes > 2 else None
        self.image = ax.imshow(
            np.zeros(shape), origin="lower", extent=tuple(limits.ravel()), cmap=cmap,
            norm=Normalize(0, 1), interpolation="nearest", aspect="auto", zorder=0,
        )
        self.view = None

    def show_field(self):
        """Give the AxesImage the field of the view shown (for full, non-blit draws)."""
        from scipy.special import expit

        if self.view.levels is not None:  # K > 2: colours straight from the levels
            self.image.set_data(self.level_colors[self.view.levels])
            return
        with np.errstate(all="ignore"):
            proba = expit(np.array(self.view.logits, dtype=float))
        self.image.set_data(np.ma.masked_invalid(proba))


class InputPanel(_FieldPanel):
    """Input space: field, decision boundary, hidden-unit zero lines, samples.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    history : History
    geo : FrameGeometry
    cmap : matplotlib.colors.Colormap
        Of the two-class field.
    bayes_segments : list of ndarray of shape (n, 2), optional
        The Bayes-optimal boundary, drawn dotted (it never moves).
    """

    def __init__(self, ax, history, geo, cmap, *, bayes_segments=None):
        self.ax = ax
        data = history.dataset
        lim = geo.input_limits
        self.n_classes = data.n_classes
        self._add_field(ax, (len(geo.ys), len(geo.xs)), lim, cmap, self.n_classes)
        self.unit_index, self.n_units = geo.unit_index, geo.n_units
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
        self.bayes = (LineCollection(bayes_segments, colors=BAYES_COLOR, linewidths=1.3,
                                     linestyles=(0, (1, 2)), zorder=2.5) if bayes_segments is not None else None)
        if self.bayes is not None:
            ax.add_collection(self.bayes)
        self.plane = geo.plane
        if self.plane is None:
            self.samples = [
                ax.plot(*geo.X[geo.y == c].T, ls="", marker=CLASS_MARKERS[c], ms=np.sqrt(MARKER_SIZE),
                        mfc=CLASS_COLORS[c], mew=0, zorder=4, label=data.class_names[c])[0]
                for c in range(self.n_classes)
            ]
        else:
            self.samples = _projected_samples(ax, geo, data.class_names)
            self.XY = geo.XY
            # samples whose class at their real point differs from the field's at their projection
            # (thin and half transparent, fainter the more samples there are: where hundreds
            # disagree, the data still shows through the rings)
            ring = (*DISAGREE_COLOR[:3], DISAGREE_COLOR[3] * min(1.0, max(0.35, 400 / len(self.XY))))
            (self.disagree,) = ax.plot([], [], ls="", marker="o", ms=np.sqrt(MARKER_SIZE) + 2.5, mfc="none",
                                       mec=ring, mew=0.7, zorder=4.5)
        ax.set_xlim(*lim[0])
        ax.set_ylim(*lim[1])
        shown = len(self.unit_index)
        # the title's parts after its name, each in full and in short (for a narrow title)
        self.title_extras = []
        if shown != self.n_units:
            self.title_extras.append((f"unit lines of {shown} of {self.n_units} units",
                                      f"{shown} of {self.n_units} unit lines"))
        if len(geo.shown) < geo.n_samples:
            self.title_extras.append((f"showing {len(geo.shown):,} of {geo.n_samples:,} points",
                                      f"{len(geo.shown):,} of {geo.n_samples:,} points"))
        if self.plane is None:
            ax.set_xlabel(as_written(ax.xaxis.label, short_name(data.feature_names[0])))
            ax.set_ylabel(as_written(ax.yaxis.label, short_name(data.feature_names[1])))
            self.title_name = "input space"
        else:
            _plane_labels(ax, self.plane)
            # the title says the plane's agreement, frame by frame
            self.title_name = self.plane.name
        self.compact_title = False
        # a fixed place: no search for room at each draw
        ax.set_title(as_written(ax.title, self._title(100)), fontsize=10, y=1.0)
        # on a view plane the samples keep their place and their fading from frame to frame:
        # the blitter draws them once (their per-sample colours make Agg draw each marker anew)
        self.still = [] if self.plane is None else list(self.samples)
        self.artists = [self.image, self.units, self.boundary, *self.samples, *self.unit_labels]
        if self.bayes is not None:
            self.artists.append(self.bayes)
        if self.plane is not None:
            self.artists += [self.disagree, ax.title]

    def _title(self, percent):
        """The title for an agreement of ``percent`` (a view plane's; the data's own plane has
        none)."""
        compact = self.compact_title
        parts = [self.title_name] if self.title_name.strip() else []  # a Plane named ""
        if self.plane is not None:
            parts.append(f"agrees at {percent:.0f} %" + ("" if compact else " of points"))
        return " · ".join(parts + [short if compact else full for full, short in self.title_extras])

    def fit_title(self, renderer):
        """Make the title fit the panel's width, once its place is final (a slice of a big data
        set, "slice at the mean · agrees at 65 % of points · showing 5,000 of 60,000 points", ran
        off the frame's left edge): 10 pt, or 9 pt, or the short wording at 8 or 7 pt; then its
        last parts left out, and at last its name cut with "…"."""
        title = self.ax.title
        room = self.ax.get_window_extent(renderer).width

        def fits():
            string = self._title(100)
            return renderer.get_text_width_height_descent(string, title.get_fontproperties(), False)[0] <= room

        for size, compact in ((10, False), (9, False), (8, True), (7, True)):
            title.set_fontsize(size)
            self.compact_title = compact
            if fits():
                break
        while not fits() and self.title_extras:
            self.title_extras.pop()
        while not fits() and len(self.title_name) > 16:
            self.title_name = short_name(self.title_name, max(16, int(len(self.title_name) * 0.85)))
        title.set_text(as_written(title, self._title(100)))

    def show(self, view):
        """Show an :class:`~boundaryviz.render.views.InputView` (the field waits for a draw)."""
        self.view = view
        self.boundary.set_segments(view.boundary)
        if self.plane is not None:
            self.disagree.set_data(*self.XY[~view.agrees].T)
            self.ax.title.set_text(as_written(self.ax.title, self._title(100 * view.agreement)))
        if not self.unit_index.size:
            return
        for label, visible, position in zip(self.unit_labels, view.label_visible, view.label_positions):
            label.set_visible(bool(visible))
            if visible:
                label.set_position(position)
        self.units.set_segments(view.units)


def _projected_samples(ax, geo, class_names):
    """One scatter per class at the samples' projections, each faded by its distance from the
    plane (nearest drawn last, on top)."""
    from matplotlib.colors import to_rgba

    artists = []
    for c in range(len(class_names)):
        index = np.flatnonzero(geo.y == c)
        index = index[np.argsort(-geo.distance[index], kind="stable")]
        colors = np.tile(to_rgba(CLASS_COLORS[c]), (len(index), 1))
        colors[:, 3] = geo.alpha[index]
        artists.append(ax.scatter(*geo.XY[index].T, s=MARKER_SIZE, marker=CLASS_MARKERS[c], c=colors,
                                  linewidths=0, zorder=4, label=class_names[c]))
    return artists


def _plane_labels(ax, plane):
    """Axis labels of a view plane: the axis (a feature, or PC1 and its share) and, smaller, under
    it, its largest loadings."""
    for axis, label, note in ((ax.xaxis, plane.labels[0], plane.notes[0]), (ax.yaxis, plane.labels[1], plane.notes[1])):
        axis.set_label_text(as_written(axis.label, f"{label}\n{note}" if note else label), fontsize=8 if note else 9)


class HiddenPanel(_FieldPanel):
    """Hidden space: output probability, warped lattice, decision line, samples.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    history : History
    geo : FrameGeometry
    cmap : matplotlib.colors.Colormap
    """

    def __init__(self, ax, history, geo, cmap):
        self.ax = ax
        lim = geo.hidden_limits
        self.y = geo.y
        kind = geo.projection.kind
        self.n_classes = history.dataset.n_classes
        self._add_field(ax, (len(geo.hys), len(geo.hxs)), lim, cmap, self.n_classes)
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
        ax.set_ylabel(ylabel if kind != "jitter" else "(jitter)")
        if kind == "jitter":
            ax.set_yticks([])
        where = "" if n_hidden == 1 else f" (layer {geo.layer + 1} of {n_hidden})"
        what = " — PCA projection" if kind == "pca" else ""
        ax.set_title(f"hidden space{where}{what}", fontsize=10, y=1.0)
        self.artists = [self.image, self.lattice, self.boundary, *self.samples]

    def show(self, view):
        """Show a :class:`~boundaryviz.render.views.HiddenView` (the field waits for a draw)."""
        self.view = view
        self.boundary.set_segments(view.boundary)
        gaps = np.full((len(view.lattice), 1, 2), np.nan)
        self.lattice.set_data(*np.concatenate([view.lattice, gaps], axis=1).reshape(-1, 2).T)
        for c, markers in enumerate(self.samples):
            markers.set_data(*view.positions[self.y == c].T)


class CurvePanel:
    """Loss and accuracy against epoch; the run faint, the part so far solid.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    curve : CurveView
    """

    def __init__(self, ax, curve):
        self.ax = ax
        self.curve = curve
        top, stop_loss, best = curve.top, curve.stop_loss, curve.bayes_loss
        ax.set_xlim(0, max(curve.epochs[-1], 1))
        ax.set_ylim(0, top)
        self.acc_ax = ax.twinx()
        self.acc_ax.set_ylim(0, 1.02)
        ax.plot(curve.epochs, curve.losses, color=LOSS_COLOR, alpha=0.18, lw=1)
        self.acc_ax.plot(curve.epochs, curve.accuracies, color=ACC_COLOR, alpha=0.18, lw=1)
        if stop_loss > 0:
            # the label goes under its line when the Bayes line runs just above it
            under = best is not None and 0 <= best - stop_loss < 0.08 * top
            ax.axhline(stop_loss, color=LOSS_COLOR, lw=0.8, ls="--", alpha=0.7)
            ax.text(0.005, stop_loss, f"stop_loss {stop_loss:g}", fontsize=7,
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

    def show(self, index):
        """Draw the curves solid up to snapshot ``index``, with a dot there."""
        epochs, losses, acc = self.curve.epochs, self.curve.losses, self.curve.accuracies
        stop = index + 1
        self.loss_line.set_data(epochs[:stop], losses[:stop])
        self.acc_line.set_data(epochs[:stop], acc[:stop])
        self.loss_dot.set_data(epochs[index : index + 1], losses[index : index + 1])
        self.acc_dot.set_data(epochs[index : index + 1], acc[index : index + 1])


class StatusLine:
    """The title row: static labels drawn once, small value texts updated per frame.

    Rendering text is slow (about 0.1 ms a glyph), so only the digits change.

    Attributes
    ----------
    static : list of matplotlib.text.Text
        Headline and labels.
    values : list of matplotlib.text.Text
        Epoch, loss, accuracy and the note (:attr:`note`, the last).
    right : float
        Figure fraction where the last value ends.
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
                             color=STOPPED, fontweight="bold",
                             bbox=dict(boxstyle="round,pad=0.25", fc="white", ec=STOPPED, lw=0.8))
        self.values.append(self.note)
        self.artists = list(self.values)
        self.right = x

    def show(self, values):
        """Show the strings of :func:`~boundaryviz.render.views.status_values`."""
        for text, value in zip(self.values, values):
            text.set_text(value)

    @property
    def text(self):
        """str: the whole status line as shown."""
        parts = [self.static[0].get_text()]
        for label, value in zip(self.static[1:], self.values):
            parts += [label.get_text(), value.get_text()]
        if self.note.get_text():
            parts += ["  ·  ", self.note.get_text()]
        return "".join(parts)


def _class_label(name):
    """'class 0' for a bare label; a name that already says class stays as it is."""
    return name if name.lower().startswith("class") else f"class {name}"


def add_legend(fig, class_names, status_right, panels, *, bayes=False, plane=False):
    """The figure's legend: class markers, the boundary and (``bayes``) the Bayes line.

    Placed on the status line's row, right-aligned, when it fits there; otherwise on rows of
    its own under the status line (see :func:`_make_room_for_legend`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    class_names : sequence of str
    status_right : float
        Figure fraction where the status line ends.
    panels : sequence of matplotlib.axes.Axes
        Axes that give up height at their top when the legend needs a row.
    bayes : bool, default=False
    plane : bool, default=False
        Also name the ring around samples where the view plane disagrees with the model.

    Returns
    -------
    matplotlib.legend.Legend
    """
    n_classes = len(class_names)
    handles = [
        Line2D([], [], ls="", marker=CLASS_MARKERS[c], color=CLASS_COLORS[c], mec="white",
               ms=7, label=_class_label(class_names[c]))
        for c in range(n_classes)
    ]
    handles.append(Line2D([], [], color=BOUNDARY_COLOR, lw=1.8, label="p = 0.5" if n_classes == 2 else "tie"))
    if bayes:
        handles.append(Line2D([], [], color=BAYES_COLOR, lw=1.3, ls=(0, (1, 2)), label="Bayes-optimal"))
    if plane:
        handles.append(Line2D([], [], ls="", marker="o", ms=6, mfc="none", mec=DISAGREE_COLOR, mew=0.9,
                              label="plane disagrees"))
    legend = fig.legend(handles=handles, loc="center right", bbox_to_anchor=(0.975, 0.955),
                        ncol=len(handles), fontsize=8, frameon=False, handletextpad=0.3, columnspacing=1.0)
    return _make_room_for_legend(fig, legend, status_right, panels)


def _make_room_for_legend(fig, legend, status_right, panels, gap_px=12):
    """Keep the legend off the status line, whatever the class names' length.

    It stays on the status line's row, right-aligned, when it fits there; otherwise it gets a
    row of its own (two when one is too narrow) under the status line, centred, and the
    panels give up that height at their top.

    Returns
    -------
    matplotlib.legend.Legend
        The legend placed.
    """
    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    box = legend.get_window_extent(renderer)
    if box.x0 >= status_right * width + gap_px:
        return legend
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
    return new
