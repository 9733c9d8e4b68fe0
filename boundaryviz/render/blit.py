"""The fast drawing path: a frame composed from a cached background and cached pixels.

Drawing a whole figure with Agg costs tens of milliseconds; most of it never changes. A
:class:`Blitter` draws the figure once without its animated artists, keeps that background,
and for each frame restores it, writes the probability fields straight into the canvas
buffer through a lookup table (:class:`_FieldPixels`), draws each axes' animated artists in
z-order, blends back the spines the fields covered (:class:`_Overlay`), stamps texts whose
string never changes from sprites (:class:`_Sprite`) and composes the status values from
cached glyphs (:class:`_Digits`).

The plain ``canvas.draw()`` of :meth:`Renderer.frame_full_redraw
<boundaryviz.Renderer.frame_full_redraw>` is the reference this path is tested
against.
"""

from __future__ import annotations

import re

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .style import field_thresholds

__all__ = ["Blitter"]


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
    def batch(cls, specs, width=None):
        """Render ``(text_artist, string or None, ha or None)`` specs into sprites.

        ``width`` is each sprite's slot width in pixels (default :attr:`SLOT`; a long title needs
        more); the slot is :attr:`SLOT` pixels high.

        Returns
        -------
        list of _Sprite
        """
        if not specs:
            return []
        dpi = specs[0][0].figure.dpi
        size = cls.SLOT
        wide = size if width is None else width
        scratch = Figure(figsize=(wide * len(specs) / dpi, size / dpi), dpi=dpi)
        scratch.patch.set_alpha(0)
        canvas = FigureCanvasAgg(scratch)
        anchors = []
        for k, (text, string, ha) in enumerate(specs):
            ha = ha or text.get_horizontalalignment()
            # the anchor sits on a whole pixel, left of centre for left-aligned text
            anchor = (k * wide + (wide // 8 if ha == "left" else wide // 2), size // 2)
            copy = scratch.text(*anchor, text.get_text() if string is None else string,
                                fontproperties=text.get_fontproperties(), color=text.get_color(),
                                ha=ha, va=text.get_verticalalignment(), transform=None,
                                parse_math=text.get_parse_math())
            patch = text.get_bbox_patch()
            if patch is not None:
                copy.set_bbox(dict(boxstyle=patch.get_boxstyle(), fc=patch.get_facecolor(),
                                   ec=patch.get_edgecolor(), lw=patch.get_linewidth()))
            anchors.append(anchor)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba()).astype(np.float32) / 255.0
        sprites = []
        for k, anchor in enumerate(anchors):
            slot = rgba[:, k * wide : (k + 1) * wide]
            alpha = slot[:, :, 3]
            rows = np.flatnonzero(alpha.any(axis=1))
            cols = np.flatnonzero(alpha.any(axis=0))
            if rows.size == 0:
                sprites.append(cls(np.zeros((0, 0, 3), np.float32), np.zeros((0, 0, 1), np.float32), (0, 0)))
                continue
            window = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
            a = alpha[window][:, :, None]
            # where the crop's top-left sits relative to the anchor pixel (buffer rows go down)
            offset = (int(rows[0]) - (size - anchor[1]), int(cols[0]) + k * wide - anchor[0])
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
        self._font = get_font(findfont(prop))
        self._size = (prop.get_size_in_points(), text.figure.dpi)
        self.advance = {}
        self.width(self.ALPHABET)
        sprites = _Sprite.batch([(text, c, "left") for c in self.ALPHABET])
        self.glyphs = dict(zip(self.ALPHABET, sprites))

    def covers(self, string):
        return all(c in self.glyphs for c in string)

    def width(self, string):
        """The sum of the hinted advances of ``string``'s characters, in pixels (any characters)."""
        new = [c for c in set(string) if c not in self.advance]
        if new:
            self._font.set_size(*self._size)  # the font object is matplotlib's, shared
            self.advance.update({c: self._font.load_char(ord(c)).horiAdvance / 64 for c in new})
        return sum(self.advance[c] for c in string)

    def stamp(self, buffer, string, x, y, align):
        """Blend ``string`` with its left or right end at display ``x`` and centre line ``y``."""
        width = self.width(string)
        cursor = x - width if align == "right" else x
        for c in string:
            self.glyphs[c].stamp(buffer, cursor, y)
            cursor += self.advance[c]


class _FieldPixels:
    """Writes a probability field straight into the canvas buffer through a lookup table.

    Mirrors what ``imshow(..., interpolation='nearest')`` draws, without resampling through
    matplotlib: a table maps each field cell to its colour, and fixed index arrays map each
    pixel of the axes to its nearest cell.
    """

    def __init__(self, ax, field_shape, extent, cmap, fig_height):
        n_levels = cmap.N
        self.thresholds = field_thresholds(n_levels)  # bands straight from logits
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
        """Paint a field of K-class ``levels`` (:func:`~boundaryviz.render.class_colors.class_levels`)
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


_SHARE = re.compile(r"\d+(?= %)")
"""A whole-percent share in a text ("agrees at 91 % of points")."""


def _changing_sprite_step(text, width):
    """Stamp a text whose string changes only in a share in whole percent (the view plane's
    agreement, centred in the input panel's title).

    The words before and after the share are each a sprite rendered once, the share is
    composed from cached glyphs (:class:`_Digits`, hinted advances), the three placed where
    Agg would start the whole string and its share: a new share costs nothing to draw (a whole title took Agg
    5-10 ms, and a run shows ten to twenty-five shares). A string without a share gets a
    sprite of its own.
    """
    whole, parts, digits, layout = {}, {}, [], {}

    def step(renderer, buffer):
        if not text.get_visible():
            return
        string = text.get_text()
        x, y = text.get_transform().transform(text.get_position())
        share = _SHARE.search(string)
        if share is None or text.get_horizontalalignment() != "center":
            if string not in whole:
                whole[string] = _Sprite.batch([(text, None, None)], width=width)[0]
            whole[string].stamp(buffer, x, y)
            return
        head, number, tail = string[: share.start()], share.group(), string[share.end() :]
        if not digits:
            digits.append(_Digits(text))
        glyphs = digits[0]
        missing = [part for part in dict.fromkeys((head, tail)) if part not in parts]
        if missing:
            parts.update(zip(missing, _Sprite.batch([(text, part, "left") for part in missing], width=width)))
        # where Agg starts the whole string and where its share starts (the whole string's
        # layout width less that of the share and the tail: Agg kerns, so the head's summed
        # advances may be a few pixels off), the same for every share of as many digits
        # (digits have one advance): asked of Agg once (2 ms) for each count
        key = (head, tail, len(number))
        if key not in layout:
            props = text.get_fontproperties()
            layout[key] = [renderer.get_text_width_height_descent(part, props, False)[0]
                           for part in (string, string[share.start() :])]
        whole_width, rest_width = layout[key]
        left = x - whole_width / 2
        start = left + whole_width - rest_width
        parts[head].stamp(buffer, left, y)
        glyphs.stamp(buffer, number, start, y, "left")
        parts[tail].stamp(buffer, start + glyphs.width(number), y)

    return step


def _sprite_step(text, sprite):
    def step(renderer, buffer):
        if text.get_visible():
            x, y = text.get_transform().transform(text.get_position())
            sprite.stamp(buffer, x, y)

    return step


class Blitter:
    """Composes frames of a figure from a cached background, field pixels and sprites.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        With an Agg canvas, laid out: the background is drawn on the first :meth:`draw`.
    field_panels : sequence of panels
        Each with an ``image`` (the field's AxesImage, under everything else in its axes),
        ``ax``, ``level_colors`` (RGBA bytes per K-class level, or None) and the ``view``
        shown (its ``logits`` of shape (ny, nx) or ``levels``).
    animated : list of matplotlib.artist.Artist
        Every artist that changes between frames, the field images and ``status.artists``
        among them; they are left out of the background.
    status : StatusLine
        Its ``values`` (the last is the ``note``) are composed from cached glyphs.
    sprite_texts : list of matplotlib.text.Text
        Texts that only move (the h1, h2, ... labels): stamped from a sprite each.
    cmap : matplotlib.colors.Colormap
        Of the two-class fields.
    changing_texts : list of matplotlib.text.Text, optional
        Texts whose string changes among a few (the view plane's agreement in the input
        panel's title): stamped from one sprite per string.
    still_artists : list of matplotlib.artist.Artist, optional
        Animated artists that never change but lie above the fields (a view plane's faded
        samples, which keep their place on the plane): each axes' group is drawn once,
        captured as one :class:`_Overlay` and blended back where the first of them comes in
        z-order. Agg blends overlapping translucent markers one by one, in whole levels, and
        the overlay in one step: a pixel may differ from a full draw by a level or two.
    """

    def __init__(self, figure, field_panels, animated, status, sprite_texts, cmap, changing_texts=(),
                 still_artists=()):
        self.figure = figure
        self.canvas = figure.canvas
        self.field_panels = tuple(field_panels)
        self.status = status
        self.cmap = cmap
        self._images = tuple(panel.image for panel in self.field_panels)
        self._sprite_texts = list(sprite_texts)
        self._changing_texts = list(changing_texts)
        self._still = list(still_artists)
        # The fields are drawn as pixels; every other animated artist is drawn per axes in
        # z-order, then the axes' spines on top, as a full draw would.
        self._spines = [sp for panel in self.field_panels for sp in panel.ax.spines.values()]
        self._animated = list(animated) + self._spines
        self._background = None
        self._pixels = None
        self._steps = None
        self._digits = None

    def set_animated(self, flag):
        """Mark the animated artists (``True``: left out of a full draw, for blitting; ``False``
        before a plain full draw of the figure)."""
        for artist in self._animated:
            artist.set_animated(flag)

    def draw(self):
        """Compose the frame the artists and the field panels' views show now.

        Returns
        -------
        ndarray of shape (height, width, 4), dtype uint8
            The canvas buffer: valid until the next draw.
        """
        if self._background is None:
            self.set_animated(True)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.set_animated(True)
        if self._steps is None:
            self._plan()
        self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        buffer = np.asarray(self.canvas.buffer_rgba())
        for pixels, panel in zip(self._pixels, self.field_panels):
            view = panel.view
            if view.levels is not None:
                pixels.write_levels(buffer, view.levels, panel.level_colors)
            else:
                pixels.write(buffer, view.logits)
        for step in self._steps:
            step(renderer, buffer)
        return buffer

    def _plan(self):
        """Plan the blit: field pixels, then each axes' artists in z-order, then the status.

        Texts whose string never changes (the h1, h2, ... labels) are stamped from sprites;
        the status values are composed from cached glyphs.
        """
        height = self.figure.bbox.height
        self._pixels = tuple(
            _FieldPixels(image.axes, image.get_array().shape,
                         np.reshape(image.get_extent(), (2, 2)), self.cmap, height)
            for image in self._images
        )
        status = set(self.status.artists)
        animated = [a for a in self._animated
                    if a not in self._images and a not in self._spines and a not in status]
        labels = self._sprite_texts
        sprites = dict(zip(labels, _Sprite.batch([(label, None, None) for label in labels])))
        steps = []
        for ax in self.figure.axes:
            mine = sorted((a for a in animated if a.axes is ax), key=lambda a: a.get_zorder())
            still = [a for a in mine if a in self._still]
            for artist in mine:
                if artist in still:
                    if artist is still[0]:  # the whole group, blended at the first one's place
                        steps.append(_overlay_step(_Overlay(self.canvas, still, ax.bbox)))
                elif artist in sprites:
                    steps.append(_sprite_step(artist, sprites[artist]))
                elif artist in self._changing_texts:
                    steps.append(_changing_sprite_step(artist, int(self.figure.bbox.width)))
                else:
                    steps.append(_draw_step(artist))
            if any(image.axes is ax for image in self._images):
                # the field pixels covered the spines: blend them back, captured once
                steps.append(_overlay_step(_Overlay(self.canvas, list(ax.spines.values()), ax.bbox)))
        steps.append(lambda renderer, buffer: self._stamp_status(buffer))
        self._steps = steps

    def _stamp_status(self, buffer):
        """Draw the status values from cached glyphs (the note, rare, as a normal text)."""
        if self._digits is None:
            self._digits = _Digits(self.status.values[0])
        renderer = self.canvas.get_renderer()
        note = self.status.note
        for text in self.status.values:
            string = text.get_text()
            if not string:
                continue
            x, y = text.get_transform().transform(text.get_position())
            if text is not note and self._digits.covers(string):
                self._digits.stamp(buffer, string, x, y, text.get_horizontalalignment())
            else:
                text.draw(renderer)
