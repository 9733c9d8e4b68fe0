"""A self-contained HTML player of an animation: one file, no request leaves the page.

The player shows exactly the GIF's frames: it stores the same changed rectangles of palette
indices that :class:`~boundaryviz.output.writers.GifWriter` stores (:class:`~boundaryviz.output.palette.ChangedRects`,
same palette, same tolerance), each deflated (``deflate-raw``) instead of LZW-coded, all in one
base64 block inside the page. The page's script unpacks them with the browser's own
``DecompressionStream`` and paints palette colours into a ``<canvas>``, so every pixel is the
GIF's. Deflate packs these frames 5-15 % tighter than the GIF's LZW, which pays back part of
base64's third: a default run's player is 1.13-1.27 times its GIF, at most 1.86 MB
(``benchmarks/bench_player.py``).

The page has play / pause, a slider over the frames showing the epoch, ← / → (one frame),
Home / End, space (play / pause), a speed choice and a loop switch. It starts playing unless
the reader prefers reduced motion. ``#epoch=N`` in the address opens it paused at the frame
nearest epoch ``N``; a key press or a drag of the slider pauses it. Its root element
(``#bv-player``) carries ``data-epoch`` (the epoch shown), ``data-frame`` and
``data-playing``, for tests and scripts.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import zlib
from importlib import resources

import numpy as np

from .._colors import CSS_COLORS
from .._version import __version__
from .atomic import AtomicWriter
from .palette import ChangedRects
from .writers import frame_delays_ms

__all__ = ["PlayerWriter", "BAR_HEIGHT", "player_size", "fluid_player_style", "read_player_size", "page_frame_size"]

BAR_HEIGHT = 44
"""Height in CSS pixels of the player's control bar, below the frame."""
_TEMPLATE = "player.html"
_DEFLATE_LEVEL = 8  # relu_lr0.01: 4 % smaller than level 6 at 16 ms a frame, not 6; level 9 is 56 ms for 2 % more


def _template():
    return resources.files(__package__).joinpath(_TEMPLATE).read_text(encoding="utf-8")


def player_size(frame_size, width=None):
    """(width, height) in CSS pixels of a player of frames of ``frame_size``: the frame and the bar.

    Parameters
    ----------
    frame_size : tuple of int
        ``(width, height)`` of the frames.
    width : int, optional
        The width the player is shown at (the frame scales with it, the bar does not);
        default the frames' own width.

    Returns
    -------
    tuple of int

    Examples
    --------
    >>> player_size((960, 560))
    (960, 604)
    >>> player_size((960, 560), width=480)
    (480, 324)
    """
    frame_width, frame_height = frame_size
    shown = int(frame_width) if width is None else int(width)
    return shown, int(round(frame_height * shown / frame_width)) + BAR_HEIGHT


def fluid_player_style(size):
    """CSS of an ``<iframe>`` of a player of ``size`` (:func:`player_size`) whose height follows
    its container's width: the frame scales, the bar does not, never wider than the frames."""
    width, height = size
    scaled = f"min(100cqw, {width}px) * {height - BAR_HEIGHT} / {width}"
    return f"max-width: {width}px; height: calc({scaled} + {BAR_HEIGHT}px)"


def page_frame_size(page):
    """(width, height) of the frames of a player page (its text), or None if it is not one."""
    match = re.search(r'data-width="(\d+)" data-height="(\d+)"', page)
    return (int(match[1]), int(match[2])) if match else None


