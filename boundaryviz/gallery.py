"""A gallery for a folder of runs: a page to browse them, a header image, one animation of all.

Given the runs of a sweep (:class:`~boundaryviz.sweep.RunResult`: a name, a summary, the
files written and the :class:`~boundaryviz.training.History`), :func:`write_gallery` adds
three things to the output folder:

- ``index.html``: a static page embedding every animation (``<img>`` for GIF and WebP,
  ``<video autoplay muted loop playsinline>`` for MP4), each captioned with its run's
  settings and outcome and with the HTML and Markdown to paste into a post (an HTML player
  is shown in an ``<iframe>``, with a link to it and the ``<iframe>`` to paste). Only
  relative links to the files beside it: no scripts of its own, no fonts or other requests;
- ``summary.png``: the last frame of every run in a grid, activations down and learning rates
  across, for a post's header image;
- ``compare.gif`` (and ``.mp4``/``.webp`` when asked for): every run in the same grid,
  advancing together through the epochs (up to 60 frames; each tile's band gives the epoch
  it shows); a run that has stopped holds its last frame, framed in red and labelled with
  why it stopped. The tiles are the runs' own frames at half size, kept by the sweep's
  workers (``RunSpec(tiles=True)``); runs that did not keep them are drawn again.

Runs are laid out by activation name, then by learning rate from largest to smallest,
whatever order they finished in, so the same runs always give the same bytes. Every file is
written under a temporary name and renamed into place.
"""

from __future__ import annotations

import html
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from urllib.parse import quote

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import __version__
from ._validation import RENDER_DEFAULTS, check_int, check_number
from .player import BAR_HEIGHT, player_size, read_player_size
from .animate import DEFAULT_FPS, DEFAULT_MAX_FRAMES, GIF_TOLERANCE, MAX_FPS, animation_palette, frame_indices
from .grid import axis_words, facets, setting_text, sort_key, varying
from .tiles import MAX_TILES
from .atomic import atomic_output, format_size
from .formats import check_format, format_of, open_writer
from .palette import Palette

__all__ = ["write_gallery", "write_index", "write_summary", "write_compare", "COMPARE_MAX_FRAMES"]

log = logging.getLogger(__name__)

COMPARE_MAX_FRAMES = MAX_TILES
"""Most frames of ``compare.*``: the six reference runs in one GIF stay within 2 MB."""
SUMMARY_TILE_WIDTH = 640
INK = (31, 35, 40)
MUTED = (89, 99, 110)
STOPPED = (178, 24, 43)  # the renderer's colour for "stopped" notes
BACKGROUND = (255, 255, 255)
STOP_TEXT = {
    "stop_loss": "stopped: loss < {stop_loss:g}",
    "max_epochs": "finished",
    "diverged": "diverged",
    "interrupted": "interrupted",
}
MANY_RUNS = 12
"""With more runs than this, the page shows smaller cards, three or four abreast."""


# ------------------------------------------------------------------------------ the runs
def _settings(result):
    """A run's settings: ``RunResult.settings``, completed from its history's summary.

    Returns
    -------
    dict
        Keys from :data:`boundaryviz.grid.AXES` (``hidden`` as a tuple); empty for a run
        without history or settings.
    """
    settings = dict(getattr(result, "settings", None) or {})
    history = getattr(result, "history", None)
    if history is not None:
        summary = history.summary()
        for key in ("dataset", "activation", "learning_rate", "hidden", "optimizer", "engine"):
            if summary.get(key) is not None:  # a recorded run does not say them all
                settings.setdefault(key, summary[key])
        if history.config is None:  # a recorded run: its own name tells it apart
            settings.setdefault("model", history.label)
    if settings.get("hidden") is not None:
        settings["hidden"] = tuple(settings["hidden"])
    return settings


class _Run:
    """A run with a history, placed in the grid."""

    def __init__(self, result):
        self.result = result
        self.history = result.history
        self.name = result.name
        self.settings = _settings(result)
        self.n_hidden = len(self.settings.get("hidden") or (0,))


def _sort_key(result):
    if getattr(result, "history", None) is not None or getattr(result, "settings", None):
        return (0, sort_key(_settings(result)), result.name)
    return (1, (), result.name)


def _ordered(results):
    results = list(results)
    for r in results:
        if not all(hasattr(r, a) for a in ("name", "summary", "files")):
            raise TypeError(f"results must hold sweep RunResults. Got {type(r).__name__}.")
    return sorted(results, key=_sort_key)


