import warnings
from collections.abc import Sequence

import numpy as np
import pytest
from numpy.testing import assert_allclose

import boundaryviz as bv
from boundaryviz import Dataset, History, Snapshot, TrainConfig, gaussians, iter_train, train, xor
from boundaryviz.models import network


@pytest.fixture(scope="module")
def data():
    return gaussians()


def _sklearn_with_weights(snapshot, hidden, activation, learning_rate, data):
    """An MLPClassifier set up like our trainer and started from ``snapshot``'s weights."""
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=hidden,
        activation={"sigmoid": "logistic"}.get(activation, activation),
        solver="adam",
        alpha=0.0,
        batch_size=data.n_samples,
        shuffle=False,
        learning_rate_init=learning_rate,
        n_iter_no_change=10**9,
        tol=0.0,
        random_state=0,
    )
    clf.partial_fit(data.X, data.y, classes=np.unique(data.y))  # sets every attribute up ...
    clf.coefs_ = [np.array(w) for w in snapshot.weights]  # ... then start from our weights
    clf.intercepts_ = [np.array(b) for b in snapshot.biases]
    del clf._optimizer  # the next partial_fit builds a fresh Adam over the new arrays
    clf.loss_curve_ = []
    clf.best_loss_ = np.inf
    return clf


@pytest.mark.parametrize("n_classes", [3, 5])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_softmax_full_batch_adam_matches_sklearn(activation, n_classes):
    """K > 2: softmax output and categorical cross-entropy, as MLPClassifier."""
    data = bv.blobs(n_classes=n_classes, seed=1)
    assert data.n_classes == n_classes and not data.standardize
    lr, epochs = 0.01, 100
    history = train(data, activation=activation, hidden=(4,), learning_rate=lr, epochs=epochs, stop_loss=0, seed=3)
    assert history.final.weights[-1].shape == (4, n_classes)
    clf = _sklearn_with_weights(history[0], (4,), activation, lr, data)
    assert clf.out_activation_ == "softmax"
    for epoch in range(1, epochs + 1):
        clf.partial_fit(data.X, data.y)
        for theirs, mine in zip(clf.coefs_ + clf.intercepts_, history[epoch].weights + history[epoch].biases):
            assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
    assert_allclose(history.losses[:epochs], clf.loss_curve_, rtol=1e-9)
    assert history.losses[-1] < history.losses[0] - 0.1
    assert_allclose(history.final.predict_proba(data.X), clf.predict_proba(data.X), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("activation, hidden", [("relu", (3,)), ("tanh", (3,)), ("relu", (4, 3)), ("tanh", (4, 3))])
def test_full_batch_adam_matches_sklearn(data, activation, hidden):
    lr, epochs = 0.01, 100
    history = train(data, activation=activation, hidden=hidden, learning_rate=lr,
                    epochs=epochs, stop_loss=0, seed=3)
    assert history.stop_reason == "max_epochs" and len(history) == epochs + 1
    clf = _sklearn_with_weights(history[0], hidden, activation, lr, data)
    for epoch in range(1, epochs + 1):
        clf.partial_fit(data.X, data.y)
        ours = history[epoch]
        for theirs, mine in zip(clf.coefs_ + clf.intercepts_, ours.weights + ours.biases):
            assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
    # sklearn's loss_curve_[k] is the loss before update k + 1: our snapshot k's loss.
    assert_allclose(history.losses[:epochs], clf.loss_curve_, rtol=1e-9)
    # The run really moved: a comparison of frozen weights would prove nothing.
    assert history.losses[-1] < history.losses[0] - 0.05
    assert not np.allclose(history[0].weights[0], history[-1].weights[0], atol=1e-3)


def _assert_same_history(a, b):
    assert len(a) == len(b) and a.stop_reason == b.stop_reason
    for s, t in zip(a, b):
        assert s.epoch == t.epoch and s.loss == t.loss and s.accuracy == t.accuracy
        for x, z in zip(s.weights + s.biases, t.weights + t.biases):
            assert np.array_equal(x, z)
    assert a.snapshots == b.snapshots


@pytest.mark.parametrize("batch_size", [None, 32])
def test_same_seed_gives_identical_history(data, batch_size):
    kwargs = dict(activation="tanh", hidden=(3, 2), epochs=15, stop_loss=0, batch_size=batch_size)
    a, b = train(data, seed=11, **kwargs), train(data, seed=11, **kwargs)
    _assert_same_history(a, b)
    assert a == b


def test_different_seeds_differ(data):
    a = train(data, seed=1, epochs=5, stop_loss=0)
    b = train(data, seed=2, epochs=5, stop_loss=0)
    assert not np.array_equal(a[0].weights[0], b[0].weights[0])
    assert not np.array_equal(a.losses, b.losses)
    assert a != b


def test_mini_batch_differs_from_full_batch_and_keeps_epoch_count(data):
    full = train(data, activation="tanh", epochs=10, stop_loss=0, seed=4)
    mini = train(data, activation="tanh", epochs=10, stop_loss=0, seed=4, batch_size=50)
    assert len(mini) == len(full) == 11
    assert mini[0] == full[0]  # same initial weights
    assert not np.array_equal(mini[1].weights[0], full[1].weights[0])
    # Eight Adam steps per epoch instead of one: after 10 epochs the loss has fallen further.
    assert mini.losses[-1] < full.losses[-1]
    # A batch as large as the data is full batch.
    _assert_same_history(full, train(data, activation="tanh", epochs=10, stop_loss=0, seed=4,
                                     batch_size=10_000))


def test_snapshot_arrays_are_read_only_copies():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    w_out = np.array([[0.5], [-0.5]])
    b, b_out = np.zeros(2), np.zeros(1)
    snap = Snapshot.from_weights(0, (W, w_out), (b, b_out), loss=0.5, accuracy=1.0)
    W[0, 0] = 99.0
    b[:] = 7.0
    assert snap.weights[0][0, 0] == 1.0 and np.all(snap.biases[0] == 0.0)
    with pytest.raises(ValueError, match="read-only"):
        snap.weights[0][0, 0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        snap.biases[1][0] = 5.0
    with pytest.raises(AttributeError):
        snap.loss = 0.0


def test_training_snapshots_do_not_share_memory(data):
    history = train(data, epochs=3, stop_loss=0)
    for earlier, later in zip(history, history[1:]):
        for a, b in zip(earlier.weights + earlier.biases, later.weights + later.biases):
            assert not np.shares_memory(a, b)
            assert not a.flags.writeable
        assert not np.array_equal(earlier.weights[0], later.weights[0])


def test_stop_loss_fires_on_separable_data():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-2, 0.3, size=(50, 2)), rng.normal(2, 0.3, size=(50, 2))])
    y = np.repeat([0, 1], 50)
    history = train(Dataset(X, y, name="blobs"), activation="tanh", learning_rate=0.05,
                    stop_loss=0.1, epochs=2000)
    assert history.stop_reason == "stop_loss"
    assert history.final.loss < 0.1 <= history[-2].loss
    assert history.epochs_run < 2000
    assert np.all(np.isfinite(history.losses))


