"""A gallery for a folder of runs: a page to browse them, a header image, one animation of all.

Given the runs of a sweep (:class:`~boundaryviz.RunResult`: a name, a summary, the
files written and the :class:`~boundaryviz.History`), :func:`write_gallery` adds
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

Each file has a module of its own: :mod:`~boundaryviz.gallery.page` (``index.html``),
:mod:`~boundaryviz.gallery.summary` (``summary.png``) and :mod:`~boundaryviz.gallery.compare` (``compare.*``),
reading the runs through :mod:`~boundaryviz.gallery.entries` and drawing grid pictures with
:mod:`~boundaryviz.gallery.sheet`; this module writes the three together.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor

from ..output.animation import DEFAULT_FPS, DEFAULT_HOLD_LAST
from ..output.formats import check_format
from .compare import COMPARE_MAX_FRAMES, write_compare
from .entries import check_compare, draws_again, grid_of, ordered_results
from .page import write_index
from .sheet import STOPPED
from .summary import SUMMARY_TILE_WIDTH, write_summary

__all__ = ["write_gallery", "write_index", "write_summary", "write_compare", "COMPARE_MAX_FRAMES",
           "SUMMARY_TILE_WIDTH", "STOPPED"]

log = logging.getLogger(__name__)


def write_gallery(results, out_dir, *, formats=("gif",), fps=DEFAULT_FPS, max_frames=COMPARE_MAX_FRAMES,
                  layer=-1, compare=None):
    """Write ``summary.png``, ``compare.<format>`` and ``index.html`` for the runs of a sweep.

    Parameters
    ----------
    results : list of RunResult
        As :func:`~boundaryviz.run_sweep` yields them, in any order.
    out_dir : str or os.PathLike
        The folder of the runs' files (it must exist).
    formats : tuple of {'gif', 'mp4', 'webp'}, default=('gif',)
        Formats of the compare animation.
    fps : float, default=12
        Frames per second of the compare animation.
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
    results = ordered_results(results)
    if not results:
        return []
    extras = []
    log.info("gallery: summary.png, compare animation")
    summary_path = os.path.join(out_dir, "summary.png")
    _, _, cells, _ = grid_of(results)
    check_compare(cells, fps=fps, hold_last=DEFAULT_HOLD_LAST, max_frames=max_frames, layer=layer, resolution=None)
    if any(draws_again(run, layer) for run in cells.values()):
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
