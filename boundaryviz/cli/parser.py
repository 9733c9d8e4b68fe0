"""The command line's arguments: the argparse parser, its value converters and its help.

Help texts read their defaults and limits from the library (:class:`~boundaryviz.options.AnimationOptions`,
the registry of formats, the data sets, activations, optimizers and engines), so they say what
the code does. A parse error is a :class:`UsageError`: one line, exit status 2 (see :mod:`boundaryviz.cli.command`).
"""

from __future__ import annotations

import argparse
import math

from .._version import __version__
from ..data.catalogue import DATASETS, REAL
from ..models.network import ACTIVATIONS
from ..models.optim import OPTIMIZERS
from ..options import MAX_FPS, AnimationOptions
from ..output.formats import FORMATS
from ..runs.grid import REFERENCE_GRID
from ..runs.sweep import default_jobs
from ..train.config import ENGINES, MAX_EPOCHS, TrainConfig

__all__ = ["build_parser", "UsageError", "PROG"]

PROG = "boundaryviz"

EXAMPLES = """\
examples:
  python -m boundaryviz                                  six reference GIFs and a gallery into output/
  python -m boundaryviz --activations tanh --learning-rates 0.05
  python -m boundaryviz --dataset moons --hidden 8 --epochs 300 --out moons/
  python -m boundaryviz --hidden 4,2 --layer 0           deeper net, show the first layer
  python -m boundaryviz --data points.csv                your own x0,x1,label CSV
  python -m boundaryviz --data patients.csv --label diagnosis --features age,weight
                                                         two named columns of a wider CSV
  python -m boundaryviz --dataset iris --features "sepal length (cm),sepal width (cm)"
  python -m boundaryviz --format gif,mp4,webp --jobs 2
  python -m boundaryviz --skip-existing                  finish an interrupted sweep
  python -m boundaryviz --seeds 0,1,2 --hidden 2 --hidden 8 --hidden 4,2 --datasets moons,circles
                                                         every combination: 108 runs, named by what varies
  python -m boundaryviz --scheduler tcp://10.0.0.5:8786  the runs on a Dask cluster (the cluster extra)
"""


class UsageError(Exception):
    """Bad command-line input: reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as argparse does but without the usage block
        raise UsageError(message.removeprefix("argument "))


def _names(text):
    """Comma-separated names; a name that holds a comma is written in double quotes, as in a
    CSV file (a quote inside it doubled): ``'"x,y", z'`` is ``['x,y', 'z']``. Spaces around a
    name are left out; a quote inside an unquoted name (``5" screen``) is part of it."""
    if "\n" in text or "\r" in text:
        raise argparse.ArgumentTypeError(f"names must not hold a line break. Got {_shown(text)}.")
    bad = argparse.ArgumentTypeError(f"names are separated by commas, and a name with a comma is written in "
                                     f"double quotes, all of it (\"x,y\"). Got {_shown(text)}.")
    names, i, n = [], 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == '"':
            i, part = i + 1, []
            while True:
                if i >= n:
                    raise bad  # the quote is never closed
                if text[i] == '"':
                    if text[i + 1 : i + 2] == '"':
                        part.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                part.append(text[i])
                i += 1
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] != ",":
                raise bad  # text after the closing quote
            names.append("".join(part).strip())
        else:
            end = text.find(",", i)
            end = n if end < 0 else end
            names.append(text[i:end].strip())
            i = end
        if i >= n:
            return names
        i += 1  # past the comma


def _list(kind, convert, quoted=False):
    def parse(text):
        items = _names(text) if quoted else [t.strip() for t in text.split(",")]
        if not text.strip() or any(not t for t in items):
            raise argparse.ArgumentTypeError(f"{kind} must be a comma-separated list. Got {_shown(text)}.")
        return [convert(t, kind) for t in items]

    return parse


def _float(text, name):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name} must be a number. Got {_shown(text)}.") from None


def _int(text, name):
    try:
        return int(text)
    except ValueError:  # also for more digits than int() accepts
        raise argparse.ArgumentTypeError(f"{name} must be a whole number. Got {_shown(text)}.") from None