def read_player_size(path):
    """(width, height) in CSS pixels of the player written at ``path`` (frame and bar).

    Returns
    -------
    tuple of int or None
        None when the file cannot be read or is not a boundaryviz player.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192).decode("utf-8", "replace")
    except OSError:
        return None
    size = page_frame_size(head)
    return None if size is None else player_size(size)


class PlayerWriter(AtomicWriter):
    """Collect frames into a self-contained HTML player (see the module's description).

    Frames are mapped to the palette and cut to their changed rectangles as they come (only
    the compressed rectangles are kept, a few kB to a few tens of kB each); the page is
    written when the block ends, under a temporary name then renamed into place.

    Parameters
    ----------
    path : str or os.PathLike
    fps : float
    palette : Palette
        The GIF's palette (:func:`~boundaryviz.animation_palette`).
    hold_last_ms : int, default=1500
        How long the last frame stays before the loop restarts.
    tolerance : int, default=0
        As for :class:`~boundaryviz.output.writers.GifWriter`; the same value gives the GIF's pixels.
    epochs : sequence of int, optional
        The epoch each frame shows, in order; without it the frames are numbered from 0 and
        the page says "frame" where it would say "epoch".
    title : str, optional
        The page's title and the canvas's text alternative (default: the file name).

    Examples
    --------
    >>> import numpy as np
    >>> from boundaryviz.output.player import PlayerWriter
    >>> from boundaryviz.output.palette import Palette
    >>> palette = Palette([[0, 0, 0], [255, 255, 255]])
    >>> with PlayerWriter("blink.html", fps=10, palette=palette, epochs=[0, 5]) as player:  # doctest: +SKIP
    ...     player.append(np.zeros((20, 20, 3), np.uint8))
    ...     player.append(np.full((20, 20, 3), 255, np.uint8))
    """

    def __init__(self, path, *, fps, palette, hold_last_ms=1500, tolerance=0, epochs=None, title=None):
        if palette is None:
            raise ValueError("an HTML player needs a palette.")
        super().__init__(path)
        self.fps = float(fps)
        self.palette = palette
        self.hold_last_ms = hold_last_ms
        self.epochs = None if epochs is None else [int(e) for e in epochs]
        self.title = title if title is not None else os.path.splitext(os.path.basename(self.path))[0]
        self.n_frames = 0
        self._changes = ChangedRects(palette, tolerance)
        self._boxes = []
        self._chunks = []

    def append(self, frame):
        """Add one frame, ndarray of shape (H, W, 3) (or 4, alpha ignored), dtype uint8."""
        if self.epochs is not None and self.n_frames >= len(self.epochs):
            raise ValueError(f"epochs names {len(self.epochs)} frames; a frame more was appended.")
        box, data = self._changes.next(self.palette.index(frame))
        packer = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -15)  # raw deflate, as the page unpacks it
        self._chunks.append(packer.compress(np.ascontiguousarray(data).tobytes()) + packer.flush())
        self._boxes.append(box)
        self.n_frames += 1

    def _finish(self):
        if not self._chunks:
            raise ValueError("an animation needs at least one frame; none was appended.")
        if self.epochs is not None and len(self.epochs) != self.n_frames:
            raise ValueError(f"epochs names {len(self.epochs)} frames; {self.n_frames} were appended.")
        page = self.page()
        with open(self._tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(page)
        self._chunks = []

    def _abort(self):
        self._chunks = []

    def page(self):
        """str: the HTML page of the frames appended so far."""
        height, width = self._changes.shown.shape
        n = self.n_frames
        labels = self.epochs if self.epochs is not None else list(range(n))
        unit = "epoch" if self.epochs is not None else "frame"
        meta = {
            "width": width,
            "height": height,
            "unit": unit,
            "palette": self.palette.colors.astype(int).ravel().tolist(),
            "labels": labels,
            "delays": frame_delays_ms(n, self.fps, self.hold_last_ms).tolist(),
            "boxes": [list(box) for box in self._boxes],
            "sizes": [len(chunk) for chunk in self._chunks],
        }
        # "</" cannot end the script element early when escaped
        meta_json = json.dumps(meta, separators=(",", ":")).replace("</", "<\\/")
        data = base64.b64encode(b"".join(self._chunks)).decode("ascii")
        lines = "\n".join(data[i : i + 4096] for i in range(0, len(data), 4096))
        values = {
            "VERSION": html.escape(__version__),
            "TITLE": html.escape(self.title, quote=True),
            "WIDTH": str(width),
            "HEIGHT": str(height),
            "BAR": str(BAR_HEIGHT),
            "N": str(n),
            "LAST": str(n - 1),
            "UNIT": unit,
            "FIRST_LABEL": str(labels[0]),
            "LAST_LABEL": str(labels[-1]),
            "META": meta_json,
            "DATA": lines,
            **CSS_COLORS,
        }
        return re.sub(r"__BV_([A-Z_]+?)__", lambda m: values[m[1]], _template())
