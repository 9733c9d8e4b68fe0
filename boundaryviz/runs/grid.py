"""A grid of settings: every combination of the values given, named by what varies.

Any field of :class:`~boundaryviz.TrainConfig` can take several values, and so can
the data set and the view plane (``view``, an option of the input panel); the runs are their
product (:func:`grid_specs`). A run's file name always
starts with its activation and learning rate, as in the reference sweep (``relu_lr0.1``),
and then names each other setting that takes more than one value in the grid, in a fixed
order (``relu_lr0.1_moons_h4-2_seed1``). Two runs that would write the same file are an
error before any work.

:func:`facets` picks how a gallery lays many runs out in one picture: the two settings that
vary most as rows and columns, the other varying settings held at one value, and at most
a few rows and columns (the rest stay on the page, in a table).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Iterable, Mapping

from .._validation import ParameterValueError
from ..data.dataset import Dataset
from ..options import UNSET, AnimationOptions
from ..train.config import TrainConfig
from .run import RunSpec, spec_options

__all__ = ["AXES", "grid_specs", "run_names", "setting_label", "setting_text", "facets", "Facets",
           "varying", "sort_key", "axis_words"]

AXES = ("dataset", *(f.name for f in dataclasses.fields(TrainConfig)), "view")
"""tuple of str: the settings a grid can vary, in the order file names and tables give them:
the data set, then every :class:`~boundaryviz.TrainConfig` field, then the view plane."""
ALWAYS_NAMED = ("activation", "learning_rate")
"""Settings every file name gives, varying or not (``relu_lr0.1``)."""
REFERENCE_GRID = {"activation": ("relu", "tanh"), "learning_rate": (0.1, 0.01, 0.001)}
MAX_FACET = 6
"""Most rows, and most columns, of a gallery's summary and compare pictures."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")

# How a setting's value appears in a file name; any other setting: its value, after its
# name when the value is a number (``epochs`` -> ``ep200``; a new string field such as an
# engine -> ``torch``).
_LABELS = {
    "learning_rate": lambda v: f"lr{v:g}",
    "hidden": lambda v: "h" + "-".join(str(w) for w in v),
    "epochs": lambda v: f"ep{v}",
    "stop_loss": lambda v: f"stop{v:g}",
    "batch_size": lambda v: "fullbatch" if v is None else f"batch{v}",
    "seed": lambda v: f"seed{v}",
    "momentum": lambda v: f"mom{v:g}",
    "view": lambda v: "-".join(_UNSAFE.sub("-", word).strip("-") for word in v) if isinstance(v, tuple)
    else _view_words(v, "-"),  # each feature name made safe first: "petal-length-cm-petal-width-cm"
}
# How a setting's value reads on a page or in a picture.
_TEXTS = {
    "learning_rate": lambda v: f"learning rate {v:g}",
    "hidden": lambda v: "hidden " + ",".join(str(w) for w in v),
    "epochs": lambda v: f"{v} epochs",
    "stop_loss": lambda v: f"stop loss {v:g}",
    "batch_size": lambda v: "full batch" if v is None else f"batches of {v}",
    "seed": lambda v: f"seed {v}",
    "momentum": lambda v: f"momentum {v:g}",
    "view": lambda v: _view_words(v, " × ") + ("" if isinstance(v, tuple) else " plane"),
}


def _view_words(view, joint):
    """'pca', 'lda', a slice's two names joined, or a Plane's name."""
    if isinstance(view, str):
        return view.upper() if joint != "-" else view
    if isinstance(view, tuple):
        return joint.join(view)
    return str(getattr(view, "name", "plane"))


def setting_label(axis, value):
    """The part of a file name that gives one setting, e.g. ``lr0.1``, ``h4-2``, ``seed1``.

    Parameters
    ----------
    axis : str
        A name from :data:`AXES`.
    value : object

    Returns
    -------
    str
        Letters, digits, ``.``, ``_``, ``+`` and ``-`` only.
    """
    if axis in _LABELS:
        text = _LABELS[axis](value)
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{axis}{value:g}"
    else:
        text = f"{axis}{value}"
    return _UNSAFE.sub("-", text).strip("-") or "-"