def test_stop_loss_zero_disables_the_rule(data):
    history = train(data, stop_loss=0, epochs=30, learning_rate=0.1)
    assert history.stop_reason == "max_epochs"
    assert len(history) == 31 and history.epochs_run == 30
    assert [s.epoch for s in history] == list(range(31))
    # A high threshold stops at once, after the initial snapshot.
    high = train(data, stop_loss=100.0, epochs=30)
    assert high.stop_reason == "stop_loss" and len(high) == 1


@pytest.mark.parametrize("make_data, settings, last_epoch", [
    # SGD with a learning rate of 10 and no squashing blows up within a few epochs.
    (lambda: gaussians(), dict(activation="identity", hidden=(8, 8), optimizer="sgd", learning_rate=10), None),
    # Coordinates of 1e200: the first update makes the logits overflow.
    (lambda: Dataset(gaussians().X * 1e200, gaussians().y), dict(optimizer="sgd", learning_rate=1), 1),
])
def test_divergence_stops_without_raising(make_data, settings, last_epoch):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from numpy either
        history = train(make_data(), epochs=500, stop_loss=0, **settings)
    assert history.stop_reason == "diverged"
    assert not history.final.is_finite
    assert all(s.is_finite for s in history[:-1])
    assert history.epochs_run < 500
    if last_epoch is not None:
        assert history.epochs_run == last_epoch
    assert "diverged" in repr(history) and history.summary()["stop_reason"] == "diverged"
    # A nan-holding snapshot still equals its twin from an identical run.
    assert train(make_data(), epochs=500, stop_loss=0, **settings).final == history.final


def test_iter_train_yields_snapshots_and_returns_reason(data):
    gen = iter_train(data, epochs=3, stop_loss=0)
    snaps = list(gen)
    assert [s.epoch for s in snaps] == [0, 1, 2, 3]
    gen = iter_train(data, epochs=2, stop_loss=0)
    with pytest.raises(StopIteration) as stop:
        while True:
            next(gen)
    assert stop.value.value == "max_epochs"


def test_iter_train_validates_before_first_next(data):
    with pytest.raises(ValueError, match="learning_rate"):
        iter_train(data, learning_rate=-1)
    with pytest.raises(TypeError, match="Dataset"):
        iter_train(data.X, epochs=2)
    with pytest.raises(TypeError, match="either config or keyword"):
        train(data, config=TrainConfig(), epochs=3)


