"""``summary.png``: the last frame of every run of a sweep in one grid picture."""

from __future__ import annotations

import os

from PIL import ImageDraw

from ..output.atomic import atomic_output
from .entries import check_layer, draws_again, grid_of, outcome, picture_titles, renderer_of
from .sheet import Sheet, shrink

__all__ = ["write_summary", "SUMMARY_TILE_WIDTH"]

SUMMARY_TILE_WIDTH = 640


def write_summary(results, path, *, tile_width=SUMMARY_TILE_WIDTH, layer=-1):
    """Write the last frame of every run into one PNG, in a grid.

    Rows and columns are the two settings that vary most (activations down and learning
    rates across for the reference sweep); any other setting that varies is held at its
    first value, and at most 6 x 6 runs are shown (:func:`boundaryviz.runs.grid.facets`; the page
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
        Hidden layer shown, as for :class:`~boundaryviz.Renderer`.

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
    rows, cols, cells, held = grid_of(results)
    if not cells:
        return None
    check_layer(cells, layer)
    frames = {}
    for key, run in cells.items():
        # the run's own last frame when it brought one (same layer), else drawn here
        if draws_again(run, layer):
            frames[key] = renderer_of(run, layer).frame(-1)
        else:
            frames[key] = run.result.final_frame
    height, width = next(iter(frames.values())).shape[:2]
    tile = (int(tile_width), int(round(height * tile_width / width)))
    title, subtitle = picture_titles(cells, held)
    sheet = Sheet(rows, cols, tile, title)
    image = sheet.background(subtitle)
    draw = ImageDraw.Draw(image)
    for (r, c), run in sorted(cells.items()):
        image.paste(shrink(frames[(r, c)], tile), sheet.tile_origin(r, c))
        s, reason = outcome(run.result)
        sheet.band(draw, r, c, f"{s['epochs_run']} epochs · loss {s['final_loss']:.4f} · "
                   f"accuracy {s['final_accuracy']:.1%}", reason, stopped=False)
    for r in range(len(rows)):
        for c in range(len(cols)):
            if (r, c) not in cells:
                sheet.empty(draw, r, c, "not run")
    with atomic_output(path) as tmp:
        image.save(tmp, format="PNG")  # Pillow writes no time stamp; zlib level 9 would take 4x as long for 1% less
    return os.fspath(path)
