"""The command line: bad input, unexpected errors, divergence, --skip-existing, --data, and
byte-identical output. Tested as a subprocess (``python -m boundaryviz``) and in-process
(``boundaryviz.cli.command.main(argv)``, which returns the exit status)."""

import hashlib
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from readback import read_animation

import boundaryviz.runs.run
import boundaryviz.runs.sweep
from boundaryviz import Renderer, gaussians, load_csv, save_animation, train
from boundaryviz.cli import parser
from boundaryviz.cli.command import main
from boundaryviz.data.catalogue import make_dataset
from boundaryviz.output.animation import frame_indices
from boundaryviz.output.formats import is_complete

# Small, fast settings for runs that really train and render (and no gallery: it is tested on
# its own).
TINY = ["--epochs", "6", "--resolution", "20", "--max-frames", "4", "--jobs", "1", "-q", "--no-gallery"]

# ---------------------------------------------------------------------------------------------
# Bad input: (id, argv, fragments the one error line must contain). ``{file}`` is an existing
# file in the test folder, ``{csv:NAME}`` a CSV from CSV_FILES below.
BAD = [
    ("activation-unknown", ["--activations", "swish"], ["activation", "'swish'", "'relu'"]),
    ("activation-list-empty", ["--activations", ""], ["--activations", "comma-separated"]),
    ("activation-list-commas", ["--activations", ","], ["--activations", "','"]),
    ("optimizer-unknown", ["--optimizer", "rmsprop"], ["--optimizer", "'rmsprop'", "'adam'"]),
    ("dataset-unknown", ["--dataset", "mnist"], ["--dataset", "'blobs'", "'moons'", "'iris'", "'digits'"]),
    ("classes-fixed", ["--dataset", "moons", "--classes", "3"], ["--classes", "spiral and blobs", "moons"]),
    ("classes-range", ["--dataset", "blobs", "--classes", "11"], ["--classes", ">= 2 and <= 10", "11"]),
    ("format-unknown", ["--format", "avi"], ["--format", "'avi'", "'gif'"]),
    ("lr-zero", ["--learning-rates", "0"], ["--learning-rates", "> 0", "Got 0.0"]),
    ("lr-negative", ["--learning-rates=-0.1"], ["--learning-rates", "> 0", "Got -0.1"]),
    ("lr-nan", ["--learning-rates", "nan"], ["--learning-rates", "finite", "Got nan"]),
    ("lr-inf", ["--learning-rates", "inf"], ["--learning-rates", "finite", "Got inf"]),
    ("lr-not-a-number", ["--learning-rates", "fast"], ["--learning-rates", "number", "'fast'"]),
    ("epochs-zero", ["--epochs", "0"], ["--epochs", ">= 1", "Got 0"]),
    ("epochs-negative", ["--epochs=-5"], ["--epochs", ">= 1", "Got -5"]),
    ("epochs-not-integer", ["--epochs", "2.5"], ["--epochs", "whole number", "'2.5'"]),
    ("epochs-absurd", ["--epochs", "100001"], ["--epochs", "<= 100000", "Got 100001"]),
    ("stop-loss-negative", ["--stop-loss=-0.1"], ["--stop-loss", ">= 0", "Got -0.1"]),
    ("hidden-zero", ["--hidden", "0"], ["--hidden", "from 1 to", "(0,)"]),
    ("hidden-negative", ["--hidden=-2"], ["--hidden", "from 1 to", "(-2,)"]),
    ("hidden-not-a-number", ["--hidden", "wide"], ["--hidden", "whole number", "'wide'"]),
    ("seed-negative", ["--seed=-1"], ["--seed", ">= 0", "Got -1"]),
    ("fps-zero", ["--fps", "0"], ["--fps", "> 0 and <= 50", "Got 0"]),
    ("fps-negative", ["--fps=-5"], ["--fps", "> 0 and <= 50", "Got -5"]),
    ("fps-too-high", ["--fps", "51"], ["--fps", "<= 50", "Got 51"]),
    ("resolution-below-2", ["--resolution", "1"], ["--resolution", ">= 2", "Got 1"]),
    ("resolution-above-2000", ["--resolution", "2001"], ["--resolution", "<= 2000", "Got 2001"]),
    ("out-is-a-file", ["--out", "{file}"], ["--out", "is an existing file"]),
    ("out-under-a-file", ["--out", "{file}/sub/dir"], ["--out", "lies under the file"]),
    ("unknown-flag", ["--frobnicate"], ["unrecognized arguments", "--frobnicate"]),
    ("csv-missing-file", ["--data", "{missing.csv}"], ["--data", "missing.csv", "does not exist"]),
    ("csv-not-a-number", ["--data", "{csv:not_a_number}"], ["--data", "line 3", "'one'"]),
    ("csv-feature-column-not-numeric", ["--data", "{csv:wide}", "--label", "species"],
     ["--data", "line 2", "column 'id'", "must be numbers", "'r1'"]),
    ("csv-features-missing-column", ["--data", "{csv:wide}", "--label", "species", "--features", "a,z"],
     ["--data", "features='z' is not a column", "'id', 'a', 'b', 'c'"]),
    ("view-lda-finds-no-direction", ["--data", "{csv:repeated_rows}", "--view", "lda"],
     ["--view lda", "repeated_rows", "no class-separating direction", "Use --view pca or a slice, --view NAME,NAME"]),
    ("features-unclosed-quote", ["--data", "{csv:comma_in_a_name}", "--features", '"x,y,c'],
     ["--features", "a name with a comma is written in double quotes", "Got '\"x,y,c'"]),
    ("features-line-break", ["--data", "{csv:comma_in_a_name}", "--features", "c\nx,c"],
     ["--features", "must not hold a line break"]),
    ("views-named-alike-but-for-case", ["--data", "{csv:cased}", "--view", "A,x", "--view", "a,x"],
     ["'relu_lr0.1_A-x' and 'relu_lr0.1_a-x'", "one file where case is ignored"]),
    ("csv-label-missing-column", ["--data", "{csv:wide}", "--label", "kind"],
     ["--data", "line 1", "label='kind' is not a column", "'species'"]),
    ("view-one-name", ["--view", "x1"], ["--view", "two feature names", "Got 'x1'"]),
]
# Checked in-process only (each subprocess costs a second of imports on a 2-core machine).
# ``main(argv)`` is what ``python -m boundaryviz`` runs, so every row of both lists is checked
# in-process; a few rows, one of each kind of check, run as a real subprocess too, for the
# exit status and the one line on stderr that a shell sees.
BAD_IN_PROCESS_ONLY = [
    ("lr-above-10", ["--learning-rates", "11"], ["--learning-rates", "<= 10", "Got 11.0"]),
    ("lr-repeated", ["--learning-rates", "0.1,0.10"], ["--learning-rates", "must not repeat", "0.1 twice"]),
    ("lr-same-name", ["--learning-rates", "0.1,0.1000001"], ["two runs would be named 'relu_lr0.1'",
                                                            "6 significant digits"]),
    ("epochs-huge-integer", ["--epochs", "9" * 5000], ["--epochs", "whole number"]),
    ("hidden-too-wide", ["--hidden", "5000"], ["--hidden", "from 1 to 1024", "(5000,)"]),
    ("hidden-empty-item", ["--hidden", "4,,2"], ["--hidden", "comma-separated", "'4,,2'"]),
    ("seed-too-large", ["--seed", str(2**32)], ["--seed", "4294967295", "Got 4294967296"]),
    ("fps-nan", ["--fps", "nan"], ["--fps", "a finite number", "Got nan"]),
    ("max-frames-one", ["--max-frames", "1"], ["--max-frames", "at least 2", "Got 1"]),
    ("layer-out-of-range", ["--layer", "3"], ["--layer", "<= 0", "Got 3"]),
    ("jobs-zero", ["--jobs", "0"], ["--jobs", "1 to 256", "Got 0"]),
    ("batch-size-zero", ["--batch-size", "0"], ["--batch-size", ">= 1", "Got 0"]),
    ("out-empty", ["--out", ""], ["--out", "empty"]),
    ("out-nul", ["--out", "a\0b"], ["--out", "NUL", "'a\\x00b'"]),
    ("view-unknown-name", ["--view", "x1,petal"], ["--view", "no feature 'petal'", "x1, x2"]),
    ("view-same-name-twice", ["--view", "x2,x2"], ["--view", "two different features"]),
    ("flag-without-value", ["--epochs"], ["--epochs", "expected one argument"]),
    ("data-and-dataset", ["--data", "{csv:good}", "--dataset", "moons"], ["--data", "--dataset", "not both"]),
    ("csv-missing-value", ["--data", "{csv:missing_value}"], ["--data", "line 4", "missing"]),
    ("csv-nan", ["--data", "{csv:nan}"], ["--data", "line 1", "finite", "'nan'"]),
    ("csv-inf", ["--data", "{csv:inf}"], ["--data", "line 5", "finite", "'-inf'"]),
    ("csv-too-few-rows", ["--data", "{csv:three_rows}"], ["--data", "at least 4 data rows", "Got 3"]),
    ("csv-one-class", ["--data", "{csv:one_class}"], ["--data", "2 to 10 distinct", "'a'"]),
    ("csv-eleven-classes", ["--data", "{csv:eleven_classes}"], ["--data", "Line 12", "eleventh label 'k'"]),
    ("csv-wrong-columns", ["--data", "{csv:four_columns}"], ["--data", "line 3", "expected 3 columns", "Got 4"]),
    ("csv-missing-label", ["--data", "{csv:missing_label}"], ["--data", "line 1", "label is missing"]),
    ("csv-is-a-folder", ["--data", "{folder}"], ["--data", "does not exist or is not a file"]),
    ("csv-one-feature", ["--data", "{csv:wide}", "--label", "species", "--features", "a"],
     ["--data", "at least two different columns", "('a',)"]),
    ("csv-feature-is-label", ["--data", "{csv:wide}", "--label", "species", "--features", "a,species"],
     ["--data", "features='species' is the label column"]),
    ("csv-label-without-header", ["--data", "{csv:good_no_header}", "--label", "y"],
     ["--data", "label='y' names a column", "no header row"]),
    ("label-without-data", ["--label", "species"], ["--label", "with --data"]),
    ("features-repeated", ["--dataset", "iris", "--features", "a,a"], ["--features", "must not repeat", "a twice"]),
    ("features-all-and-names", ["--dataset", "iris", "--features", "all,a"], ["--features", "'all' or column names"]),
    ("features-synthetic", ["--dataset", "moons", "--features", "all"], ["--features", "iris", "not to moons"]),
    ("features-one", ["--dataset", "iris", "--features", "petal width (cm)"],
     ["--features", "at least two different columns of iris"]),
    ("features-unknown", ["--dataset", "breast_cancer", "--features", "mean radius,mean age"],
     ["--features", "columns of breast_cancer", "'mean age'"]),
    ("anchor-not-a-number", ["--anchor", "x"], ["--anchor", "mean, a sample's row number", "Got 'x'"]),
    ("anchor-nan", ["--dataset", "iris", "--features", "all", "--anchor", "1,nan,2,3"], ["--anchor", "finite"]),
    ("anchor-too-few-values", ["--dataset", "iris", "--features", "all", "--anchor", "1,2"],
     ["--anchor", "iris has 4 features", "sepal length (cm)", "Got 2"]),
    ("anchor-row-out-of-range", ["--dataset", "iris", "--features", "all", "--anchor=-151"],
     ["--anchor", "iris has 150 samples", "rows 0 to 149", "Got -151"]),
    ("anchor-far-outside-the-data", ["--dataset", "iris", "--features", "all", "--anchor=1e200,1,1,1"],
     ["--anchor", "iris: sepal length (cm) = 1e+200 lies more than", "times its range"]),
    ("anchor-on-two-features-without-a-view", ["--dataset", "iris", "--anchor", "7"],
     ["--anchor", "iris has two features", "give --view pca|lda|NAME,NAME"]),
]

