"""Many runs at once: settings → trained history → animation files, in parallel over runs."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass, fields

import numpy as np

from .._validation import ParameterTypeError, ParameterValueError, check_int, check_sequence
from ..output.animation import (
    DEFAULT_FPS, DEFAULT_MAX_FRAMES, animation_options, animation_palette, frame_indices, save_animations
)
from ..data.dataset import Dataset
from ..output.formats import check_format
from ..options import AnimationOptions
from ..output.tiles import TileRecorder, Tiles
from ..train.history import History
from ..train.config import TrainConfig
from ..train.loop import train

__all__ = ["RunSpec", "RunResult", "run_one", "run_sweep", "reference_specs", "default_jobs", "spec_options"]


@dataclass(frozen=True, init=False)
class RunSpec:
    """Everything one run needs: data, training settings, where and how to write.

    Parameters
    ----------
    dataset : Dataset
    config : TrainConfig
    out_dir : str
    formats : tuple of str, default=('gif',)
    fps : float, default=12
    max_frames : int or None, default=100
    render : dict, optional
        Options for :class:`~boundaryviz.render.Renderer` (``resolution``, ``layer``, ...).
    tiles : bool, default=False
        Also keep half-size tiles of up to 60 of the frames, evenly spaced
        (:class:`~boundaryviz.tiles.Tiles`), in the result, so a gallery's compare animation
        need not draw the run again.
    stem : str, optional
        The file name without its suffix; default ``{activation}_lr{learning_rate:g}``.
        :func:`~boundaryviz.grid.grid_specs` names each run by the settings that vary.
    options : AnimationOptions, optional
        ``fps``, ``max_frames``, ``hold_last`` and the renderer's options at once, instead
        of ``fps``, ``max_frames`` and ``render``.

    Attributes
    ----------
    options : AnimationOptions
        How the animations are drawn and timed, checked once; its ``layer`` is fixed
        against ``config.hidden`` (a 0-based index). ``fps``, ``max_frames`` and ``render``
        (every renderer option) are read from it.
    """

    dataset: Dataset
    config: TrainConfig
    out_dir: str
    formats: tuple
    tiles: bool
    stem: str | None
    options: AnimationOptions

    def __init__(self, dataset, config, out_dir, formats=("gif",), fps=DEFAULT_FPS, max_frames=DEFAULT_MAX_FRAMES,
                 render=None, tiles=False, stem=None, options=None):
        # fps, max_frames and render are not fields: ``options`` holds them (dataclasses.replace
        # passes only the fields, so replacing ``options`` or another field round-trips)
        for name, value in (("dataset", dataset), ("config", config), ("out_dir", out_dir), ("formats", formats),
                            ("tiles", tiles), ("stem", stem)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "options", spec_options(options, fps=fps, max_frames=max_frames, render=render))
        self._check()

    def _check(self):
        if not isinstance(self.dataset, Dataset):
            raise TypeError(f"dataset must be a boundaryviz Dataset. Got {type(self.dataset).__name__}.")
        if not isinstance(self.config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig. Got {type(self.config).__name__}.")
        if not isinstance(self.out_dir, (str, os.PathLike)):
            raise TypeError(f"out_dir must be a folder path. Got {self.out_dir!r}.")
        object.__setattr__(self, "out_dir", os.fspath(self.out_dir))
        formats = tuple(check_sequence(self.formats, "formats", "format names"))
        if not formats:
            raise ParameterValueError("formats must name at least one format. Got none.", "formats")
        if len(set(formats)) != len(formats):
            raise ParameterValueError(f"formats must not repeat. Got {formats!r}.", "formats")
        for fmt in formats:
            check_format(fmt)  # an unknown format, or MP4 without the video extra
        object.__setattr__(self, "formats", formats)
        # the layer shown is fixed here, against this run's network
        layer = self.options.layer_index(len(self.config.hidden))
        object.__setattr__(self, "options", self.options.replace(layer=layer))
        if not isinstance(self.tiles, bool):
            raise TypeError(f"tiles must be True or False. Got {self.tiles!r}.")
        if self.stem is not None:
            if not isinstance(self.stem, str):
                raise TypeError(f"stem must be a file name without suffix. Got {self.stem!r}.")
            if (not self.stem or self.stem.startswith(".") or "\0" in self.stem
                    or any(sep in self.stem for sep in ("/", os.sep))):
                raise ValueError(f"stem must be a file name without folders, not starting with '.'. "
                                 f"Got {self.stem!r}.")

    @property
    def fps(self):
        """float: ``options.fps``."""
        return self.options.fps

    @property
    def max_frames(self):
        """int or None: ``options.max_frames``."""
        return self.options.max_frames

    @property
    def render(self):
        """dict: every renderer option (``options.renderer_options``), ``layer`` 0-based."""
        return self.options.renderer_options

    @property
    def name(self):
        """str: file stem: ``stem``, else ``{activation}_lr{learning_rate:g}``."""
        if self.stem is not None:
            return self.stem
        return f"{self.config.activation}_lr{self.config.learning_rate:g}"

    @property
    def settings(self):
        """dict: the data set's name (``'dataset'``) and every TrainConfig field, for tables."""
        config = {f.name: getattr(self.config, f.name) for f in fields(self.config)}
        return {"dataset": self.dataset.name, **config}

    def paths(self):
        """list of str: the files this run writes, one per format."""
        return [os.path.join(self.out_dir, f"{self.name}.{fmt}") for fmt in self.formats]


