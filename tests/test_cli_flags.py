"""Every flag of ``python -m boundaryviz --help`` is read back from what it changes.

Two subprocess runs here each set several flags at once, on a terminal (a pseudo-terminal for
stderr, where progress bars show), and read each flag back: the runs the table lists (named
by the flags that vary, with the epochs, stop reason, loss and accuracy of exactly the run the
flags describe, each also checked to differ from the run without that flag), the pictures in
the GIFs, and the progress bars or their absence. The other flags are read back by tests in
other files; ``FLAG_TESTS`` names them, and a test checks that every flag of the parser is
named there and appears in the test named.
"""

import ast
import dataclasses
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import numpy as np
from readback import read_animation

import boundaryviz as bv
from boundaryviz.cli.command import main
from boundaryviz.cli.parser import build_parser
from boundaryviz.data.catalogue import make_dataset
from boundaryviz.output.animation import frame_indices

TESTS = Path(__file__).resolve().parent

FLAG_TESTS = {
    # flag: the test (file::function) that runs it and reads back what it changes
    "--datasets": "test_cli_flags.py::test_data_and_training_flags_make_the_runs_they_describe",
    "--data": "test_cli.py::test_features_and_label_choose_columns_of_a_wide_csv",
    "--features": "test_cli_flags.py::test_real_data_flags_and_views_make_the_pictures_they_describe",
    "--label": "test_cli.py::test_features_and_label_choose_columns_of_a_wide_csv",
    "--classes": "test_cli_flags.py::test_data_and_training_flags_make_the_runs_they_describe",
    "--no-standardize": "test_cli_flags.py::test_real_data_flags_and_views_make_the_pictures_they_describe",
    "--activations": "test_cli.py::test_bayes_flag_draws_the_bayes_line",
    "--learning-rates": "test_cli.py::test_bayes_flag_draws_the_bayes_line",
    "--hidden": "test_cli.py::test_output_flags_are_read_back_from_the_gif",
    "--optimizers": "test_cli_flags.py::test_data_and_training_flags_make_the_runs_they_describe",
    "--epochs": "test_cli_flags.py::test_data_and_training_flags_make_the_runs_they_describe",
    "--stop-loss": "test_cli_flags.py::test_data_and_training_flags_make_the_runs_they_describe",
    "--batch-size": "test_cli_flags.py::test_data_and_training_flags_make_the_runs_they_describe",
    "--seeds": "test_cli_flags.py::test_data_and_training_flags_make_the_runs_they_describe",
    "--engines": "test_engines.py::cli_out",
    "--out": "test_cli.py::test_same_bytes_every_time",
    "--format": "test_player.py::cli_run",
    "--fps": "test_cli.py::test_output_flags_are_read_back_from_the_gif",
    "--max-frames": "test_cli.py::test_output_flags_are_read_back_from_the_gif",
    "--resolution": "test_cli.py::test_output_flags_are_read_back_from_the_gif",
    "--layer": "test_cli.py::test_output_flags_are_read_back_from_the_gif",
    "--bayes": "test_cli.py::test_bayes_flag_draws_the_bayes_line",
    "--view": "test_cli_flags.py::test_real_data_flags_and_views_make_the_pictures_they_describe",
    "--anchor": "test_cli_flags.py::test_real_data_flags_and_views_make_the_pictures_they_describe",
    "--skip-existing": "test_cli.py::test_skip_existing_redoes_only_broken_files",
    "--no-gallery": "test_gallery.py::test_cli_no_gallery",
    "--jobs": "test_interrupts.py::_command",
    "--scheduler": "test_cluster.py::test_cli_through_the_cluster_writes_the_local_files",
    "-q": "test_cli_flags.py::test_real_data_flags_and_views_make_the_pictures_they_describe",
    "--debug": "test_cli.py::test_unexpected_error_with_debug_shows_traceback",
    "--version": "test_cli.py::test_help_and_version",
    "-h": "test_cli.py::test_help_and_version",
}
"""Where each flag is read back (a flag with aliases is named by its first spelling)."""