def setting_text(axis, value):
    """One setting as a person reads it: ``learning rate 0.1``, ``hidden 4,2``, ``relu``.

    Parameters
    ----------
    axis : str
    value : object

    Returns
    -------
    str
    """
    if axis in _TEXTS:
        return _TEXTS[axis](value)
    if isinstance(value, str) and axis in ("dataset", "activation", "optimizer", "model"):
        return value
    if isinstance(value, float):
        return f"{axis.replace('_', ' ')} {value:g}"
    return f"{axis.replace('_', ' ')} {value}"


def varying(settings_list):
    """The settings that take more than one value among runs, in :data:`AXES` order.

    Parameters
    ----------
    settings_list : sequence of dict
        Each run's settings (:attr:`RunSpec.settings <boundaryviz.RunSpec.settings>`).

    Returns
    -------
    list of str
    """
    axes = [a for a in AXES if all(a in s for s in settings_list)]
    axes += sorted({a for s in settings_list for a in s} - set(AXES))  # fields added later
    return [a for a in axes if len(_distinct(s[a] for s in settings_list if a in s)) > 1]


def _distinct(values):
    out = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _value_key(axis, value):
    """Sort key of a setting's values: learning rates from largest, the rest ascending."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = -value if axis == "learning_rate" else value
        return (1, number if not math.isnan(number) else math.inf, "")
    if value is None:
        return (0, 0, "")
    if isinstance(value, tuple):
        return (2, len(value), value)
    return (3, 0, str(value))


def sort_key(settings):
    """Key that orders runs by their settings, in :data:`AXES` order (learning rates from largest).

    Parameters
    ----------
    settings : dict

    Returns
    -------
    tuple
    """
    return tuple(_value_key(a, settings[a]) if a in settings else (-1, 0, "") for a in AXES)


def run_names(settings_list):
    """File stems for runs: activation and learning rate, then every other setting that varies.

    Parameters
    ----------
    settings_list : sequence of dict
        Each run's settings, keys from :data:`AXES`.

    Returns
    -------
    list of str
        One per run, in order; ``relu_lr0.1`` when only activations and learning rates vary.

    Examples
    --------
    >>> run_names([{"activation": "relu", "learning_rate": 0.1, "seed": 0},
    ...            {"activation": "relu", "learning_rate": 0.1, "seed": 1}])
    ['relu_lr0.1_seed0', 'relu_lr0.1_seed1']
    """
    named = [a for a in varying(settings_list) if a not in ALWAYS_NAMED]
    names = []
    for s in settings_list:
        parts = [setting_label(a, s[a]) for a in ALWAYS_NAMED if a in s]
        parts += [setting_label(a, s[a]) for a in named]
        names.append("_".join(parts))
    return names


def grid_specs(datasets, out_dir, *, grid=None, formats=("gif",), fps=UNSET,
               max_frames=UNSET, render=None, tiles=False, options=None, **settings):
    """One :class:`~boundaryviz.RunSpec` per combination of the settings in ``grid``.

    Parameters
    ----------
    datasets : Dataset or sequence of Dataset
        Several data sets are one more setting of the grid (named by ``Dataset.name``).
    out_dir : str or os.PathLike
        Folder of the animations, each named by the settings that vary.
    grid : mapping of str to sequence, optional
        :class:`~boundaryviz.TrainConfig` field -> the values it takes, e.g.
        ``{"activation": ["relu", "tanh"], "seed": [0, 1, 2], "hidden": [(2,), (8,), (4, 2)]}``;
        also ``"view"``: the planes the input panel shows (``["pca", "lda", ("a", "b")]``).
        Default: the reference sweep, ``{"activation": ("relu", "tanh"),
        "learning_rate": (0.1, 0.01, 0.001)}``.
    formats : sequence of {'gif', 'mp4', 'webp', 'html'}, default=('gif',)
        File formats of each run, as for :func:`~boundaryviz.reference_specs`.
    fps : float, default=12
        Frames per second, the same for every run.
    max_frames : int or None, default=100
        Most frames per animation, the same for every run.
    render : dict, optional
        Renderer options, as for :func:`~boundaryviz.reference_specs`.
    tiles : bool, default=False
        Keep half-size tiles of every run's frames for the gallery.
    options : AnimationOptions, optional
        Every animation option at once, instead of ``fps``, ``max_frames`` and ``render``.
    **settings
        Other TrainConfig fields, one value each (``epochs=100``).

    Returns
    -------
    list of RunSpec
        Data sets outermost, then the fields in TrainConfig's order; every setting checked
        and every file name distinct, before any work.

    Raises
    ------
    ValueError, TypeError
        Naming the setting and the value: an unknown field, no values or a repeated one, a
        setting both in ``grid`` and in ``settings``, a value TrainConfig refuses, or two
        runs with one file name.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> specs = bv.grid_specs(bv.gaussians(), "out", grid={"activation": ["tanh"],
    ...                       "learning_rate": [0.1], "seed": [0, 1]}, epochs=50)
    >>> [spec.name for spec in specs]
    ['tanh_lr0.1_seed0', 'tanh_lr0.1_seed1']
    """
    if isinstance(datasets, Dataset):
        datasets = [datasets]
    if isinstance(datasets, (str, bytes)) or not isinstance(datasets, Iterable):
        raise TypeError(f"datasets must be a Dataset or a sequence of Datasets. Got {datasets!r}.")
    datasets = list(datasets)
    if not datasets:
        raise ValueError("datasets must hold at least one Dataset. Got none.")
    for d in datasets:
        if not isinstance(d, Dataset):
            raise TypeError(f"datasets must hold boundaryviz Datasets. Got {type(d).__name__}.")
    _check_repeats("datasets", [d.name for d in datasets])
    options = spec_options(options, fps=fps, max_frames=max_frames, render=render)
    grid = dict(REFERENCE_GRID if grid is None else _check_grid(grid))
    views = grid.pop("view", None)
    both = sorted(set(grid) & set(settings))
    if both:
        raise TypeError(f"{both[0]} is given both in grid and as a setting; give it in one place.")
    fields = [f.name for f in dataclasses.fields(TrainConfig)]
    axes = [a for a in fields if a in grid]
    specs, settings_list = [], []
    for dataset in datasets:
        for values in itertools.product(*(grid[a] for a in axes)):
            config = TrainConfig(**settings, **dict(zip(axes, values)))
            for view in [options.view] if views is None else views:
                settings_list.append({"dataset": dataset.name, **dataclasses.asdict(config),
                                      **({} if view is None else {"view": view})})
                specs.append((dataset, config, options if views is None else options.replace(view=view)))
    names = run_names(settings_list)
    first = {}
    for name, s in zip(names, settings_list):
        key = name.casefold()  # names that differ only in case are one file on macOS and Windows
        if key in first:
            other, settings = first[key]
            named = f"named {name!r}" if other == name else f"named {other!r} and {name!r}, one file where case is ignored"
            raise ValueError(
                f"grid must give every run its own file name; two runs would be {named} "
                f"({_differences(settings, s)}; learning rates are named with 6 significant digits).")
        first[key] = (name, s)
    return [RunSpec(dataset, config, out_dir, tuple(formats), tiles=tiles, stem=name, options=run_options)
            for (dataset, config, run_options), name in zip(specs, names)]


def _differences(a, b):
    return "; ".join(f"{k} {a[k]!r} and {b[k]!r}" for k in a if a[k] != b.get(k)) or "the same settings"


def _check_grid(grid):
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a mapping of TrainConfig field to values. Got {grid!r}.")
    fields = [f.name for f in dataclasses.fields(TrainConfig)] + ["view"]
    out = {}
    for axis, values in grid.items():
        if axis not in fields:
            raise ValueError(f"grid's keys must be TrainConfig fields or view ({', '.join(fields)}). Got {axis!r}.")
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise TypeError(f"grid[{axis!r}] must be a sequence of values. Got {values!r}.")
        values = list(values)
        if not values:
            raise ValueError(f"grid[{axis!r}] must hold at least one value. Got none.")
        if axis == "hidden":  # (4, 2) is one architecture; an int is a one-layer one
            values = [(v,) if isinstance(v, int) and not isinstance(v, bool) else tuple(v)
                      if isinstance(v, Iterable) and not isinstance(v, str) else v for v in values]
        if axis == "view":  # each checked as AnimationOptions checks it ('a,b' becomes ('a', 'b'))
            values = [AnimationOptions(view=v).view for v in values]
        _check_repeats(f"grid[{axis!r}]", values, parameter=axis)
        out[axis] = values
    return out


def _check_repeats(name, values, parameter=None):
    seen = []
    for v in values:
        if v in seen:
            raise ParameterValueError(f"{name} must not repeat a value. Got {v!r} twice.", parameter or name)
        seen.append(v)


# ------------------------------------------------------------------------------ facets
@dataclasses.dataclass(frozen=True)
class Facets:
    """How a gallery lays runs out in one picture.

    Attributes
    ----------
    rows, cols : str
        The settings down and across (from :data:`AXES`).
    row_values, col_values : tuple
        Their values shown, in order (at most :data:`MAX_FACET` each).
    fixed : tuple of (str, object)
        The other varying settings and the one value each the picture shows.
    n_runs : int
        Runs in all.
    n_shown : int
        Runs the picture shows.
    """

    rows: str
    cols: str
    row_values: tuple
    col_values: tuple
    fixed: tuple
    n_runs: int
    n_shown: int

    def cell(self, settings):
        """(row, column) of a run in the picture, or ``None`` when it is not shown."""
        if any(settings.get(a) != v for a, v in self.fixed):
            return None
        try:
            return self.row_values.index(settings.get(self.rows)), self.col_values.index(settings.get(self.cols))
        except ValueError:
            return None

    def row_texts(self):
        """list of str: the row headers."""
        return [setting_text(self.rows, v) for v in self.row_values]

    def col_texts(self):
        """list of str: the column headers."""
        return [setting_text(self.cols, v) for v in self.col_values]

    @property
    def complete(self):
        """bool: whether the picture shows every run."""
        return self.n_shown == self.n_runs

    def note(self):
        """str: what the picture leaves out, for the page (empty when it shows every run)."""
        if self.complete:
            return ""
        held = " · ".join(setting_text(a, v) for a, v in self.fixed)
        text = (f"{self.n_shown} of the {self.n_runs} runs, {axis_words(self.rows)} down and "
                f"{axis_words(self.cols)} across")
        if held:
            text += f", at {held}"
        return text


def axis_words(axis):
    """A setting's name in the plural, for sentences: ``learning rates``, ``hidden layers``."""
    return {"learning_rate": "learning rates", "hidden": "hidden layers", "dataset": "data sets",
            "activation": "activations", "optimizer": "optimizers", "seed": "seeds",
            "batch_size": "batch sizes"}.get(axis, axis.replace("_", " ") + "s")