def _layout(results):
    """The runs with a history that the pictures show, by (row, column).

    Returns
    -------
    (Facets or None, dict of (int, int) to _Run)
        :func:`boundaryviz.grid.facets` of those runs (the two settings that vary most,
        the others held at one value, at most 6 x 6), and the runs in its cells.
    """
    runs = [_Run(r) for r in _ordered(results) if getattr(r, "history", None) is not None]
    if not runs:
        return None, {}
    shown = facets([run.settings for run in runs])
    cells = {}
    for run in runs:
        cell = shown.cell(run.settings)
        if cell is not None:
            cells.setdefault(cell, run)
    return shown, cells


def _grid(results):
    """(row headers, column headers, runs by (row, column), what else the pictures hold fixed).

    The last is text for the pictures' subtitle, e.g. ``seed 0 · 25 of 300 runs`` (empty
    when they show every run); the network's layers are in the subtitle already.
    """
    shown, cells = _layout(results)
    if shown is None:
        return [], [], {}, ""
    held = ""
    if not shown.complete:
        parts = [setting_text(a, v) for a, v in shown.fixed if a != "hidden"]
        held = " · ".join([*parts, f"{shown.n_shown} of {shown.n_runs} runs"])
    return shown.row_texts(), shown.col_texts(), cells, held


def _subtitle(cells, held):
    title, subtitle = _title(cells.values())
    return title, " · ".join(part for part in (subtitle, held) if part)


def _check_layer(cells, layer):
    """``layer`` checked against every run's hidden layers; returns it."""
    for run in cells.values():
        n = run.n_hidden
        check_int(layer, "layer", low=-n, high=n - 1)
    return layer


def _tile_size(run, layer, resolution):
    """(width, height) of the run's compare tiles: its kept tiles', else half its frame size."""
    tiles = getattr(run.result, "tiles", None)
    if tiles is not None and resolution is None and tiles.layer == layer % run.n_hidden:
        height, width = tiles.shape
        return width, height
    options = {**RENDER_DEFAULTS, **(getattr(run.result, "render", None) or {})}
    width, height = options["size"]
    return (width + 1) // 2, (height + 1) // 2


def _check_compare(cells, *, fps, hold_last, max_frames, layer, resolution):
    """Every argument of a compare animation checked, and one tile size, before any work.

    Returns
    -------
    (fps, hold_last, resolution)
        Normalised.
    """
    fps = check_number(fps, "fps", low=0, high=MAX_FPS, low_open=True)
    hold_last = check_number(hold_last, "hold_last", low=0, high=60)
    frame_indices(2, max_frames)  # checks max_frames
    _check_layer(cells, layer)
    if resolution is not None:
        resolution = check_int(resolution, "resolution", low=2, high=2000)
    sizes = {_tile_size(run, layer, resolution) for run in cells.values()}
    if len(sizes) > 1:
        raise ValueError(f"results must share one frame size to be laid side by side; got tiles of "
                         f"{', '.join(f'{w}x{h}' for w, h in sorted(sizes))} (half the frame size).")
    return fps, hold_last, resolution


def _draws_again(run, layer):
    """Whether the run's result lacks its last frame for ``layer`` (summary.png draws it)."""
    return (getattr(run.result, "final_frame", None) is None
            or getattr(run.result, "frame_layer", None) != layer % run.n_hidden)


def _renderer(run, layer, resolution=None):
    """A renderer of the run as its files were drawn (its own options), showing ``layer``."""
    from .render import Renderer  # matplotlib loads only when something is drawn

    options = dict(getattr(run.result, "render", None) or {})
    options["layer"] = layer
    if resolution is not None:
        options["resolution"] = resolution
    return Renderer(run.history, **options)


# ----------------------------------------------------------------------------- drawing
def _font(size, bold=False):
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


class _Sheet:
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
        self.font = _font(13)
        self.bold = _font(14, bold=True)
        self.title_font = _font(16, bold=True)
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
        draw.rectangle((x, y, x + self.tile_w - 1, y + self.tile_h - 1), outline=(208, 215, 222), width=1)
        draw.text((x + self.tile_w / 2, y + self.tile_h / 2), text, font=self.font, fill=MUTED, anchor="mm")


def _shrink(frame, size):
    """A frame scaled smoothly down to ``size`` (width, height), for still pictures."""
    image = Image.fromarray(np.ascontiguousarray(frame[:, :, :3]))
    return image.resize(size, Image.Resampling.LANCZOS)


