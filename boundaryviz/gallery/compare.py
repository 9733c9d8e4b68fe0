"""``compare.*``: one animation of every run side by side, advancing together through the epochs."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import numpy as np
from PIL import Image, ImageDraw

from ..output.animation import DEFAULT_FPS, DEFAULT_HOLD_LAST, GIF_TOLERANCE, animation_palette, frame_indices
from ..output.formats import check_format, get_format, open_writer
from ..output.palette import Palette
from ..output.tiles import MAX_TILES
from .entries import check_compare, grid_of, outcome, picture_titles, renderer_of
from .sheet import BACKGROUND, INK, MUTED, STOPPED, Sheet

__all__ = ["write_compare", "COMPARE_MAX_FRAMES"]

COMPARE_MAX_FRAMES = MAX_TILES
"""Most frames of ``compare.*``: the six reference runs in one GIF stay within 2 MB."""


class _CompareFrames:
    """Frames of every run side by side, one epoch of the shared timeline per frame.

    A run whose result brought :class:`~boundaryviz.output.tiles.Tiles` of the same layer is shown
    from them; any other run is drawn here, with its own renderer options, at the frames and
    in the colours its worker would have kept. The timeline is the longest run's kept frames,
    every k-th of them when there are more than ``max_frames``; each tile shows its run's
    last kept frame at or before the epoch (its band says which epoch that is).
    """

    def __init__(self, cells, rows, cols, *, max_frames, layer, resolution, held=""):
        self.cells = cells
        self.sources = {}
        for key, run in cells.items():
            tiles = run.result.tiles
            usable = (tiles is not None and resolution is None
                      and tiles.layer == layer % run.n_hidden)
            self.sources[key] = _KeptTiles(tiles) if usable else _DrawnTiles(run, layer, resolution)
        (self.tile,) = {source.size for source in self.sources.values()}  # one size: checked before
        longest = max(cells, key=lambda key: (cells[key].history.epochs_run, key))
        shown = self.sources[longest].indices
        self.epochs = shown[frame_indices(len(shown), max_frames)]
        self.last_epoch = int(self.epochs[-1])
        title, subtitle = picture_titles(cells, held)
        self.sheet = Sheet(rows, cols, self.tile, title)
        # RGBA: the frames then go to the palette as one word a pixel, the quick way
        self.background = self.sheet.background(subtitle).convert("RGBA")
        draw = ImageDraw.Draw(self.background)
        for r in range(len(rows)):
            for c in range(len(cols)):
                if (r, c) not in cells:
                    self.sheet.empty(draw, r, c, "not run")
        self._tiles = {}  # key -> (snapshot index, tile image)

    def __len__(self):
        return len(self.epochs)

    def key_colors(self):
        colors = [source.key_colors() for source in self.sources.values()]
        colors.append(np.array([INK, MUTED, STOPPED, BACKGROUND], np.uint8))
        return np.concatenate(colors)

    def frame(self, t):
        """The composite frame ``t``, ndarray of shape (H, W, 4), dtype uint8 (opaque)."""
        epoch = int(self.epochs[t])
        image = self.background.copy()
        draw = ImageDraw.Draw(image)
        draw.text((image.width - self.sheet.PAD, self.sheet.PAD + 4), f"epoch {epoch}/{self.last_epoch}",
                  font=self.sheet.bold, fill=INK, anchor="ra")
        for key, run in sorted(self.cells.items()):
            history = run.history
            source = self.sources[key]
            # snapshot i is epoch i: the last frame of this run at or before the epoch
            index = int(source.indices[source.latest(epoch)])
            cached = self._tiles.get(key)
            if cached is None or cached[0] != index:
                cached = (index, Image.fromarray(source.tile(index)))
                self._tiles[key] = cached
            image.paste(cached[1], self.sheet.tile_origin(*key))
            snap = history.snapshots[index]
            ended = epoch >= history.epochs_run and (history.epochs_run < self.last_epoch
                                                    or history.stop_reason != "max_epochs")
            left = f"epoch {snap.epoch} · loss {snap.loss:.4f} · accuracy {snap.accuracy:.1%}"
            if ended:
                _, reason = outcome(run.result)
                self.sheet.band(draw, *key, left, reason, stopped=True)
            else:
                self.sheet.band(draw, *key, left)
        return np.asarray(image)


class _KeptTiles:
    """Tiles a worker kept while it wrote the run's animation."""

    def __init__(self, tiles):
        self.tiles = tiles
        self.indices = np.asarray(tiles.indices)
        height, width = tiles.shape
        self.size = (width, height)

    def latest(self, epoch):
        return self.tiles.latest(epoch)

    def tile(self, index):
        return self.tiles.rgba(self.tiles.latest(index))

    def key_colors(self):
        return self.tiles.key_colors