def facets(settings_list, *, max_rows=MAX_FACET, max_cols=MAX_FACET):
    """Choose the rows and columns of a picture of many runs.

    The two settings with the most values become rows and columns (the one earlier in
    :data:`AXES` down); when fewer than two vary, activation and learning rate fill in, so
    the reference sweep is activations down and learning rates across. Any other varying
    setting is held at its first value, and at most ``max_rows`` × ``max_cols`` runs are
    shown.

    Parameters
    ----------
    settings_list : sequence of dict
        Each run's settings.
    max_rows, max_cols : int, default=6

    Returns
    -------
    Facets
    """
    settings_list = list(settings_list)
    moving = varying(settings_list)
    counts = {a: len(_distinct(s.get(a) for s in settings_list)) for a in moving}
    order = {a: i for i, a in enumerate(AXES)}
    ranked = sorted(moving, key=lambda a: (-counts[a], order.get(a, len(AXES)), a))
    chosen = ranked[:2]
    present = [a for a in (*ALWAYS_NAMED, *AXES) if all(s.get(a) is not None for s in settings_list)]
    for a in present:  # recorded runs may not say an activation or a learning rate
        if len(chosen) < 2 and a not in chosen:
            chosen.append(a)
    for a in ALWAYS_NAMED:
        if len(chosen) < 2 and a not in chosen:
            chosen.append(a)
    rows, cols = sorted(chosen, key=lambda a: (order.get(a, len(AXES)), a))

    def values(axis):
        found = _distinct(s.get(axis) for s in settings_list)
        return sorted(found, key=lambda v: _value_key(axis, v))

    fixed = tuple((a, values(a)[0]) for a in moving if a not in (rows, cols))
    row_values = tuple(values(rows)[:max_rows])
    col_values = tuple(values(cols)[:max_cols])
    partial = Facets(rows, cols, row_values, col_values, fixed, len(settings_list), 0)
    shown = sum(partial.cell(s) is not None for s in settings_list)
    return dataclasses.replace(partial, n_shown=shown)
