"""Command line: ``python -m boundaryviz`` (also installed as ``boundaryviz``).

A thin layer over the public API: parse, validate everything before any work, run the sweep,
print a table. Only this module prints or chooses exit statuses:

- 0: every run written;
- 1: an unexpected error (one line; ``--debug`` shows the traceback);
- 2: bad input (one line saying what is wrong and what is allowed; nothing written);
- 130 / 143: interrupted by SIGINT / SIGTERM (finished files stay, no partial file remains).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import sys

from . import __version__
from .animate import DEFAULT_FPS, DEFAULT_MAX_FRAMES, MAX_FPS
from .datasets import DATASETS, load_csv, make_dataset
from .network import ACTIVATIONS
from .optim import OPTIMIZERS
from .sweep import default_jobs, reference_specs, run_sweep
from .training import MAX_EPOCHS
from .writers import FORMATS, is_complete, remove_partials

PROG = "boundaryviz"

EXAMPLES = """\
examples:
  python -m boundaryviz                                  the six reference GIFs into output/
  python -m boundaryviz --activations tanh --learning-rates 0.05
  python -m boundaryviz --dataset moons --hidden 8 --epochs 300 --out moons/
  python -m boundaryviz --hidden 4,2 --layer 0           deeper net, show the first layer
  python -m boundaryviz --data points.csv                your own x0,x1,label CSV
  python -m boundaryviz --format gif,mp4,webp --jobs 2
"""


class UsageError(Exception):
    """Bad command-line input: reported in one line with exit status 2."""


class _Terminated(BaseException):
    """Raised in the main thread when SIGTERM arrives."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as argparse does but without the usage block
        raise UsageError(message)


def _list(kind, convert):
    def parse(text):
        items = [t.strip() for t in text.split(",")]
        if not text.strip() or any(not t for t in items):
            raise argparse.ArgumentTypeError(f"{kind} must be a comma-separated list. Got {text!r}.")
        return [convert(t, kind) for t in items]

    return parse


def _float(text, name):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} must be a number. Got {text!r}.") from None


def _int(text, name):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} must be a whole number. Got {text!r}.") from None


def _word(text, name):
    return text


def _single(convert, name):
    def parse(text):
        return convert(text, name)

    return parse


def build_parser():
    """The argparse parser (exposed for documentation and tests)."""
    parser = _Parser(
        prog=PROG,
        description="Animate how a small neural network learns its decision boundary: one "
        "animation per activation × learning rate.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    acts = ", ".join(sorted(ACTIVATIONS))
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", default="gaussians", type=_single(_word, "dataset"),
                      help=f"built-in data set: {', '.join(DATASETS)} (default: gaussians)")
    data.add_argument("--data", metavar="CSV", help="your own data: a CSV of x0,x1,label (header optional)")
    net = parser.add_argument_group("network and training")
    net.add_argument("--activations", default=["relu", "tanh"], type=_list("activations", _word),
                     help=f"comma-separated hidden activations from {acts} (default: relu,tanh)")
    net.add_argument("--learning-rates", default=[0.1, 0.01, 0.001], type=_list("learning rates", _float),
                     help="comma-separated learning rates (default: 0.1,0.01,0.001)")
    net.add_argument("--hidden", default=[2], type=_list("hidden", _int),
                     help="hidden layer widths, e.g. 2, 8 or 4,2 (default: 2)")
    net.add_argument("--optimizer", default="adam", type=_single(_word, "optimizer"),
                     help=f"{' or '.join(OPTIMIZERS)} (default: adam)")
    net.add_argument("--epochs", default=200, type=_single(_int, "epochs"),
                     help=f"most epochs per run, 1 to {MAX_EPOCHS} (default: 200)")
    net.add_argument("--stop-loss", default=0.263, type=_single(_float, "stop loss"),
                     help="stop a run when its loss falls below this; 0 disables (default: 0.263)")
    net.add_argument("--batch-size", default=None, type=_single(_int, "batch size"),
                     help="samples per update (default: full batch)")
    net.add_argument("--seed", default=0, type=_single(_int, "seed"), help="random seed (default: 0)")
    out = parser.add_argument_group("output")
    out.add_argument("--out", default="output", help="folder for the animations (default: output)")
    out.add_argument("--format", default=["gif"], type=_list("format", _word),
                     help=f"comma-separated formats from {', '.join(FORMATS)} (default: gif)")
    out.add_argument("--fps", default=DEFAULT_FPS, type=_single(_float, "fps"),
                     help=f"frames per second, above 0 and at most {MAX_FPS} (default: {DEFAULT_FPS})")
    out.add_argument("--max-frames", default=DEFAULT_MAX_FRAMES, type=_single(_int, "max frames"),
                     help="longer runs show every k-th epoch; 0 keeps every epoch "
                     f"(default: {DEFAULT_MAX_FRAMES})")
    out.add_argument("--resolution", default=200, type=_single(_int, "resolution"),
                     help="mesh points per axis of the probability field, 2 to 2000 (default: 200)")
    out.add_argument("--layer", default=-1, type=_single(_int, "layer"),
                     help="hidden layer shown in the hidden panel, 0-based (default: last)")
    out.add_argument("--skip-existing", action="store_true",
                     help="keep runs whose files already exist whole (resume an interrupted sweep)")
    run = parser.add_argument_group("running")
    run.add_argument("--jobs", default=None, type=_single(_int, "jobs"),
                     help=f"runs in parallel (default: all cores, here {default_jobs()})")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    run.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    run.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _check_out(out):
    """Reject an --out that is a file or lies under one; return the absolute folder."""
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


