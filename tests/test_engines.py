"""The same experiment trained by scikit-learn, PyTorch and Keras: same start, same optimizer,
same batches; the losses agree within each framework's own arithmetic."""

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import has
from numpy.testing import assert_allclose

import boundaryviz as bv

os.environ.setdefault("KERAS_BACKEND", "jax")
EPOCHS = 100
# Each framework's tests skip on their own when it is missing (fail on CI); the others still run.
needs_torch = pytest.mark.needs("torch")
needs_keras = pytest.mark.needs("keras", "jax")
NEEDS = {"sklearn": [], "torch": needs_torch, "keras": needs_keras}


@pytest.fixture(scope="module")
def data():
    return bv.gaussians()


@pytest.fixture(scope="module")
def numpy_run(data):
    """The numpy engine's run of an activation at the default settings, once per module: the
    baseline every engine is compared with."""
    runs = {}

    def run(activation):
        if activation not in runs:
            runs[activation] = _losses(data, "numpy", activation)
        return runs[activation]

    return run


def _losses(data, engine, activation, **settings):
    settings = {"learning_rate": 0.01, "epochs": EPOCHS, "stop_loss": 0, "seed": 2, **settings}
    history = bv.train(data, activation=activation, engine=engine, **settings)
    assert len(history) == settings["epochs"] + 1
    return history


def _relative(a, b):
    return float(np.max(np.abs(a - b) / np.abs(b)))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_sklearn_engine_equals_numpy_engine(data, numpy_run, activation):
    ours = numpy_run(activation)
    theirs = _losses(data, "sklearn", activation)
    assert_allclose(theirs.losses, ours.losses, rtol=1e-9)
    assert_allclose(theirs.final.weights[0], ours.final.weights[0], rtol=1e-9, atol=1e-12)
    assert ours.losses[-1] < ours.losses[0] - 0.05  # it really trained


def test_sklearn_engine_sgd_momentum_and_mini_batches(data):
    settings = {"optimizer": "sgd", "momentum": 0.9, "batch_size": 64, "epochs": 30}
    ours = _losses(data, "numpy", "tanh", **settings)
    theirs = _losses(data, "sklearn", "tanh", **settings)
    assert_allclose(theirs.losses, ours.losses, rtol=1e-9)


# PyTorch's Adam adds eps after the bias correction, sqrt(v / (1 - b2^t)) + eps, where
# scikit-learn (and the numpy engine) add it to sqrt(v) before it. Measured largest relative
# loss difference over 100 epochs (seed 2, lr 0.01): 1.2e-7 relu, 2.1e-7 tanh; the test
# below shows that the placement of eps is the whole difference.
TORCH_RTOL = 1e-6


def _numpy_with_torch_adam(data, activation, epochs):
    """The numpy engine's maths with PyTorch's form of the Adam step."""
    from boundaryviz.models import network
    from boundaryviz.models.optim import BETA1, BETA2, EPSILON

    rng = np.random.default_rng(2)
    weights, biases = network.init_params((2, 2, 1), rng)
    params = list(weights + biases)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    losses = []
    for t in range(1, epochs + 2):
        loss, _, gw, gb = network.loss_and_gradients(tuple(params[:2]), tuple(params[2:]), data.X, data.y, activation)
        losses.append(loss)
        for k, g in enumerate(gw + gb):
            m[k] = BETA1 * m[k] + (1 - BETA1) * g
            v[k] = BETA2 * v[k] + (1 - BETA2) * g * g
            denom = np.sqrt(v[k]) / np.sqrt(1 - BETA2**t) + EPSILON
            params[k] = params[k] - 0.01 / (1 - BETA1**t) * m[k] / denom
    return np.array(losses[: epochs + 1])


@needs_torch
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_torch_engine_difference_is_where_adam_adds_eps(data, activation):
    theirs = _losses(data, "torch", activation)
    assert_allclose(theirs.losses, _numpy_with_torch_adam(data, activation, EPOCHS), rtol=1e-12)


@needs_torch
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_torch_engine_agrees_within_its_adam(data, numpy_run, activation):
    ours = numpy_run(activation)
    theirs = _losses(data, "torch", activation)
    diff = _relative(theirs.losses, ours.losses)
    assert 0 < diff < TORCH_RTOL, diff


@needs_torch
def test_torch_engine_sgd_mini_batches_are_the_same_batches(data):
    settings = {"optimizer": "sgd", "momentum": 0.5, "batch_size": 50, "epochs": 20}
    ours = _losses(data, "numpy", "relu", **settings)
    theirs = _losses(data, "torch", "relu", **settings)
    assert _relative(theirs.losses, ours.losses) < 1e-12  # SGD has no eps: float64 to the last bits