BAD_SUBPROCESS = ("activation-unknown", "lr-nan", "epochs-not-integer", "out-is-a-file", "unknown-flag",
                  "csv-not-a-number")
"""The rows also run as a subprocess: a choice, a number, a whole number, a path, argparse's
own error and a CSV file's."""
assert set(BAD_SUBPROCESS) <= {row[0] for row in BAD}, "a subprocess row names no row of BAD"

GOOD_ROWS = "x0,x1,label\n0,0,a\n1,1,b\n0,1,a\n1,0,b\n2,2,a\n"
CSV_FILES = {
    "good": GOOD_ROWS,
    "not_a_number": "x0,x1,label\n0,0,a\n1,one,b\n0,1,a\n1,0,b\n",
    "missing_value": "x0,x1,label\n0,0,a\n1,1,b\n,1,a\n1,0,b\n",
    "nan": "0,nan,a\n1,1,b\n0,1,a\n1,0,b\n",
    "inf": "x0,x1,label\n0,0,a\n1,1,b\n0,1,a\n-inf,0,b\n",
    "three_rows": "x0,x1,label\n0,0,a\n1,1,b\n0,1,a\n",
    "one_class": "0,0,a\n1,1,a\n0,1,a\n1,0,a\n",
    "eleven_classes": "x0,x1,label\n" + "".join(f"{k},{k % 3},{c}\n" for k, c in enumerate("abcdefghijk")),
    "four_columns": "x0,x1,label\n0,0,a\n1,1,b,9\n0,1,a\n1,0,b\n",
    "missing_label": "0,0,\n1,1,b\n0,1,a\n1,0,b\n",
    "wide": "id,a,b,species,c\nr1,1,2,x,3\nr2,6,7,y,8\nr3,1.5,2.5,x,3.5\nr4,0,-1,y,-2\nr5,0,1,x,1\n",
    "good_no_header": "0,0,a\n1,1,b\n0,1,a\n1,0,b\n",
    "cased": "A,a,x,label\n1,2,3,p\n2,1,3,q\n3,3,1,p\n1,1,1,q\n2,2,2,p\n",
    "comma_in_a_name": '"x,y",α β,c,label\n1,2,3,p\n2,1,3,q\n3,3,1,p\n1,1,1,q\n2,2,2,p\n',
    # every row twice and a constant column: nothing varies within a class, so LDA has no direction
    "repeated_rows": "a,b,c,label\n0,5,1,x\n0,5,1,x\n1,5,2,y\n1,5,2,y\n2,5,3,z\n2,5,3,z\n",
}


