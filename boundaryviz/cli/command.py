"""Command line: ``python -m boundaryviz`` (also installed as ``boundaryviz``).

A thin layer over the public API: parse, validate everything before any work, run the sweep,
print a table. Only this module prints or chooses exit statuses:

- 0: every run written (or kept by ``--skip-existing``);
- 1: an unexpected error (one line; ``--debug`` shows the traceback);
- 2: bad input (one line saying what is wrong and what is allowed; nothing written, the
  ``--out`` folder not even created);
- 130 / 143: interrupted by SIGINT / SIGTERM (one line naming the finished runs; finished
  files stay, no partial file remains, no worker process is left).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import signal
import sys
import threading
import traceback

from .._extras import MissingExtraError, check_available
from ..data.catalogue import DATASETS, MULTICLASS, REAL, make_dataset
from ..data.tables import load_csv
from ..gallery.build import write_gallery
from ..options import AnimationOptions
from ..output.atomic import format_size
from ..output.formats import is_complete, remove_partials
from ..runs.grid import facets, grid_specs
from ..runs.run import RunResult
from ..runs.sweep import run_sweep
from ..train.loop import train
from .checks import check_anchor, check_view
from .parser import PROG, UsageError, build_parser

log = logging.getLogger(PROG)

# Library parameter names (an error's ``parameter`` attribute) → the flag a command-line user
# typed, to head error messages.
FLAGS = {
    "dataset": "--datasets", "datasets": "--datasets", "activation": "--activations", "activations": "--activations",
    "learning_rate": "--learning-rates", "learning rates": "--learning-rates",
    "learning_rates": "--learning-rates", "hidden": "--hidden", "optimizer": "--optimizers",
    "epochs": "--epochs", "stop_loss": "--stop-loss", "batch_size": "--batch-size",
    "seed": "--seeds", "format": "--format", "fps": "--fps", "max_frames": "--max-frames",
    "resolution": "--resolution", "layer": "--layer", "bayes": "--bayes", "jobs": "--jobs", "engine": "--engines",
    "n_classes": "--classes", "features": "--features", "view": "--view", "anchor": "--anchor",
    "scheduler": "--scheduler",
}
STOP_SIGNALS = ("SIGINT", "SIGTERM")
CLEANUP_WAIT = 10.0  # seconds to wait for stopped workers to let go of their partial files


class _Terminated(BaseException):
    """Raised in the main thread when SIGTERM arrives (as KeyboardInterrupt is for SIGINT)."""


# ------------------------------------------------------------------------- validation
def _check_out(out):
    """Reject an --out that is a file or lies under one; return the absolute folder."""
    if not out.strip():
        raise UsageError("--out must name a folder. Got an empty name.")
    if "\0" in out:
        raise UsageError(f"--out must be a folder name without NUL characters. Got {out!r}.")
    path = os.path.abspath(out)
    probe = path
    while True:
        if os.path.exists(probe):
            if not os.path.isdir(probe):
                what = "is an existing file" if probe == path else f"lies under the file {probe!r}"
                raise UsageError(f"--out must be a folder. {out!r} {what}.")
            break
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    return path


# Settings that take a comma list (or a repeated --hidden): TrainConfig field -> its flag.
GRID_FLAGS = {"activation": "--activations", "learning_rate": "--learning-rates", "hidden": "--hidden",
              "optimizer": "--optimizers", "seed": "--seeds", "engine": "--engines", "view": "--view"}


def _grid(args):
    """The grid the flags ask for: TrainConfig field -> the values it takes."""
    return {
        "activation": args.activations,
        "learning_rate": args.learning_rates,
        "hidden": [tuple(widths) for widths in (args.hidden or [[2]])],
        "optimizer": args.optimizers,
        "seed": args.seeds,
        "engine": args.engines,
        **({"view": args.view} if args.view is not None and len(args.view) > 1 else {}),
    }


def _check_repeats(flag, values):
    seen = []
    for value in values:
        if value in seen:
            shown = ",".join(map(str, value)) if isinstance(value, tuple) else value
            raise UsageError(f"{flag} must not repeat a value. Got {shown} twice.")
        seen.append(value)


def _make_specs(args):
    if args.data is not None and args.datasets is not None:
        raise UsageError("use either --data or --dataset, not both.")
    if args.jobs is not None and not 1 <= args.jobs <= 256:
        raise UsageError(f"--jobs must be from 1 to 256. Got {args.jobs}.")
    if args.jobs is not None and args.scheduler is not None:
        raise UsageError("use either --jobs (local processes) or --scheduler (a Dask cluster), not both.")
    options = AnimationOptions(fps=args.fps, max_frames=args.max_frames, resolution=args.resolution,
                               layer=args.layer)
    grid = _grid(args)
    for name, values in grid.items():
        _check_repeats(GRID_FLAGS.get(name, f"--{name}"), values)
    if args.classes is not None and args.data is not None:
        raise UsageError("--classes applies to the blobs and spiral data sets; a CSV's labels set its classes.")
    if args.label is not None and args.data is None:
        raise UsageError("--label names the label column of a CSV: use it with --data.")
    features = args.features
    if features is not None:
        _check_repeats("--features", features)
        if "all" in features:
            if len(features) > 1:
                raise UsageError(f"--features is either 'all' or column names. Got {','.join(features)}.")
            features = "all"
    if args.data is not None:
        try:
            datasets = [load_csv(args.data, label=args.label, features=None if features == "all" else features,
                                 standardize=not args.no_standardize)]
        except OSError as exc:  # e.g. not readable
            raise UsageError(f"--data: cannot read {args.data!r} ({exc.strerror or exc}).") from None
    else:
        names = args.datasets or ["gaussians"]
        _check_repeats("--datasets", names)
        for name in names:
            if args.classes is not None and name in DATASETS and name not in MULTICLASS:
                raise UsageError(f"--classes applies to {' and '.join(MULTICLASS)}, not to {name}.")
            if features is not None and name in DATASETS and name not in REAL:
                raise UsageError(f"--features applies to --data and to {', '.join(REAL)}, not to {name}.")
        try:
            datasets = [make_dataset(name, seed=args.seeds[0], n_classes=args.classes, features=features)
                        for name in names]
        except ValueError as exc:
            if features is None or getattr(exc, "parameter", None):
                raise
            raise UsageError(f"--features: {exc}") from None
        if args.no_standardize:
            datasets = [dataclasses.replace(d, standardize=False) if d.standardize else d for d in datasets]
    if args.bayes:
        unknown = [d.name for d in datasets if d.mixture is None]
        if unknown:
            raise UsageError(f"--bayes needs a data set whose distribution is known (gaussians, blobs, xor). "
                             f"Got {', '.join(unknown)}.")
        options = options.replace(bayes=True)
    for view in args.view or ():
        check_view(view, datasets)
    if args.view is not None and len(args.view) == 1:
        options = options.replace(view=args.view[0])
    if args.anchor is not None:
        check_anchor(args.anchor, datasets, args.view)
        options = options.replace(anchor=args.anchor)
    for engine in args.engines:
        if engine in ("torch", "keras"):
            try:
                check_available(engine)
            except MissingExtraError as exc:
                raise UsageError(f"--engine {engine}: {exc}") from None
    specs = grid_specs(
        datasets, os.path.abspath(args.out), grid=grid, formats=tuple(dict.fromkeys(args.format)), options=options,
        epochs=args.epochs, stop_loss=args.stop_loss, batch_size=args.batch_size,
    )
    if not args.no_gallery and len(specs) >= 2:
        # the workers keep tiles for the gallery's compare animation: of the runs it shows
        shown = facets([spec.settings for spec in specs])
        specs = [dataclasses.replace(spec, tiles=True) if shown.cell(spec.settings) is not None else spec
                 for spec in specs]
    return specs


def _bad_input_message(exc, data_path=None):
    """The error in the user's terms: headed by the flag of the parameter it names (its
    ``parameter`` attribute), or by ``--data`` for a problem with the CSV."""
    text = str(exc)
    if isinstance(exc, UsageError) or text.startswith("--"):
        return text
    flag = FLAGS.get(getattr(exc, "parameter", None))
    if flag is not None:
        return f"{flag}: {text}"
    if data_path is not None and (text.startswith(data_path) or text.startswith("data file")):
        return f"--data: {text}"
    return text


def _one_line(text):
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _error(text):
    print(f"{PROG}: error: {_one_line(text)}", file=sys.stderr)


# ------------------------------------------------------------------------- signals
@contextlib.contextmanager
def _stop_signals():
    """SIGINT raises KeyboardInterrupt and SIGTERM raises _Terminated in the main thread.

    The first of them also ignores any further SIGINT/SIGTERM, so that a second Ctrl-C cannot
    break off the clean-up (stopping workers, removing partial files). The previous handlers
    come back on exit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [n for n in STOP_SIGNALS if hasattr(signal, n)]
    previous = {n: signal.getsignal(getattr(signal, n)) for n in names}

    def _on_signal(signum, frame):
        for n in names:
            signal.signal(getattr(signal, n), signal.SIG_IGN)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise _Terminated

    for n in names:
        signal.signal(getattr(signal, n), _on_signal)
    try:
        yield
    finally:
        for n, handler in previous.items():
            signal.signal(getattr(signal, n), handler if handler is not None else signal.SIG_DFL)


