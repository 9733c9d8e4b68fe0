"""The same experiment trained by scikit-learn, PyTorch or Keras instead of NumPy.

Every engine starts from the built-in network's initial weights (Glorot-uniform from the
seed), uses the same optimizer settings (Adam with β 0.9 / 0.999 and ε 1e-8, or SGD with
heavy-ball momentum) and the same mini-batches in the same order, and yields a
:class:`~boundaryviz.Snapshot` of an exact :class:`~boundaryviz.MLP` copy of
its parameters after every epoch, scored by boundaryviz on the dataset.

What still differs is each framework's own arithmetic: PyTorch adds ε to the square root
of the bias-corrected second moment (scikit-learn, Keras and NumPy add it before the
correction), and Keras trains in float32.
"""

from __future__ import annotations

import numpy as np

from .._extras import check_available, require
from ..models import network
from ..models.optim import BETA1, BETA2, EPSILON
from .history import Snapshot
from .scoring import evaluate, snapshot_model, training_inputs

__all__ = ["framework_loop", "TRAINERS"]


class _SklearnTrainer:
    """scikit-learn's MLPClassifier, stepped with ``partial_fit`` (one update per call)."""

    def __init__(self, weights, biases, cfg, X, y):
        from sklearn.neural_network import MLPClassifier

        from ..models.from_sklearn import SKLEARN_ACTIVATIONS

        name = {v: k for k, v in SKLEARN_ACTIVATIONS.items()}[cfg.activation]
        self.clf = MLPClassifier(
            hidden_layer_sizes=cfg.hidden, activation=name, solver=cfg.optimizer, alpha=0.0,
            batch_size=len(X), shuffle=False, learning_rate="constant",
            learning_rate_init=cfg.learning_rate, momentum=cfg.momentum, nesterovs_momentum=False,
            beta_1=BETA1, beta_2=BETA2, epsilon=EPSILON, n_iter_no_change=10**9, tol=0.0,
            random_state=0,
        )
        # The first partial_fit sets every attribute up; then the network starts from our
        # weights, and a fresh optimizer is built over them at the next call (scikit-learn
        # builds one whenever it has none).
        self.clf.partial_fit(X, y, classes=np.unique(y))
        self.clf.coefs_ = [np.array(w) for w in weights]
        self.clf.intercepts_ = [np.array(b) for b in biases]
        del self.clf._optimizer
        self.X, self.y = X, y

    def step(self, index):
        self.clf.batch_size = len(index)  # one update over exactly this batch
        self.clf.partial_fit(self.X[index], self.y[index])

    def params(self):
        return tuple(self.clf.coefs_), tuple(self.clf.intercepts_)


