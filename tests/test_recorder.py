"""Recording a user's own model: scikit-learn, PyTorch and Keras models draw the same frames
as the built-in network for the same weights."""

import os
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

import boundaryviz as bv
from boundaryviz.models.mlp import MLP
from boundaryviz.render.renderer import Renderer

os.environ.setdefault("KERAS_BACKEND", "jax")
# Each framework's tests skip on their own when it is missing (fail on CI); the others still run.
needs_torch = pytest.mark.needs("torch")
needs_keras = pytest.mark.needs("keras", "jax")


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
        _ = recorder.history
    with pytest.raises(TypeError, match="dataset"):
        bv.Recorder("data.csv")
    with pytest.raises(ValueError, match="output must be one of"):
        bv.Recorder(data, output="scores")
    from sklearn.neural_network import MLPClassifier

    with pytest.raises(ValueError, match="not fitted"):
        recorder.snap(MLPClassifier())


# ------------------------------------------------------------------------------ PyTorch
def _torch_sequential(snapshot, activation, dtype):
    import torch

    nn = torch.nn
    act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
    model = nn.Sequential(nn.Linear(2, 2, dtype=dtype), act(), nn.Linear(2, 1, dtype=dtype))
    _load(model, snapshot)
    return model


def _load(model, snapshot):
    import torch

    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for linear, W, b in zip(linears, snapshot.weights, snapshot.biases):
            linear.weight.copy_(torch.tensor(W.T))
            linear.bias.copy_(torch.tensor(b))


@needs_torch
def test_torch_sequential_frames_equal_the_builtin_frames(history):
    import torch

    model = _torch_sequential(history[0], history.config.activation, torch.float64)
    recorder = bv.Recorder(history.dataset)
    for snap in history:
        _load(model, snap)
        recorder.snap(model)
    recorded = recorder.history
    assert isinstance(recorded.final.model, MLP) and recorded.label == "torch"
    assert_allclose(recorded.losses, history.losses, rtol=1e-12)
    _assert_same_frames(recorded, history)


def TwoLayerNet(activation):  # noqa: N802 - builds a class only when PyTorch is there
    """Not a Sequential: its own forward, a named hidden submodule."""
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[activation]
            self.body = torch.nn.Sequential(torch.nn.Linear(2, 2, dtype=torch.float64), act())
            self.head = torch.nn.Linear(2, 1, dtype=torch.float64)

        def forward(self, x):
            return self.head(self.body(x)).squeeze(-1)

    return Net()


@needs_torch
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


@needs_torch
def test_torch_module_needs_the_hidden_submodule_named(data):
    net = TwoLayerNet("relu")
    with pytest.raises(TypeError, match="name the submodule.*'body'"):
        bv.Recorder(data).snap(net)
    with pytest.raises(ValueError, match="layer must name a submodule.*Got 'tail'"):
        bv.Recorder(data, layer="tail").snap(net)


# -------------------------------------------------------------------------------- Keras
def _float32(history):
    """The run with its weights rounded to float32, as a Keras model holds them."""
    snaps = [bv.Snapshot.from_weights(s.epoch, [np.float32(w) for w in s.weights],
                                      [np.float32(b) for b in s.biases], s.loss, s.accuracy, s.activation)
             for s in history]
    return bv.History(snaps, history.dataset, history.config, history.stop_reason)


@needs_keras
def test_keras_sequential_frames_equal_the_builtin_frames(history):
    import keras

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


@needs_keras
def test_keras_callback_snaps_start_and_every_epoch(data):
    import keras

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


@needs_keras
def test_keras_functional_model_is_evaluated_by_keras(history):
    import keras

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


# --------------------------------------------------------- two outputs for two classes
def _two_output_twin(history):
    """A two-unit softmax head that is the same function as the one-unit sigmoid head:
    z0 = 0, z1 = the logit."""
    snaps = []
    for s in history:
        W, b = s.weights[-1], s.biases[-1]
        W2 = np.column_stack([np.zeros(len(W)), W[:, 0]])
        b2 = np.array([0.0, b[0]])
        snaps.append(bv.Snapshot.from_weights(s.epoch, (*s.weights[:-1], W2), (*s.biases[:-1], b2),
                                              s.loss, s.accuracy, s.activation))
    return snaps


