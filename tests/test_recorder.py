"""Recording a user's own model: scikit-learn, PyTorch and Keras models draw the same frames
as the built-in network for the same weights."""

import os

import numpy as np
import pytest
from numpy.testing import assert_allclose

import boundaryviz as bv
from boundaryviz.models import MLP
from boundaryviz.render import Renderer

os.environ.setdefault("KERAS_BACKEND", "jax")


@pytest.fixture(scope="module")
def data():
    return bv.gaussians(n_samples=120)


@pytest.fixture(scope="module", params=["relu", "tanh"])
def history(request, data):
    return bv.train(data, activation=request.param, learning_rate=0.1, epochs=12, stop_loss=0)


def _same_run(recorded, history):
    """The recorded snapshots under the built-in run's description (same status line)."""
    return bv.History(recorded.snapshots, history.dataset, history.config, history.stop_reason)


def _assert_same_frames(recorded, history, indices=(0, 5, -1)):
    ours = Renderer(history, resolution=100)
    theirs = Renderer(_same_run(recorded, history), resolution=100)
    for index in indices:
        assert np.array_equal(ours.frame(index), theirs.frame(index)), index


# ------------------------------------------------------------------------ scikit-learn
def _sklearn_like(history):
    from sklearn.neural_network import MLPClassifier

    cfg = history.config
    clf = MLPClassifier(hidden_layer_sizes=cfg.hidden, activation=cfg.activation, alpha=0.0, random_state=0)
    clf.partial_fit(history.dataset.X, history.dataset.y, classes=[0, 1])
    return clf


def test_sklearn_mlp_frames_equal_the_builtin_frames(history):
    clf = _sklearn_like(history)
    recorder = bv.Recorder(history.dataset)
    for snap in history:
        clf.coefs_ = [np.array(w) for w in snap.weights]
        clf.intercepts_ = [np.array(b) for b in snap.biases]
        recorder.snap(clf)
    recorded = recorder.history
    assert isinstance(recorded.final.model, MLP)
    assert recorded.label == "sklearn" and recorded.settings["engine"] == "sklearn"
    # loss and accuracy computed by boundaryviz, equal to the built-in run's
    assert_allclose(recorded.losses, history.losses, rtol=1e-12)
    assert_allclose(recorded.accuracies, history.accuracies, rtol=0)
    # the model answers as scikit-learn does
    assert_allclose(recorded.final.predict_proba(history.dataset.X), clf.predict_proba(history.dataset.X), rtol=1e-12)
    _assert_same_frames(recorded, history)


def test_sklearn_partial_fit_loop_records_copies(data):
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(3,), activation="tanh", learning_rate_init=0.05, random_state=1)
    recorder = bv.Recorder(data, label="sklearn tanh")
    for _ in range(15):
        clf.partial_fit(data.X, data.y, classes=[0, 1])
        recorder.snap(clf)
    history = recorder.history
    assert len(history) == 15 and [s.epoch for s in history] == list(range(15))
    assert not np.array_equal(history[0].weights[0], history[-1].weights[0])  # copies, not views
    assert history.losses[-1] < history.losses[0]
    frame = Renderer(history, resolution=40).frame(-1)
    assert frame.shape == (560, 960, 3)


def test_recorder_refuses_what_it_cannot_read(data):
    recorder = bv.Recorder(data)
    with pytest.raises(TypeError, match="MLPClassifier, a PyTorch nn.Module, a Keras model.*Got dict"):
        recorder.snap({"weights": 1})
    with pytest.raises(ValueError, match="no snapshot yet"):
        recorder.history
    with pytest.raises(TypeError, match="dataset"):
        bv.Recorder("data.csv")
    with pytest.raises(ValueError, match="output must be one of"):
        bv.Recorder(data, output="scores")
    from sklearn.neural_network import MLPClassifier

    with pytest.raises(ValueError, match="not fitted"):
        recorder.snap(MLPClassifier())


# ------------------------------------------------------------------------------ PyTorch
torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'boundaryviz[torch]')")


def _torch_sequential(snapshot, activation, dtype):
    nn = torch.nn
    act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
    model = nn.Sequential(nn.Linear(2, 2, dtype=dtype), act(), nn.Linear(2, 1, dtype=dtype))
    _load(model, snapshot)
    return model


def _load(model, snapshot):
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for linear, W, b in zip(linears, snapshot.weights, snapshot.biases):
            linear.weight.copy_(torch.tensor(W.T))
            linear.bias.copy_(torch.tensor(b))


def test_torch_sequential_frames_equal_the_builtin_frames(history):
    model = _torch_sequential(history[0], history.config.activation, torch.float64)
    recorder = bv.Recorder(history.dataset)
    for snap in history:
        _load(model, snap)
        recorder.snap(model)
    recorded = recorder.history
    assert isinstance(recorded.final.model, MLP) and recorded.label == "torch"
    assert_allclose(recorded.losses, history.losses, rtol=1e-12)
    _assert_same_frames(recorded, history)