def test_config_object_and_keywords_agree(data):
    cfg = TrainConfig(activation="sigmoid", hidden=3, epochs=4, stop_loss=0, seed=9)
    assert cfg.hidden == (3,) and cfg.layer_sizes == (2, 3, 1)
    a = train(data, config=cfg)
    b = train(data, activation="sigmoid", hidden=(3,), epochs=4, stop_loss=0, seed=9)
    _assert_same_history(a, b)
    assert a.config == cfg


def test_snapshot_functions_agree_with_network(data):
    history = train(data, activation="tanh", hidden=(4, 3), epochs=5, stop_loss=0)
    snap = history.final
    X = data.X[:17]
    proba = snap.predict_proba(X)
    assert proba.shape == (17, 2)
    logits = network.predict_logits(snap.weights, snap.biases, X, "tanh")
    assert_allclose(proba[:, 1], 1 / (1 + np.exp(-logits)), rtol=1e-12)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    assert snap.hidden(X).shape == (17, 3)
    assert snap.hidden(X, layer=0).shape == (17, 4)
    assert_allclose(snap.hidden(X, 0), np.tanh(X @ snap.weights[0] + snap.biases[0]), rtol=1e-12)
    assert_allclose(snap.hidden(X, -1), snap.hidden(X, 1), rtol=0)
    assert_allclose(snap.pre_activation(X, 1), snap.hidden(X, 0) @ snap.weights[1] + snap.biases[1], rtol=1e-12)
    assert snap.hidden_widths == (4, 3)
    # Snapshot's loss and accuracy describe its own weights on the training data.
    loss, acc, _, _ = network.loss_and_gradients(snap.weights, snap.biases, data.X, data.y, "tanh")
    assert snap.loss == loss and snap.accuracy == acc
    assert snap.accuracy == np.mean((snap.predict_proba(data.X)[:, 1] > 0.5) == data.y)
    with pytest.raises(ValueError, match="shape"):
        snap.predict_proba(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="layer"):
        snap.hidden(X, layer=2)


def test_history_is_a_sequence_with_summary(data):
    history = train(data, activation="tanh", learning_rate=0.05, epochs=20, stop_loss=0)
    assert isinstance(history, Sequence)
    assert len(history) == 21
    assert history[0].epoch == 0 and history[-1] is history.final
    assert isinstance(history[2:5], tuple) and [s.epoch for s in history[2:5]] == [2, 3, 4]
    assert [s.epoch for s in reversed(history)] == list(range(20, -1, -1))
    assert history.index(history[7]) == 7 and history[7] in history
    assert_allclose(history.losses, [s.loss for s in history], rtol=0)
    assert history.accuracies.shape == (21,)
    summary = history.summary()
    assert summary == {
        "label": "tanh_lr0.05", "engine": "numpy", "dataset": "gaussians", "activation": "tanh",
        "learning_rate": 0.05, "hidden": (2,),
        "optimizer": "adam", "epochs_run": 20, "stop_reason": "max_epochs",
        "final_loss": history.final.loss, "final_accuracy": history.final.accuracy,
    }
    assert history.label == "tanh_lr0.05"


def test_history_html_holds_the_numbers(data):
    history = train(data, activation="relu", learning_rate=0.02, hidden=(3, 2), epochs=12, stop_loss=0)
    page = history._repr_html_()
    assert page.startswith("<table") and page.endswith("</table>")
    for text in ("gaussians (400 samples)", "2 → 3 → 2 → 1 (relu)", "learning rate 0.02",
                 "12 of 12", "max_epochs", f"{history.final.loss:.4f}",
                 f"{history.final.accuracy:.1%}"):
        assert text in page, text
    assert f"final_loss={history.final.loss:.4f}" in repr(history)


def test_history_rejects_bad_construction(data):
    snap = train(data, epochs=1, stop_loss=0)[0]
    with pytest.raises(ValueError, match="at least one"):
        History((), data, TrainConfig())
    with pytest.raises(ValueError, match="stop_reason"):
        History((snap,), data, TrainConfig(), stop_reason="bored")


def test_progress_bar_does_not_change_results(data, capsys):
    a = train(data, epochs=5, stop_loss=0, progress=True)
    b = train(data, epochs=5, stop_loss=0)
    _assert_same_history(a, b)


def test_other_datasets_train(data):
    history = train(xor(n_samples=200), activation="tanh", hidden=(4,), learning_rate=0.05,
                    epochs=300, stop_loss=0.1)
    assert history.final.accuracy > 0.95


def test_train_takes_d_inputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    data = bv.Dataset.from_arrays(X, (X[:, 0] - X[:, 2] > 0).astype(int))
    history = bv.train(data, hidden=6, epochs=50, stop_loss=0)
    assert bv.TrainConfig(hidden=6).sizes(2, 4) == (4, 6, 1)
    assert history[-1].model.weights[0].shape == (4, 6)
    assert history[-1].predict_proba(X[:3]).shape == (3, 2)
    with pytest.raises(ValueError, match=r"\(n_samples, 4\)"):
        history[-1].predict_proba(X[:3, :2])
