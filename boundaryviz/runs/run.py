"""One run: its settings (:class:`RunSpec`), what it produced (:class:`RunResult`), and
:func:`run_one`, which trains it and writes its animations."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields

import numpy as np

from .._validation import ParameterTypeError, ParameterValueError, check_sequence
from ..data.dataset import Dataset
from ..options import UNSET, AnimationOptions
from ..output.animation import animation_palette, frame_indices, save_animations
from ..output.formats import check_format
from ..output.tiles import TileRecorder, Tiles
from ..train.config import TrainConfig
from ..train.history import History
from ..train.loop import train

__all__ = ["RunSpec", "RunResult", "run_one", "spec_options"]


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs: data, training settings, where and how to write.

    Parameters
    ----------
    dataset : Dataset
        The training data.
    config : TrainConfig
        The training settings.
    out_dir : str or os.PathLike
        Folder of the animations (it is made when the run writes).
    formats : tuple of str, default=('gif',)
        File formats to write, one file each: ``'gif'``, ``'mp4'``, ``'webp'``, ``'html'``.
    options : AnimationOptions, default=AnimationOptions()
        How the animations are timed and drawn (``fps``, ``hold_last``, ``max_frames`` and
        the renderer's options); passed whole to the renderer and the writers. Its ``layer``
        is fixed here against ``config.hidden`` (a 0-based index).
    tiles : bool, default=False
        Also keep half-size tiles of up to 60 of the frames, evenly spaced
        (:class:`~boundaryviz.output.tiles.Tiles`), in the result, so a gallery's compare animation
        need not draw the run again.
    stem : str, optional
        The file name without its suffix; default ``{activation}_lr{learning_rate:g}``.
        :func:`~boundaryviz.grid_specs` names each run by the settings that vary.

    See Also
    --------
    reference_specs, grid_specs : Many specs at once.
    run_sweep : Runs specs and yields a :class:`RunResult` for each.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> spec = bv.RunSpec(bv.gaussians(), bv.TrainConfig(activation="tanh"), "out", formats=("gif", "webp"))
    >>> spec.name, spec.paths()
    ('tanh_lr0.01', ['out/tanh_lr0.01.gif', 'out/tanh_lr0.01.webp'])
    >>> results = list(bv.run_sweep([spec]))  # doctest: +SKIP
    """

    dataset: Dataset
    config: TrainConfig
    out_dir: str
    formats: tuple = ("gif",)
    options: AnimationOptions = AnimationOptions()
    tiles: bool = False
    stem: str | None = None

    def __post_init__(self):
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
        if not isinstance(self.options, AnimationOptions):
            raise TypeError(f"options must be a boundaryviz AnimationOptions. Got {type(self.options).__name__}.")
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
    def name(self):
        """The file stem: ``stem``, else ``{activation}_lr{learning_rate:g}``."""
        if self.stem is not None:
            return self.stem
        return f"{self.config.activation}_lr{self.config.learning_rate:g}"

    @property
    def settings(self):
        """The run's settings for tables, a dict.

        The data set's name (``'dataset'``), every TrainConfig field and, when one is asked
        for, the ``'view'`` plane (``AnimationOptions.view``).
        """
        config = {f.name: getattr(self.config, f.name) for f in fields(self.config)}
        out = {"dataset": self.dataset.name, **config}
        if self.options.view is not None:
            out["view"] = self.options.view
        return out

    def paths(self):
        """The files this run writes, one per format.

        Returns
        -------
        list of str
            ``out_dir/name.format`` for each format, in order.
        """
        return [os.path.join(self.out_dir, f"{self.name}.{fmt}") for fmt in self.formats]


@dataclass(frozen=True)
class RunResult:
    """What a run produced.

    :func:`~boundaryviz.run_sweep` yields one per spec; each parameter is kept as the
    attribute of the same name.

    Parameters
    ----------
    name : str
        ``RunSpec.name`` (or the name of extra work such as ``'gallery'``).
    summary : dict
        :meth:`History.summary` (empty for a run kept by ``--skip-existing``).
    files : tuple of (str, int)
        Each file written and its size in bytes.
    history : History or None, default=None
        The run's snapshots (weights only, small), for galleries; ``None`` for work that is
        not a run.
    skipped : bool, default=False
        Whether the run's files were kept from an earlier sweep.
    final_frame : ndarray of shape (H, W, 3), dtype uint8, or None, default=None
        The animation's last frame, so a gallery need not draw it again.
    frame_layer : int or None, default=None
        The hidden layer (0-based) that frame shows.
    tiles : Tiles or None, default=None
        Half-size copies of the animation's frames, when the spec asked for them.
    settings : dict, optional
        ``RunSpec.settings``: the data set's name and every training setting (empty when
        not known), so a gallery can group runs by the settings that vary.
    options : AnimationOptions, default=AnimationOptions()
        The options the files were drawn with (``RunSpec.options``), so that a gallery draws
        what the run did not keep exactly as the run would have.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> specs = bv.reference_specs(bv.gaussians(), "out", activations=["tanh"])
    >>> for result in bv.run_sweep(specs):  # doctest: +SKIP
    ...     print(result.name, result.summary["final_accuracy"], result.files)
    """

    name: str
    summary: dict
    files: tuple
    history: History | None = None
    skipped: bool = False
    final_frame: np.ndarray | None = None
    frame_layer: int | None = None
    tiles: Tiles | None = None
    settings: dict = field(default_factory=dict)
    options: AnimationOptions = AnimationOptions()

    def __post_init__(self):
        for key, kind in (("history", History), ("final_frame", np.ndarray), ("tiles", Tiles)):
            value = getattr(self, key)
            if value is not None and not isinstance(value, kind):
                raise TypeError(f"{key} must be a {kind.__name__} or None. Got {type(value).__name__}.")
        if not isinstance(self.options, AnimationOptions):
            raise TypeError(f"options must be a boundaryviz AnimationOptions. Got {type(self.options).__name__}.")
        object.__setattr__(self, "settings", dict(self.settings or {}))


def spec_options(options=None, *, fps=UNSET, max_frames=UNSET, render=None):
    """The :class:`~boundaryviz.AnimationOptions` of specs made by keywords: ``options``, or
    ``fps``, ``max_frames`` and the ``render`` dict of renderer options (exactly those given).
    """
    if render is not None and not isinstance(render, dict):
        raise TypeError(f"render must be a dict of renderer options. Got {type(render).__name__}.")
    render = dict(render or {})
    unknown = sorted(set(render) - set(AnimationOptions.RENDERING))
    if unknown:
        allowed = ", ".join(AnimationOptions.RENDERING)
        raise ParameterTypeError(f"render options must be among {allowed}. Got {', '.join(unknown)}.", "render")
    return AnimationOptions.from_call(options, fps=fps, max_frames=max_frames, **render)


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
        renderer = Renderer(history, options=options)
        palette = recorder = None
        if spec.tiles:
            # the tiles are kept as indices into the animation's own palette
            frames = frame_indices(renderer.n_frames, options.max_frames)
            palette = animation_palette(renderer, frames)
            recorder = TileRecorder.evenly(frames, palette)
        # every format from the same frames, each frame drawn once
        animations = save_animations(history, spec.paths(), renderer=renderer, options=options,
                                     on_frame=recorder and recorder.add, palette=palette)
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