@needs_torch
def test_torch_two_output_cross_entropy_model_equals_its_one_output_twin(history):
    import torch

    nn = torch.nn
    act = {"relu": nn.ReLU, "tanh": nn.Tanh}[history.config.activation]
    model = nn.Sequential(nn.Linear(2, 2), act(), nn.Linear(2, 2)).double()
    recorder = bv.Recorder(history.dataset)
    for snap in _two_output_twin(history):
        _load(model, snap)
        recorder.snap(model)
    recorded = recorder.history
    X = history.dataset.X
    with torch.no_grad():
        theirs = torch.softmax(model(torch.tensor(X)), dim=1).numpy()
    assert_allclose(recorded.final.predict_proba(X), theirs, rtol=1e-12)
    assert_allclose(recorded.final.predict_proba(X), history.final.predict_proba(X), rtol=1e-12)
    assert_allclose(recorded.losses, history.losses, rtol=1e-12)
    assert_allclose(recorded.accuracies, history.accuracies, rtol=0)
    ours = Renderer(history, resolution=100)
    twin = Renderer(_same_run(recorded, history), resolution=100)
    for index in (0, -1):
        differ = np.any(ours.frame(index) != twin.frame(index), axis=2)
        assert differ.sum() < 300  # the 0.5 line's antialiasing (logits summed in another order)


@needs_torch
def test_torch_final_activations_are_read_only_where_they_mean_probabilities(data):
    import torch

    nn = torch.nn
    exact = bv.Recorder(data).snap(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid()).double())
    assert isinstance(exact.model, MLP)
    for odd in (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Softmax(dim=1)),
                nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2), nn.Softmax(dim=0)),
                nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2), nn.Sigmoid())):
        with pytest.raises(TypeError, match="name the submodule"):
            bv.Recorder(data).snap(odd.double())


@needs_torch
def test_torch_hidden_submodule_must_run_once_and_hooks_stay_home(data):
    import torch

    nn = torch.nn

    class Shared(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.out = nn.Linear(2, 4), nn.Linear(4, 3), nn.Linear(3, 1)
            self.act = nn.ReLU()

        def forward(self, x):
            return self.out(self.act(self.b(self.act(self.a(x)))))

    with pytest.raises(ValueError, match="layer 'act' runs 2 times in one forward pass"):
        bv.Recorder(data, layer="act").snap(Shared())
    calls = []
    net = TwoLayerNet("tanh")
    net.body.register_forward_hook(lambda *args: calls.append(1))
    snap = bv.Recorder(data, layer="body").snap(net)
    snap.model.predict_proba(data.X)
    assert calls == []  # the user's hook is not copied into the frozen model
    with torch.no_grad():
        net.head.bias.fill_(3.0)  # logits above 1: cannot be probabilities
    with pytest.raises(ValueError, match="output='proba' but the model returns values that are not probabilities"):
        bv.Recorder(data, layer="body", output="proba").snap(net)


@needs_torch
def test_torch_engine_leaves_the_global_random_state_alone():
    import torch

    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    bv.train(bv.gaussians(n_samples=40), epochs=2, engine="torch")
    assert torch.equal(torch.rand(3), expected)


@needs_keras
def test_keras_two_output_softmax_and_softmax_layer(history):
    import keras

    cfg = history.config
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation=cfg.activation),
                              keras.layers.Dense(2, activation="softmax")])
    snap = _two_output_twin(history)[-1]
    model.set_weights([w for pair in zip(snap.weights, snap.biases) for w in pair])
    frozen = bv.Recorder(history.dataset).snap(model).model
    assert isinstance(frozen, MLP)
    X = history.dataset.X
    assert_allclose(frozen.predict_proba(X), np.asarray(model.predict(X, verbose=0)), rtol=1e-5, atol=1e-6)
    # a functional model whose last layer is a Softmax layer returns probabilities
    inputs = keras.Input((2,))
    h = keras.layers.Dense(2, activation=cfg.activation, name="features")(inputs)
    out = keras.layers.Softmax()(keras.layers.Dense(2)(h))
    functional = keras.Model(inputs, out)
    functional.set_weights(model.get_weights())
    frozen = bv.Recorder(history.dataset, layer="features").snap(functional).model
    assert_allclose(frozen.predict_proba(X), np.asarray(functional.predict(X, verbose=0)), rtol=1e-5, atol=1e-6)