def _source_of(where):
    """The source of the function ``file::name`` among the tests (a fixture counts)."""
    file, name = where.split("::")
    tree = ast.parse((TESTS / file).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment((TESTS / file).read_text(encoding="utf-8"), node)
    return None


def test_every_flag_has_a_test_that_reads_it_back():
    flags = [action.option_strings[0] for action in build_parser()._actions if action.option_strings]
    assert sorted(flags) == sorted(FLAG_TESTS), "a flag was added or removed: name its test in FLAG_TESTS"
    for flag, where in FLAG_TESTS.items():
        source = _source_of(where)
        assert source is not None, f"{flag}: no function {where}"
        spelled = "--help" if flag == "-h" else flag  # test_help_and_version asks for --help
        assert f'"{spelled}' in source or f"'{spelled}" in source, f"{flag} does not appear in {where}"


# ---------------------------------------------------------------------------------------------
def _run_on_a_terminal(argv, cwd):
    """``python -m boundaryviz ARGV`` with stderr on a 200-column pseudo-terminal (where
    progress bars show): (exit status, stdout, what the terminal received)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 200, 0, 0))
    try:
        proc = subprocess.Popen([sys.executable, "-m", "boundaryviz", *argv], cwd=cwd, stdout=subprocess.PIPE,
                                stderr=slave, stdin=subprocess.DEVNULL)
    finally:
        os.close(slave)
    received = []
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the process closed its end
                break
            if not chunk:
                break
            received.append(chunk)
        out = proc.stdout.read()
        proc.wait(timeout=120)
    finally:
        os.close(master)
        if proc.poll() is None:  # pragma: no cover - only when something above failed
            proc.kill()
            proc.wait()
    return proc.returncode, out.decode(), b"".join(received).decode(errors="replace")


def _rows(table):
    """The table's rows: run name -> (epochs, stop reason, loss, accuracy)."""
    return {line.split()[0]: tuple(line.split()[1:5]) for line in table.splitlines()[2:]}


def _row(history):
    """What the table shows of a run."""
    return (str(history.epochs_run), history.stop_reason, f"{history.final.loss:.4f}",
            f"{history.final.accuracy:.1%}")


TRAIN = dict(activation="tanh", learning_rate=0.3, optimizer="sgd", batch_size=50, stop_loss=0.5, epochs=8)
"""What the flags of the first run below ask for (the loss of 0.5 stops some runs early)."""


def test_data_and_training_flags_make_the_runs_they_describe(tmp_path):
    """--datasets, --classes, --seeds (the first also seeds the data), --optimizers,
    --batch-size, --stop-loss and --epochs: the runs named by what varies, each the run
    ``bv.train`` gives for those settings; and, without -q, a progress bar per run."""
    argv = ["--datasets", "blobs,spiral", "--classes", "4", "--seeds", "3,4", "--optimizers", "sgd",
            "--batch-size", "50", "--stop-loss", "0.5", "--epochs", "8", "--activations", "tanh",
            "--learning-rates", "0.3", "--resolution", "10", "--max-frames", "3", "--jobs", "1", "--no-gallery",
            "--out", str(tmp_path / "out")]
    status, table, terminal = _run_on_a_terminal(argv, tmp_path)
    assert status == 0, terminal

    rows = _rows(table)
    names = [f"tanh_lr0.3_{name}_seed{seed}" for name in ("blobs", "spiral") for seed in (3, 4)]
    assert list(rows) == names
    assert sorted(os.listdir(tmp_path / "out")) == sorted(f"{name}.gif" for name in names)
    for name in names:
        dataset, seed = name.split("_")[2], int(name[-1])
        data = make_dataset(dataset, seed=3, n_classes=4)
        wanted = bv.train(data, seed=seed, **TRAIN)
        assert rows[name] == _row(wanted), name
        # the progress bar of the run, ending with how it ended
        assert f"{name}" in terminal and f"{wanted.stop_reason}, loss {wanted.final.loss:.4f}" in terminal
        # each flag changes the run: without it, the table would show another one
        without = {
            "--classes": bv.train(make_dataset(dataset, seed=3), seed=seed, **TRAIN),
            "--seeds (weights)": bv.train(data, seed=0, **TRAIN),
            "--seeds (data)": bv.train(make_dataset(dataset, seed=seed, n_classes=4), seed=seed, **TRAIN)
            if seed != 3 else None,
            "--optimizers": bv.train(data, seed=seed, **{**TRAIN, "optimizer": "adam"}),
            "--batch-size": bv.train(data, seed=seed, **{**TRAIN, "batch_size": None}),
            # (a run that stopped on its loss would stop there with more epochs allowed too)
            "--epochs": bv.train(data, seed=seed, **{**TRAIN, "epochs": 200})
            if wanted.stop_reason == "max_epochs" else None,
        }
        for flag, other in without.items():
            assert other is None or _row(other) != rows[name], (name, flag)
    # --stop-loss: it stopped two blobs runs (one before --epochs), not the spirals
    reasons = {name: rows[name][:2] for name in names}
    assert reasons == {"tanh_lr0.3_blobs_seed3": ("8", "stop_loss"), "tanh_lr0.3_blobs_seed4": ("4", "stop_loss"),
                       "tanh_lr0.3_spiral_seed3": ("8", "max_epochs"), "tanh_lr0.3_spiral_seed4": ("8", "max_epochs")}


SLICE = "petal length (cm),petal width (cm)"


def _distance(frames, renderer, indices):
    """Mean pixel difference of GIF frames from the renderer's frames of those snapshots."""
    return max(float(np.abs(frame.astype(int) - renderer.frame(int(i))).mean()) for frame, i in zip(frames, indices))


def test_real_data_flags_and_views_make_the_pictures_they_describe(tmp_path, capsys):
    """--dataset iris --features all --no-standardize, two --view planes (a grid: a run per
    plane, named by it) and -q: the runs trained on the four unstandardised columns, each GIF
    the input panel on its plane, and nothing on the terminal. One --view alone (no grid) is
    the same file as that plane's run."""
    run = ["--dataset", "iris", "--features", "all", "--no-standardize", "--activations", "tanh",
           "--learning-rates", "0.1", "--epochs", "6", "--resolution", "12", "--max-frames", "3", "--jobs", "1",
           "--no-gallery", "-q"]
    status, table, terminal = _run_on_a_terminal([*run, "--view", "lda", "--view", SLICE, "--out", "out"], tmp_path)
    assert status == 0, terminal
    assert terminal == ""  # -q: no progress bar, even on a terminal

    data = dataclasses.replace(make_dataset("iris", features="all"), standardize=False)
    wanted = bv.train(data, activation="tanh", learning_rate=0.1, epochs=6)
    rows = _rows(table)
    lda, plane = "tanh_lr0.1_lda", "tanh_lr0.1_petal-length-cm-petal-width-cm"
    assert list(rows) == [lda, plane]
    assert rows[lda] == rows[plane] == _row(wanted)
    standardized = bv.train(make_dataset("iris", features="all"), activation="tanh", learning_rate=0.1, epochs=6)
    two_features = bv.train(dataclasses.replace(make_dataset("iris"), standardize=False), activation="tanh",
                            learning_rate=0.1, epochs=6)
    assert _row(standardized) != rows[lda] and _row(two_features) != rows[lda]  # each flag matters

    indices = frame_indices(len(wanted), 3)
    renderers = {lda: bv.Renderer(wanted, resolution=12, view="lda"),
                 plane: bv.Renderer(wanted, resolution=12, view=tuple(SLICE.split(",")))}
    for name, renderer in renderers.items():
        frames, _, _ = read_animation(tmp_path / "out" / f"{name}.gif")
        assert len(frames) == len(indices)
        other = renderers[plane if name == lda else lda]
        # measured: 0.1 from the wanted plane's frames (the GIF's palette), 10 from the other's
        assert _distance(frames, renderer, indices) < 1, name
        assert _distance(frames, other, indices) > 5, name

    # --anchor: the slice through given values (in the data's units) and through a sample
    far = (7.5, 2.0, 1.0, 1.0)
    for anchor, text in ((far, "=7.5,2,1,1"), (7, "7")):
        folder = tmp_path / f"anchor{text}"
        assert main([*run, "--view", SLICE, f"--anchor{text if text[0] == '=' else '=' + text}",
                     "--out", str(folder)]) == 0
        frames, _, _ = read_animation(folder / "tanh_lr0.1.gif")
        anchored = bv.Renderer(wanted, resolution=12, view=tuple(SLICE.split(",")), anchor=anchor)
        assert _distance(frames, anchored, indices) < 1, text
        assert _distance(frames, renderers[plane], indices) > 2, text  # not the slice at the mean
    capsys.readouterr()

    # one --view: not a grid, the option of every run
    assert main([*run, "--view", "lda", "--out", str(tmp_path / "one")]) == 0
    assert "tanh_lr0.1 " in capsys.readouterr().out
    assert os.listdir(tmp_path / "one") == ["tanh_lr0.1.gif"]
    assert (tmp_path / "one" / "tanh_lr0.1.gif").read_bytes() == (tmp_path / "out" / f"{lda}.gif").read_bytes()
