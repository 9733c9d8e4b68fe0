import numpy as np
import pytest
from gradients import numerical_gradients
from numpy.testing import assert_allclose

from boundaryviz.models import network
from boundaryviz.models.optim import BETA1, BETA2, EPSILON, adam_init, adam_step, sgd_init, sgd_step

HIDDEN_SHAPES = [(3,), (3, 2)]


def _params_away_from_kinks(hidden, activation, seed, n_classes=2):
    """Weights and data where no hidden pre-activation is within 1e-3 of 0 (relu kinks)."""
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        X = rng.normal(size=(12, 2))
        y = rng.integers(0, n_classes, size=12).astype(float)
        y[:n_classes] = np.arange(n_classes)
        out = 1 if n_classes == 2 else n_classes
        weights, biases = network.init_params((2, *hidden, out), rng)
        pre, _ = network.forward(weights, biases, X, activation)
        if all(np.min(np.abs(z)) > 1e-3 for z in pre[:-1]):
            return weights, biases, X, y
    raise AssertionError("no kink-free draw found")


@pytest.mark.parametrize("hidden", HIDDEN_SHAPES, ids=str)
@pytest.mark.parametrize("activation", sorted(network.ACTIVATIONS))
def test_gradients_match_central_differences(activation, hidden):
    weights, biases, X, y = _params_away_from_kinks(hidden, activation, seed=len(hidden))
    loss, acc, gw, gb = network.loss_and_gradients(weights, biases, X, y, activation)
    numeric = numerical_gradients(weights, biases, X, y, activation)
    analytic = np.concatenate([g.ravel() for g in gw + gb])
    numeric = np.concatenate([g.ravel() for g in numeric])
    assert analytic.shape == (sum(p.size for p in weights + biases),)
    rel = np.linalg.norm(analytic - numeric) / np.linalg.norm(analytic + numeric)
    assert rel < 1e-6, rel
    # Each component too, with a floor for components that are nearly zero.
    assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
    assert np.linalg.norm(analytic) > 1e-3  # a zero gradient would pass trivially


@pytest.mark.parametrize("n_classes", [3, 4])
@pytest.mark.parametrize("hidden", HIDDEN_SHAPES, ids=str)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_softmax_gradients_match_central_differences(activation, hidden, n_classes):
    weights, biases, X, y = _params_away_from_kinks(hidden, activation, seed=7, n_classes=n_classes)
    assert weights[-1].shape[1] == n_classes
    loss, acc, gw, gb = network.loss_and_gradients(weights, biases, X, y, activation)
    logits = network.predict_logits(weights, biases, X, activation)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert_allclose(loss, -np.mean(np.log(p[np.arange(12), y.astype(int)])), rtol=1e-12)
    assert acc == np.mean(np.argmax(p, axis=1) == y)
    numeric = np.concatenate([g.ravel() for g in numerical_gradients(weights, biases, X, y, activation)])
    analytic = np.concatenate([g.ravel() for g in gw + gb])
    assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)
    assert np.linalg.norm(analytic) > 1e-3


