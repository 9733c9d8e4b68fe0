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

The work is split by job: :mod:`~boundaryviz.render.frame_geometry` (what is fixed for an animation)
and :mod:`~boundaryviz.render.views` (what a panel shows, pure arrays) compute;
:mod:`~boundaryviz.render.panels` holds the artists; :mod:`~boundaryviz.render.blit` composes the frames
fast. This module puts them together.
"""

from __future__ import annotations

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._validation import check_choice, check_int
from ..options import UNSET, AnimationOptions
from ..train.history import History
from . import views
from .blit import Blitter
from .class_colors import CLASS_COLORS, class_field_colors
from .fitting import fit_axis_labels, keep_labels_inside, keep_tick_labels_inside
from .frame_geometry import FrameGeometry
from .mesh_scores import Scratch
from .panels import CurvePanel, HiddenPanel, InputPanel, StatusLine, add_legend
from .style import (
    ACC_COLOR,
    BOUNDARY_COLOR,
    FIELD_CMAP,
    LATTICE_COLOR,
    LOSS_COLOR,
    NAN_COLOR,
    UNIT_COLORS,
    field_colormap,
    field_thresholds,
)

__all__ = ["Renderer", "plot_panel", "CLASS_COLORS", "FIELD_CMAP"]

PANELS = ("input", "hidden", "curve")


_DEFAULT = AnimationOptions()
"""The renderer's defaults: the package's, defined in :mod:`boundaryviz.options`."""


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
        The run to draw, one frame per snapshot.
    options : AnimationOptions, optional
        Every drawing option at once (its timing options are kept for the writers, as
        ``renderer.options``), instead of the keywords below.
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
    view : None, {'pca', 'lda'}, (str, str) or Plane, default=None
        The plane through input space the input panel shows, the same for every frame:
        ``'pca'`` (the default with more than two features), ``'lda'``, two feature names (an
        axis-aligned slice) or any :class:`~boundaryviz.Plane`. See Notes.
    anchor : None, int or sequence of float, default=None
        The point a named view goes through (a slice holds the other features there): the
        data's mean, a sample's index, or one value per feature.

    Attributes
    ----------
    options : AnimationOptions
        The options given, or made from the keywords: what the frames are drawn with.
    figure : matplotlib.figure.Figure
        The one figure every frame is drawn into.
    n_frames : int
        Number of frames, one per snapshot.

    Notes
    -----
    With more than two features the input panel shows the model on one plane
    ``x = origin + s·u + t·v``: the field, the boundary and the first-layer unit lines are
    exact there. Every sample is drawn at its projection onto the plane (orthogonal in
    standard deviations of each feature), fainter the farther it lies from it; samples whose
    predicted class at their real point differs from the field's class at their projection
    are ringed, and the panel's title gives the share that agree, frame by frame. The hidden
    panel shows the samples at their real hidden activations and the plane's lattice carried
    through the layer.

    For a hidden layer wider than 2 the hidden panel shows the plane spanned by the first two
    principal components of the layer's activations over all snapshots (fitted once, signs
    fixed). The field and the 0.5 line there are exact on that plane (through the mean
    activation); samples lie off the plane, so a sample's colour side can differ from its
    predicted class. For a hidden layer that is not the last, the 0.5 line is a contour of the
    field rather than a straight line.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> history = bv.train(bv.gaussians(), epochs=20)
    >>> renderer = bv.Renderer(history)
    >>> renderer.frame(-1).shape
    (560, 960, 3)
    """


    def __init__(self, history, *, options=None, resolution=UNSET, layer=UNSET, size=UNSET, levels=UNSET,
                 lattice_lines=UNSET, bayes=UNSET, view=UNSET, anchor=UNSET):
        if not isinstance(history, History):
            raise TypeError(f"history must be a boundaryviz History. Got {type(history).__name__}.")
        _check_classes(history)
        self.history = history
        options = AnimationOptions.from_call(options, resolution=resolution, layer=layer, size=size, levels=levels,
                                             lattice_lines=lattice_lines, bayes=bayes, view=view, anchor=anchor)
        self.options = options
        self.resolution = options.resolution
        self.layer = options.layer_index(len(history.final.hidden_widths), default=history.default_layer)
        self.levels, self.lattice_lines = options.levels, options.lattice_lines
        self.size = options.size
        self.bayes = _check_bayes(options.bayes, history)
        width, height = self.size
        self.cmap = field_colormap(self.levels)
        # the input field's logits need be exact only near these (and 0): see views.input_view
        self._thresholds = field_thresholds(self.cmap.N)
        self.geometry = FrameGeometry.from_history(history, self.resolution, self.layer, self.lattice_lines,
                                                   options.view, options.anchor)

        # The layout is designed at 9.6 inches wide; other sizes change the dpi, so fonts,
        # lines and markers scale with the frame and nothing overlaps when it is small.
        dpi = width / 9.6
        self.figure = _FrameFigure(figsize=(9.6, height / dpi), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        fig = self.figure
        # names as written: a pair of $ in a feature or class name is not mathtext
        with rc_context({"text.parse_math": False}):
            ax_in = fig.add_axes((0.065, 0.34, 0.40, 0.56))
            ax_hid = fig.add_axes((0.575, 0.34, 0.40, 0.56))
            ax_curve = fig.add_axes((0.065, 0.075, 0.865, 0.17))
            for ax in (ax_in, ax_hid, ax_curve):
                ax.tick_params(labelsize=8)
            bayes_segments = views.bayes_segments(history.dataset.mixture, self.geometry) if self.bayes else None
            self.input_panel = InputPanel(ax_in, history, self.geometry, self.cmap, bayes_segments=bayes_segments)
            self.hidden_panel = HiddenPanel(ax_hid, history, self.geometry, self.cmap)
            self.curve_panel = CurvePanel(ax_curve, views.curve_view(history, self.bayes))
            self.status = StatusLine(fig, history)
            add_legend(fig, history.dataset.class_names, self.status.right, (ax_in, ax_hid), bayes=self.bayes,
                       plane=self.geometry.plane is not None)
            keep_tick_labels_inside(fig, ax_in)
            fit_axis_labels(fig, ax_in)
            if self.geometry.plane is not None:
                keep_labels_inside(fig, ax_in)
                fit_axis_labels(fig, ax_in)  # in the panel's final width
            self.input_panel.fit_title(self.canvas.get_renderer())
        ax_hid.ticklabel_format(axis="both", style="plain", useOffset=False)
        self.axes = {"input": ax_in, "hidden": ax_hid, "curve": ax_curve}
        animated = (
            self.input_panel.artists + self.hidden_panel.artists + self.curve_panel.artists
            + self.status.artists
        )
        self._blitter = Blitter(fig, (self.input_panel, self.hidden_panel), animated, self.status,
                                self.input_panel.unit_labels, self.cmap,
                                changing_texts=[ax_in.title] if self.geometry.plane is not None else (),
                                still_artists=self.input_panel.still)
        self._current = None
        self._scratch = Scratch()  # a K-class frame's work arrays, kept from frame to frame

    # ------------------------------------------------------------------ public
    @property
    def n_frames(self):
        """Number of frames, one per snapshot, an int."""
        return len(self.history)

    def __len__(self):
        return self.n_frames

    def key_colors(self):
        """Colours every frame is made of, for a fixed animation palette.

        Returns
        -------
        ndarray of shape (n_colors, 3), dtype uint8
            RGB colours: the classes, the lines and curves, white, black and the field's colours.
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
        """Set every artist to show snapshot ``index``; draws nothing.

        Parameters
        ----------
        index : int
            The snapshot, an index into the history (negative from the last).

        Returns
        -------
        int
            The snapshot's index, from 0.
        """
        index = self._index(index)
        if self._current == index:
            return index
        snap = self.history.snapshots[index]
        with np.errstate(all="ignore"), self._scratch.one_blas_thread():
            self.input_panel.show(views.input_view(snap, self.geometry, self._scratch, self._thresholds))
            self.hidden_panel.show(views.hidden_view(snap, self.geometry, self._scratch))
        self.curve_panel.show(index)
        self.status.show(views.status_values(self.history, index))
        self._current = index
        return index

    def draw(self, index=-1):
        """Show snapshot ``index`` and return the figure (a notebook cell displays it).

        Parameters
        ----------
        index : int, default=-1
            The snapshot, an index into the history (negative from the last).

        Returns
        -------
        matplotlib.figure.Figure
            The renderer's figure, showing that snapshot.
        """
        self.update(index)
        self._blitter.set_animated(False)
        self.input_panel.show_field()
        self.hidden_panel.show_field()
        return self.figure

    def frame(self, index=-1):
        """Pixels of the frame for snapshot ``index``.

        Parameters
        ----------
        index : int, default=-1
            The snapshot, an index into the history (negative from the last).

        Returns
        -------
        ndarray of shape (height, width, 3), dtype uint8
            A new array of RGB pixels.
        """
        return self.frame_rgba(index)[:, :, :3].copy()

    def frame_rgba(self, index=-1):
        """The canvas buffer showing snapshot ``index``, without a copy.

        Parameters
        ----------
        index : int, default=-1
            The snapshot, an index into the history (negative from the last).

        Returns
        -------
        ndarray of shape (height, width, 4), dtype uint8
            A view of the figure's pixels: valid until the next frame is drawn; copy it to
            keep it.
        """
        self.update(index)
        return self._blitter.draw()

    def frames(self, start=0, stop=None, step=1):
        """Yield frames one at a time (never all in memory).

        Parameters
        ----------
        start : int, default=0
            First snapshot.
        stop : int, optional
            Snapshot to stop before; by default the end of the history.
        step : int, default=1
            Step between snapshots, as in ``range(start, stop, step)``.

        Yields
        ------
        ndarray of shape (height, width, 3), dtype uint8
            The RGB pixels of each snapshot's frame, a new array each.
        """
        for index in range(len(self))[start:stop:step]:
            yield self.frame(index)

    def frame_full_redraw(self, index=-1):
        """The same frame drawn without blitting (a slow reference for tests).

        Parameters
        ----------
        index : int, default=-1
            The snapshot, an index into the history (negative from the last).

        Returns
        -------
        ndarray of shape (height, width, 3), dtype uint8
            As :meth:`frame` returns it.
        """
        self.draw(index)
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba())[:, :, :3].copy()

    # ----------------------------------------------------------------- private
    def _index(self, index):
        n = len(self.history)
        index = check_int(index, "index", low=-n, high=n - 1)
        return index % n


def plot_panel(history, index=-1, *, panel="input", ax=None, resolution=_DEFAULT.resolution, layer=_DEFAULT.layer,
               levels=_DEFAULT.levels, bayes=_DEFAULT.bayes, view=_DEFAULT.view, anchor=_DEFAULT.anchor):
    """Draw one panel of one snapshot into a matplotlib Axes.

    Parameters
    ----------
    history : History
        The run to draw.
    index : int, default=-1
        Snapshot to show.
    panel : {'input', 'hidden', 'curve'}, default='input'
        The input space, the hidden layer's space, or the training curve.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted. Its labels and limits are set by
        the panel.
    resolution : int, default=200
        Mesh points per axis of the probability fields, as for :class:`Renderer`.
    layer : int, optional
        Hidden layer shown; by default the history's own, as for :class:`Renderer`.
    levels : int or None, default=10
        Colour bands of the probability field, as for :class:`Renderer`.
    bayes : bool, default=False
        Also draw the Bayes-optimal boundary and loss, as for :class:`Renderer`.
    view : None, {'pca', 'lda'}, (str, str) or Plane, default=None
        The plane through input space, as for :class:`Renderer`.
    anchor : None, int or sequence of float, default=None
        The point a named view goes through, as for :class:`Renderer`.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn into: ``ax``, or that of the new figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import boundaryviz as bv
    >>> history = bv.train(bv.gaussians(), epochs=30)
    >>> fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4))  # doctest: +SKIP
    >>> bv.plot_panel(history, panel="input", ax=left)  # doctest: +SKIP
    >>> bv.plot_panel(history, panel="hidden", ax=right)  # doctest: +SKIP
    """

    if not isinstance(history, History):
        raise TypeError(f"history must be a boundaryviz History. Got {type(history).__name__}.")
    check_choice(panel, "panel", PANELS)
    n = len(history)
    index = check_int(index, "index", low=-n, high=n - 1) % n
    options = AnimationOptions(resolution=resolution, layer=layer, levels=levels, bayes=bayes, view=view,
                               anchor=anchor)
    resolution, levels = options.resolution, options.levels
    layer = options.layer_index(len(history.final.hidden_widths), default=history.default_layer)
    if ax is None:
        ax = Figure(figsize=(4.5, 4)).add_subplot()
        FigureCanvasAgg(ax.figure)
    elif not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes. Got {type(ax).__name__}.")
    cmap = field_colormap(levels)
    bayes = _check_bayes(options.bayes, history)
    if panel == "curve":
        CurvePanel(ax, views.curve_view(history, bayes)).show(index)
        return ax
    geo = FrameGeometry.from_history(history, resolution, layer, _DEFAULT.lattice_lines, options.view, options.anchor)
    snap = history.snapshots[index]
    with np.errstate(all="ignore"):
        if panel == "input":
            segments = views.bayes_segments(history.dataset.mixture, geo) if bayes else None
            drawn = InputPanel(ax, history, geo, cmap, bayes_segments=segments)
            get_renderer = getattr(ax.figure.canvas, "get_renderer", None)
            if get_renderer is not None:  # Agg's canvases, Jupyter's inline one among them
                drawn.fit_title(get_renderer())
            drawn.show(views.input_view(snap, geo))
        else:
            drawn = HiddenPanel(ax, history, geo, cmap)
            drawn.show(views.hidden_view(snap, geo))
        drawn.show_field()
    return ax