def _interrupt_status(exc):
    return 143 if isinstance(exc, _Terminated) else 130


# ------------------------------------------------------------------------- output
def _loss_text(loss):
    return f"{loss:.4f}" if not math.isfinite(loss) or abs(loss) < 1e6 else f"{loss:.3e}"


def _table(results):
    rows = [("run", "epochs", "stop reason", "loss", "accuracy", "file", "size")]
    for r in results:
        s = r.summary
        first = True
        for path, size in r.files:
            label = r.name + (" (kept)" if r.skipped else "")
            rows.append((
                label if first else "", str(s.get("epochs_run", "")) if first else "",
                s.get("stop_reason", "") if first else "",
                _loss_text(s["final_loss"]) if first and "final_loss" in s else "",
                f"{s['final_accuracy']:.1%}" if first and "final_accuracy" in s else "",
                _shown_path(path), format_size(size),
            ))
            first = False
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _shown_path(path):
    """``path`` relative to the working folder when it lies below it, else absolute."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def _signature(path):
    """What identifies the file at ``path`` now (None if there is none)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


# ------------------------------------------------------------------------- main
def main(argv=None):
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Examples
    --------
    >>> from boundaryviz.cli.command import main
    >>> main(["--epochs", "0"])  # doctest: +SKIP
    boundaryviz: error: --epochs: epochs must be an integer >= 1 and <= 100000. Got 0 instead.
    2
    """
    argv = [os.fspath(a) if isinstance(a, os.PathLike) else a
            for a in (sys.argv[1:] if argv is None else argv)]
    logging.basicConfig(level=logging.WARNING, format=f"{PROG}: %(message)s")
    with _stop_signals():
        try:
            args, specs, scheduler = _prepare(argv)
        except (KeyboardInterrupt, _Terminated) as exc:
            print(f"{PROG}: {_interrupt_word(exc)} before any run started; nothing written.",
                  file=sys.stderr)
            return _interrupt_status(exc)
        except _Exit as exc:
            return exc.status
        except Exception as exc:  # a bug, not bad input
            return _unexpected(exc, "checking the arguments failed", "--debug" in argv)
        try:
            return _execute(args, specs, scheduler)
        finally:
            if scheduler is not None:
                with contextlib.suppress(Exception):
                    scheduler.close()


class _Exit(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


def _interrupt_word(exc):
    return "terminated (SIGTERM)" if isinstance(exc, _Terminated) else "interrupted (SIGINT)"


def _prepare(argv):
    """Parse and validate; every problem with the input becomes one line and ``_Exit(2)``."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        _error(exc)
        raise _Exit(2) from None
    except SystemExit as exc:  # --help, --version
        raise _Exit(exc.code if isinstance(exc.code, int) else 0) from None
    try:
        _check_out(args.out)
        specs = _make_specs(args)
    except (UsageError, ValueError, TypeError) as exc:
        _error(_bad_input_message(exc, args.data))
        raise _Exit(2) from None
    return args, specs, _connect(args.scheduler)