@needs_keras
def test_keras_subclassed_model_gets_a_clear_type_error(data):
    import keras

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden, self.out = keras.layers.Dense(2, activation="relu"), keras.layers.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    model = Sub()
    model(np.zeros((1, 2), dtype="float32"))
    with pytest.raises(TypeError, match="subclassed Keras model"):
        bv.Recorder(data, layer="dense").snap(model)


def test_recorder_layer_is_the_histories_default_layer(data):
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(4, 3), random_state=0)
    clf.partial_fit(data.X, data.y, classes=[0, 1])
    recorder = bv.Recorder(data, layer=0)
    recorder.snap(clf)
    recorder.snap(clf)
    assert recorder.history.default_layer == 0
    renderer = Renderer(recorder.history, resolution=40)
    assert renderer.layer == 0 and "layer 1 of 2" in renderer.axes["hidden"].get_title()
    assert Renderer(recorder.history, resolution=40, layer=-1).layer == 1
    with pytest.raises(ValueError, match="layer must be a hidden layer index from -2 to 1. Got 5"):
        bv.Recorder(data, layer=5).snap(clf)


@pytest.fixture(scope="module")
def three_classes():
    return bv.train(bv.blobs(n_classes=3, n_samples=150), activation="tanh", hidden=(3,), learning_rate=0.05,
                    epochs=10, stop_loss=0)


@needs_keras
def test_keras_softmax_model_of_three_classes_draws_the_builtin_frames(three_classes):
    import keras

    history = three_classes
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(3, activation="softmax")])
    recorder = bv.Recorder(history.dataset)
    for snap in history:
        model.set_weights([w for pair in zip(snap.weights, snap.biases) for w in pair])
        recorder.snap(model)
    recorded = recorder.history
    assert recorded.final.n_classes == 3
    X = history.dataset.X
    assert_allclose(recorded.final.predict_proba(X), np.asarray(model.predict(X, verbose=0)), rtol=1e-5, atol=1e-6)
    _assert_same_frames(recorded, _float32(history))


@needs_torch
def test_torch_cross_entropy_model_of_three_classes_draws_the_builtin_frames(three_classes):
    import torch

    history = three_classes
    nn = torch.nn
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 3)).double()
    recorder = bv.Recorder(history.dataset)
    for snap in history:
        _load(model, snap)
        recorder.snap(model)
    assert_allclose(recorder.history.losses, history.losses, rtol=1e-12)
    _assert_same_frames(recorder.history, history)


def test_recorded_runs_go_through_the_gallery(tmp_path, data):
    import os

    from sklearn.neural_network import MLPClassifier

    results = []
    for activation in ("tanh", "relu"):
        clf = MLPClassifier(hidden_layer_sizes=(2,), activation=activation, learning_rate_init=0.1, random_state=0)
        recorder = bv.Recorder(data, label=f"sklearn {activation}")
        for _ in range(8):
            clf.partial_fit(data.X, data.y, classes=[0, 1])
            recorder.snap(clf)
        path = tmp_path / f"{activation}.gif"
        bv.save_animation(recorder.history, path, resolution=40, max_frames=4)
        results.append(bv.RunResult(activation, recorder.history.summary(), ((str(path), os.path.getsize(path)),),
                                    recorder.history))
    files = dict(bv.write_gallery(results, tmp_path, max_frames=4))
    page = (tmp_path / "index.html").read_text()
    assert "sklearn tanh" in page and "sklearn relu" in page and "None" not in page
    assert ">activation</th>" not in page  # recorded runs do not say one: no empty column
    from readback import read_animation

    frames, _, _ = read_animation(tmp_path / "compare.gif")
    assert len(frames) >= 2 and str(tmp_path / "summary.png") in files