def _prepare_argv(argv, folder):
    """Fill the placeholders of a BAD row with files made in ``folder``."""
    (folder / "existing.txt").write_text("not a folder\n")
    (folder / "a_folder").mkdir(exist_ok=True)
    out = []
    for arg in argv:
        if arg.startswith("{csv:"):
            name = arg[5:-1]
            path = folder / f"{name}.csv"
            path.write_text(CSV_FILES[name])
            arg = str(path)
        else:
            arg = (arg.replace("{file}", str(folder / "existing.txt"))
                   .replace("{missing.csv}", str(folder / "missing.csv"))
                   .replace("{folder}", str(folder / "a_folder")))
        out.append(arg)
    if "--out" not in out:
        out += ["--out", str(folder / "out")]
    return out


def _tree(folder):
    """Every path under ``folder`` with its content hash (files) or None (folders)."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            found[os.path.relpath(os.path.join(root, d), folder)] = None
        for f in files:
            path = os.path.join(root, f)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, folder)] = hashlib.sha256(handle.read()).hexdigest()
    return found


def _check_one_error_line(err, fragments):
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("boundaryviz: error: "), line
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in line, (fragment, line)


@pytest.mark.parametrize("argv, fragments", [pytest.param(a, f, id=i) for i, a, f in BAD if i in BAD_SUBPROCESS])
def test_bad_input_subprocess(tmp_path, argv, fragments):
    argv = _prepare_argv(argv, tmp_path)
    before = _tree(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "boundaryviz", *argv], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    _check_one_error_line(proc.stderr, fragments)
    assert _tree(tmp_path) == before  # nothing written: no --out folder, not even ./output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv, fragments", [pytest.param(a, f, id=i) for i, a, f in BAD + BAD_IN_PROCESS_ONLY]
)
def test_bad_input_in_process(tmp_path, monkeypatch, capsys, argv, fragments):
    monkeypatch.chdir(tmp_path)
    argv = _prepare_argv(argv, tmp_path)
    before = _tree(tmp_path)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    _check_one_error_line(err, fragments)
    assert _tree(tmp_path) == before
    # the CLI put back the signal handlers it installed
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "--skip-existing" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("boundaryviz ")


# ---------------------------------------------------------------------------------------------
# Unexpected errors: one line saying what failed and how to see more; status 1.
def _boom(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.parametrize("target", ["train", "run_one"])
def test_unexpected_error_one_line(tmp_path, monkeypatch, capsys, target):
    monkeypatch.setattr(boundaryviz.runs.sweep if target == "run_one" else boundaryviz.runs.run, target, _boom)
    out_dir = tmp_path / "out"
    status = main([*TINY, "--activations", "relu", "--learning-rates", "0.1", "--out", str(out_dir)])
    assert status == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("boundaryviz: error: the sweep failed")
    assert "RuntimeError: boom" in lines[0]
    assert "rerun with --debug" in lines[0]
    if target == "train":  # the run is named when it got that far
        assert "in run relu_lr0.1" in lines[0]
    assert os.listdir(out_dir) == []  # no partial file left


def test_unexpected_error_with_debug_shows_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(boundaryviz.runs.run, "train", _boom)
    status = main([*TINY, "--activations", "relu", "--learning-rates", "0.1", "--debug",
                   "--out", str(tmp_path / "out")])
    assert status == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert 'raise RuntimeError("boom")' in err
    assert err.splitlines()[-1].startswith("boundaryviz: error: the sweep failed")
    assert "--debug" not in err.splitlines()[-1]


def test_unexpected_error_while_checking_arguments(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("boundaryviz.cli.command.make_dataset", _boom)
    assert main(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "boundaryviz: error: checking the arguments failed: RuntimeError: boom "
        "(rerun with --debug to see the traceback)"
    ]
    assert not (tmp_path / "out").exists()


def test_keyboard_interrupt_in_process(tmp_path, monkeypatch, capsys):
    """Ctrl-C while a run trains: status 130, one line, nothing half-written."""
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(boundaryviz.runs.run, "train", interrupt)
    out_dir = tmp_path / "out"
    assert main([*TINY, "--activations", "relu", "--learning-rates", "0.1", "--out", str(out_dir)]) == 130
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "boundaryviz: interrupted (SIGINT); finished runs: none; 1 run(s) not finished, "
        "their partial files removed."
    ]
    assert os.listdir(out_dir) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ---------------------------------------------------------------------------------------------
# Divergence: training stops with 'diverged', the animation is still written and says so.
DIVERGING = dict(optimizer="sgd", learning_rate=10, activation="identity", hidden=(8, 8), stop_loss=0)


def test_divergence_ends_training_and_is_animated(tmp_path):
    history = train(gaussians(), epochs=60, **DIVERGING)
    assert history.stop_reason == "diverged"
    n = history.epochs_run
    assert 1 < n < 60
    assert not np.isfinite(history.final.loss)
    assert all(s.is_finite for s in history.snapshots[:-1])

    renderer = Renderer(history, resolution=20)
    renderer.draw(0)
    assert "diverged" not in renderer.status.text
    renderer.draw(len(history) - 1)
    assert f"diverged at epoch {n}" in renderer.status.text

    for max_frames, expected in [(0, len(history)), (4, 4)]:
        path = tmp_path / f"diverged_{max_frames}.gif"
        animation = save_animation(history, path, renderer=renderer, max_frames=max_frames)
        assert animation.n_frames == expected
        assert is_complete(path)
        with Image.open(path) as gif:
            assert gif.n_frames == expected
        assert renderer.status.text.endswith(f"diverged at epoch {n}")  # the last frame drawn


@pytest.mark.parametrize("activation, hidden", [("relu", (2,)), ("tanh", (4, 2))])
def test_renderer_survives_non_finite_weights(tmp_path, activation, hidden):
    """Huge, infinite and nan weights (as a diverging run may leave them) still render."""
    from boundaryviz import History, Snapshot, TrainConfig

    data = gaussians(n_samples=40)
    config = TrainConfig(activation=activation, hidden=hidden, epochs=4)
    start = train(data, config=config).snapshots[0]
    snaps = [start]
    for epoch, value in enumerate([1e300, np.inf, -np.inf, np.nan], start=1):
        weights = tuple(np.full_like(w, value) if i % 2 == 0 else w for i, w in enumerate(start.weights))
        biases = tuple(np.full_like(b, value) for b in start.biases)
        loss = value if np.isfinite(value) else np.nan
        snaps.append(Snapshot.from_weights(epoch, weights, biases, loss, 0.5, activation))
    history = History(tuple(snaps), data, config, "diverged")
    renderer = Renderer(history, resolution=20)
    path = tmp_path / "broken.gif"
    animation = save_animation(history, path, renderer=renderer, max_frames=0)
    assert animation.n_frames == 5 and is_complete(path)
    for i in range(1, 5):
        frame = renderer.frame(i)
        assert frame.shape[2] in (3, 4) and frame.dtype == np.uint8
        # the note shows on every non-finite snapshot (epochs 2 to 4), not on the huge one
        assert ("diverged at epoch 4" in renderer.status.text) == (i >= 2)


def test_divergence_through_cli(tmp_path, capsys):
    out_dir = tmp_path / "out"
    status = main([*TINY, "--epochs", "60", "--optimizer", "sgd", "--learning-rates", "10",
                   "--hidden", "8,8", "--activations", "identity", "--stop-loss", "0",
                   "--out", str(out_dir)])
    assert status == 0
    table = capsys.readouterr().out
    row = next(line for line in table.splitlines() if line.startswith("identity_lr10"))
    assert "diverged" in row and "nan" in row
    assert sorted(os.listdir(out_dir)) == ["identity_lr10.gif"]
    assert is_complete(out_dir / "identity_lr10.gif")


# ---------------------------------------------------------------------------------------------
def test_skip_existing_redoes_only_broken_files(tmp_path, capsys):
    out_dir = tmp_path / "out"
    argv = [*TINY, "--activations", "relu,tanh", "--learning-rates", "0.1", "--out", str(out_dir)]
    assert main(argv) == 0
    capsys.readouterr()
    kept, broken = out_dir / "relu_lr0.1.gif", out_dir / "tanh_lr0.1.gif"
    size = broken.stat().st_size
    with open(broken, "r+b") as handle:
        handle.truncate(size // 2)
    assert not is_complete(broken) and is_complete(kept)
    kept_stat, broken_mtime = kept.stat(), broken.stat().st_mtime_ns

    assert main([*argv, "--skip-existing"]) == 0
    table = capsys.readouterr().out
    assert kept.stat().st_mtime_ns == kept_stat.st_mtime_ns and kept.stat().st_ino == kept_stat.st_ino
    assert broken.stat().st_mtime_ns != broken_mtime
    assert broken.stat().st_size == size and is_complete(broken)
    rows = {line.split()[0]: line for line in table.splitlines()[2:]}
    assert "relu_lr0.1" in rows and rows["relu_lr0.1"].split()[1] == "(kept)"
    assert "tanh_lr0.1" in rows and "(kept)" not in rows["tanh_lr0.1"]
    assert "max_epochs" in rows["tanh_lr0.1"]
    assert sorted(os.listdir(out_dir)) == ["relu_lr0.1.gif", "tanh_lr0.1.gif"]


def test_csv_labels_named_in_legend(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = ["x0,x1,species"]
    for i in range(40):
        label = "dog" if i % 2 else "cat"
        x = rng.normal(size=2) + (2 if label == "dog" else -2)
        rows.append(f"{x[0]:.3f},{x[1]:.3f},{label}")
    csv = tmp_path / "pets.csv"
    csv.write_text("\n".join(rows) + "\n")

    out_dir = tmp_path / "out"
    assert main([*TINY, "--data", str(csv), "--activations", "tanh", "--learning-rates", "0.1",
                 "--out", str(out_dir)]) == 0
    assert "tanh_lr0.1" in capsys.readouterr().out
    assert is_complete(out_dir / "tanh_lr0.1.gif")

    data = load_csv(csv)
    assert data.class_names == ("cat", "dog")
    assert data.y.tolist() == [i % 2 for i in range(40)]
    renderer = Renderer(train(data, epochs=2), resolution=20)
    legend = [t.get_text() for legend in renderer.figure.legends for t in legend.get_texts()]
    assert "class cat" in legend and "class dog" in legend


def test_features_and_label_choose_columns_of_a_wide_csv(tmp_path, capsys):
    wide = tmp_path / "wide.csv"
    wide.write_text(CSV_FILES["wide"])
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("c,a,species\n3,1,x\n8,6,y\n3.5,1.5,x\n-2,0,y\n1,0,x\n")
    run = [*TINY, "--activations", "tanh", "--learning-rates", "0.1"]
    assert main([*run, "--data", str(wide), "--label", "species", "--features", "c,a",
                 "--out", str(tmp_path / "wide")]) == 0
    assert main([*run, "--data", str(narrow), "--out", str(tmp_path / "narrow")]) == 0
    capsys.readouterr()
    gif = (tmp_path / "wide" / "tanh_lr0.1.gif").read_bytes()
    assert gif == (tmp_path / "narrow" / "tanh_lr0.1.gif").read_bytes()
    # --no-standardize: the CSV's own units, the run bv.train gives on them (and not the one
    # on standardised columns, the default)
    assert main([*run, "--data", str(narrow), "--no-standardize", "--out", str(tmp_path / "raw")]) == 0
    row = capsys.readouterr().out.splitlines()[2].split()[:5]

    def shown(data):
        history = train(data, activation="tanh", learning_rate=0.1, epochs=6)
        return ["tanh_lr0.1", str(history.epochs_run), history.stop_reason, f"{history.final.loss:.4f}",
                f"{history.final.accuracy:.1%}"]

    assert row == shown(load_csv(narrow, standardize=False)) != shown(load_csv(narrow))


def test_help_explains_features_label_and_the_new_data_sets(capsys):
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for fragment in ["--features NAME,NAME,...", "--label NAME", "breast_cancer", "digits",
                     "'all' takes every column", "default: the last column"]:
        assert fragment in text, fragment


def test_same_bytes_every_time(tmp_path):
    """Two runs of one command (with different hash seeds) write byte-identical files: the
    animations and, when the CLI writes one, the gallery."""
    command = [sys.executable, "-m", "boundaryviz", "--epochs", "8", "--resolution", "24",
               "--max-frames", "8", "--activations", "relu,tanh", "--learning-rates", "0.05",
               "--jobs", "1", "-q"]
    sums = []
    for hash_seed in ("1", "2"):  # each run into its own folder: nothing of the first is left to match
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = tmp_path / f"out{hash_seed}"
        proc = subprocess.run([*command, "--out", str(out)], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        sums.append({name: hashlib.sha256((out / name).read_bytes()).hexdigest()
                     for name in sorted(os.listdir(out))})
    assert {"relu_lr0.05.gif", "tanh_lr0.05.gif"} <= set(sums[0])
    assert sums[0] == sums[1]


# ---------------------------------------------------------------------------------------------
def _distance(frames, renderer, indices):
    """Mean pixel difference of GIF frames from the renderer's frames of those snapshots."""
    return max(float(np.abs(frame.astype(int) - renderer.frame(int(i))).mean()) for frame, i in zip(frames, indices))