class _DrawnTiles:
    """Tiles drawn here: the frames a worker would have kept (:meth:`TileRecorder.evenly
    <boundaryviz.output.tiles.TileRecorder.evenly>` of the run's own frames), in the colours of the
    run's palette, so a compare animation is the same whichever way its tiles came."""

    def __init__(self, run, layer, resolution):
        self.renderer = renderer_of(run, layer, resolution)
        frames = frame_indices(len(run.history), run.result.options.max_frames)
        self.indices = frames[frame_indices(len(frames), MAX_TILES)]
        self.palette = animation_palette(self.renderer, frames)
        width, height = self.renderer.size
        self.size = ((width + 1) // 2, (height + 1) // 2)

    def latest(self, epoch):
        return max(int(np.searchsorted(self.indices, epoch, side="right")) - 1, 0)

    def tile(self, index):
        return self.palette.to_rgb(self.palette.index(self.renderer.frame_rgba(index)[::2, ::2]))

    def key_colors(self):
        return self.renderer.key_colors()


def write_compare(results, out_dir, *, formats=("gif",), fps=DEFAULT_FPS, max_frames=COMPARE_MAX_FRAMES,
                  layer=-1, resolution=None, hold_last=DEFAULT_HOLD_LAST):
    """Write one animation of every run side by side: ``compare.<format>`` for each format.

    All runs advance together through the longest run's kept frames (at most 60 of its own
    animation's frames, evenly spaced; every k-th of those when there are more than
    ``max_frames``); each tile shows its run's last kept frame at or before the epoch, and a
    run that has stopped keeps its last frame, framed in red and labelled with why it
    stopped. Tiles are the runs' frames at half size (every other pixel, so no colour is
    mixed), in the colours of each run's palette. A run whose result holds
    :class:`~boundaryviz.output.tiles.Tiles` (``RunSpec(tiles=True)``) is not drawn again; the
    others are drawn here with their own renderer options (``RunResult.render``), at the
    frames a worker would have kept, so the file is the same either way. Frames are streamed
    into every format's writer together.

    Parameters
    ----------
    results : list of RunResult
        Runs without a history are left out; with fewer than two runs nothing is written.
    out_dir : str or os.PathLike
    formats : tuple of {'gif', 'mp4', 'webp'}, default=('gif',)
    fps : float, default=12
    max_frames : int, default=60
    layer : int, default=-1
    resolution : int, optional
        Mesh points per axis of the tiles' probability fields; when given, every run is
        drawn here at that resolution. By default each run's own.
    hold_last : float, default=1.5
        Seconds the last frame stays.

    Returns
    -------
    list of str
        The files written.
    """
    for fmt in formats:
        check_format(fmt)
    rows, cols, cells, held = grid_of(results)
    fps, hold_last, resolution = check_compare(cells, fps=fps, hold_last=hold_last, max_frames=max_frames,
                                                layer=layer, resolution=resolution)
    if len(cells) < 2:
        return []
    frames = _CompareFrames(cells, rows, cols, max_frames=max_frames, layer=layer, resolution=resolution,
                            held=held)
    n = len(frames)
    palette = None
    if any(get_format(fmt).needs_palette for fmt in formats):
        samples = [frames.frame(t)[:, :, :3] for t in sorted({0, n // 2, n - 1})]
        palette = Palette.from_frames(frames.key_colors(), samples)
    paths = [os.path.join(os.fspath(out_dir), f"compare.{fmt}") for fmt in formats]
    with ExitStack() as stack:
        writers = [
            stack.enter_context(open_writer(path, fps=fps, hold_last_ms=int(round(hold_last * 1000)),
                                            palette=palette, tolerance=GIF_TOLERANCE, epochs=frames.epochs,
                                            n_frames=n))
            for path in paths
        ]
        for frame in _prefetched(frames.frame, n):
            for writer in writers:
                writer.append(frame)
    return paths


def _prefetched(make, n):
    """Yield ``make(0)``, ..., ``make(n - 1)``, each made in a thread while the one before is
    used (Pillow and zlib release the GIL, so composing overlaps encoding); one ahead at
    most, so no more than two frames are held."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="boundaryviz-compose") as pool:
        pending = pool.submit(make, 0) if n else None
        for t in range(n):
            item = pending.result()
            if t + 1 < n:
                pending = pool.submit(make, t + 1)
            yield item
