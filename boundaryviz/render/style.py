"""Colours and sizes of a frame, and the colour map of the probability field."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, ListedColormap

__all__ = ["FIELD_CMAP", "field_colormap", "field_thresholds"]

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
BAYES_COLOR = "#111111"
DISAGREE_COLOR = (0.067, 0.067, 0.067, 0.55)
"""Ring around a sample where the view plane disagrees with the model (half-transparent black)."""
MARKER_SIZE = 11
"""Area of a sample's marker in points squared."""


def field_colormap(levels):
    """The field's colour map in ``levels`` bands.

    Parameters
    ----------
    levels : int or None
        Number of bands; None for a smooth map of 256 colours.

    Returns
    -------
    matplotlib.colors.ListedColormap
        NaN grey, values outside [0, 1] the end colours.
    """
    n = 256 if levels is None else levels
    colors = FIELD_CMAP((np.arange(n) + 0.5) / n)
    return ListedColormap(colors, name=f"boundaryviz{n}").with_extremes(
        bad=NAN_COLOR, under=colors[0], over=colors[-1]
    )


def field_thresholds(n_levels):
    """The logits where the field's colour changes: the edges of its ``n_levels`` bands.

    ``p >= k / N`` exactly when ``logit >= log(k / (N - k))``, so a cell's band is the number
    of thresholds at or below its logit (``np.searchsorted(..., side="right")``).

    Parameters
    ----------
    n_levels : int
        Colours of the map (``cmap.N``).

    Returns
    -------
    ndarray of shape (n_levels - 1,)
        Increasing; 0 among them when ``n_levels`` is even.
    """
    k = np.arange(1, n_levels)
    return np.log(k / (n_levels - k))