@dataclass(frozen=True, init=False)
class RunResult:
    """What a run produced.

    Attributes
    ----------
    name : str
        ``RunSpec.name`` (or the name of extra work such as ``'gallery'``).
    summary : dict
        :meth:`History.summary` (empty for a run kept by ``--skip-existing``).
    files : tuple of (str, int)
        Each file written and its size in bytes.
    history : History or None
        The run's snapshots (weights only, small), for galleries; ``None`` for work that is
        not a run.
    skipped : bool
        Whether the run's files were kept from an earlier sweep.
    final_frame : ndarray of shape (H, W, 3), dtype uint8, or None
        The animation's last frame, so a gallery need not draw it again.
    frame_layer : int or None
        The hidden layer (0-based) that frame shows.
    tiles : Tiles or None
        Half-size copies of the animation's frames, when the spec asked for them.
    render : dict
        The renderer options the files were drawn with (``options.renderer_options``).
    max_frames : int or None
        ``options.max_frames``.
    settings : dict
        ``RunSpec.settings``: the data set's name and every training setting (empty when
        not known), so a gallery can group runs by the settings that vary.
    options : AnimationOptions
        The options the files were drawn with (``RunSpec.options``; made from ``render``
        and ``max_frames`` when not given), so that a gallery draws what the run did not
        keep exactly as the run would have.
    """

    name: str
    summary: dict
    files: tuple
    history: History | None
    skipped: bool
    final_frame: np.ndarray | None
    frame_layer: int | None
    tiles: Tiles | None
    settings: dict
    options: AnimationOptions

    def __init__(self, name, summary, files, history=None, skipped=False, final_frame=None, frame_layer=None,
                 tiles=None, render=None, max_frames=DEFAULT_MAX_FRAMES, settings=None, options=None):
        # render and max_frames are not fields: ``options`` holds them (see RunSpec)
        for key, kind in (("history", History), ("final_frame", np.ndarray), ("tiles", Tiles)):
            value = locals()[key]
            if value is not None and not isinstance(value, kind):
                raise TypeError(f"{key} must be a {kind.__name__} or None. Got {type(value).__name__}.")
        for key, value in (("name", name), ("summary", summary), ("files", files), ("history", history),
                           ("skipped", skipped), ("final_frame", final_frame), ("frame_layer", frame_layer),
                           ("tiles", tiles), ("settings", dict(settings or {}))):
            object.__setattr__(self, key, value)
        object.__setattr__(self, "options", spec_options(options, max_frames=max_frames, render=render))

    @property
    def render(self):
        """dict: the renderer's options the files were drawn with (``options.renderer_options``)."""
        return self.options.renderer_options

    @property
    def max_frames(self):
        """int or None: ``options.max_frames``."""
        return self.options.max_frames