def _shown(text, limit=40):
    """``repr(text)``, shortened in the middle when long."""
    if len(text) > limit:
        return repr(text[: limit // 2]) + f" … ({len(text)} characters) … " + repr(text[-limit // 2 :])
    return repr(text)


def _word(text, name):
    return text


def _view(text, name):
    """'pca', 'lda' or a pair of feature names (checked against the data later)."""
    if text in ("pca", "lda"):
        return text
    names = _names(text)
    if len(names) != 2 or not all(names):
        raise argparse.ArgumentTypeError(f"view must be pca, lda or two feature names NAME,NAME. Got {_shown(text)}.")
    if names[0] == names[1]:
        raise argparse.ArgumentTypeError(f"view must name two different features. Got {_shown(text)}.")
    return tuple(names)


def _anchor(text, name):
    """'mean', a sample's row (0-based) or one number per feature, comma-separated (checked
    against the data later)."""
    if text.strip() == "mean":
        return None
    parts = [t.strip() for t in text.split(",")]
    if len(parts) == 1:
        try:
            return int(parts[0])
        except ValueError:
            pass
    try:
        values = tuple(float(t) for t in parts)
    except ValueError:
        values = ()
    if len(parts) < 2 or not values or not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"anchor must be mean, a sample's row number, or one finite number per "
                                         f"feature, comma-separated. Got {_shown(text)}.")
    return values


def _single(convert, name):
    def parse(text):
        return convert(text, name)

    return parse


def build_parser():
    """The argparse parser (exposed for documentation and tests)."""
    parser = _Parser(
        prog=PROG,
        description="Animate how a small neural network learns its decision boundary: one "
        "animation per combination of the settings given (by default activation × learning rate); "
        "flags with a comma list, and a repeated --hidden, make a grid.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    acts = ", ".join(sorted(ACTIVATIONS))
    train = TrainConfig()  # the training defaults
    data = parser.add_argument_group("data")
    data.add_argument("--datasets", "--dataset", dest="datasets", default=None, type=_list("datasets", _word),
                      help=f"comma-separated built-in data sets from {', '.join(DATASETS)} (default: gaussians)")
    data.add_argument("--data", metavar="CSV",
                      help="your own data instead: a CSV of numeric feature columns and a label column, "
                      "the last unless --label names it (header optional; its names label the axes; "
                      "2 to 10 labels)")
    data.add_argument("--features", metavar="NAME,NAME,...", default=None, type=_list("features", _word, quoted=True),
                      help="the columns to use as features, at least two, by name: of the CSV (default: "
                      f"every column but the label) or of the real data sets ({', '.join(REAL)}; default: "
                      "iris petal length and width, wine flavanoids and proline, the others every "
                      "column); 'all' takes every column; a name with a comma goes in double quotes")
    data.add_argument("--label", metavar="NAME", default=None,
                      help="the CSV's label column, by its name in the header (default: the last column)")
    data.add_argument("--classes", default=None, type=_single(_int, "classes"),
                      help="classes of the blobs and spiral data sets, 2 to 10 (default: 3 and 2)")
    data.add_argument("--no-standardize", action="store_true",
                      help="train on the data's own units (CSV, iris and wine are standardised by "
                      "default; the panels always keep the data's units)")
    net = parser.add_argument_group("network and training")
    activations, rates = REFERENCE_GRID["activation"], REFERENCE_GRID["learning_rate"]
    net.add_argument("--activations", default=list(activations), type=_list("activations", _word),
                     help=f"comma-separated hidden activations from {acts} (default: {','.join(activations)})")
    net.add_argument("--learning-rates", default=list(rates), type=_list("learning rates", _float),
                     help="comma-separated learning rates, each above 0 and at most 10 "
                     f"(default: {','.join(f'{r:g}' for r in rates)})")
    net.add_argument("--hidden", default=None, action="append", type=_list("hidden", _int),
                     help="hidden layer widths, e.g. 2, 8 or 4,2; repeat for several architectures: "
                     "--hidden 2 --hidden 4,2 (default: 2)")
    net.add_argument("--optimizers", "--optimizer", dest="optimizers", default=[train.optimizer],
                     type=_list("optimizers", _word),
                     help=f"comma-separated optimizers from {', '.join(OPTIMIZERS)} (default: {train.optimizer})")
    net.add_argument("--epochs", default=train.epochs, type=_single(_int, "epochs"),
                     help=f"most epochs per run, 1 to {MAX_EPOCHS} (default: {train.epochs})")
    net.add_argument("--stop-loss", default=train.stop_loss, type=_single(_float, "stop loss"),
                     help=f"stop a run when its loss falls below this; 0 disables (default: {train.stop_loss:g})")
    net.add_argument("--batch-size", default=None, type=_single(_int, "batch size"),
                     help="samples per update (default: full batch)")
    net.add_argument("--seeds", "--seed", dest="seeds", default=[train.seed], type=_list("seeds", _int),
                     help="comma-separated random seeds of the initial weights; the first also seeds "
                     f"a built-in data set (default: {train.seed})")
    net.add_argument("--engines", "--engine", dest="engines", default=[train.engine], type=_list("engines", _word),
                     help=f"comma-separated frameworks that train the network, from {', '.join(ENGINES)}: "
                     "the same initial weights, optimizer and batches (torch and keras need the extras "
                     f"boundaryviz[torch] / boundaryviz[keras]; default: {train.engine})")
    out = parser.add_argument_group("output")
    out.add_argument("--out", default="output", help="folder for the animations (default: output)")
    out.add_argument("--format", default=["gif"], type=_list("format", _word),
                     help=f"comma-separated formats from {', '.join(FORMATS)} (default: gif)")
    default = AnimationOptions()
    out.add_argument("--fps", default=default.fps, type=_single(_float, "fps"),
                     help=f"frames per second, above 0 and at most {MAX_FPS} (default: {default.fps:g})")
    out.add_argument("--max-frames", default=default.max_frames or 0, type=_single(_int, "max frames"),
                     help="longer runs show every k-th epoch; 0 keeps every epoch "
                     f"(default: {default.max_frames or 0})")
    out.add_argument("--resolution", default=default.resolution, type=_single(_int, "resolution"),
                     help=f"mesh points per axis of the probability field, 2 to 2000 (default: {default.resolution})")
    out.add_argument("--layer", default=default.layer, type=_single(_int, "layer"),
                     help="hidden layer shown in the hidden panel, 0-based, negative from the last "
                     "(default: last)")
    out.add_argument("--bayes", action="store_true",
                     help="also draw the Bayes-optimal boundary and loss, the best any model can do "
                     "(gaussians, blobs and xor, whose distribution is known)")
    out.add_argument("--view", default=None, action="append", type=_single(_view, "view"),
                     help="the plane through input space that the input panel shows when the data has more "
                     "than two features: pca (the first two principal axes of the standardised data, "
                     "through its mean; the default), lda (the most class-separating directions), or "
                     "NAME,NAME (a slice along two features, the others held at their mean). The field and "
                     "boundary are the model's on that plane; samples are drawn at their projections, "
                     "fainter the farther away, and each frame says where the plane agrees with the model; "
                     "repeat for several: --view pca --view lda")
    out.add_argument("--anchor", default=None, type=_single(_anchor, "anchor"),
                     help="the point the view plane goes through: mean (the default), a sample's row number "
                     "in the data (0-based), or one value per feature, comma-separated, in the data's units; "
                     "a NAME,NAME slice holds every other feature at it (a negative first value needs =: --anchor=-1.5,...)")
    out.add_argument("--skip-existing", action="store_true",
                     help="keep runs whose files already exist whole (resume an interrupted sweep)")
    out.add_argument("--no-gallery", action="store_true",
                     help="do not write index.html, summary.png and compare.* (all runs side by side)")
    run = parser.add_argument_group("running")
    run.add_argument("--jobs", default=None, type=_single(_int, "jobs"),
                     help=f"runs in parallel, 1 to 256 (default: all cores, here {default_jobs()})")
    run.add_argument("--scheduler", metavar="ADDRESS", default=None,
                     help="run on the Dask cluster of this scheduler, e.g. tcp://10.0.0.5:8786 (needs "
                     "boundaryviz[cluster] here and on the workers; files are written here)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    run.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    run.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser
