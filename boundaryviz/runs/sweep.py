"""Many runs at once: the reference grid's specs, and :func:`run_sweep`, which runs specs in
parallel over this machine's cores or on a Dask cluster."""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings

from .._validation import ParameterValueError, check_int, check_sequence
from ..options import UNSET
from ..train.config import TrainConfig
from .grid import REFERENCE_GRID
from .run import RunResult, RunSpec, run_one, spec_options

__all__ = ["run_sweep", "reference_specs", "default_jobs"]


def reference_specs(dataset, out_dir, *, activations=REFERENCE_GRID["activation"],
                    learning_rates=REFERENCE_GRID["learning_rate"],
                    formats=("gif",), fps=UNSET, max_frames=UNSET, render=None, tiles=False,
                    options=None, **settings):
    """One :class:`RunSpec` per activation × learning rate, in that order.

    Parameters
    ----------
    dataset : Dataset
        The training data of every run.
    out_dir : str or os.PathLike
        Folder of the animations (``{activation}_lr{learning_rate:g}.{format}``).
    activations : sequence of str, default=('relu', 'tanh')
        Hidden activations to try (keys of :data:`~boundaryviz.ACTIVATIONS`).
    learning_rates : sequence of float, default=(0.1, 0.01, 0.001)
        Learning rates to try with each activation.
    formats : sequence of {'gif', 'mp4', 'webp', 'html'}, default=('gif',)
        File formats of each run, one file each.
    fps : float, default=12
        Frames per second of the animations.
    max_frames : int or None, default=100
        Most frames per animation (see :class:`~boundaryviz.AnimationOptions`).
    render : dict, optional
        Renderer options: ``resolution``, ``layer``, ``size``, ``levels``, ``lattice_lines``,
        ``bayes``.
    tiles : bool, default=False
        Keep half-size tiles of every run's frames for the gallery (see :class:`RunSpec`).
    options : AnimationOptions, optional
        ``fps``, ``max_frames`` and the renderer options at once, instead of those keywords.
    **settings
        The other :class:`~boundaryviz.TrainConfig` fields (hidden, optimizer,
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
        :func:`boundaryviz.runs.cluster.run_on_cluster`.

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
        # not `yield from`: that would close the results before the warnings are silenced
        while (result := next(results, None)) is not None:
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
