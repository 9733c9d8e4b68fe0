"""Grid pictures drawn with Pillow: the font, the layout of tiles, headers and label bands."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .. import _colors
from .._colors import rgb

__all__ = ["Sheet", "font", "shrink", "INK", "MUTED", "STOPPED", "BACKGROUND"]

INK = rgb(_colors.INK)
MUTED = rgb(_colors.MUTED)
STOPPED = rgb(_colors.STOPPED)
BACKGROUND = rgb(_colors.PAPER)


def font(size, bold=False):
    """DejaVu Sans as matplotlib ships it (the frames' font), or Pillow's own font.

    The file is found without importing matplotlib (a third of a second), and it is the
    bundled copy, not a system one, so every machine draws the same pixels.
    """
    import importlib.util

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        path = os.path.join(os.path.dirname(spec.origin), "mpl-data", "fonts", "ttf", name)
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    try:  # pragma: no cover - matplotlib always ships DejaVu Sans
        from matplotlib import font_manager

        props = font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
        return ImageFont.truetype(font_manager.findfont(props, fallback_to_default=True), size)
    except (OSError, ValueError):  # pragma: no cover
        return ImageFont.load_default(size)


class Sheet:
    """Where tiles, headers and per-tile label bands go on a grid picture.

    Layout, top to bottom: a title line, a row of column headers, then per grid row a label
    band above each tile and the tile itself; the row headers run down the left.
    """

    PAD = 12
    GAP = 14
    TITLE = 34
    HEADER = 26
    BAND = 22

    def __init__(self, rows, cols, tile_size, title):
        self.rows, self.cols = list(rows), list(cols)  # header texts
        self.tile_w, self.tile_h = tile_size
        self.title = title
        self.font = font(13)
        self.bold = font(14, bold=True)
        self.title_font = font(16, bold=True)
        probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
        self.left = self.PAD + max(probe.textlength(r, font=self.bold) for r in rows) + self.GAP
        self.left = int(np.ceil(self.left))
        self.top = self.PAD + self.TITLE + self.HEADER
        self.cell_h = self.BAND + self.tile_h + self.GAP
        width = self.left + len(cols) * (self.tile_w + self.GAP) - self.GAP + self.PAD
        height = self.top + len(rows) * self.cell_h - self.GAP + self.PAD
        self.size = (width + width % 2, height + height % 2)  # even, for video

    def tile_origin(self, row, col):
        """Top-left pixel of the tile (below its band)."""
        return self.left + col * (self.tile_w + self.GAP), self.top + row * self.cell_h + self.BAND

    def background(self, subtitle=""):
        image = Image.new("RGB", self.size, BACKGROUND)
        draw = ImageDraw.Draw(image)
        draw.text((self.PAD, self.PAD + 2), self.title, font=self.title_font, fill=INK)
        if subtitle:
            x = self.PAD + draw.textlength(self.title, font=self.title_font) + 16
            draw.text((x, self.PAD + 4), subtitle, font=self.font, fill=MUTED)
        for c, text in enumerate(self.cols):
            x, _ = self.tile_origin(0, c)
            draw.text((x + self.tile_w / 2, self.PAD + self.TITLE + self.HEADER / 2), text,
                      font=self.bold, fill=INK, anchor="mm")
        for r, text in enumerate(self.rows):
            _, y = self.tile_origin(r, 0)
            draw.text((self.PAD, y + self.tile_h / 2), text, font=self.bold, fill=INK, anchor="lm")
        return image

    def band(self, draw, row, col, left, right="", stopped=False):
        """Write a tile's label band: ``left`` in grey, ``right`` aligned right (red if stopped)."""
        x, y = self.tile_origin(row, col)
        mid = y - self.BAND / 2
        draw.text((x + 2, mid), left, font=self.font, fill=MUTED, anchor="lm")
        if right:
            draw.text((x + self.tile_w - 2, mid), right, font=self.font, fill=STOPPED if stopped else MUTED,
                      anchor="rm")
        if stopped:
            draw.rectangle((x - 3, y - 3, x + self.tile_w + 2, y + self.tile_h + 2), outline=STOPPED, width=3)

    def empty(self, draw, row, col, text):
        x, y = self.tile_origin(row, col)
        draw.rectangle((x, y, x + self.tile_w - 1, y + self.tile_h - 1), outline=rgb(_colors.LINE), width=1)
        draw.text((x + self.tile_w / 2, y + self.tile_h / 2), text, font=self.font, fill=MUTED, anchor="mm")


def shrink(frame, size):
    """A frame scaled smoothly down to ``size`` (width, height), for still pictures."""
    image = Image.fromarray(np.ascontiguousarray(frame[:, :, :3]))
    return image.resize(size, Image.Resampling.LANCZOS)
