"""The fixed palette of an animation and the palette-indexed frames it gives.

:class:`Palette` maps RGB frames to the indices of at most 255 colours fixed for a whole
animation (so colours never flicker). :class:`ChangedRects` turns a stream of such index
frames into the rectangles each frame changes on screen, which the GIF writer and the HTML
player both store.
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["Palette", "ChangedRects"]

_LITTLE_ENDIAN = sys.byteorder == "little"


# ---------------------------------------------------------------------------------- palette
def _nearest_cells(colors):
    """Index of the colour nearest the centre of each 5-6-5 cell, ndarray of shape (65536,), uint8.

    ``|c - p|^2 = |c|^2 - 2 c.p + |p|^2``, where ``|c|^2`` is the same for every ``p``; the
    rest is summed per red slab from a table of the green and blue terms. Every term and sum
    is an integer below 2**24, so float32 holds them exactly (no rounding can change which
    colour is nearest) and the first of equally near colours wins, as ``argmin`` gives it.
    No matrix product: BLAS's threads cost more than they save on these thin products.
    """
    red = ((np.arange(32) << 3) + 4).astype(np.float32)
    green = ((np.arange(64) << 2) + 2).astype(np.float32)
    blue = red
    pal = colors.astype(np.float32)
    minus_two_p = -2.0 * pal  # (n, 3)
    green_blue = (green[:, None, None] * minus_two_p[:, 1] + blue[None, :, None] * minus_two_p[:, 2]).reshape(-1, len(pal))
    squares = (pal**2).sum(axis=1)
    lut = np.empty((32, 64 * 32), dtype=np.uint8)
    for i, r in enumerate(red):
        lut[i] = ((r * minus_two_p[:, 0] + squares)[None, :] + green_blue).argmin(axis=1)
    return lut.ravel()


class Palette:
    """A fixed palette of at most 255 colours and a fast RGB → index lookup.

    The lookup is a table over RGB quantised to 5-6-5 bits (65 536 cells), each cell holding
    the palette colour nearest to its centre; colours listed in ``key_colors`` are always in
    the palette exactly.

    Parameters
    ----------
    colors : ndarray of shape (n_colors, 3), dtype uint8
        ``n_colors <= 255``; index 255 is left for transparency.
    n_exact : int, default=0
        The first ``n_exact`` colours are the picture's own colours (colour-map bands, class
        colours, lines): a lossy writer never lets one stand in for another.
    """

    def __init__(self, colors, n_exact=0):
        colors = np.asarray(colors, dtype=np.uint8).reshape(-1, 3)
        if not 1 <= len(colors) <= 255:
            raise ValueError(f"colors must hold 1 to 255 colours. Got {len(colors)}.")
        self.colors = colors
        self.n_exact = int(n_exact)
        self.lut = _nearest_cells(colors)
        # every palette colour wins its own cell; where two share a cell, the earlier
        # (an exact colour before a sampled in-between one) wins
        pal = colors.astype(np.int32)
        for i in range(len(pal) - 1, -1, -1):
            c = pal[i]
            self.lut[(c[0] >> 3) << 11 | (c[1] >> 2) << 5 | (c[2] >> 3)] = i
        self._lut_rgba = None  # the same table over 24-bit colours, made on first use

    @classmethod
    def from_frames(cls, key_colors, frames, n_colors=255):
        """Key colours plus the most common other colours of some sample frames.

        Parameters
        ----------
        key_colors : ndarray of shape (k, 3), dtype uint8
            Colours that must be exact (colour map levels, class colours, lines).
        frames : iterable of ndarray of shape (H, W, 3), dtype uint8
            Sample frames (for example the first, middle and last).
        n_colors : int, default=255

        Returns
        -------
        Palette
        """
        from PIL import Image

        keys = np.unique(np.asarray(key_colors, dtype=np.uint8).reshape(-1, 3), axis=0)
        frames = [np.asarray(f, dtype=np.uint8) for f in frames]
        room = n_colors - len(keys)
        extra = np.zeros((0, 3), dtype=np.uint8)
        if room > 0 and frames:
            # a quarter of a million pixels are plenty to find the common in-between colours
            # (every third pixel each way of three 960 x 560 frames): as close a palette as
            # from twice as many, in half the time
            total = sum(f.shape[0] * f.shape[1] for f in frames)
            step = 2
            while total / step**2 > 250_000:
                step += 1
            stacked = Image.fromarray(np.concatenate([f[::step, ::step, :3] for f in frames], axis=0))
            quant = stacked.quantize(colors=room, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            extra = np.array(quant.getpalette()[: 3 * room], dtype=np.uint8).reshape(-1, 3)
            counts = np.bincount(np.asarray(quant).ravel(), minlength=256)[: len(extra)]
            extra = extra[counts > 0]
        colors = np.concatenate([keys, extra])
        _, first = np.unique(colors, axis=0, return_index=True)
        return cls(colors[np.sort(first)][:n_colors], n_exact=min(len(keys), n_colors))

    def index(self, rgb):
        """Palette indices of an RGB frame.

        Parameters
        ----------
        rgb : ndarray of shape (H, W, 3) or (H, W, 4), dtype uint8
            Any strides (a view such as ``frame[::2, ::2]`` is fine).

        Returns
        -------
        ndarray of shape (H, W), dtype uint8
        """
        if rgb.shape[2] == 4 and rgb.dtype == np.uint8 and rgb.strides[2] == 1 and _LITTLE_ENDIAN:
            word = rgb.view(np.uint32)[:, :, 0]  # RGBA as one word per pixel, R in the low byte
            if rgb.shape[0] * rgb.shape[1] < 250_000 and self._lut_rgba is None:
                key = ((word & 0xF8) << 8) | ((word >> 5) & 0x7E0) | ((word >> 19) & 0x1F)
                return self.lut.take(key)
            # the low 24 bits index a table of every RGB colour: 16 MB, made once frames
            # of a quarter megapixel come; two passes over the frame instead of eight
            if self._lut_rgba is None:
                by_rgb = self.lut.reshape(32, 64, 32)  # [r >> 3, g >> 2, b >> 3]
                by_bgr = np.ascontiguousarray(by_rgb.transpose(2, 1, 0))
                # widen the innermost axis first, while the array is small (1 ms, not 8)
                wide = np.repeat(np.repeat(by_bgr, 8, axis=2), 4, axis=1)
                self._lut_rgba = np.repeat(wide, 8, axis=0).ravel()
            return self._lut_rgba.take(word & 0xFFFFFF)
        r = rgb[:, :, 0].astype(np.uint16)
        g = rgb[:, :, 1].astype(np.uint16)
        b = rgb[:, :, 2].astype(np.uint16)
        key = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)
        return self.lut.take(key)

    def closeness(self, tolerance):
        """ndarray of shape (256, 256), bool: colours within ``tolerance`` in every channel.

        Only in-between colours (antialiasing) are ever close to each other: a pixel that
        is, or becomes, one of the exact colours always shows it, so moving bands and lines
        leave no trails.
        """
        close = np.zeros((256, 256), dtype=bool)
        c = self.colors.astype(np.int16)
        n = len(c)
        close[:n, :n] = np.abs(c[:, None, :] - c[None, :, :]).max(axis=-1) <= tolerance
        k = self.n_exact
        close[:k, :] = False
        close[:, :k] = False
        close[np.arange(256), np.arange(256)] = True
        return close

    def to_rgb(self, indices):
        """RGB image of palette ``indices``, ndarray of shape (H, W, 3)."""
        return self.colors[indices]


# ------------------------------------------------------------------------ changed rectangles
class ChangedRects:
    """What each palette frame changes on screen: the rectangle a GIF frame stores.

    The first frame is stored whole. Each later frame is cropped to the rectangle around the
    pixels whose shown colour must change, with :attr:`TRANSPARENT` where the shown colour
    stays (unchanged, or within ``tolerance`` of the new colour, see
    :meth:`Palette.closeness`). Decoding the rectangles in order (drawing every index but
    :attr:`TRANSPARENT`) gives exactly the frames a GIF of them shows; the GIF writer and
    the HTML player both store these rectangles.

    Parameters
    ----------
    palette : Palette
    tolerance : int, default=0
        As for :class:`~boundaryviz.output.writers.GifWriter`.

    Attributes
    ----------
    shown : ndarray of shape (H, W), dtype uint8, or None
        The indices on screen after the rectangles so far (``None`` before the first).

    Examples
    --------
    >>> import numpy as np
    >>> rects = ChangedRects(Palette([[0, 0, 0], [255, 255, 255]]))
    >>> rects.next(np.zeros((4, 4), np.uint8))[0]
    (0, 0, 4, 4)
    >>> frame = np.zeros((4, 4), np.uint8); frame[1, 2] = 1
    >>> rects.next(frame)
    ((2, 1, 3, 2), array([[1]], dtype=uint8))
    """

    TRANSPARENT = 255

    def __init__(self, palette, tolerance=0):
        # close[i * 256 + j]: colour i may stay on screen where colour j is asked for
        self._close = palette.closeness(tolerance).ravel()
        self.shown = None

    def next(self, indices):
        """The rectangle that shows frame ``indices`` over what is shown; updates :attr:`shown`.

        Parameters
        ----------
        indices : ndarray of shape (H, W), dtype uint8
            Palette indices of the frame (the first frame's size fixes every later one's).

        Returns
        -------
        box : tuple of int
            ``(left, top, right, bottom)`` in pixels; ``(0, 0, 1, 1)`` with one transparent
            pixel when nothing changes.
        data : ndarray of shape (bottom - top, right - left), dtype uint8
            The rectangle's indices, :attr:`TRANSPARENT` where the shown colour stays.
        """
        height, width = indices.shape
        if self.shown is None:
            self.shown = indices.copy()  # what is shown, updated in place from here on
            return (0, 0, width, height), indices
        shown = self.shown
        if shown.shape != indices.shape:
            raise ValueError(f"every frame must have the first one's size {shown.shape[::-1]}. "
                             f"Got {indices.shape[::-1]}.")
        where = np.flatnonzero(indices != shown)  # flat positions whose index differs
        if where.size:
            # of those, the ones close to what is shown stay as they are
            pairs = shown.ravel().take(where).astype(np.intp) * 256 + indices.ravel().take(where)
            where = where[~self._close.take(pairs)]
        if where.size == 0:
            # nothing to change: one transparent pixel keeps the frame count, and the screen
            # keeps what it shows (close colours must not drift)
            return (0, 0, 1, 1), np.full((1, 1), self.TRANSPARENT, np.uint8)
        rows, cols = np.divmod(where, width)  # rows increase with the flat position
        top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols.min()), int(cols.max()) + 1
        fresh = indices.ravel().take(where)
        # the changed rectangle, transparent where nothing changes
        data = np.full((bottom - top, right - left), self.TRANSPARENT, np.uint8)
        data[rows - top, cols - left] = fresh
        shown.ravel()[where] = fresh
        return (left, top, right, bottom), data