def test_a_model_with_outputs_for_other_classes_is_refused_at_snap():
    wine = bv.wine(features="all")  # three classes
    from sklearn.neural_network import MLPClassifier

    two = MLPClassifier(hidden_layer_sizes=(4,), max_iter=300, random_state=0)
    two.fit(wine.X[wine.y < 2], wine.y[wine.y < 2])  # fitted on two of the three: it had scored loss 64
    with pytest.raises(ValueError, match=r"model gives 1 output \(2 classes\) but the dataset 'wine' has 3") as caught:
        bv.Recorder(wine).snap(two)
    assert caught.value.parameter == "model"
    three = MLPClassifier(hidden_layer_sizes=(4,), max_iter=300, random_state=0).fit(wine.X, wine.y)
    assert bv.Recorder(wine).snap(three).model.n_classes == 3


@needs_torch
def test_a_torch_model_of_too_few_outputs_is_refused_at_snap():
    import torch

    wine = bv.wine(features="all")
    for outputs in (1, 2):  # two outputs had failed with an IndexError inside the loss
        model = torch.nn.Sequential(torch.nn.Linear(13, 4), torch.nn.ReLU(), torch.nn.Linear(4, outputs))
        with pytest.raises(ValueError, match=f"model gives {outputs} output"):
            bv.Recorder(wine).snap(model)
    model = torch.nn.Sequential(torch.nn.Linear(13, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))
    assert bv.Recorder(wine).snap(model).model.n_classes == 3


class _ThreeClassStump:
    """A model of one's own answering the protocol for three classes, without ``n_classes``."""

    hidden_widths = (2,)

    def hidden(self, X, layer):
        return np.asarray(X)[:, :2]

    def proba_from_hidden(self, H, layer):
        scores = np.column_stack([H[:, 0], H[:, 1], -H[:, 0] - H[:, 1]])
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, X):
        return self.proba_from_hidden(self.hidden(X, 0), 0)


def test_a_model_of_ones_own_must_say_its_classes():
    blobs = bv.blobs()  # three classes
    # without n_classes it was taken for 2 ("give it one output per class": wrong advice)
    with pytest.raises(ValueError, match=r"model.n_classes must be the number of classes its predict_proba gives "
                                         r"\(3\), a whole number. Got 2 \(2 when missing\)"):
        bv.Recorder(blobs).snap(_ThreeClassStump())

    class Said(_ThreeClassStump):
        n_classes = 3

    assert bv.Recorder(blobs).snap(Said()).model.n_classes == 3

    class Based(bv.ModelBase, _ThreeClassStump):  # ModelBase's n_classes raised a bare NotImplementedError
        pass

    with pytest.raises(ValueError, match=r"model.n_classes must be .*\(3\), a whole number. Got 2\."):
        bv.Recorder(blobs).snap(Based())
    for odd in (None, 2.7, "3", True):
        Odd = type("Odd", (_ThreeClassStump,), {"n_classes": odd})
        with pytest.raises(TypeError, match=f"model.n_classes must be .* Got {re.escape(repr(odd))}") as caught:
            bv.Recorder(blobs).snap(Odd())
        assert caught.value.parameter == "model"

    for whole in (3.0, np.float64(3.0), np.array(3), np.int64(3)):  # whole numbers of other types
        Whole = type("Whole", (_ThreeClassStump,), {"n_classes": whole})
        assert bv.Recorder(blobs).snap(Whole()).model.n_classes == 3

    class TwoClasses(bv.ModelBase, _ThreeClassStump):  # two classes need no n_classes
        def proba_from_hidden(self, H, layer):
            p = 1 / (1 + np.exp(-H[:, 0]))
            return np.column_stack([1 - p, p])

    assert bv.Recorder(bv.gaussians(n_samples=40)).snap(TwoClasses()).model.n_classes == 2
