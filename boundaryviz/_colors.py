"""The named colours that frames, gallery pictures, the gallery page and the player share.

One home for each: the frames' style (:mod:`boundaryviz.render.panels`), the Pillow sheets
(:mod:`boundaryviz.gallery.sheet`), the page's CSS (:mod:`boundaryviz.gallery.page`) and the
player's CSS (``output/player.html``, filled in by :mod:`boundaryviz.output.player`) read
them from here.
"""

from __future__ import annotations

__all__ = ["INK", "MUTED", "LINE", "PAPER", "GROUND", "STOPPED", "CONVERGED", "LINK", "HOVER", "CSS_COLORS", "rgb"]

INK = "#1f2328"
"""Text."""
MUTED = "#59636e"
"""Secondary text."""
LINE = "#d1d9e0"
"""Borders and rules."""
PAPER = "#ffffff"
"""Cards and frames."""
GROUND = "#f6f8fa"
"""The page behind the cards; the player's bar."""
STOPPED = "#b2182b"
"""A run that stopped early (diverged, interrupted), and notes about it."""
CONVERGED = "#1a7f37"
"""A run that reached its stop loss."""
LINK = "#0969da"
"""Links and the keyboard focus ring."""
HOVER = "#eef1f4"
"""A button under the pointer."""

CSS_COLORS = {"INK": INK, "MUTED": MUTED, "LINE": LINE, "PAPER": PAPER, "GROUND": GROUND, "STOPPED": STOPPED,
              "CONVERGED": CONVERGED, "LINK": LINK, "HOVER": HOVER}
"""dict: every colour by its name, for the HTML templates."""


def rgb(color):
    """``'#rrggbb'`` → ``(r, g, b)`` in 0..255, for Pillow.

    Examples
    --------
    >>> rgb("#b2182b")
    (178, 24, 43)
    """
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