def reference_specs(dataset, out_dir, *, activations=("relu", "tanh"), learning_rates=(0.1, 0.01, 0.001),
                    formats=("gif",), fps=DEFAULT_FPS, max_frames=DEFAULT_MAX_FRAMES, render=None, tiles=False,
                    options=None, **settings):
    """One :class:`RunSpec` per activation × learning rate, in that order.

    Parameters
    ----------
    dataset : Dataset
    out_dir : str or os.PathLike
        Folder of the animations (``{activation}_lr{learning_rate:g}.{format}``).
    activations : sequence of str, default=('relu', 'tanh')
    learning_rates : sequence of float, default=(0.1, 0.01, 0.001)
    formats : sequence of {'gif', 'mp4', 'webp'}, default=('gif',)
    fps : float, default=12
    max_frames : int or None, default=100
    render : dict, optional
        Renderer options: ``resolution``, ``layer``, ``size``, ``levels``, ``lattice_lines``,
        ``bayes``.
    tiles : bool, default=False
        Keep half-size tiles of every run's frames for the gallery (see :class:`RunSpec`).
    options : AnimationOptions, optional
        ``fps``, ``max_frames`` and the renderer options at once, instead of those keywords.
    **settings
        The other :class:`~boundaryviz.training.TrainConfig` fields (hidden, optimizer,
        epochs, stop_loss, batch_size, seed, momentum).

    Returns
    -------
    list of RunSpec
        Every setting checked: bad input raises ``ValueError`` or ``TypeError`` here,
        before any work.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> specs = bv.reference_specs(bv.gaussians(), "output", activations=["tanh"], epochs=50)
    >>> [spec.name for spec in specs]
    ['tanh_lr0.1', 'tanh_lr0.01', 'tanh_lr0.001']
    """
    activations = check_sequence(activations, "activations", "activation names")
    learning_rates = check_sequence(learning_rates, "learning_rates", "numbers")
    if not activations:
        raise ParameterValueError("activations must name at least one activation. Got none.", "activations")
    if not learning_rates:
        raise ParameterValueError("learning_rates must hold at least one learning rate. Got none.", "learning_rates")
    formats = tuple(check_sequence(formats, "formats", "format names"))
    options = spec_options(options, fps=fps, max_frames=max_frames, render=render)
    specs = []
    for activation in activations:
        for lr in learning_rates:
            cfg = TrainConfig(activation=activation, learning_rate=lr, **settings)
            specs.append(RunSpec(dataset, cfg, out_dir, formats, tiles=tiles, options=options))
    names = [s.name for s in specs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(
            "activations and learning_rates must give distinct file names; "
            f"{', '.join(repeated)} would be written twice (learning rates are named with 6 significant digits)."
        )
    return specs


def spec_options(options=None, *, fps=DEFAULT_FPS, max_frames=DEFAULT_MAX_FRAMES, render=None):
    """The :class:`~boundaryviz.options.AnimationOptions` of specs made from keywords:
    ``options``, or ``fps``, ``max_frames`` and the ``render`` dict (checked once).
    """
    if render is not None and not isinstance(render, dict):
        raise TypeError(f"render must be a dict of renderer options. Got {type(render).__name__}.")
    render = dict(render or {})
    unknown = sorted(set(render) - set(AnimationOptions.RENDERING))
    if unknown:
        allowed = ", ".join(AnimationOptions.RENDERING)
        raise ParameterTypeError(f"render options must be among {allowed}. Got {', '.join(unknown)}.", "render")
    return animation_options(options, fps=fps, max_frames=max_frames, **render)


def run_one(spec, *, progress=False, position=0):
    """Train one run and write its animation(s).

    Returns
    -------
    RunResult
    """
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=spec.config.epochs, desc=f"{spec.name:<16}", unit="epoch", position=position,
                   leave=True, file=sys.stderr, dynamic_ncols=True)
    try:
        history = train(spec.dataset, config=spec.config)
        if bar is not None:
            bar.update(history.epochs_run)
            bar.set_postfix_str("rendering")
        from ..render.renderer import Renderer

        options = spec.options
        renderer = Renderer(history, **options.renderer_options)
        palette = recorder = None
        if spec.tiles:
            # the tiles are kept as indices into the animation's own palette
            frames = frame_indices(renderer.n_frames, options.max_frames)
            palette = animation_palette(renderer, frames)
            recorder = TileRecorder.evenly(frames, palette)
        # every format from the same frames, each frame drawn once
        timing = {name: getattr(options, name) for name in AnimationOptions.TIMING}
        animations = save_animations(history, spec.paths(), renderer=renderer, on_frame=recorder and recorder.add,
                                     palette=palette, **timing)
        files = [(a.path, a.size_bytes) for a in animations]
        final_frame = renderer.frame(-1)
        tiles = recorder.tiles(renderer.layer, renderer.key_colors()) if recorder else None
        if bar is not None:
            bar.set_postfix_str(f"{history.stop_reason}, loss {history.final.loss:.4f}")
    except Exception as exc:
        if hasattr(exc, "add_note"):  # Python 3.11+; the note survives the trip back from a worker
            exc.add_note(f"in run {spec.name}")
        raise
    finally:
        if bar is not None:
            bar.close()
    return RunResult(spec.name, history.summary(), tuple(files), history, final_frame=final_frame,
                     frame_layer=renderer.layer, tiles=tiles, options=spec.options, settings=spec.settings)


