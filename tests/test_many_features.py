"""More than two features: the network's maths, every engine and every recorder with d inputs
equal the NumPy engine, as the two-feature tests show for d = 2; a model of the wrong width
gets one message naming both widths."""

import importlib.util
import os

import numpy as np
import pytest
from gradients import numerical_gradients
from numpy.testing import assert_allclose

import boundaryviz as bv
from boundaryviz.models import network
from boundaryviz.models.mlp import MLP

os.environ.setdefault("KERAS_BACKEND", "jax")
needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed (pip install 'boundaryviz[torch]')")
needs_keras = pytest.mark.skipif(importlib.util.find_spec("keras") is None or importlib.util.find_spec("jax") is None,
                                 reason="Keras or JAX is not installed (pip install 'boundaryviz[keras]')")
EPOCHS = 60


@pytest.fixture(scope="module")
def four():
    """Two classes, four features, raw units (not standardised)."""
    return bv.blobs(n_samples=200, n_classes=2, n_features=4, seed=1)


@pytest.fixture(scope="module")
def iris4():
    """Three classes, all four iris measurements, standardised for training."""
    return bv.iris(features="all")


# ------------------------------------------------------------------- gradients, d = 5
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_gradients_with_five_inputs_match_central_differences(activation, n_classes):
    rng = np.random.default_rng(5)
    for _ in range(1000):
        X = rng.normal(size=(12, 5))
        y = rng.integers(0, n_classes, size=12).astype(float)
        y[:n_classes] = np.arange(n_classes)
        weights, biases = network.init_params((5, 4, 3, 1 if n_classes == 2 else n_classes), rng)
        pre, _ = network.forward(weights, biases, X, activation)
        if all(np.min(np.abs(z)) > 1e-3 for z in pre[:-1]):  # away from relu kinks
            break
    assert weights[0].shape == (5, 4)
    _, _, gw, gb = network.loss_and_gradients(weights, biases, X, y, activation)
    analytic = np.concatenate([g.ravel() for g in gw + gb])
    numeric = np.concatenate([g.ravel() for g in numerical_gradients(weights, biases, X, y, activation)])
    assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
    assert np.linalg.norm(gw[0]) > 1e-3  # the first layer's 5 x 4 gradient is really there


