"""A fully connected network d inputs → hidden layers → output, as pure NumPy functions.

Two classes have one sigmoid output unit (binary cross-entropy); K > 2 classes have K softmax
output units (categorical cross-entropy), as scikit-learn's ``MLPClassifier``.

Parameters travel as two tuples, ``weights`` (arrays of shape (n_in, n_out), like
scikit-learn's ``coefs_``) and ``biases`` (1-D arrays of shape (n_out,)). Nothing here keeps
state: every function takes arrays and returns new ones.
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "init_params",
    "forward",
    "predict_logits",
    "grid_logits",
    "hidden_activations",
    "pre_activations",
    "loss_from_logits",
    "loss_and_gradients",
    "sigmoid",
    "softmax",
]

LEAKY_SLOPE = 0.01
PARALLEL_GRID_WORK = 1_000_000
"""int: grid cells × hidden units from which :func:`grid_logits` uses two threads (a
200 × 200 grid with 25 units or more). Below it a second thread saves less than it costs
where every core already runs a worker (a sweep's processes)."""


def sigmoid(z):
    """Logistic function, computed without overflow. Same shape as ``z``."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_grad(z, a):
    return (z > 0).astype(float)


def _tanh_grad(z, a):
    return 1.0 - a * a


def _sigmoid_grad(z, a):
    return a * (1.0 - a)


def _identity(z):
    return z


def _identity_grad(z, a):
    return np.ones_like(z)


def _leaky_relu(z):
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_grad(z, a):
    return np.where(z > 0, 1.0, LEAKY_SLOPE)


ACTIVATIONS = {
    "identity": (_identity, _identity_grad),
    "leaky_relu": (_leaky_relu, _leaky_relu_grad),
    "relu": (_relu, _relu_grad),
    "sigmoid": (sigmoid, _sigmoid_grad),
    "tanh": (np.tanh, _tanh_grad),
}
"""dict: activation name → (function of z, derivative given z and the activation a)."""


def init_params(layer_sizes, rng):
    """Glorot-uniform initial weights and biases.

    Each weight and bias of the layer ``n_in → n_out`` is drawn uniformly from
    ``[-b, b]`` with ``b = sqrt(6 / (n_in + n_out))``, the way scikit-learn's ``MLPClassifier``
    initialises a network (scikit-learn narrows the bound to ``sqrt(2 / (n_in + n_out))`` for
    its 'logistic' activation; here the bound is the same for every activation).

    Parameters
    ----------
    layer_sizes : sequence of int
        Widths from input to output, e.g. ``(2, 2, 1)`` (the first is the number of features).
    rng : numpy.random.Generator

    Returns
    -------
    weights : tuple of ndarray of shape (n_in, n_out)
    biases : tuple of ndarray of shape (n_out,)
    """
    weights, biases = [], []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        bound = np.sqrt(6.0 / (n_in + n_out))
        weights.append(rng.uniform(-bound, bound, size=(n_in, n_out)))
        biases.append(rng.uniform(-bound, bound, size=n_out))
    return tuple(weights), tuple(biases)


def forward(weights, biases, X, activation):
    """Run the network and keep every layer.

    Parameters
    ----------
    weights, biases : tuple of ndarray
    X : ndarray of shape (n_samples, n_features)
    activation : str
        Key of :data:`ACTIVATIONS` used by every hidden layer.

    Returns
    -------
    pre : list of ndarray
        Pre-activations ``z`` of each layer (hidden layers then output), shapes (n, width).
    post : list of ndarray
        ``[X, h_1, ..., h_L]``: the input and each hidden layer's activations.
        The output logits are ``pre[-1][:, 0]``.
    """
    act = ACTIVATIONS[activation][0]
    pre, post = [], [X]
    a = X
    last = len(weights) - 1
    for i, (W, b) in enumerate(zip(weights, biases)):
        z = a @ W + b
        pre.append(z)
        if i < last:
            a = act(z)
            post.append(a)
    return pre, post


def predict_logits(weights, biases, X, activation):
    """Output logits: ndarray of shape (n_samples,) for one output unit, else (n_samples, K)."""
    act = ACTIVATIONS[activation][0]
    a = X
    for W, b in zip(weights[:-1], biases[:-1]):
        a = act(a @ W + b)
    out = a @ weights[-1] + biases[-1]
    return out[:, 0] if out.shape[1] == 1 else out


def grid_logits(weights, biases, xs, ys, activation):
    """Output logits on the grid of points ``(xs[j], ys[i])``.

    With one hidden layer, each hidden unit's pre-activation over the grid is an outer sum
    of a row and a column, so no (n, 2) array of points is built or multiplied: about
    1.7 times quicker than :func:`predict_logits` on a 200 × 200 mesh. A wide layer's grid
    (:data:`PARALLEL_GRID_WORK` cell-units or more) is split between two threads by rows:
    every cell gets the same sums in the same order, so the same bits.

    Parameters
    ----------
    weights, biases : list of ndarray
        As for :func:`forward`; the input has 2 features.
    xs : ndarray of shape (nx,)
    ys : ndarray of shape (ny,)
    activation : str

    Returns
    -------
    ndarray of shape (ny, nx)
        ``out[i, j]`` is the logit at ``(xs[j], ys[i])``.
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    if len(weights) != 2 or weights[-1].shape[1] != 1:
        points = np.column_stack([np.tile(xs, len(ys)), np.repeat(ys, len(xs))])
        return predict_logits(weights, biases, points, activation).reshape(len(ys), len(xs))
    act = ACTIVATIONS[activation][0]
    W, b = weights[0], biases[0]
    w_out = weights[1][:, 0]
    out = np.full((len(ys), len(xs)), float(biases[1][0]))

    def rows(part):  # the same sums, in the same order, for some rows of the grid
        for k in range(W.shape[1]):
            out[part] += w_out[k] * act(np.add.outer(ys[part] * W[1, k] + b[k], xs * W[0, k]))

    if out.size * W.shape[1] < PARALLEL_GRID_WORK:
        rows(slice(None))
        return out
    # a wide layer: two threads (NumPy's loops release the GIL), each on half of the rows
    middle = len(ys) // 2
    top = threading.Thread(target=rows, args=(slice(0, middle),), name="boundaryviz-grid")
    top.start()
    rows(slice(middle, None))
    top.join()
    return out


def grid_cell_logits(weights, biases, xs, ys, activation):
    """Output logits at the points ``(xs[i], ys[i])``, the same bits as :func:`grid_logits`.

    Each point gets the operations :func:`grid_logits` does for one cell of its
    one-hidden-layer branch, in the same order: for unit ``k`` in turn,
    ``out += w_out[k] * act((y * W[1, k] + b[k]) + x * W[0, k])`` from ``out = b_out``.
    Products and sums are rounded correctly on every CPU, and NumPy's activation loops give
    an element the same result wherever it sits in a contiguous array, so a cell of the grid
    and the same point here agree to the bit (``tests/test_float32_grid.py`` checks it). The
    grid's units are applied one at a time to whole rows; here all units at once to a
    (units, points) array, which changes the order of nothing a point's value depends on.

    Parameters
    ----------
    weights, biases : list of ndarray
        As for :func:`forward`: one hidden layer, 2 inputs, one output unit.
    xs, ys : ndarray of shape (n,)
        The points' coordinates: grid values, as :func:`grid_logits` was given them.
    activation : str

    Returns
    -------
    ndarray of shape (n,)
    """
    act = ACTIVATIONS[activation][0]
    W, b = weights[0], biases[0]
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    # (units, points): row k is unit k's term for every point, computed as the grid does
    z = (W[1][:, None] * ys + b[:, None]) + W[0][:, None] * xs
    terms = weights[1][:, 0][:, None] * act(z)
    out = np.full(len(xs), float(biases[1][0]))
    for term in terms:  # unit by unit, the grid's order of the sum
        out += term
    return out


def hidden_activations(weights, biases, X, activation, layer=-1):
    """Activations of one hidden layer, ndarray of shape (n_samples, width).

    ``layer`` counts hidden layers from 0; negative values count from the last.
    """
    n_hidden = len(weights) - 1
    index = range(n_hidden)[layer]
    act = ACTIVATIONS[activation][0]
    a = X
    for W, b in zip(weights[: index + 1], biases[: index + 1]):
        a = act(a @ W + b)
    return a


def pre_activations(weights, biases, X, activation, layer=0):
    """Pre-activations ``z = a @ W + b`` of one hidden layer, shape (n_samples, width)."""
    n_hidden = len(weights) - 1
    index = range(n_hidden)[layer]
    a = hidden_activations(weights, biases, X, activation, index - 1) if index > 0 else X
    return a @ weights[index] + biases[index]


def loss_from_logits(logits, y):
    """Mean cross-entropy computed stably from logits.

    Binary, for logits of shape (n,): ``mean(log(1 + exp(z)) - y z)``, written as
    ``max(z, 0) - y z + log1p(exp(-|z|))`` so no exponential overflows. Categorical, for
    logits of shape (n, K): ``mean(logsumexp(z) - z[y])``.

    Parameters
    ----------
    logits : ndarray of shape (n_samples,) or (n_samples, K)
    y : ndarray of shape (n_samples,)
        Labels 0 or 1, or 0 to K - 1.

    Returns
    -------
    float
    """
    if logits.ndim == 2:
        top = logits.max(axis=1)
        lse = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
        return float(np.mean(lse - logits[np.arange(len(y)), y.astype(int)]))
    return float(np.mean(np.maximum(logits, 0.0) - y * logits + np.log1p(np.exp(-np.abs(logits)))))


def softmax(logits):
    """Row-wise softmax of (n, K) logits, computed without overflow. Same shape."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def loss_and_gradients(weights, biases, X, y, activation):
    """Loss, accuracy and the gradients of the mean loss, by backpropagation.

    Parameters
    ----------
    weights, biases : tuple of ndarray
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    activation : str

    Returns
    -------
    loss : float
        Mean cross-entropy (binary for one output unit, categorical for K).
    accuracy : float
        Share of samples whose predicted class (logit > 0, or the largest logit) equals ``y``.
    grad_weights : tuple of ndarray, shapes as ``weights``
    grad_biases : tuple of ndarray, shapes as ``biases``
    """
    grad_fn = ACTIVATIONS[activation][1]
    pre, post = forward(weights, biases, X, activation)
    n = X.shape[0]
    if pre[-1].shape[1] == 1:
        logits = pre[-1][:, 0]
        loss = loss_from_logits(logits, y)
        accuracy = float(np.mean((logits > 0) == (y == 1)))
        delta = (sigmoid(logits) - y)[:, None] / n
    else:
        logits = pre[-1]
        labels = y.astype(int)
        loss = loss_from_logits(logits, labels)
        accuracy = float(np.mean(np.argmax(logits, axis=1) == labels))
        delta = softmax(logits)
        delta[np.arange(n), labels] -= 1.0
        delta /= n
    grad_w = [None] * len(weights)
    grad_b = [None] * len(weights)
    for i in range(len(weights) - 1, -1, -1):
        grad_w[i] = post[i].T @ delta
        grad_b[i] = delta.sum(axis=0)
        if i > 0:
            delta = (delta @ weights[i].T) * grad_fn(pre[i - 1], post[i])
    return loss, accuracy, tuple(grad_w), tuple(grad_b)