def _title(runs):
    """(title, subtitle): the data set, and the settings every one of ``runs`` shares."""
    runs = list(runs)

    def shared(key):
        values = {repr(run.settings.get(key)) for run in runs}
        return runs[0].settings.get(key) if len(values) == 1 else None

    dataset = shared("dataset")
    datasets = list(dict.fromkeys(str(run.settings.get("dataset")) for run in runs))
    title = dataset if dataset is not None else ", ".join(datasets)
    parts = []
    hidden = shared("hidden")
    if hidden is not None:
        parts.append("network " + " → ".join(["2", *map(str, hidden), "1"]))
    optimizer = shared("optimizer")
    if optimizer is not None:
        parts.append(str(optimizer))
    if dataset is not None:
        parts.append(f"{runs[0].history.dataset.n_samples} samples")
    return f"{title}", " · ".join(parts)


def _outcome(result):
    """(summary, how the run ended in words) of a run with a history."""
    s = result.history.summary()
    stop_loss = _settings(result).get("stop_loss")
    if s["stop_reason"] == "stop_loss" and stop_loss is None:
        return s, "stopped: loss below its stop rule"
    return s, STOP_TEXT.get(s["stop_reason"], s["stop_reason"]).format(stop_loss=stop_loss)


# ---------------------------------------------------------------------------- summary.png
def write_summary(results, path, *, tile_width=SUMMARY_TILE_WIDTH, layer=-1):
    """Write the last frame of every run into one PNG, in a grid.

    Rows and columns are the two settings that vary most (activations down and learning
    rates across for the reference sweep); any other setting that varies is held at its
    first value, and at most 6 x 6 runs are shown (:func:`boundaryviz.grid.facets`; the page
    says which). Above each tile, the epochs run, final loss and accuracy, and how the run
    ended. Frames are drawn at the renderer's full size
    and scaled down, so their text stays laid out as in the animations.

    Parameters
    ----------
    results : list of RunResult
        Runs without a history are left out; a run without its last frame
        (``RunResult.final_frame``) is drawn here with its own renderer options.
    path : str or os.PathLike
    tile_width : int, default=640
        Width of each tile in pixels.
    layer : int, default=-1
        Hidden layer shown, as for :class:`~boundaryviz.render.Renderer`.

    Returns
    -------
    str or None
        ``path``, or ``None`` when no run has a history.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> results = list(bv.run_sweep(bv.reference_specs(bv.gaussians(), "out", epochs=20)))  # doctest: +SKIP
    >>> bv.write_summary(results, "out/summary.png")  # doctest: +SKIP
    """
    rows, cols, cells, held = _grid(results)
    if not cells:
        return None
    _check_layer(cells, layer)
    frames = {}
    for key, run in cells.items():
        # the run's own last frame when it brought one (same layer), else drawn here
        if _draws_again(run, layer):
            frames[key] = _renderer(run, layer).frame(-1)
        else:
            frames[key] = run.result.final_frame
    height, width = next(iter(frames.values())).shape[:2]
    tile = (int(tile_width), int(round(height * tile_width / width)))
    title, subtitle = _subtitle(cells, held)
    sheet = _Sheet(rows, cols, tile, title)
    image = sheet.background(subtitle)
    draw = ImageDraw.Draw(image)
    for (r, c), run in sorted(cells.items()):
        image.paste(_shrink(frames[(r, c)], tile), sheet.tile_origin(r, c))
        s, reason = _outcome(run.result)
        sheet.band(draw, r, c, f"{s['epochs_run']} epochs · loss {s['final_loss']:.4f} · "
                   f"accuracy {s['final_accuracy']:.1%}", reason, stopped=False)
    for r in range(len(rows)):
        for c in range(len(cols)):
            if (r, c) not in cells:
                sheet.empty(draw, r, c, "not run")
    with atomic_output(path) as tmp:
        image.save(tmp, format="PNG")  # Pillow writes no time stamp; zlib level 9 would take 4x as long for 1% less
    return os.fspath(path)