# --------------------------------------------------- training against scikit-learn, d = 4
@pytest.mark.parametrize("make, hidden", [
    (lambda: bv.blobs(n_classes=2, n_features=4, seed=1), (3,)),
    (lambda: bv.blobs(n_classes=3, n_features=4, seed=1), (4, 3)),
], ids=["two classes", "three classes"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_full_batch_adam_with_four_inputs_matches_sklearn(make, hidden, activation):
    from sklearn.neural_network import MLPClassifier

    data = make()
    lr, epochs = 0.01, 100
    history = bv.train(data, activation=activation, hidden=hidden, learning_rate=lr, epochs=epochs,
                       stop_loss=0, seed=3)
    assert history.final.weights[0].shape == (4, hidden[0])
    clf = MLPClassifier(hidden_layer_sizes=hidden, activation=activation, solver="adam", alpha=0.0,
                        batch_size=data.n_samples, shuffle=False, learning_rate_init=lr,
                        n_iter_no_change=10**9, tol=0.0, random_state=0)
    clf.partial_fit(data.X, data.y, classes=np.unique(data.y))
    clf.coefs_ = [np.array(w) for w in history[0].weights]
    clf.intercepts_ = [np.array(b) for b in history[0].biases]
    del clf._optimizer
    clf.loss_curve_ = []
    for epoch in range(1, epochs + 1):
        clf.partial_fit(data.X, data.y)
        for theirs, mine in zip(clf.coefs_ + clf.intercepts_, history[epoch].weights + history[epoch].biases):
            assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
    assert_allclose(history.losses[:epochs], clf.loss_curve_, rtol=1e-9)
    assert history.losses[-1] < history.losses[0] - 0.05
    assert_allclose(history.final.predict_proba(data.X), clf.predict_proba(data.X), rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------- engines, d = 4
def _run(data, engine, activation, **settings):
    settings = {"learning_rate": 0.01, "epochs": EPOCHS, "stop_loss": 0, "seed": 2, "hidden": (3,), **settings}
    history = bv.train(data, activation=activation, engine=engine, **settings)
    assert len(history) == settings["epochs"] + 1
    assert history.final.model.n_inputs == data.n_features
    return history


def _relative(a, b):
    return float(np.max(np.abs(a - b) / np.abs(b)))


@pytest.mark.parametrize("dataset", ["four", "iris4"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_sklearn_engine_with_four_inputs_equals_numpy_engine(request, dataset, activation):
    data = request.getfixturevalue(dataset)
    ours = _run(data, "numpy", activation)
    theirs = _run(data, "sklearn", activation)
    assert_allclose(theirs.losses, ours.losses, rtol=1e-9)
    assert_allclose(theirs.final.weights[0], ours.final.weights[0], rtol=1e-9, atol=1e-12)
    assert ours.losses[-1] < ours.losses[0] - 0.05


def test_sklearn_engine_with_four_inputs_sgd_mini_batches(iris4):
    settings = {"optimizer": "sgd", "momentum": 0.9, "batch_size": 32, "epochs": 20}
    assert_allclose(_run(iris4, "sklearn", "tanh", **settings).losses,
                    _run(iris4, "numpy", "tanh", **settings).losses, rtol=1e-9)


@needs_torch
@pytest.mark.parametrize("dataset", ["four", "iris4"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_torch_engine_with_four_inputs_agrees_within_its_adam(request, dataset, activation):
    data = request.getfixturevalue(dataset)
    diff = _relative(_run(data, "torch", activation).losses, _run(data, "numpy", activation).losses)
    assert 0 < diff < 1e-6, diff  # PyTorch adds Adam's eps after the bias correction


@needs_torch
def test_torch_engine_with_four_inputs_sgd_is_the_numpy_maths(iris4):
    settings = {"optimizer": "sgd", "momentum": 0.5, "batch_size": 50, "epochs": 20}
    theirs = _run(iris4, "torch", "relu", **settings)
    ours = _run(iris4, "numpy", "relu", **settings)
    assert _relative(theirs.losses, ours.losses) < 1e-12


@needs_keras
@pytest.mark.parametrize("dataset", ["four", "iris4"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_keras_engine_with_four_inputs_agrees_within_float32(request, dataset, activation):
    data = request.getfixturevalue(dataset)
    diff = _relative(_run(data, "keras", activation).losses, _run(data, "numpy", activation).losses)
    assert 0 < diff < 1e-5, diff


# --------------------------------------------------------------------- recorders, d = 4
@pytest.fixture(scope="module", params=["relu", "tanh"])
def history(request, four):
    return bv.train(four, activation=request.param, hidden=(3,), learning_rate=0.1, epochs=8, stop_loss=0)


def _assert_same_model(recorded, history, rtol=1e-12, atol=0.0, loss_rtol=1e-10):
    X = history.dataset.X
    H = np.random.default_rng(0).normal(size=(40, 3))
    for mine, theirs in zip(history, recorded):
        assert_allclose(theirs.model.predict_proba(X), mine.model.predict_proba(X), rtol=rtol, atol=atol)
    assert_allclose(recorded.final.model.hidden(X, 0), history.final.model.hidden(X, 0), rtol=rtol, atol=atol + 1e-15)
    assert_allclose(recorded.final.model.proba_from_hidden(H, 0), history.final.model.proba_from_hidden(H, 0),
                    rtol=rtol, atol=atol)
    assert_allclose(recorded.losses, history.losses, rtol=loss_rtol)


def test_sklearn_recorder_with_four_inputs_equals_the_builtin_run(history):
    from sklearn.neural_network import MLPClassifier

    data = history.dataset
    clf = MLPClassifier(hidden_layer_sizes=(3,), activation=history.config.activation, alpha=0.0, random_state=0)
    clf.partial_fit(data.X, data.y, classes=[0, 1])
    recorder = bv.Recorder(data)
    for snap in history:
        clf.coefs_ = [np.array(w) for w in snap.weights]
        clf.intercepts_ = [np.array(b) for b in snap.biases]
        recorder.snap(clf)
    assert isinstance(recorder.history.final.model, MLP)
    assert recorder.history.final.model == history.final.model
    _assert_same_model(recorder.history, history)


def _load(model, snapshot):
    import torch

    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for linear, W, b in zip(linears, snapshot.weights, snapshot.biases):
            linear.weight.copy_(torch.tensor(W.T))
            linear.bias.copy_(torch.tensor(b))


@needs_torch
def test_torch_sequential_with_four_inputs_equals_the_builtin_run(history):
    import torch

    nn = torch.nn
    act = {"relu": nn.ReLU, "tanh": nn.Tanh}[history.config.activation]
    model = nn.Sequential(nn.Linear(4, 3, dtype=torch.float64), act(), nn.Linear(3, 1, dtype=torch.float64))
    recorder = bv.Recorder(history.dataset)
    for snap in history:
        _load(model, snap)
        recorder.snap(model)
    assert isinstance(recorder.history.final.model, MLP)
    _assert_same_model(recorder.history, history)


@needs_torch
def test_torch_module_with_its_own_forward_and_four_inputs(history):
    import torch

    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[history.config.activation]

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Linear(4, 3, dtype=torch.float64), act())
            self.head = torch.nn.Linear(3, 1, dtype=torch.float64)

        def forward(self, x):
            return self.head(self.body(x)).squeeze(-1)

    net = Net()
    recorder = bv.Recorder(history.dataset, layer="body")
    for snap in history:
        _load(net, snap)
        recorder.snap(net)
    assert type(recorder.history.final.model).__name__ == "TorchModel"
    _assert_same_model(recorder.history, history, rtol=1e-12, atol=1e-15)


def _float32(history):
    snaps = [bv.Snapshot.from_weights(s.epoch, [np.float32(w) for w in s.weights],
                                      [np.float32(b) for b in s.biases], s.loss, s.accuracy, s.activation)
             for s in history]
    return bv.History(snaps, history.dataset, history.config, history.stop_reason)


@needs_keras
def test_keras_sequential_with_four_inputs_equals_the_builtin_run(history):
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation=history.config.activation),
                              keras.layers.Dense(1, activation="sigmoid")])
    recorder = bv.Recorder(history.dataset)
    for snap in history:
        model.set_weights([w for pair in zip(snap.weights, snap.biases) for w in pair])
        recorder.snap(model)
    assert isinstance(recorder.history.final.model, MLP)
    _assert_same_model(recorder.history, _float32(history), loss_rtol=1e-6)  # losses of the float64 run
    proba = np.asarray(model.predict(history.dataset.X, verbose=0))[:, 0]
    assert_allclose(recorder.history.final.predict_proba(history.dataset.X)[:, 1], proba, rtol=1e-5)


@needs_keras
def test_keras_functional_model_with_four_inputs_is_evaluated_by_keras(history):
    import keras

    inputs = keras.Input((4,))
    h = keras.layers.Dense(3, activation=history.config.activation, name="features")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", name="out")(h))
    recorder = bv.Recorder(history.dataset, layer="features")
    for snap in history:
        model.set_weights([w for pair in zip(snap.weights, snap.biases) for w in pair])
        recorder.snap(model)
    assert type(recorder.history.final.model).__name__ == "KerasModel"
    _assert_same_model(recorder.history, _float32(history), rtol=1e-5, atol=1e-6, loss_rtol=1e-5)


class _OwnModel:
    """A model of your own: answers the protocol, knows nothing of boundaryviz."""

    def __init__(self, mlp):
        self.mlp = mlp
        self.hidden_widths = mlp.hidden_widths

    def predict_proba(self, X):
        return self.mlp.predict_proba(X)

    def hidden(self, X, layer):
        return self.mlp.hidden(X, layer)

    def proba_from_hidden(self, H, layer):
        return self.mlp.proba_from_hidden(H, layer)


def test_own_protocol_model_with_four_inputs_equals_the_builtin_run(history):
    recorder = bv.Recorder(history.dataset, label="mine")
    for snap in history:
        recorder.snap(_OwnModel(snap.model))
    assert recorder.history.settings["engine"] == "custom"
    _assert_same_model(recorder.history, history)


# ------------------------------------------------------------- the wrong width, said once
BOTH = r"the model takes 3 inputs but the data has 4 features \(x1, x2, x3, x4\)\.$"


def test_builtin_and_sklearn_models_of_the_wrong_width(four):
    from sklearn.neural_network import MLPClassifier

    weights, biases = network.init_params((3, 2, 1), np.random.default_rng(0))
    with pytest.raises(ValueError, match=BOTH):
        bv.Recorder(four).snap(MLP(weights, biases))
    X3 = np.random.default_rng(0).normal(size=(20, 3))
    clf = MLPClassifier(hidden_layer_sizes=(2,)).partial_fit(X3, np.arange(20) % 2, classes=[0, 1])
    with pytest.raises(ValueError, match=BOTH):
        bv.Recorder(four).snap(clf)


@needs_torch
def test_torch_models_of_the_wrong_width(four):
    import torch

    seq = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    with pytest.raises(ValueError, match=BOTH):
        bv.Recorder(four).snap(seq)
    # the case: a Sequential of width 3 on two features said it was no Sequential
    with pytest.raises(ValueError, match=r"takes 3 inputs but the data has 2 features \(x1, x2\)\.$"):
        bv.Recorder(bv.gaussians()).snap(seq)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
            self.head = torch.nn.Linear(2, 1)

        def forward(self, x):
            return self.head(self.body(x))

    with pytest.raises(ValueError, match=BOTH):
        bv.Recorder(four, layer="body").snap(Net())


@needs_keras
def test_keras_models_of_the_wrong_width(four):
    import keras

    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="tanh"), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=BOTH):
        bv.Recorder(four).snap(seq)
    inputs = keras.Input((3,))
    h = keras.layers.Dense(2, activation="tanh", name="features")(inputs)
    functional = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h))
    with pytest.raises(ValueError, match=BOTH):
        bv.Recorder(four, layer="features").snap(functional)


def test_own_model_of_the_wrong_width(four):
    weights, biases = network.init_params((3, 2, 1), np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"the model cannot be run on the data's 4 features \(x1, x2, x3, x4\): "):
        bv.Recorder(four).snap(_OwnModel(MLP(weights, biases)))


def test_long_feature_lists_are_shortened_in_the_message():
    weights, biases = network.init_params((3, 2, 1), np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"takes 3 inputs but the data has 30 features \(mean radius, .*"
                                         r"\.\.\. worst fractal dimension\)\.$"):
        bv.Recorder(bv.breast_cancer()).snap(MLP(weights, biases))
