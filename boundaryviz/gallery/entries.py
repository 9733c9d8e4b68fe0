"""The runs a gallery shows: their settings, their place in the grid, how each ended.

Settings, places and words (the drawing is elsewhere): :mod:`~boundaryviz.gallery.summary`, :mod:`~boundaryviz.gallery.compare`
and :mod:`~boundaryviz.gallery.page` read the runs of a sweep (:class:`~boundaryviz.RunResult`)
through these functions.
"""

from __future__ import annotations

from .._validation import check_int
from ..options import AnimationOptions
from ..runs.grid import facets, setting_text, sort_key
from ..runs.run import RunResult

__all__ = ["GalleryRun", "network_text", "run_settings", "ordered_results", "layout_runs", "grid_of", "picture_titles",
           "check_layer", "tile_size", "check_compare", "draws_again", "renderer_of", "shared_title", "outcome",
           "STOP_TEXT"]

STOP_TEXT = {
    "stop_loss": "stopped: loss < {stop_loss:g}",
    "max_epochs": "finished",
    "diverged": "diverged",
    "interrupted": "interrupted",
}


def network_text(hidden, dataset=None):
    """``'2 → 8 → 1'``: the layer widths of a network of ``hidden`` layers on ``dataset``, whose
    number of features and classes give the input and output widths (``'…'`` when not known)."""
    if dataset is None:
        return " → ".join(["…", *map(str, hidden), "…"])
    k = dataset.n_classes
    return " → ".join(map(str, (dataset.X.shape[1], *hidden, 1 if k == 2 else k)))


def run_settings(result):
    """A run's settings: ``RunResult.settings``, completed from its history's summary.

    Returns
    -------
    dict
        Keys from :data:`boundaryviz.runs.grid.AXES` (``hidden`` as a tuple); empty for a run
        without history or settings.
    """
    settings = dict(result.settings)
    history = result.history
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


class GalleryRun:
    """A run with a history, placed in the grid."""

    def __init__(self, result):
        self.result = result
        self.history = result.history
        self.name = result.name
        self.settings = run_settings(result)
        self.n_hidden = len(self.settings.get("hidden") or (0,))


def _sort_key(result):
    if result.history is not None or result.settings:
        return (0, sort_key(run_settings(result)), result.name)
    return (1, (), result.name)


def ordered_results(results):
    """The results checked to be :class:`~boundaryviz.RunResult`, in the gallery's order
    (by the settings that vary, then by name; results without a history last)."""
    if isinstance(results, (str, bytes)) or not hasattr(results, "__iter__"):
        raise TypeError(f"results must be a sequence of sweep RunResults. Got {results!r}.")
    results = list(results)
    for r in results:
        if not isinstance(r, RunResult):
            raise TypeError(f"results must hold sweep RunResults. Got {type(r).__name__}.")
    return sorted(results, key=_sort_key)


def layout_runs(results):
    """The runs with a history that the pictures show, by (row, column).

    Returns
    -------
    (Facets or None, dict of (int, int) to GalleryRun)
        :func:`boundaryviz.runs.grid.facets` of those runs (the two settings that vary most,
        the others held at one value, at most 6 x 6), and the runs in its cells.
    """
    runs = [GalleryRun(r) for r in ordered_results(results) if r.history is not None]
    if not runs:
        return None, {}
    shown = facets([run.settings for run in runs])
    cells = {}
    for run in runs:
        cell = shown.cell(run.settings)
        if cell is not None:
            cells.setdefault(cell, run)
    return shown, cells


def grid_of(results):
    """(row headers, column headers, runs by (row, column), what else the pictures hold fixed).

    The last is text for the pictures' subtitle, e.g. ``seed 0 · 25 of 300 runs`` (empty
    when they show every run); the network's layers are in the subtitle already.
    """
    shown, cells = layout_runs(results)
    if shown is None:
        return [], [], {}, ""
    held = ""
    if not shown.complete:
        parts = [setting_text(a, v) for a, v in shown.fixed if a != "hidden"]
        held = " · ".join([*parts, f"{shown.n_shown} of {shown.n_runs} runs"])
    return shown.row_texts(), shown.col_texts(), cells, held


def picture_titles(cells, held):
    title, subtitle = shared_title(cells.values())
    return title, " · ".join(part for part in (subtitle, held) if part)


def check_layer(cells, layer):
    """``layer`` checked against every run's hidden layers; returns it."""
    for run in cells.values():
        n = run.n_hidden
        check_int(layer, "layer", low=-n, high=n - 1)
    return layer


def tile_size(run, layer, resolution):
    """(width, height) of the run's compare tiles: its kept tiles', else half its frame size."""
    tiles = run.result.tiles
    if tiles is not None and resolution is None and tiles.layer == layer % run.n_hidden:
        height, width = tiles.shape
        return width, height
    width, height = run.result.options.size
    return (width + 1) // 2, (height + 1) // 2


def check_compare(cells, *, fps, hold_last, max_frames, layer, resolution):
    """Every argument of a compare animation checked, and one tile size, before any work.

    Returns
    -------
    (fps, hold_last, resolution)
        Normalised.
    """
    options = AnimationOptions(fps=fps, hold_last=hold_last, max_frames=max_frames,
                               **({} if resolution is None else {"resolution": resolution}))
    fps, hold_last = options.fps, options.hold_last
    check_layer(cells, layer)
    if resolution is not None:
        resolution = options.resolution
    sizes = {tile_size(run, layer, resolution) for run in cells.values()}
    if len(sizes) > 1:
        raise ValueError(f"results must share one frame size to be laid side by side; got tiles of "
                         f"{', '.join(f'{w}x{h}' for w, h in sorted(sizes))} (half the frame size).")
    return fps, hold_last, resolution


def draws_again(run, layer):
    """Whether the run's result lacks its last frame for ``layer`` (summary.png draws it)."""
    return run.result.final_frame is None or run.result.frame_layer != layer % run.n_hidden


def renderer_of(run, layer, resolution=None):
    """A renderer of the run as its files were drawn (its own options), showing ``layer``."""
    from ..render.renderer import Renderer  # matplotlib loads only when something is drawn

    options = run.result.options.replace(layer=layer)
    if resolution is not None:
        options = options.replace(resolution=resolution)
    return Renderer(run.history, options=options)


def shared_title(runs):
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
        parts.append("network " + network_text(hidden, runs[0].history.dataset if dataset is not None else None))
    optimizer = shared("optimizer")
    if optimizer is not None:
        parts.append(str(optimizer))
    if dataset is not None:
        parts.append(f"{runs[0].history.dataset.n_samples} samples")
    return f"{title}", " · ".join(parts)


def outcome(result):
    """(summary, how the run ended in words) of a run with a history."""
    s = result.history.summary()
    stop_loss = run_settings(result).get("stop_loss")
    if s["stop_reason"] == "stop_loss" and stop_loss is None:
        return s, "stopped: loss below its stop rule"
    return s, STOP_TEXT.get(s["stop_reason"], s["stop_reason"]).format(stop_loss=stop_loss)