def default_jobs():
    """int: the number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _run_extra(name, task):
    return RunResult(name, {}, tuple((path, os.path.getsize(path)) for path in task()))


def run_sweep(specs, *, jobs=None, progress=False, extra=(), scheduler=None):
    """Run every spec, ``jobs`` at a time or on a Dask cluster, yielding results as runs finish.

    Parameters
    ----------
    specs : list of RunSpec
        No two may write the same file (``ValueError`` before any work).
    jobs : int, optional
        Parallel worker processes (joblib's loky backend); default: all cores. Not used
        with ``scheduler``.
    progress : bool, default=False
        A bar per run (locally), or one bar over the runs (on a cluster).
    extra : sequence of (str, callable), optional
        More work for the same local workers: each callable takes no argument, must pickle,
        and returns the paths it wrote. It starts first (put the longest work here) and is
        yielded as a ``RunResult`` of that name. Not with ``scheduler`` (a cluster's workers
        may not share this machine's folders).
    scheduler : str or distributed.Client, optional
        A Dask distributed scheduler's address (``'tcp://HOST:PORT'``) or a connected
        client: the runs go to its workers, which send back the files' bytes; this process
        writes every file (atomically). Needs the ``cluster`` extra. See
        :func:`boundaryviz.cluster.run_on_cluster`.

    Yields
    ------
    RunResult
        In completion order.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> specs = bv.reference_specs(bv.gaussians(), "out", epochs=30)  # doctest: +SKIP
    >>> results = list(bv.run_sweep(specs, scheduler="tcp://10.0.0.5:8786"))  # doctest: +SKIP
    """
    specs = list(specs)
    for spec in specs:
        if not isinstance(spec, RunSpec):
            raise TypeError(f"specs must hold RunSpecs. Got {type(spec).__name__}.")
    _check_distinct(specs)
    if scheduler is not None:
        if extra:
            raise ValueError("extra work cannot go to a cluster (its workers may not share this machine's "
                             "folders); run it locally.")
        from .cluster import run_on_cluster  # dask loads only when a cluster is asked for

        yield from run_on_cluster(specs, scheduler, progress=progress)
        return
    jobs = default_jobs() if jobs is None else check_int(jobs, "jobs", low=1, high=256)
    jobs = min(jobs, len(specs) + len(extra)) or 1
    if jobs == 1:
        for i, spec in enumerate(specs):
            yield run_one(spec, progress=progress, position=i)
        for name, task in extra:
            yield _run_extra(name, task)
        return
    from joblib import Parallel, delayed, parallel_config

    with parallel_config(backend="loky", initializer=_worker_init):
        parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
    tasks = [delayed(_run_extra)(name, task) for name, task in extra]
    tasks += [delayed(run_one)(spec, progress=progress, position=i) for i, spec in enumerate(specs)]
    results = parallel(tasks)
    try:
        for result in results:
            yield result
    finally:
        # Leaving early (an error, Ctrl-C, or the caller closing us): joblib then kills the
        # workers and waits for them, so none is left writing; its warning that the
        # cancelled runs were "not used" is expected here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results.close()


def _check_distinct(specs):
    """Raise ``ValueError`` if two specs would write the same file."""
    seen = {}
    for spec in specs:
        for path in spec.paths():
            key = os.path.normcase(os.path.abspath(path))
            if key in seen:
                raise ValueError(
                    f"specs must write distinct files; runs {seen[key]!r} and {spec.name!r} would both "
                    f"write {path!r}.")
            seen[key] = spec.name


def _worker_init():
    """Set up a worker process: the parent alone handles Ctrl-C, and the worker ends with it.

    Ctrl-C in a terminal reaches the whole process group, but only the parent decides what to
    do about it (it stops the workers, then removes their partial files). A parent killed
    outright (SIGKILL) cannot stop them, so each worker watches for that and ends itself; the
    next run into the folder removes what it left half-written.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.25)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="boundaryviz-parent-watch", daemon=True).start()
