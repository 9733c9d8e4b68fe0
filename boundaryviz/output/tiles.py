"""Half-size copies of an animation's frames, kept compressed: the tiles of a compare animation.

A worker that renders a run can keep each frame it writes at half size (every other pixel
each way, so the tiles hold only the animation's own colours), as indices into the
animation's palette, zlib-compressed: about 10 kB a frame instead of 400 kB of RGB. They
travel back to the parent process with the run's result, and the gallery lays the runs side
by side without drawing any of them again.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Tiles", "TileRecorder", "half", "MAX_TILES"]

MAX_TILES = 60
"""Most tiles a run keeps by default: as many as a compare animation shows (and a 2 MB GIF
of six runs holds)."""


def half(frame):
    """Every other pixel of a frame each way.

    Parameters
    ----------
    frame : ndarray of shape (H, W, 3) or (H, W, 4), dtype uint8

    Returns
    -------
    ndarray of shape (ceil(H / 2), ceil(W / 2), 3), dtype uint8
        A new array (the frame may be a canvas buffer that changes next).
    """
    return np.ascontiguousarray(frame[::2, ::2, :3])


@dataclass(frozen=True, eq=False)
class Tiles:
    """Half-size frames of one run, in the order they were drawn.

    Attributes
    ----------
    indices : tuple of int
        Snapshot index of each tile, increasing.
    shape : tuple of int
        ``(height, width)`` of every tile.
    layer : int
        The hidden layer (0-based) the frames show.
    chunks : tuple of bytes
        Each tile's pixels, zlib-compressed: palette indices (one byte a pixel) when
        ``colors`` is given, else RGB.
    key_colors : ndarray of shape (k, 3), dtype uint8
        The colours the frames are made of (:meth:`Renderer.key_colors
        <boundaryviz.Renderer.key_colors>`), for the palette of a compare animation.
    colors : ndarray of shape (n_colors, 3), dtype uint8, or None
        The palette the indices refer to.
    """

    indices: tuple
    shape: tuple
    layer: int
    chunks: tuple = field(repr=False)
    key_colors: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 3), np.uint8))
    colors: np.ndarray | None = field(repr=False, default=None)

    def __len__(self):
        return len(self.indices)

    def image(self, k):
        """Tile ``k``.

        Returns
        -------
        ndarray of shape (height, width, 3), dtype uint8
        """
        if self.colors is None:
            return np.frombuffer(zlib.decompress(self.chunks[k]), dtype=np.uint8).reshape(*self.shape, 3)
        return self.rgba(k)[:, :, :3]

    def rgba(self, k):
        """Tile ``k`` with an opaque alpha channel (contiguous, quick to paste).

        Returns
        -------
        ndarray of shape (height, width, 4), dtype uint8
        """
        flat = np.frombuffer(zlib.decompress(self.chunks[k]), dtype=np.uint8)
        if self.colors is None:
            rgb = flat.reshape(*self.shape, 3)
            return np.concatenate([rgb, np.full((*self.shape, 1), 255, np.uint8)], axis=2)
        # one 32-bit word per colour: a lookup four times quicker than indexing RGB rows
        words = np.zeros((256, 4), np.uint8)
        words[: len(self.colors), :3] = self.colors
        words[:, 3] = 255
        return words.view(np.uint32)[:, 0].take(flat).view(np.uint8).reshape(*self.shape, 4)

    def latest(self, index):
        """Position of the last tile at or before snapshot ``index`` (0 when none is)."""
        return max(int(np.searchsorted(self.indices, index, side="right")) - 1, 0)


class TileRecorder:
    """Keeps a tile of every frame it is given; pass :meth:`add` as ``on_frame`` to
    :func:`~boundaryviz.save_animations`.

    Parameters
    ----------
    palette : Palette, optional
        The animation's palette (:func:`~boundaryviz.animation_palette`): tiles are
        kept as its indices, a third the size of RGB and quicker to compress. Colours not in
        it map to the nearest.
    keep : iterable of int, optional
        The snapshot indices to keep tiles of; frames of others are passed over. By default
        every frame's (see :meth:`evenly` for at most ``MAX_TILES`` of them).

    Examples
    --------
    >>> import numpy as np
    >>> recorder = TileRecorder()
    >>> recorder.add(0, np.zeros((4, 6, 4), np.uint8))
    >>> recorder.tiles(layer=0).shape
    (2, 3)
    """

    def __init__(self, palette=None, keep=None):
        from .palette import Palette

        if palette is not None and not isinstance(palette, Palette):
            raise TypeError(f"palette must be a boundaryviz Palette. Got {type(palette).__name__}.")
        self.palette = palette
        self.keep = None if keep is None else frozenset(int(i) for i in keep)
        self._indices = []
        self._chunks = []
        self._shape = None

    @classmethod
    def evenly(cls, frames, palette=None, max_tiles=MAX_TILES):
        """A recorder that keeps at most ``max_tiles`` of an animation's frames, evenly
        spaced, the first and last included: a long run's tiles stay a few hundred kB.

        Parameters
        ----------
        frames : ndarray of shape (n_frames,), dtype int
            The snapshot indices the animation shows (:func:`~boundaryviz.frame_indices`).
        palette : Palette, optional
        max_tiles : int, default=60

        Returns
        -------
        TileRecorder
        """
        from .._validation import check_int
        from .animation import frame_indices

        max_tiles = check_int(max_tiles, "max_tiles", low=2)
        frames = np.asarray(frames)
        if frames.ndim != 1 or frames.size == 0 or frames.dtype.kind not in "iu":
            raise ValueError(f"frames must be a non-empty sequence of snapshot indices. Got {frames!r}.")
        return cls(palette, keep=frames[frame_indices(len(frames), max_tiles)])

    def add(self, index, frame):
        """Keep a tile of ``frame``, the picture of snapshot ``index`` (if it is one to keep)."""
        if self.keep is not None and int(index) not in self.keep:
            return
        if self.palette is None:
            tile = half(frame)
        else:
            tile = self.palette.index(frame[::2, ::2])
        if self._shape is None:
            self._shape = tile.shape[:2]
        elif tile.shape[:2] != self._shape:
            raise ValueError(f"frame must keep one size; got {frame.shape[:2]} after {self._shape} (halved).")
        if self._indices and index <= self._indices[-1]:
            raise ValueError(f"index must increase; got {index} after {self._indices[-1]}.")
        self._indices.append(int(index))
        self._chunks.append(zlib.compress(tile, 1))  # level 1: fast, and the frames are flat

    def tiles(self, layer, key_colors=None):
        """The tiles so far.

        Parameters
        ----------
        layer : int
            The hidden layer the frames show.
        key_colors : ndarray of shape (k, 3), optional
            The colours the frames are made of.

        Returns
        -------
        Tiles
        """
        if not self._indices:
            raise ValueError("no frame was recorded.")
        keys = np.zeros((0, 3), np.uint8) if key_colors is None else np.asarray(key_colors, np.uint8).reshape(-1, 3)
        colors = None if self.palette is None else self.palette.colors
        return Tiles(tuple(self._indices), tuple(self._shape), int(layer), tuple(self._chunks), keys, colors)
