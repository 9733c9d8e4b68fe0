"""Keeping the input panel's texts inside the frame, once, when a figure is laid out: tick
labels (plain numbers, thinned where long ones would meet), axis labels (long names cut with
"…") and the panel's place. Matplotlib state, no data.
"""

from __future__ import annotations

from matplotlib.ticker import MaxNLocator

from .axis_text import short_name

__all__ = ["keep_tick_labels_inside", "keep_labels_inside", "fit_axis_labels"]


def keep_tick_labels_inside(fig, ax, pad_px=3):
    """Move the input panel right when its y tick labels and label would leave the figure.

    Plain tick labels (no offset or multiplier text) of data in large or small units can be
    wide; the default layout has room for about five characters.
    """
    ax.ticklabel_format(axis="both", style="plain", useOffset=False)
    _thin_x_ticks(fig, ax)
    ticks = ax.get_yticks()
    labels = ax.yaxis.get_major_formatter().format_ticks(ticks)
    if max((len(t) for t in labels), default=0) <= 5:
        return
    _shift_right(fig, ax, pad_px)


def _shift_right(fig, ax, pad_px):
    """Narrow ``ax`` from the left until its tick labels and labels start ``pad_px`` inside the
    figure; its title does not count (it is fitted to the panel's width afterwards)."""
    renderer = fig.canvas.get_renderer()
    title = ax.title.get_visible()
    ax.title.set_visible(False)
    try:
        left = ax.get_tightbbox(renderer).x0
    finally:
        ax.title.set_visible(title)
    if left >= pad_px:
        return
    shift = (pad_px - left) / fig.bbox.width
    x0, y0, w, h = ax.get_position().bounds
    ax.set_position((x0 + shift, y0, w - shift, h))


def _thin_x_ticks(fig, ax, gap_px=6):
    """Fewer ticks on the x axis when its plain labels would run into each other (a feature near
    1e9 that varies by a few thousand: nine digits a tick); as matplotlib chose them otherwise."""
    renderer = fig.canvas.get_renderer()
    props = ax.xaxis.get_ticklabels()[0].get_fontproperties() if ax.xaxis.get_ticklabels() else None
    low, high = sorted(ax.get_xlim())
    width = ax.get_window_extent(renderer).width
    for n_bins in (None, 5, 4, 3, 2, 1):
        if n_bins is not None:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=n_bins, steps=[1, 2, 2.5, 5, 10]))
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        if len(ticks) < 2 or props is None:
            return
        labels = ax.xaxis.get_major_formatter().format_ticks(ticks)
        widest = max(renderer.get_text_width_height_descent(t, props, False)[0] for t in labels)
        if width * (ticks[1] - ticks[0]) / (high - low) >= widest + gap_px:
            return


def keep_labels_inside(fig, ax, pad_px=4):
    """Narrow ``ax`` from the left until its tick labels and y label (two lines for a view
    plane's axis and loadings) lie inside the figure (its title, fitted to the panel later,
    does not count)."""
    _shift_right(fig, ax, pad_px)


def fit_axis_labels(fig, ax):
    """Cut the first line of each axis label (the axis: a feature's name, or PC1 and its
    share) with "…" until the label is no longer than its side of ``ax`` (a 48-character name
    in capitals ran off the frame). The lines under it (loadings, held values) keep their
    numbers; they are kept short where they are written."""
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    for label, room, along in ((ax.xaxis.label, box.width, "width"), (ax.yaxis.label, box.height, "height")):
        while getattr(label.get_window_extent(renderer), along) > room:
            first, *rest = label.get_text().split("\n")
            if len(first) <= 8:
                break
            label.set_text("\n".join([short_name(first, max(8, int(len(first) * 0.9))), *rest]))