# ---------------------------------------------------------------------------- compare.*
class _CompareFrames:
    """Frames of every run side by side, one epoch of the shared timeline per frame.

    A run whose result brought :class:`~boundaryviz.tiles.Tiles` of the same layer is shown
    from them; any other run is drawn here, with its own renderer options, at the frames and
    in the colours its worker would have kept. The timeline is the longest run's kept frames,
    every k-th of them when there are more than ``max_frames``; each tile shows its run's
    last kept frame at or before the epoch (its band says which epoch that is).
    """

    def __init__(self, cells, rows, cols, *, max_frames, layer, resolution, held=""):
        self.cells = cells
        self.sources = {}
        for key, run in cells.items():
            tiles = getattr(run.result, "tiles", None)
            usable = (tiles is not None and resolution is None
                      and tiles.layer == layer % run.n_hidden)
            self.sources[key] = _KeptTiles(tiles) if usable else _DrawnTiles(run, layer, resolution)
        (self.tile,) = {source.size for source in self.sources.values()}  # one size: checked before
        longest = max(cells, key=lambda key: (cells[key].history.epochs_run, key))
        shown = self.sources[longest].indices
        self.epochs = shown[frame_indices(len(shown), max_frames)]
        self.last_epoch = int(self.epochs[-1])
        title, subtitle = _subtitle(cells, held)
        self.sheet = _Sheet(rows, cols, self.tile, title)
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
                _, reason = _outcome(run.result)
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
    <boundaryviz.tiles.TileRecorder.evenly>` of the run's own frames), in the colours of the
    run's palette, so a compare animation is the same whichever way its tiles came."""

    def __init__(self, run, layer, resolution):
        self.renderer = _renderer(run, layer, resolution)
        frames = frame_indices(len(run.history), getattr(run.result, "max_frames", DEFAULT_MAX_FRAMES))
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
                  layer=-1, resolution=None, hold_last=1.5):
    """Write one animation of every run side by side: ``compare.<format>`` for each format.

    All runs advance together through the longest run's kept frames (at most 60 of its own
    animation's frames, evenly spaced; every k-th of those when there are more than
    ``max_frames``); each tile shows its run's last kept frame at or before the epoch, and a
    run that has stopped keeps its last frame, framed in red and labelled with why it
    stopped. Tiles are the runs' frames at half size (every other pixel, so no colour is
    mixed), in the colours of each run's palette. A run whose result holds
    :class:`~boundaryviz.tiles.Tiles` (``RunSpec(tiles=True)``) is not drawn again; the
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
    rows, cols, cells, held = _grid(results)
    fps, hold_last, resolution = _check_compare(cells, fps=fps, hold_last=hold_last, max_frames=max_frames,
                                                layer=layer, resolution=resolution)
    if len(cells) < 2:
        return []
    frames = _CompareFrames(cells, rows, cols, max_frames=max_frames, layer=layer, resolution=resolution,
                            held=held)
    n = len(frames)
    palette = None
    if any(fmt in ("gif", "webp", "html") for fmt in formats):
        samples = [frames.frame(t)[:, :, :3] for t in sorted({0, n // 2, n - 1})]
        palette = Palette.from_frames(frames.key_colors(), samples)
    paths = [os.path.join(os.fspath(out_dir), f"compare.{fmt}") for fmt in formats]
    with ExitStack() as stack:
        writers = [
            stack.enter_context(open_writer(path, fps=fps, hold_last_ms=int(round(hold_last * 1000)),
                                            palette=palette, tolerance=GIF_TOLERANCE, epochs=frames.epochs))
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


# ---------------------------------------------------------------------------- index.html
_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --paper: #ffffff; --ground: #f6f8fa;
        --stop: #b2182b; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--ground); color: var(--ink);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2.5rem 0 1rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
header p, footer { color: var(--muted); margin: 0; }
footer { margin-top: 3rem; font-size: .85rem; }
.grid { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); }
.wide { grid-template-columns: 1fr; }
.many { grid-template-columns: repeat(auto-fill, minmax(min(100%, 290px), 1fr)); gap: 1rem; }
.many figcaption { padding: .5rem .7rem .7rem; }
.many dl { font-size: .82rem; }
.many .name { font-size: .92rem; }
a.media { display: block; }
figure { margin: 0; background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
         overflow: hidden; }
figure img, figure video { display: block; width: 100%; height: auto; background: #fff; }
.player { container-type: inline-size; }
.player iframe { display: block; width: 100%; border: 0; }
figcaption { padding: .75rem 1rem 1rem; border-top: 1px solid var(--line); }
.name { font-weight: 600; }
.file { color: var(--muted); font-size: .9rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .6rem 0; font-size: .92rem; }
dt { color: var(--muted); }
dd { margin: 0; font-variant-numeric: tabular-nums; }
.stop_loss { color: #1a7f37; } .diverged, .interrupted { color: var(--stop); }
.snippet { margin-top: .6rem; font-size: .8rem; color: var(--muted); }
pre { margin: .2rem 0 .5rem; padding: .5rem .7rem; background: var(--ground); border: 1px solid var(--line);
      border-radius: 6px; overflow-x: auto; }
code { font: .8rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
       color: var(--ink); white-space: pre-wrap; overflow-wrap: anywhere; }
h3 { font-size: 1rem; margin: 2rem 0 .8rem; scroll-margin-top: 1rem; }
.note { margin: 0 0 1rem; padding: .6rem .9rem; background: #fff8c5; border: 1px solid #d4a72c66; border-radius: 6px; }
nav p { margin: 0 0 .3rem; color: var(--muted); }
nav ul { display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; margin: 0 0 1rem; padding: 0; list-style: none; font-size: .92rem; }
details summary { margin-top: .5rem; font-size: .85rem; color: var(--muted); cursor: pointer; }
figure { scroll-margin-top: 1rem; }
.table { max-height: 32rem; overflow: auto; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; }
th, td { padding: .3rem .7rem; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }
thead th { position: sticky; top: 0; background: var(--ground); z-index: 1; }
tbody th { font-weight: 500; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
a { color: #0969da; }
"""


def _url(path, out_dir):
    rel = os.path.relpath(os.fspath(path), os.fspath(out_dir)).replace(os.sep, "/")
    return quote(rel)


def _dims(path):
    """(width, height) of an animation or picture from its header; None if unreadable."""
    if os.path.splitext(path)[1].lower() == ".mp4":
        return _mp4_dims(path)
    if os.path.splitext(path)[1].lower() == ".html":
        return read_player_size(path)
    try:
        with Image.open(path) as image:
            return image.size
    except OSError:
        return None


def _mp4_dims(path):
    """(width, height) of the first video track of an MP4: the end of its ``tkhd`` box.

    The writer puts the index (``moov``) first, so the first megabyte holds it.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return None
    start = head.find(b"tkhd")
    while start >= 4:
        size = int.from_bytes(head[start - 4 : start], "big")
        if 84 <= size <= 120 and start - 4 + size <= len(head):
            end = start - 4 + size
            width, height = (int.from_bytes(head[i : i + 4], "big") >> 16 for i in (end - 8, end - 4))
            if width and height:
                return width, height
        start = head.find(b"tkhd", start + 4)
    return None


def _media(url, kind, alt, dims, lazy=False):
    """The element showing a file; ``lazy``: an image loads only as it nears the view."""
    size = f' width="{dims[0]}" height="{dims[1]}"' if dims else ""
    if kind == "iframe":
        return _player_frame(url, alt, dims)
    if kind == "video":
        return f'<video src="{url}"{size} autoplay muted loop playsinline aria-label="{alt}"></video>'
    later = ' loading="lazy" decoding="async"' if lazy else ""
    return f'<img src="{url}"{size} alt="{alt}"{later}>'


def _player_frame(url, alt, dims, snippet=False):
    """An ``<iframe>`` of an HTML player: in the gallery its height follows the card's width
    (the frame scales, the control bar does not); in a snippet, the player's own size."""
    width, height = dims or player_size((960, 560))
    if snippet:
        return (f'<iframe src="{url}" width="{width}" height="{height}" style="border: 0; max-width: 100%" '
                f'title="{alt}" loading="lazy"></iframe>')
    # the player is never wider than its frames: in a wider card it keeps their size
    scaled = f"min(100cqw, {width}px) * {height - BAR_HEIGHT} / {width}"
    style = f"max-width: {width}px; height: calc({scaled} + {BAR_HEIGHT}px)"
    return f'<div class="player"><iframe src="{url}" style="{style}" title="{alt}" loading="lazy"></iframe></div>'


def _snippets(url, kind, alt, dims):
    """(label, text) pairs to paste into a post: HTML always, Markdown for images."""
    tag = _media(url, kind, alt, dims)
    if kind == "iframe":
        return [("HTML (add #epoch=N to the address to open the player paused at epoch N)",
                 _player_frame(url, alt, dims, snippet=True))]
    if kind == "video":
        return [("HTML (Markdown has no video: paste this HTML)", tag)]
    return [("HTML", tag), ("Markdown", f"![{alt}]({url})")]


def _figure(path, out_dir, alt, caption_html, *, lazy=False, anchor=None):
    url = html.escape(_url(path, out_dir), quote=True)
    fmt = format_of(path)
    kind = fmt.element if fmt is not None else "img"  # how a page shows it (summary.png: an image)
    alt_attr = html.escape(alt, quote=True)
    dims = _dims(path)
    media = _media(url, kind, alt_attr, dims, lazy=lazy)
    if kind == "img":  # opens the file at its own size
        media = f'<a class="media" href="{url}">{media}</a>'
    snippets = "".join(
        f'<div class="snippet">{html.escape(label)}</div><pre><code>'
        f"{html.escape(text)}</code></pre>"
        for label, text in _snippets(_url(path, out_dir), kind, alt, dims)
    )
    if kind == "iframe":
        caption_html += (f'<div class="file"><a href="{url}">Open the player on its own page</a> '
                         "(← → step, space plays, the epoch is a link to that moment)</div>")
    ident = f' id="{html.escape(anchor, quote=True)}"' if anchor else ""
    return (f"<figure{ident}>{media}<figcaption>{caption_html}"
            f"<details><summary>Embed this</summary>{snippets}</details></figcaption></figure>")


def _named_axes(moving, known=()):
    """Settings a run's caption and the table name: activation, learning rate (when the runs
    say them: recorded runs may not), then the other settings that vary."""
    named = [a for a in ("activation", "learning_rate") if not known or any(s.get(a) is not None for s in known)]
    return [*named, *(a for a in moving if a not in ("activation", "learning_rate"))]


def _run_title(result, axes):
    settings = _settings(result)
    if not settings:
        return result.name
    return " · ".join(setting_text(a, settings[a]) for a in axes if a in settings)


def _run_caption(result, path, axes):
    fmt = os.path.splitext(path)[1].lstrip(".").upper()
    size = format_size(os.path.getsize(path)) if os.path.exists(path) else "missing"
    history = getattr(result, "history", None)
    if history is None:
        head = f'<div class="name">{html.escape(result.name)}</div>'
        return (head + f'<div class="file">{html.escape(os.path.basename(path))} · {fmt} · {size}</div>'
                '<dl><dt>note</dt><dd>kept from an earlier run (no statistics)</dd></dl>')
    s, _ = _outcome(result)
    settings = _settings(result)
    reason = s["stop_reason"]
    rows = [(_header_text(a), _value_text(a, settings[a])) for a in axes if a in settings]
    epochs = settings.get("epochs")
    rows += [
        ("epochs run", f"{s['epochs_run']} of {epochs}" if epochs is not None else str(s["epochs_run"])),
        ("stop reason", reason),
        ("final loss", f"{s['final_loss']:.4f}"),
        ("accuracy", f"{s['final_accuracy']:.1%}"),
    ]
    items = ""
    for key, value in rows:
        css = f' class="{html.escape(reason, quote=True)}"' if key == "stop reason" else ""
        items += f"<dt>{html.escape(key)}</dt><dd{css}>{html.escape(value)}</dd>"
    return (f'<div class="name">{html.escape(_run_title(result, axes))}</div>'
            f'<div class="file">{html.escape(os.path.basename(path))} · {fmt} · {size}</div><dl>{items}</dl>')


def _value_text(axis, value):
    """A setting's value alone, as the table shows it: ``0.1``, ``4,2``, ``relu``."""
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return "full batch" if value is None and axis == "batch_size" else str(value)


def _header_text(axis):
    return {"learning_rate": "learning rate", "batch_size": "batch size", "stop_loss": "stop loss"}.get(
        axis, axis.replace("_", " "))


def _run_alt(result):
    history = getattr(result, "history", None)
    if history is None:
        return f"Animation of the run {result.name}"
    s, reason = _outcome(result)
    net = " → ".join(["2", *map(str, s["hidden"]), "1"])
    how = (f"{s['activation']} network learning its decision boundary on {s['dataset']} "
           f"at learning rate {s['learning_rate']:g}" if history.config is not None else
           f"network ({history.label}) learning its decision boundary on {s['dataset']}")
    return (f"A {net} {how}: {s['epochs_run']} epochs, {reason}, "
            f"final loss {s['final_loss']:.4f}, accuracy {s['final_accuracy']:.1%}")


def _anchor(result):
    return "run-" + result.name


def _table(results, axes, out_dir):
    """A table of every run: its settings that vary, outcome and files (links)."""
    head = ["run", *(_header_text(a) for a in axes), "epochs", "stop reason", "final loss", "accuracy", "files"]
    numeric = {"epochs", "final loss", "accuracy", "learning rate", "seed"}
    cells = "".join(f'<th scope="col"{" class=num" if h in numeric else ""}>{html.escape(h)}</th>' for h in head)
    rows = [f"<thead><tr>{cells}</tr></thead>", "<tbody>"]
    for result in results:
        settings = _settings(result)
        values = [_value_text(a, settings[a]) if a in settings else "" for a in axes]
        history = getattr(result, "history", None)
        if history is not None:
            s, _ = _outcome(result)
            outcome = [str(s["epochs_run"]), s["stop_reason"], f"{s['final_loss']:.4f}",
                       f"{s['final_accuracy']:.1%}"]
        else:
            outcome = ["", "kept (no statistics)", "", ""]
        files = " ".join(
            f'<a href="{html.escape(_url(path, out_dir), quote=True)}">'
            f"{html.escape(os.path.splitext(path)[1].lstrip('.'))}</a>" for path, _ in result.files)
        link = f'<a href="#{html.escape(_anchor(result), quote=True)}">{html.escape(result.name)}</a>'
        tds = [f'<th scope="row">{link}</th>']
        for header, value in zip(head[1:], [*values, *outcome]):
            css = ""
            if header == "stop reason" and value:
                css = f' class="{html.escape(value.split()[0], quote=True)}"'
            elif header in numeric:
                css = ' class="num"'
            tds.append(f"<td{css}>{html.escape(value)}</td>")
        tds.append(f"<td>{files}</td>")
        rows.append(f"<tr>{''.join(tds)}</tr>")
    rows.append("</tbody>")
    return '<div class="table"><table>' + "".join(rows) + "</table></div>"


def _groups(results, grouping):
    """Runs grouped by the values of the ``grouping`` settings, in order; [(heading, runs)]."""
    groups = {}
    for result in results:
        settings = _settings(result)
        key = tuple((a, settings.get(a)) for a in grouping)
        groups.setdefault(key, []).append(result)
    out = []
    for key, members in groups.items():
        known = [(a, v) for a, v in key if v is not None]
        heading = " · ".join(setting_text(a, v) for a, v in known) if known else "other runs"
        out.append((heading, members))
    return out


def write_index(results, out_dir, *, extras=()):
    """Write ``index.html``: every animation of the runs, captioned, with snippets to paste.

    Made to stay quick to open and to read with hundreds of runs: images load lazily (as
    they near the view), a table lists every run's settings that vary and its outcome, and
    the runs are grouped by the settings that vary besides the two the overview pictures
    lay out (:func:`boundaryviz.grid.facets`); when the pictures leave runs out, the page
    says which runs they show.

    Parameters
    ----------
    results : list of RunResult
    out_dir : str or os.PathLike
        The folder holding the runs' files; the page links to them relatively.
    extras : sequence of str
        Gallery files to show first (``summary.png``, ``compare.*``).

    Returns
    -------
    str
        The path of ``index.html``.
    """
    out_dir = os.fspath(out_dir)
    results = _ordered(results)
    with_history = [r for r in results if getattr(r, "history", None) is not None]
    shown, _ = _layout(with_history)
    if with_history:
        title, subtitle = _title(_Run(r) for r in with_history)
        heading = f"How a network learns {title}"
    else:
        heading, subtitle = "boundaryviz runs", ""
    known = [_settings(r) for r in results if _settings(r)]
    moving = varying(known) if known else []
    axes = _named_axes(moving, known)
    layout = ""
    if shown is not None:
        layout = f"{axis_words(shown.rows)} down, {axis_words(shown.cols)} across"
    overview = []
    for path in extras:
        name = os.path.basename(path)
        if name.startswith("summary."):
            alt = f"The last frame of every run: {layout}"
            text = f"Where every run ended: {layout}."
        else:
            alt = "Every run side by side, advancing together through the epochs"
            text = "All runs together, through the epochs; a run that stopped is framed in red."
        fmt = os.path.splitext(name)[1].lstrip(".").upper()
        caption = (f'<div class="name">{html.escape(text)}</div>'
                   f'<div class="file">{html.escape(name)} · {fmt} · {format_size(os.path.getsize(path))}</div>')
        overview.append(_figure(path, out_dir, alt, caption))
    grouping = [a for a in moving if shown is None or a not in (shown.rows, shown.cols)]
    groups = _groups(results, grouping)
    n = len(results)
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(heading)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<header><h1>{html.escape(heading)}</h1><p>{html.escape(subtitle)}"
        f"{' · ' if subtitle else ''}{n} run{'s' if n != 1 else ''}</p></header>",
    ]
    if overview:
        parts.append("<h2>Overview</h2>")
        if shown is not None and not shown.complete:
            parts.append(f'<p class="note">The pictures below show {html.escape(shown.note())}; every run '
                         f'is in the <a href="#all-runs">table</a> and in its group further down.</p>')
        parts += ['<section class="grid wide">', *overview, "</section>"]
    parts += [f'<h2 id="all-runs">All {n} run{"s" if n != 1 else ""}</h2>', _table(results, axes, out_dir)]
    parts.append("<h2>Runs</h2>")
    if len(groups) > 1:
        links = "".join(f'<li><a href="#group-{i}">{html.escape(h)}</a> ({len(m)})</li>'
                        for i, (h, m) in enumerate(groups, 1))
        parts.append(f'<nav><p>Grouped by {html.escape(", ".join(_header_text(a) for a in grouping))}:</p>'
                     f"<ul>{links}</ul></nav>")
    for i, (group_heading, members) in enumerate(groups, 1):
        if len(groups) > 1:
            parts.append(f'<h3 id="group-{i}">{html.escape(group_heading)}</h3>')
        cards = []
        for result in members:
            alt = _run_alt(result)
            for k, (path, _size) in enumerate(result.files):
                cards.append(_figure(path, out_dir, alt, _run_caption(result, path, axes), lazy=True,
                                     anchor=_anchor(result) if k == 0 else None))
        dense = " many" if n > MANY_RUNS else ""
        parts += [f'<section class="grid{dense}">', *cards, "</section>"]
    parts += [f"<footer>Made with boundaryviz {html.escape(__version__)}.</footer>",
              "</main>", "</body>", "</html>", ""]
    path = os.path.join(out_dir, "index.html")
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("\n".join(parts))
    return path


# ------------------------------------------------------------------------------- gallery
def write_gallery(results, out_dir, *, formats=("gif",), fps=DEFAULT_FPS, max_frames=COMPARE_MAX_FRAMES,
                  layer=-1, compare=None):
    """Write ``summary.png``, ``compare.<format>`` and ``index.html`` for the runs of a sweep.

    Parameters
    ----------
    results : list of RunResult
        As :func:`~boundaryviz.sweep.run_sweep` yields them, in any order.
    out_dir : str or os.PathLike
        The folder of the runs' files (it must exist).
    formats : tuple of {'gif', 'mp4', 'webp'}, default=('gif',)
        Formats of the compare animation.
    fps : float, default=12
    max_frames : int, default=60
        Most frames of the compare animation.
    layer : int, default=-1
        Hidden layer shown in the tiles.
    compare : list of str, optional
        Compare animations already written; when given, they are listed instead of written
        again.

    Returns
    -------
    list of (str, int)
        Each file written and its size in bytes: ``index.html`` first.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> specs = bv.reference_specs(bv.gaussians(), "out", epochs=30, tiles=True)  # doctest: +SKIP
    >>> results = list(bv.run_sweep(specs))  # doctest: +SKIP
    >>> bv.write_gallery(results, "out")  # doctest: +SKIP
    [('out/index.html', ...), ('out/summary.png', ...), ('out/compare.gif', ...)]
    """
    for fmt in formats:
        check_format(fmt)
    out_dir = os.fspath(out_dir)
    if not os.path.isdir(out_dir):
        raise ValueError(f"out_dir {out_dir!r} is not a folder.")
    results = _ordered(results)
    if not results:
        return []
    extras = []
    log.info("gallery: summary.png, compare animation")
    summary_path = os.path.join(out_dir, "summary.png")
    _, _, cells, _ = _grid(results)
    _check_compare(cells, fps=fps, hold_last=1.5, max_frames=max_frames, layer=layer, resolution=None)
    if any(_draws_again(run, layer) for run in cells.values()):
        # matplotlib draws one run at a time: no threads
        summary = write_summary(results, summary_path, layer=layer)
        if compare is None:
            compare = write_compare(results, out_dir, formats=tuple(formats), fps=fps, max_frames=max_frames,
                                    layer=layer)
    else:
        # summary.png (Pillow only: the runs brought their last frames) is written beside the
        # compare animation; Pillow's resampling and zlib release the GIL, so both use a core
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="boundaryviz-summary") as pool:
            pending = pool.submit(write_summary, results, summary_path, layer=layer)
            if compare is None:
                compare = write_compare(results, out_dir, formats=tuple(formats), fps=fps,
                                        max_frames=max_frames, layer=layer)
            summary = pending.result()
    if summary:
        extras.append(summary)
    extras += list(compare)
    index = write_index(results, out_dir, extras=extras)
    return [(path, os.path.getsize(path)) for path in [index, *extras]]