# Keras trains in float32 (its Adam has scikit-learn's form): every step rounds the weights
# to float32 (about 6e-8 relative) and the rounding compounds; measured largest relative loss
# difference over 100 epochs: 2.0e-6 relu, 1.6e-6 tanh (weights differ by up to 5e-6).
KERAS_RTOL = 1e-5


@needs_keras
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_keras_engine_agrees_within_float32(data, numpy_run, activation):
    ours = numpy_run(activation)
    theirs = _losses(data, "keras", activation)
    diff = _relative(theirs.losses, ours.losses)
    assert 0 < diff < KERAS_RTOL, diff


def test_missing_extra_is_named_before_any_work(tmp_path):
    # one interpreter without PyTorch and Keras: the command line's message, then the API's
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['keras'] = None\n"
        "from boundaryviz.cli.command import main\n"
        f"status = main(['--engine', 'torch', '--out', {str(tmp_path / 'out')!r}, '-q'])\n"
        "import boundaryviz as bv\n"
        "try:\n    bv.train(bv.gaussians(), engine='keras', epochs=2)\n"
        "except ImportError as e:\n    print(type(e).__name__, e)\n"
        "sys.exit(status)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert lines == ["boundaryviz: error: --engine torch: PyTorch is not installed: pip install 'boundaryviz[torch]'"]
    assert not (tmp_path / "out").exists()
    assert out.stdout.strip() == "MissingExtraError Keras is not installed: pip install 'boundaryviz[keras]'"


def test_engine_is_checked():
    with pytest.raises(ValueError, match="engine must be one of .* Got 'jax'"):
        bv.TrainConfig(engine="jax")
    with pytest.raises(ValueError, match="leaky_relu.*sklearn"):
        bv.TrainConfig(engine="sklearn", activation="leaky_relu")


CLI_ARGV = ["--activations", "tanh", "--learning-rates", "0.1,0.01", "--epochs", "12", "--resolution", "50",
            "--no-gallery", "-q", "--jobs", "1"]
ENGINES = {"numpy": (), "sklearn": ("sklearn",), "torch": ("torch",), "keras": ("keras", "jax")}


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory):
    """``python -m boundaryviz --engines numpy,sklearn,torch,keras`` (those installed here), once
    for every engine's test: one command trains each run with every engine, and the runs are
    named by their engine. (One process: each framework is imported once.)"""
    engines = [e for e, modules in ENGINES.items() if all(has(m) for m in modules)]
    out = tmp_path_factory.mktemp("cli") / "out"
    proc = subprocess.run([sys.executable, "-m", "boundaryviz", *CLI_ARGV, "--out", str(out),
                           "--engines", ",".join(engines)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out, engines, proc.stdout


@pytest.mark.parametrize("engine", [pytest.param(e, marks=NEEDS[e]) for e in ("sklearn", "torch", "keras")])
def test_cli_engine_writes_the_runs(cli_out, engine):
    """``python -m boundaryviz --engines numpy,E``: a file per run and engine, named by both,
    frames read back, and frames that agree with the numpy engine's (the same weights up to the
    framework's arithmetic)."""
    from readback import read_animation

    out, engines, table = cli_out
    assert engine in engines
    names = [f"tanh_lr{rate}_{e}" for rate in ("0.1", "0.01") for e in engines]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.gif" for name in names)
    assert [line.split()[0] for line in table.splitlines()[2:]] == names  # the table's rows, in order
    for rate in ("0.1", "0.01"):
        ours, _, _ = read_animation(out / f"tanh_lr{rate}_numpy.gif")
        theirs, _, _ = read_animation(out / f"tanh_lr{rate}_{engine}.gif")
        assert len(theirs) == len(ours) == 13
        # The same network up to the framework's arithmetic: scikit-learn's frames are the
        # numpy engine's; PyTorch's and Keras's differ where a band edge or the 0.5 line
        # moved by a hair, and the palette with them (measured: 0.3 % of pixels for PyTorch).
        differ = np.mean([np.any(a != b, axis=2).mean() for a, b in zip(ours, theirs)])
        assert differ <= {"sklearn": 0.0, "torch": 0.006, "keras": 0.01}[engine], differ  # measured 0, 0.003, < 0.005
        # and the framework did train it: its arithmetic shows somewhere (scikit-learn's is the
        # numpy engine's to the last bit, so only its name tells it apart)
        assert differ > 0 or engine == "sklearn", differ