def _connect(address):
    """A client of the Dask scheduler at ``address`` (None without one); one line and
    ``_Exit(2)`` when it cannot be reached, has no workers, or dask is not installed."""
    if address is None:
        return None
    from ..runs.cluster import connect  # dask loads only when a cluster is asked for

    try:
        return connect(address)
    except (ConnectionError, ValueError, TypeError, ImportError) as exc:
        _error(f"--scheduler: {exc}")
        raise _Exit(2) from None


def _unexpected(exc, what, debug):
    """One line for an unexpected error (the traceback too with ``--debug``); status 1."""
    notes = "; ".join(getattr(exc, "__notes__", None) or ())
    where = f" ({notes})" if notes else ""
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        hint = ""
    else:
        hint = " (rerun with --debug to see the traceback)"
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    _error(f"{what}{where}: {detail}{hint}")
    return 1


def _execute(args, specs, scheduler=None):
    """Run the sweep into ``args.out`` (on the cluster of ``scheduler``, a distributed
    Client, when given); returns the exit status."""
    out = os.path.abspath(args.out)
    done = []  # RunResults, in completion order
    todo = []
    before = {}  # path -> signature before this sweep, to tell what it finished
    sweep = None
    try:
        os.makedirs(out, exist_ok=True)
        removed = remove_partials(out)
        if removed:
            log.warning("removed %d unfinished file(s) left by an earlier run: %s", len(removed),
                        ", ".join(os.path.basename(p) for p in removed))
        for spec in specs:
            paths = spec.paths()
            if args.skip_existing and all(is_complete(p) for p in paths):
                # kept as is; retrained (deterministic, milliseconds) for the table and gallery
                history = train(spec.dataset, config=spec.config)
                done.append(RunResult(spec.name, history.summary(),
                                      tuple((p, os.path.getsize(p)) for p in paths), history, skipped=True,
                                      options=spec.options, settings=spec.settings))
            else:
                todo.append(spec)
                before.update((p, _signature(p)) for p in paths)
        progress = not args.quiet and sys.stderr.isatty()
        sweep = run_sweep(todo, jobs=args.jobs, progress=progress, scheduler=scheduler)
        shown = facets([spec.settings for spec in specs])
        for result in sweep:  # one at a time: an interrupt keeps what finished
            if shown.cell(result.settings) is None:
                # the gallery's pictures leave this run out: do not hold its last frame
                result = dataclasses.replace(result, final_frame=None)
            done.append(result)
        order = {spec.name: i for i, spec in enumerate(specs)}
        done.sort(key=lambda r: order.get(r.name, 0))
        gallery = []
        if not args.no_gallery:
            # the compare animation is laid out from the tiles the workers kept
            files = write_gallery(done, out, formats=specs[0].formats, fps=specs[0].options.fps,
                                  layer=-1 if args.layer is None else args.layer)
            gallery = [RunResult("gallery", {}, tuple(files))] if files else []
        print(_table(done + gallery))
        return 0
    except (KeyboardInterrupt, _Terminated) as exc:
        _stop(sweep, out)
        finished = _finished_names(specs, todo, done, before)
        kept = [r.name for r in done if r.skipped]
        names = ", ".join(finished) or "none"
        if kept:
            names += f" (kept: {', '.join(kept)})"
        unfinished = len(specs) - len(finished) - len(kept)
        print(f"{PROG}: {_interrupt_word(exc)}; finished runs: {names}; {unfinished} run(s) not "
              f"finished, their partial files removed.", file=sys.stderr)
        return _interrupt_status(exc)
    except Exception as exc:
        _stop(sweep, out)
        return _unexpected(exc, "the sweep failed", args.debug)


def _stop(sweep, out):
    """Stop the workers (joblib kills and reaps them), then remove what they left half-written."""
    if sweep is not None:
        with contextlib.suppress(Exception):
            sweep.close()
    with contextlib.suppress(OSError):
        left = remove_partials(out, wait=CLEANUP_WAIT)
        log.debug("removed partial files: %s", left)


def _finished_names(specs, todo, done, before):
    """Runs finished in this sweep: those reported back, and those whose files were all written
    (a worker may finish its file just before the interrupt, without reporting back)."""
    reported = {r.name for r in done if not r.skipped}
    running = {spec.name for spec in todo}
    names = []
    for spec in specs:
        if spec.name in reported:
            names.append(spec.name)
        elif spec.name in running and all(
            _signature(p) not in (None, before.get(p)) and is_complete(p) for p in spec.paths()
        ):
            names.append(spec.name)
    return names