def _make_specs(args):
    if args.data is not None:
        dataset = load_csv(args.data)
    else:
        dataset = make_dataset(args.dataset, seed=args.seed)
    if args.jobs is not None and not 1 <= args.jobs <= 256:
        raise UsageError(f"--jobs must be from 1 to 256. Got {args.jobs}.")
    max_frames = args.max_frames
    if max_frames < 0 or max_frames == 1:
        raise UsageError(f"--max-frames must be 0 (every epoch) or at least 2. Got {max_frames}.")
    for fps in (args.fps,):
        if not (math.isfinite(fps) and 0 < fps <= MAX_FPS):
            raise UsageError(f"--fps must be above 0 and at most {MAX_FPS}. Got {fps:g}.")
    render = {"resolution": args.resolution, "layer": args.layer}
    specs = reference_specs(
        dataset, args.out, activations=args.activations, learning_rates=args.learning_rates,
        formats=tuple(dict.fromkeys(args.format)), fps=args.fps, max_frames=max_frames or None,
        render=render, hidden=tuple(args.hidden), optimizer=args.optimizer, epochs=args.epochs,
        stop_loss=args.stop_loss, batch_size=args.batch_size, seed=args.seed,
    )
    _check_render_options(specs[0], render)
    return specs


def _check_render_options(spec, render):
    """Validate renderer options up front, so bad input fails before any training."""
    from ._validation import check_int

    check_int(render["resolution"], "resolution", low=2, high=2000)
    n_hidden = len(spec.config.hidden)
    check_int(render["layer"], "layer", low=-n_hidden, high=n_hidden - 1)


def _human(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000


def _table(results, out):
    rows = [("run", "epochs", "stop reason", "loss", "accuracy", "file", "size")]
    for r in results:
        s = r.summary
        first = True
        for path, size in r.files:
            label = r.name + (" (kept)" if r.skipped else "")
            rows.append((
                label if first else "", str(s.get("epochs_run", "")) if first else "",
                s.get("stop_reason", "") if first else "",
                f"{s['final_loss']:.4f}" if first and "final_loss" in s else "",
                f"{s['final_accuracy']:.1%}" if first and "final_accuracy" in s else "",
                os.path.relpath(path), _human(size),
            ))
            first = False
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None):
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser = build_parser()
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format=f"{PROG}: %(message)s")
    try:
        args = parser.parse_args(argv)
        out = _check_out(args.out)
        specs = _make_specs(args)
    except (UsageError, ValueError, TypeError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0

    previous = signal.getsignal(signal.SIGTERM)

    def _on_term(signum, frame):
        raise _Terminated()

    signal.signal(signal.SIGTERM, _on_term)
    done = []
    try:
        os.makedirs(out, exist_ok=True)
        removed = remove_partials(out)
        if removed:
            logging.getLogger(PROG).warning("removed %d unfinished file(s) left by an earlier run", len(removed))
        todo = []
        from .sweep import RunResult

        for spec in specs:
            if args.skip_existing and all(is_complete(p) for p in spec.paths()):
                done.append(RunResult(spec.name, {}, tuple((p, os.path.getsize(p)) for p in spec.paths()), skipped=True))
            else:
                todo.append(spec)
        progress = not args.quiet and sys.stderr.isatty()
        for result in run_sweep(todo, jobs=args.jobs, progress=progress):
            done.append(result)
    except (KeyboardInterrupt, _Terminated) as exc:
        remove_partials(out)
        status = 143 if isinstance(exc, _Terminated) else 130
        what = "terminated" if status == 143 else "interrupted"
        names = ", ".join(r.name for r in done) or "none"
        print(f"{PROG}: {what}; finished runs: {names}. Partial files removed.", file=sys.stderr)
        return status
    except Exception as exc:  # an unexpected failure: one line unless --debug
        remove_partials(out)
        if debug:
            raise
        print(f"{PROG}: error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
              file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    order = {spec.name: i for i, spec in enumerate(specs)}
    done.sort(key=lambda r: order.get(r.name, 0))
    print(_table(done, out))
    return 0