class _TorchTrainer:
    """An ``nn.Sequential`` in float64 with ``torch.optim.Adam`` / ``SGD`` and BCE on logits."""

    MODULES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "identity": "Identity"}

    def __init__(self, weights, biases, cfg, X, y):
        torch = require("torch")
        nn = torch.nn
        self.torch = torch
        layers = []
        for k, (W, b) in enumerate(zip(weights, biases)):
            # skip_init: no random initial weights (ours are copied in), so the user's global
            # random state is left as it was
            linear = nn.utils.skip_init(nn.Linear, W.shape[0], W.shape[1], dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                linear.bias.copy_(torch.from_numpy(np.array(b)))
            layers.append(linear)
            if k < len(weights) - 1:
                if cfg.activation == "leaky_relu":
                    layers.append(nn.LeakyReLU(network.LEAKY_SLOPE))
                else:
                    layers.append(getattr(nn, self.MODULES[cfg.activation])())
        self.model = nn.Sequential(*layers)
        if cfg.optimizer == "adam":
            self.opt = torch.optim.Adam(self.model.parameters(), lr=cfg.learning_rate,
                                        betas=(BETA1, BETA2), eps=EPSILON)
        else:
            self.opt = torch.optim.SGD(self.model.parameters(), lr=cfg.learning_rate, momentum=cfg.momentum)
        self.binary = weights[-1].shape[1] == 1
        if self.binary:
            self.loss = nn.BCEWithLogitsLoss()
            self.y = torch.from_numpy(np.array(y, dtype=np.float64))
        else:
            self.loss = nn.CrossEntropyLoss()
            self.y = torch.from_numpy(np.array(y, dtype=np.int64))
        self.X = torch.from_numpy(np.array(X, dtype=np.float64))

    def step(self, index):
        torch = self.torch
        index = torch.from_numpy(np.asarray(index))
        # 400 samples through a tiny network: one thread beats several and is not starved
        # by other processes on the same cores; the user's setting comes back afterwards.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            self.opt.zero_grad()
            out = self.model(self.X[index])
            out = out[:, 0] if self.binary else out
            self.loss(out, self.y[index]).backward()
            self.opt.step()
        finally:
            torch.set_num_threads(threads)

    def params(self):
        from ..models.from_torch import mlp_from_sequential

        mlp = mlp_from_sequential(self.model)
        return mlp.weights, mlp.biases


class _KerasTrainer:
    """A Keras ``Sequential`` of ``Dense`` layers (float32), ``train_on_batch`` per update."""

    def __init__(self, weights, biases, cfg, X, y):
        keras = require("keras")
        layers = [keras.Input((weights[0].shape[0],))]
        for k, W in enumerate(weights):
            last = k == len(weights) - 1
            act = None if last or cfg.activation == "leaky_relu" else {"identity": "linear"}.get(cfg.activation, cfg.activation)
            layers.append(keras.layers.Dense(W.shape[1], activation=act, kernel_initializer="zeros"))
            if not last and cfg.activation == "leaky_relu":
                layers.append(keras.layers.LeakyReLU(negative_slope=network.LEAKY_SLOPE))
        self.model = keras.Sequential(layers)
        dense = [layer for layer in self.model.layers if isinstance(layer, keras.layers.Dense)]
        for layer, W, b in zip(dense, weights, biases):
            layer.set_weights([np.asarray(W, dtype="float32"), np.asarray(b, dtype="float32")])
        if cfg.optimizer == "adam":
            opt = keras.optimizers.Adam(learning_rate=cfg.learning_rate, beta_1=BETA1, beta_2=BETA2, epsilon=EPSILON)
        else:
            opt = keras.optimizers.SGD(learning_rate=cfg.learning_rate, momentum=cfg.momentum)
        if weights[-1].shape[1] == 1:
            loss = keras.losses.BinaryCrossentropy(from_logits=True)
            self.y = np.asarray(y, dtype="float32").reshape(-1, 1)
        else:
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
            self.y = np.asarray(y, dtype="int32")
        self.model.compile(optimizer=opt, loss=loss)
        self.dense = dense
        self.X = np.asarray(X, dtype="float32")

    def step(self, index):
        self.model.train_on_batch(self.X[index], self.y[index])

    def params(self):
        weights, biases = [], []
        for layer in self.dense:
            W, b = layer.get_weights()
            weights.append(np.array(W, dtype=float))
            biases.append(np.array(b, dtype=float))
        return tuple(weights), tuple(biases)


TRAINERS = {"sklearn": _SklearnTrainer, "torch": _TorchTrainer, "keras": _KerasTrainer}
"""dict: engine name → trainer class (``step(index)`` one update, ``params()``)."""


def framework_loop(dataset, cfg):
    """Check the engine is installed, then return the generator of snapshots.

    Raises
    ------
    boundaryviz._extras.MissingExtraError
        When the engine's framework is not installed (before any work).
    """
    if cfg.engine in ("torch", "keras"):
        check_available(cfg.engine)
    return _loop(dataset, cfg)


def _loop(dataset, cfg):
    rng = np.random.default_rng(cfg.seed)
    weights, biases = network.init_params(cfg.sizes(dataset.n_classes, dataset.n_features), rng)
    X, scaler = training_inputs(dataset)
    y = dataset.y
    n = X.shape[0]
    batch = n if cfg.batch_size is None else min(cfg.batch_size, n)
    trainer = TRAINERS[cfg.engine](weights, biases, cfg, X, y)
    everything = np.arange(n)
    epoch = 0
    while True:
        model = snapshot_model(weights, biases, cfg.activation, scaler)
        loss, acc = evaluate(model, dataset)
        yield Snapshot(epoch, model, loss, acc)
        if not (np.isfinite(loss) and model.is_finite):
            return "diverged"
        if cfg.stop_loss > 0 and loss < cfg.stop_loss:
            return "stop_loss"
        if epoch >= cfg.epochs:
            return "max_epochs"
        if batch == n:
            trainer.step(everything)
        else:
            order = rng.permutation(n)
            for start in range(0, n, batch):
                trainer.step(order[start : start + batch])
        weights, biases = trainer.params()
        epoch += 1