@pytest.mark.parametrize("hidden", [(2,), (5,), (3, 2)], ids=str)
@pytest.mark.parametrize("activation", sorted(network.ACTIVATIONS))
def test_grid_logits_equal_predict_logits_on_the_mesh(activation, hidden):
    rng = np.random.default_rng(3)
    weights, biases = network.init_params((2, *hidden, 1), rng)
    xs = np.linspace(-3, 2, 7)
    ys = np.linspace(-1, 4, 5)
    points = np.array([(x, y) for y in ys for x in xs])  # row i: ys[i], column j: xs[j]
    expected = network.predict_logits(weights, biases, points, activation).reshape(5, 7)
    assert_allclose(network.grid_logits(weights, biases, xs, ys, activation), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("width, n_rows", [(25, 200), (64, 201), (64, 1)])
def test_wide_grid_logits_in_two_threads_are_the_same_bits(monkeypatch, activation, width, n_rows):
    """A wide layer's grid is split between two threads by rows: the same bits as one thread."""
    rng = np.random.default_rng(width + n_rows)
    weights, biases = network.init_params([2, width, 1], rng)
    xs, ys = np.linspace(-3, 3, 200), np.linspace(-2, 2.5, n_rows)
    assert len(xs) * len(ys) * width >= network.PARALLEL_GRID_WORK or n_rows == 1
    threads = []
    real_thread = network.threading.Thread

    def counting_thread(*args, **kwargs):
        threads.append(kwargs.get("name"))
        return real_thread(*args, **kwargs)

    monkeypatch.setattr(network.threading, "Thread", counting_thread)
    split = network.grid_logits(weights, biases, xs, ys, activation)
    monkeypatch.setattr(network, "PARALLEL_GRID_WORK", 10**12)
    whole = network.grid_logits(weights, biases, xs, ys, activation)
    assert threads == (["boundaryviz-grid"] if n_rows > 1 else [])
    assert split.tobytes() == whole.tobytes()


def test_gradient_shapes_match_parameters():
    weights, biases, X, y = _params_away_from_kinks((4, 3), "tanh", seed=0)
    _, _, gw, gb = network.loss_and_gradients(weights, biases, X, y, "tanh")
    assert [g.shape for g in gw] == [(2, 4), (4, 3), (3, 1)]
    assert [g.shape for g in gb] == [(4,), (3,), (1,)]


def test_loss_and_accuracy_agree_with_forward_pass():
    weights, biases, X, y = _params_away_from_kinks((3,), "relu", seed=5)
    loss, acc, _, _ = network.loss_and_gradients(weights, biases, X, y, "relu")
    logits = network.predict_logits(weights, biases, X, "relu")
    p = network.sigmoid(logits)
    assert_allclose(loss, -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rtol=1e-12)
    assert acc == np.mean((p > 0.5) == (y == 1))
    pre, post = network.forward(weights, biases, X, "relu")
    assert_allclose(pre[-1][:, 0], logits, rtol=0, atol=0)
    assert_allclose(post[1], network.hidden_activations(weights, biases, X, "relu", 0), atol=0)
    assert_allclose(pre[0], network.pre_activations(weights, biases, X, "relu", 0), atol=0)
    # post is [X, h_1]: the input and the hidden layer, not the activation of the output
    assert len(pre) == len(post) == 2 and post[0] is X


def test_a_logit_of_exactly_zero_counts_as_class_0():
    """Accuracy calls class 1 only above probability 0.5, as train/scoring.py does for the
    other engines: with all-zero weights every logit is 0 and only class 0 is right."""
    weights, biases, X, y = _params_away_from_kinks((3,), "tanh", seed=5)
    weights, biases = tuple(np.zeros_like(W) for W in weights), tuple(np.zeros_like(b) for b in biases)
    keep = (y == 0) | (np.cumsum(y == 1) % 3 == 0)  # fewer of class 1, so that the two counts differ
    X, y = X[keep], y[keep]
    _, accuracy, _, _ = network.loss_and_gradients(weights, biases, X, y, "tanh")
    assert 0.5 < np.mean(y == 0) < 1 and accuracy == np.mean(y == 0)


def test_loss_from_logits_is_stable_for_huge_logits():
    logits = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        per_sample = [network.loss_from_logits(logits[i : i + 1], y[i : i + 1]) for i in range(4)]
    # Confidently right costs exp(-1000) ~ 0; confidently wrong costs the logit, 1000.
    assert per_sample == [0.0, 0.0, 1000.0, 1000.0]
    assert network.loss_from_logits(logits, y) == 500.0


def test_loss_from_logits_equals_naive_formula_for_moderate_logits():
    rng = np.random.default_rng(0)
    logits = rng.uniform(-20, 20, size=200)
    y = (rng.random(200) < 0.5).astype(float)
    p = 1 / (1 + np.exp(-logits))
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert_allclose(network.loss_from_logits(logits, y), naive, rtol=1e-9)


def test_sigmoid_does_not_overflow():
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = network.sigmoid(z)
    assert_allclose(s, [0.0, 1 / (1 + np.exp(30)), 0.5, 1 / (1 + np.exp(-30)), 1.0], rtol=1e-15)
    assert network.sigmoid(0.0) == 0.5


def test_init_params_is_glorot_uniform_and_seeded():
    w1, b1 = network.init_params((2, 50, 30, 1), np.random.default_rng(7))
    w2, b2 = network.init_params((2, 50, 30, 1), np.random.default_rng(7))
    assert all(np.array_equal(a, b) for a, b in zip(w1 + b1, w2 + b2))
    assert [w.shape for w in w1] == [(2, 50), (50, 30), (30, 1)]
    for W, b in zip(w1, b1):
        bound = np.sqrt(6 / sum(W.shape))
        assert np.max(np.abs(W)) <= bound and np.max(np.abs(b)) <= bound
    assert np.max(np.abs(w1[1])) > 0.9 * np.sqrt(6 / 80)  # uses the whole range


def _reference_adam(params, grad_sequence, lr):
    """Kingma & Ba, Algorithm 1, with the bias correction folded into the step size
    (the "efficient version" of section 2, which scikit-learn uses), written element by element."""
    p = [np.array(x, dtype=float) for x in params]
    m = [np.zeros_like(x) for x in p]
    v = [np.zeros_like(x) for x in p]
    for t, grads in enumerate(grad_sequence, start=1):
        alpha_t = lr * np.sqrt(1 - BETA2**t) / (1 - BETA1**t)
        for k, g in enumerate(grads):
            for idx in np.ndindex(g.shape):
                m[k][idx] = BETA1 * m[k][idx] + (1 - BETA1) * g[idx]
                v[k][idx] = BETA2 * v[k][idx] + (1 - BETA2) * g[idx] ** 2
                p[k][idx] -= alpha_t * m[k][idx] / (np.sqrt(v[k][idx]) + EPSILON)
    return p


def test_adam_matches_reference_algorithm():
    assert (BETA1, BETA2, EPSILON) == (0.9, 0.999, 1e-8)
    rng = np.random.default_rng(1)
    params = (rng.normal(size=(2, 3)), rng.normal(size=3))
    grads = [(rng.normal(size=(2, 3)), rng.normal(size=3) * 10.0**k) for k in range(-3, 3)]
    state = adam_init(params)
    current = params
    for g in grads:
        current, state = adam_step(current, g, state, 0.05)
    expected = _reference_adam(params, grads, 0.05)
    assert state.t == len(grads)
    for got, want in zip(current, expected):
        assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    # The first step moves every coordinate by about lr against its gradient's sign.
    # Exactly: lr * g / (|g| + eps / sqrt(1 - beta2)), so within 3.2e-7 relative when |g| >= 1.
    big = tuple(np.sign(g) * (1 + np.abs(g)) for g in grads[0])
    first, _ = adam_step(params, big, adam_init(params), 0.05)
    for p0, p1, g in zip(params, first, big):
        assert_allclose(p1 - p0, -0.05 * np.sign(g), rtol=1e-6)


def test_adam_does_not_change_its_inputs():
    params = (np.ones((2, 2)), np.zeros(2))
    grads = (np.full((2, 2), 0.5), np.ones(2))
    state = adam_init(params)
    adam_step(params, grads, state, 0.1)
    assert np.array_equal(params[0], np.ones((2, 2))) and np.array_equal(params[1], np.zeros(2))
    assert state.t == 0 and all(np.all(m == 0) for m in state.m)


def test_sgd_without_momentum_is_plain_gradient_descent():
    params, grads = (np.array([1.0, -2.0]),), (np.array([0.5, 1.0]),)
    state = sgd_init(params)
    for _ in range(2):  # the second step would show any velocity kept from the first
        params, state = sgd_step(params, grads, state, 0.1)
    assert_allclose(params[0], np.array([1.0, -2.0]) - 2 * 0.1 * grads[0], rtol=1e-15)


def test_sgd_with_momentum_matches_heavy_ball():
    params = (np.array([1.0, -2.0]),)
    grads = [(np.array([0.5, 1.0]),), (np.array([-1.0, 2.0]),)]
    state = sgd_init(params)
    for g in grads:
        params, state = sgd_step(params, g, state, 0.1, momentum=0.9)
    v1 = -0.1 * grads[0][0]
    v2 = 0.9 * v1 - 0.1 * grads[1][0]
    assert_allclose(params[0], np.array([1.0, -2.0]) + v1 + v2, rtol=1e-15)
    assert_allclose(state.velocity[0], v2, rtol=1e-15)