def test_bayes_flag_draws_the_bayes_line(tmp_path):
    """--bayes: the frames are a Renderer(history, bayes=True)'s (the dotted Bayes boundary and
    the Bayes loss), in-process and as a subprocess; without it, a plain Renderer's."""
    argv = [*TINY, "--activations", "tanh", "--learning-rates", "0.1"]
    assert main([*argv, "--out", str(tmp_path / "plain")]) == 0
    assert main([*argv, "--bayes", "--out", str(tmp_path / "bayes")]) == 0
    proc = subprocess.run([sys.executable, "-m", "boundaryviz", *argv, "--bayes", "--out", str(tmp_path / "sub")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr

    history = train(make_dataset("gaussians", seed=0), activation="tanh", learning_rate=0.1, epochs=6)
    indices = frame_indices(len(history), 4)
    plain, bayes = Renderer(history, resolution=20), Renderer(history, resolution=20, bayes=True)
    assert _distance([plain.frame(int(i)) for i in indices], bayes, indices) > 5  # the line shows
    for folder, wanted, other in [("plain", plain, bayes), ("bayes", bayes, plain), ("sub", bayes, plain)]:
        frames, _, _ = read_animation(tmp_path / folder / "tanh_lr0.1.gif")
        assert len(frames) == len(indices)
        # measured: 0.1-0.15 from the wanted frames (the GIF's palette), 12 from the others
        assert _distance(frames, wanted, indices) < 1, folder
        assert _distance(frames, other, indices) > 5, folder


def test_output_flags_are_read_back_from_the_gif(tmp_path):
    """--fps, --max-frames, --resolution, --layer and --hidden, each seen in the file."""
    argv = ["--epochs", "6", "--jobs", "1", "-q", "--no-gallery", "--activations", "tanh", "--learning-rates", "0.1",
            "--hidden", "3,2", "--fps", "10", "--max-frames", "3", "--resolution", "12", "--layer", "0"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    (path,) = tmp_path.iterdir()
    frames, durations, _ = read_animation(path)
    assert durations == [100, 100, 1500]  # --fps 10, and the default hold of the last frame
    history = train(make_dataset("gaussians", seed=0), activation="tanh", learning_rate=0.1, hidden=(3, 2), epochs=6)
    indices = frame_indices(len(history), 3)
    wanted = Renderer(history, resolution=12, layer=0)
    assert _distance(frames, wanted, indices) < 1
    for other in (Renderer(history, resolution=20, layer=0), Renderer(history, resolution=12, layer=1)):
        assert _distance(frames, other, indices) > 2 * _distance(frames, wanted, indices) + 0.2


def test_a_feature_name_with_a_comma_is_chosen_in_double_quotes(tmp_path):
    # --features and --view had split on every comma: '"x,y"' was the column '"x'
    argv = _prepare_argv(["--data", "{csv:comma_in_a_name}", "--features", '"x,y",α β,c', "--view", '"x,y",c',
                          "--activations", "relu", "--learning-rates", "0.1", "--epochs", "2", "--max-frames", "2",
                          "--resolution", "12", "--no-gallery", "-q"], tmp_path)
    proc = subprocess.run([sys.executable, "-m", "boundaryviz", *argv], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["relu_lr0.1.gif"]
    assert parser._names('"x,y", α β') == ["x,y", "α β"] and parser._names("a, b") == ["a", "b"]
    assert parser._names('"x,y" , c') == ["x,y", "c"] and parser._names('5" screen,"a ""b"""') == ['5" screen', 'a "b"']
