"""Keeping the input panel's texts inside the frame, once, when a figure is laid out: tick
labels (plain numbers, thinned where long ones would meet), axis labels (long names cut with
"…") and the panel's place. Matplotlib state, no data.
"""

from __future__ import annotations

import re

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
    keep_labels_inside(fig, ax, pad_px)


def keep_labels_inside(fig, ax, pad_px=4):
    """Narrow ``ax`` from the left until its tick labels and y label (two lines for a view
    plane's axis and loadings) start ``pad_px`` inside the figure; its title does not count (it
    is fitted to the panel's width afterwards)."""
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


_TAIL = re.compile(r" \+ (…|\d+ more)$")


def _shorter_note(line):
    """A note one step shorter, never cut inside a number; None when it cannot be.

    Its last term goes first: ``"others at: a = 1, b = 2 + 3 more"`` -> ``"others at: a = 1 + …"``.
    Of one term, the name is cut with "…": before the ``=`` of a held value, at the end of a
    loading (``"0.63 name + …"``).
    """
    body = _TAIL.sub("", line)
    cut = max(body.rfind(", "), body.rfind(" + "), body.rfind(" − "))
    if cut > 0:
        return body[:cut] + " + …"
    tail = line[len(body):]
    if " = " in body:  # others at: NAME = value
        head, value = body.rsplit(" = ", 1)
        prefix, _, name = head.rpartition(": ")
        shorter = short_name(name, max(8, int(len(name) * 0.9)))
        return None if shorter == name else f"{prefix}: {shorter} = {value}{tail}"
    coefficient, _, name = body.partition(" ")  # 0.63 NAME
    shorter = short_name(name, max(8, int(len(name) * 0.9)))
    return None if shorter == name else f"{coefficient} {shorter}{tail}"


def fit_axis_labels(fig, ax):
    """Keep each axis label no longer than its side of ``ax``: its first line (a feature's name,
    or PC1 and its share) cut with "…" while it is itself too long (a 48-character name in
    capitals ran off the frame); a note under it (loadings, held values) loses its last terms,
    never a digit of a number."""
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    for label, room in ((ax.xaxis.label, box.width), (ax.yaxis.label, box.height)):
        props = label.get_fontproperties()

        def length(line, props=props):
            return renderer.get_text_width_height_descent(line, props, False)[0]

        first, *notes = label.get_text().split("\n")
        while length(first) > room and len(first) > 8:
            first = short_name(first, max(8, int(len(first) * 0.9)))
        fitted = []
        for note in notes:
            while note is not None and length(note) > room:
                shorter = _shorter_note(note)
                if shorter is None:
                    break
                note = shorter
            fitted.append(note)
        text = "\n".join([first, *fitted])
        if text != label.get_text():
            label.set_text(text)