class TwoLayerNet(torch.nn.Module):
    """Not a Sequential: its own forward, a named hidden submodule."""

    def __init__(self, activation):
        super().__init__()
        act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[activation]
        self.body = torch.nn.Sequential(torch.nn.Linear(2, 2, dtype=torch.float64), act())
        self.head = torch.nn.Linear(2, 1, dtype=torch.float64)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def test_torch_module_with_its_own_forward_is_evaluated_by_torch(history):
    net = TwoLayerNet(history.config.activation)
    recorder = bv.Recorder(history.dataset, layer="body", label="two-layer net")
    for snap in history:
        _load(net, snap)
        recorder.snap(net)
    recorded = recorder.history
    model = recorded.final.model
    assert type(model).__name__ == "TorchModel" and model.hidden_widths == (2,)
    mlp = history.final.model
    X = history.dataset.X
    assert_allclose(model.predict_proba(X), mlp.predict_proba(X), rtol=1e-12)
    assert_allclose(model.decision_function(X), mlp.decision_function(X), rtol=1e-12, atol=1e-12)
    assert_allclose(model.hidden(X, 0), mlp.hidden(X, 0), rtol=1e-12, atol=1e-15)
    H = np.random.default_rng(0).normal(size=(50, 2))
    assert_allclose(model.proba_from_hidden(H, 0), mlp.proba_from_hidden(H, 0), rtol=1e-12)
    assert_allclose(recorded.losses, history.losses, rtol=1e-9)
    # the first snapshot is a frozen copy: the network kept training afterwards
    assert not np.allclose(recorded[0].model.predict_proba(X), model.predict_proba(X))
    # the user's module is left as found: no hook stays behind
    assert not net.body._forward_hooks
    frame = Renderer(recorded, resolution=60).frame(-1)
    assert frame.shape == (560, 960, 3)


def test_torch_module_needs_the_hidden_submodule_named(data):
    net = TwoLayerNet("relu")
    with pytest.raises(TypeError, match="name the submodule.*'body'"):
        bv.Recorder(data).snap(net)
    with pytest.raises(ValueError, match="layer must name a submodule.*Got 'tail'"):
        bv.Recorder(data, layer="tail").snap(net)


# -------------------------------------------------------------------------------- Keras
keras = pytest.importorskip("keras", reason="Keras is not installed (pip install 'boundaryviz[keras]')")


def _float32(history):
    """The run with its weights rounded to float32, as a Keras model holds them."""
    snaps = [bv.Snapshot.from_weights(s.epoch, [np.float32(w) for w in s.weights],
                                      [np.float32(b) for b in s.biases], s.loss, s.accuracy, s.activation)
             for s in history]
    return bv.History(snaps, history.dataset, history.config, history.stop_reason)


def test_keras_sequential_frames_equal_the_builtin_frames(history):
    cfg = history.config
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation=cfg.activation),
                              keras.layers.Dense(1, activation="sigmoid")])
    recorder = bv.Recorder(history.dataset)
    for snap in history:
        model.set_weights([w for pair in zip(snap.weights, snap.biases) for w in pair])
        recorder.snap(model)
    recorded = recorder.history
    assert isinstance(recorded.final.model, MLP) and recorded.label == "keras"
    rounded = _float32(history)
    proba = np.asarray(model.predict(history.dataset.X, verbose=0))[:, 0]
    assert_allclose(recorded.final.predict_proba(history.dataset.X)[:, 1], proba, rtol=1e-5)
    _assert_same_frames(recorded, rounded)


def test_keras_callback_snaps_start_and_every_epoch(data):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    start = [w.copy() for w in model.get_weights()]
    recorder = bv.Recorder(data)
    model.fit(data.X, data.y, epochs=6, batch_size=len(data.X), verbose=0, callbacks=[recorder.keras_callback()])
    history = recorder.history
    assert len(history) == 7
    assert_allclose(history[0].weights[0], start[0], rtol=0)
    assert_allclose(history[-1].weights[-1], model.get_weights()[-2], rtol=0)
    assert history.losses[-1] < history.losses[0]


def test_keras_functional_model_is_evaluated_by_keras(history):
    cfg = history.config
    inputs = keras.Input((2,))
    h = keras.layers.Dense(2, activation=cfg.activation, name="features")(inputs)
    out = keras.layers.Dense(1, activation="sigmoid", name="out")(h)
    model = keras.Model(inputs, out)
    snap = history.final
    model.set_weights([w for pair in zip(snap.weights, snap.biases) for w in pair])
    recorder = bv.Recorder(history.dataset, layer="features")
    recorder.snap(model)
    frozen = recorder.history.final.model
    assert type(frozen).__name__ == "KerasModel"
    mlp = _float32(history).final.model
    X = history.dataset.X
    assert_allclose(frozen.predict_proba(X), mlp.predict_proba(X), rtol=1e-5, atol=1e-6)
    assert_allclose(frozen.hidden(X, 0), mlp.hidden(X, 0), rtol=1e-5, atol=1e-6)
    H = np.random.default_rng(0).normal(size=(30, 2))
    assert_allclose(frozen.proba_from_hidden(H, 0), mlp.proba_from_hidden(H, 0), rtol=1e-5, atol=1e-6)
