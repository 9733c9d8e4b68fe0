"""The training loop: one immutable :class:`Snapshot` per epoch, gathered in a :class:`History`."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import network
from ._validation import ParameterValueError, check_choice, check_hidden, check_int, check_number
from .datasets import Dataset
from .models import MLP, as_model
from .optim import OPTIMIZERS

__all__ = ["TrainConfig", "Snapshot", "History", "iter_train", "train", "run_label", "MAX_EPOCHS", "ENGINES"]

MAX_EPOCHS = 100_000
ENGINES = ("numpy", "sklearn", "torch", "keras")
STOP_REASONS = ("stop_loss", "max_epochs", "diverged", "interrupted")


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run, validated once.

    Parameters
    ----------
    activation : {'identity', 'leaky_relu', 'relu', 'sigmoid', 'tanh'}, default='relu'
        Activation of every hidden layer. The output is always a sigmoid.
    learning_rate : float, default=0.01
        Step size (> 0, at most 10).
    hidden : int or tuple of int, default=(2,)
        Width of each hidden layer.
    optimizer : {'adam', 'sgd'}, default='adam'
    epochs : int, default=200
        Most epochs to train (1 to 100 000).
    stop_loss : float, default=0.263
        Stop once the training loss falls below this; 0 disables the rule.
    batch_size : int or None, default=None
        Samples per update; ``None`` means full batch.
    seed : int, default=0
        Seeds the initial weights and the mini-batch order.
    momentum : float, default=0.0
        Momentum for ``optimizer='sgd'`` (0 <= momentum < 1); ignored by Adam.
    engine : {'numpy', 'sklearn', 'torch', 'keras'}, default='numpy'
        Which framework trains the network: the same initial weights (Glorot-uniform from the
        seed), optimizer settings and mini-batches in the same order for every engine.
        'torch' needs ``boundaryviz[torch]`` and 'keras' ``boundaryviz[keras]``.
    """

    activation: str = "relu"
    learning_rate: float = 0.01
    hidden: tuple = (2,)
    optimizer: str = "adam"
    epochs: int = 200
    stop_loss: float = 0.263
    batch_size: int | None = None
    seed: int = 0
    momentum: float = 0.0
    engine: str = "numpy"

    def __post_init__(self):
        check_choice(self.activation, "activation", network.ACTIVATIONS)
        object.__setattr__(
            self, "learning_rate",
            check_number(self.learning_rate, "learning_rate", low=0, high=10, low_open=True),
        )
        object.__setattr__(self, "hidden", check_hidden(self.hidden))
        check_choice(self.optimizer, "optimizer", OPTIMIZERS)
        object.__setattr__(self, "epochs", check_int(self.epochs, "epochs", low=1, high=MAX_EPOCHS))
        object.__setattr__(self, "stop_loss", check_number(self.stop_loss, "stop_loss", low=0))
        if self.batch_size is not None:
            object.__setattr__(
                self, "batch_size", check_int(self.batch_size, "batch_size", low=1)
            )
        object.__setattr__(self, "seed", check_int(self.seed, "seed", low=0, high=2**32 - 1))
        object.__setattr__(
            self, "momentum",
            check_number(self.momentum, "momentum", low=0, high=1, high_open=True),
        )
        check_choice(self.engine, "engine", ENGINES)
        if self.engine == "sklearn" and self.activation == "leaky_relu":
            raise ParameterValueError("activation 'leaky_relu' is not available with engine='sklearn' "
                                      "(scikit-learn has identity, relu, sigmoid and tanh).", "activation")

    def describe(self):
        """dict: the settings, for captions and tables."""
        return {
            "activation": self.activation, "learning_rate": self.learning_rate, "hidden": self.hidden,
            "optimizer": self.optimizer, "epochs": self.epochs, "stop_loss": self.stop_loss,
            "batch_size": self.batch_size, "seed": self.seed, "momentum": self.momentum,
            "engine": self.engine,
        }

    @property
    def layer_sizes(self):
        """tuple of int: widths from input to output for two classes, e.g. ``(2, 2, 1)``."""
        return self.sizes(2)

    def sizes(self, n_classes):
        """tuple of int: widths from input to output for ``n_classes`` classes: one sigmoid
        output unit for two, K softmax units for K > 2."""
        return (2, *self.hidden, 1 if n_classes == 2 else n_classes)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The model after one epoch, frozen, and how well it fits the training data.

    Parameters
    ----------
    epoch : int
        0 for the initial weights, k after k epochs.
    model : Model
        A frozen model answering the model protocol (:class:`~boundaryviz.models.Model`):
        the built-in :class:`~boundaryviz.models.MLP`, a recorded framework model, or your own.
    loss : float
        Mean cross-entropy of the model on the training data.
    accuracy : float
        Share of training samples classified correctly.

    Examples
    --------
    >>> import numpy as np
    >>> from boundaryviz import MLP, Snapshot
    >>> model = MLP((np.eye(2), np.ones((2, 1))), (np.zeros(2), np.zeros(1)), "tanh")
    >>> Snapshot(0, model, loss=0.69, accuracy=0.5).hidden_widths
    (2,)
    """

    epoch: int
    model: object
    loss: float
    accuracy: float

    def __post_init__(self):
        object.__setattr__(self, "model", as_model(self.model))
        object.__setattr__(self, "epoch", check_int(self.epoch, "epoch", low=0))
        object.__setattr__(self, "loss", float(self.loss))
        object.__setattr__(self, "accuracy", float(self.accuracy))

    @classmethod
    def from_weights(cls, epoch, weights, biases, loss, accuracy, activation="relu"):
        """A snapshot of the built-in network (:class:`~boundaryviz.models.MLP`).

        Parameters
        ----------
        epoch : int
        weights : sequence of ndarray of shape (n_in, n_out)
        biases : sequence of ndarray of shape (n_out,)
        loss, accuracy : float
        activation : str, default='relu'

        Returns
        -------
        Snapshot
        """
        return cls(epoch, MLP(tuple(weights), tuple(biases), activation), loss, accuracy)

    def __eq__(self, other):
        # Compare whole arrays (through the model), and let a diverged snapshot (nan loss or
        # weights) equal its twin.
        if not isinstance(other, Snapshot):
            return NotImplemented
        return (
            self.epoch == other.epoch
            and np.array_equal([self.loss, self.accuracy], [other.loss, other.accuracy], equal_nan=True)
            and self.model == other.model
        )

    __hash__ = None

    # The built-in network's parameters, for snapshots of an MLP.
    @property
    def weights(self):
        """tuple of ndarray of shape (n_in, n_out): the MLP's read-only weights."""
        return self._mlp().weights

    @property
    def biases(self):
        """tuple of ndarray of shape (n_out,): the MLP's read-only biases."""
        return self._mlp().biases

    @property
    def activation(self):
        """str: the MLP's hidden activation."""
        return self._mlp().activation

    def _mlp(self):
        if not isinstance(self.model, MLP):
            raise AttributeError(
                f"this snapshot's model is a {type(self.model).__name__}, not the built-in MLP: "
                "use snapshot.model"
            )
        return self.model

    @property
    def hidden_widths(self):
        """tuple of int: width of each hidden layer."""
        return tuple(self.model.hidden_widths)

    @property
    def n_classes(self):
        """int: number of classes K."""
        return self.model.n_classes

    def predict_proba(self, X):
        """Class probabilities at each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)

        Returns
        -------
        ndarray of shape (n_samples, K)
            Column ``k`` is the probability of class ``k`` (for two classes, column 1 is
            the probability of class 1).
        """
        return self.model.predict_proba(_as_points(X))

    def hidden(self, X, layer=-1):
        """Activations of hidden layer ``layer`` (0-based, negative from the last).

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)
        layer : int, default=-1

        Returns
        -------
        ndarray of shape (n_samples, width)
        """
        X = _as_points(X)
        layer = _check_layer(layer, len(self.hidden_widths))
        with np.errstate(all="ignore"):
            return self.model.hidden(X, layer)

    def pre_activation(self, X, layer=0):
        """Pre-activations ``z = a W + b`` of hidden layer ``layer`` of the built-in network."""
        X = _as_points(X)
        layer = _check_layer(layer, len(self.hidden_widths))
        return self._mlp().pre_activation(X, layer)

    @property
    def is_finite(self):
        """bool: whether the loss (and, for the built-in network, every parameter) is finite."""
        finite = getattr(self.model, "is_finite", True)
        return bool(np.isfinite(self.loss) and finite)


def _as_points(X):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n_samples, 2). Got shape {X.shape}.")
    return X


def _check_layer(layer, n_hidden):
    layer = check_int(layer, "layer", low=-n_hidden, high=n_hidden - 1)
    return layer % n_hidden


@dataclass(frozen=True)
class History(Sequence):
    """Every snapshot of one run, with the data and a description of the run.

    Behaves as a sequence of :class:`Snapshot` (``len``, indexing, iteration).

    Parameters
    ----------
    snapshots : sequence of Snapshot
        Epoch 0 first.
    dataset : Dataset
    config : TrainConfig or None, default=None
        The settings of a built-in run; ``None`` for a run recorded from your own training
        loop (:class:`~boundaryviz.Recorder`).
    stop_reason : {'stop_loss', 'max_epochs', 'diverged', 'interrupted'}, default='max_epochs'
    label : str, optional
        Short run name for file names and captions; by default ``'{activation}_lr{lr:g}'``
        from ``config``, else ``'run'``.
    settings : dict, optional
        How the run was made, for captions and tables (e.g. ``{'model': 'torch Sequential'}``);
        by default the settings of ``config``.
    """

    snapshots: tuple
    dataset: Dataset
    config: TrainConfig | None = None
    stop_reason: str = "max_epochs"
    label: str | None = None
    settings: dict | None = None

    def __post_init__(self):
        object.__setattr__(self, "snapshots", tuple(self.snapshots))
        if not self.snapshots:
            raise ValueError("snapshots must hold at least one Snapshot.")
        for snap in self.snapshots:
            if not isinstance(snap, Snapshot):
                raise TypeError(f"snapshots must hold Snapshot objects. Got {type(snap).__name__}.")
        if not isinstance(self.dataset, Dataset):
            raise TypeError(f"dataset must be a boundaryviz Dataset. Got {type(self.dataset).__name__}.")
        if self.config is not None and not isinstance(self.config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig or None. Got {type(self.config).__name__}.")
        check_choice(self.stop_reason, "stop_reason", STOP_REASONS)
        if self.label is None:
            object.__setattr__(self, "label", "run" if self.config is None else run_label(self.config))
        elif not isinstance(self.label, str) or not self.label.strip():
            raise ValueError(f"label must be a non-empty string. Got {self.label!r}.")
        settings = self.config.describe() if self.settings is None and self.config is not None else {}
        object.__setattr__(self, "settings", dict(settings if self.settings is None else self.settings))

    def __len__(self):
        return len(self.snapshots)

    def __getitem__(self, index):
        return self.snapshots[index]

    @property
    def final(self):
        """Snapshot: the last snapshot."""
        return self.snapshots[-1]

    @property
    def epochs_run(self):
        """int: epochs trained (the last snapshot's epoch)."""
        return self.snapshots[-1].epoch

    @property
    def losses(self):
        """ndarray of shape (n_snapshots,): loss of each snapshot."""
        return np.array([s.loss for s in self.snapshots])

    @property
    def accuracies(self):
        """ndarray of shape (n_snapshots,): accuracy of each snapshot."""
        return np.array([s.accuracy for s in self.snapshots])

    @property
    def default_layer(self):
        """int: the hidden layer drawn unless another is asked for: the one a Recorder was
        given (``settings['layer']``), else the last (-1)."""
        layer = self.settings.get("layer", -1)
        return layer if isinstance(layer, int) and -len(self.final.hidden_widths) <= layer < len(self.final.hidden_widths) else -1

    @property
    def stop_loss(self):
        """float: the stop-loss threshold of a built-in run (0 when there is none)."""
        return 0.0 if self.config is None else self.config.stop_loss

    @property
    def headline(self):
        """str: what the run is, for the status line, e.g. ``'tanh  ·  learning rate 0.1'``."""
        cfg = self.config
        if cfg is None:
            return self.label
        # the engine is left out: every engine trains the same network, and frames of the
        # same weights stay the same frames (the engine is in the settings and tables)
        return f"{cfg.activation}  ·  learning rate {cfg.learning_rate:g}"

    def summary(self):
        """dict: the run's settings and outcome, for tables and captions.

        The keys ``activation``, ``learning_rate``, ``hidden`` and ``optimizer`` are ``None``
        where a recorded run does not say.
        """
        cfg = self.config
        return {
            "label": self.label,
            "dataset": self.dataset.name,
            "activation": None if cfg is None else cfg.activation,
            "learning_rate": None if cfg is None else cfg.learning_rate,
            "hidden": self.final.hidden_widths if cfg is None else cfg.hidden,
            "optimizer": None if cfg is None else cfg.optimizer,
            "engine": self.settings.get("engine", "numpy" if cfg is not None else None),
            "epochs_run": self.epochs_run,
            "stop_reason": self.stop_reason,
            "final_loss": self.final.loss,
            "final_accuracy": self.final.accuracy,
        }

    def __repr__(self):
        return (
            f"History({self.label}, dataset={self.dataset.name!r}, epochs_run={self.epochs_run}, "
            f"stop_reason={self.stop_reason!r}, final_loss={self.final.loss:.4f}, "
            f"final_accuracy={self.final.accuracy:.3f})"
        )

    def _repr_html_(self):
        """A compact table of the settings and the outcome (shown by Jupyter)."""
        s = self.summary()
        cfg = self.config
        rows = [("dataset", f"{s['dataset']} ({self.dataset.n_samples} samples)")]
        if cfg is not None:
            optimizer = s["optimizer"]
            if optimizer == "sgd" and cfg.momentum:
                optimizer += f" (momentum {cfg.momentum:g})"
            batch = "full batch" if cfg.batch_size is None else f"batches of {cfg.batch_size}"
            stop_rule = f"{cfg.epochs} epochs" + (f" or loss < {cfg.stop_loss:g}" if cfg.stop_loss > 0 else "")
            engine = "" if cfg.engine == "numpy" else f", trained by {cfg.engine}"
            rows += [
                ("network", "2 → " + " → ".join(map(str, s["hidden"])) + f" → 1 ({s['activation']})"),
                ("training", f"{optimizer}, learning rate {s['learning_rate']:g}, {batch}, seed {cfg.seed}{engine}"),
                ("stop rule", stop_rule),
                ("epochs run", f"{s['epochs_run']} of {cfg.epochs}"),
            ]
        else:
            rows += [(str(k), str(v)) for k, v in self.settings.items()]
            rows += [("hidden widths", " → ".join(map(str, s["hidden"]))), ("epochs run", str(s["epochs_run"]))]
        rows += [
            ("stop reason", s["stop_reason"]),
            ("final loss", f"{s['final_loss']:.4f} (epoch 0: {self.snapshots[0].loss:.4f})"),
            ("final accuracy", f"{s['final_accuracy']:.1%}"),
        ]
        body = "".join(
            f"<tr><th scope='row' style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in rows
        )
        return (
            f"<table class='boundaryviz-history'><caption style='text-align:left'>"
            f"History {html.escape(self.label)}</caption>{body}</table>"
        )


def run_label(config):
    """str: a run's short name, ``'{activation}_lr{learning_rate:g}'`` (whatever the engine)."""
    return f"{config.activation}_lr{config.learning_rate:g}"


def _make_config(config, kwargs):
    if config is not None:
        if kwargs:
            raise TypeError("pass either config or keyword settings, not both.")
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig. Got {type(config).__name__}.")
        return config
    return TrainConfig(**kwargs)


def iter_train(dataset, *, config=None, **settings):
    """Train a network and yield a :class:`Snapshot` before the first and after every epoch.

    Parameters
    ----------
    dataset : Dataset
    config : TrainConfig, optional
        All settings at once; otherwise pass them as keywords (see :class:`TrainConfig`):
        ``activation='relu', learning_rate=0.01, hidden=(2,), optimizer='adam', epochs=200,
        stop_loss=0.263, batch_size=None, seed=0, momentum=0.0``.

    Yields
    ------
    Snapshot
        Epoch 0 (initial weights), then 1, 2, ... The generator's return value (seen by
        :func:`train`) is the stop reason: ``'stop_loss'``, ``'max_epochs'`` or ``'diverged'``.

    Examples
    --------
    >>> from boundaryviz import gaussians, iter_train
    >>> for snap in iter_train(gaussians(), epochs=3):
    ...     print(snap.epoch, round(snap.loss, 3))  # doctest: +SKIP
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a boundaryviz Dataset. Got {type(dataset).__name__}.")
    cfg = _make_config(config, settings)
    if cfg.engine == "numpy":
        return _train_loop(dataset, cfg)
    from .engines import framework_loop

    return framework_loop(dataset, cfg)


def training_inputs(dataset):
    """The features training sees: standardised when the dataset asks for it.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    scaler : (mean, scale) or None
    """
    scaler = dataset.scaler
    if scaler is None:
        return dataset.X, None
    mean, scale = scaler
    return (dataset.X - mean) / scale, scaler


def snapshot_model(weights, biases, activation, scaler):
    """The frozen model of a snapshot, in the data's own units (the scaler folded in)."""
    model = MLP(weights, biases, activation)
    return model if scaler is None else model.with_input_scaling(*scaler)


def _train_loop(dataset, cfg):
    rng = np.random.default_rng(cfg.seed)
    weights, biases = network.init_params(cfg.sizes(dataset.n_classes), rng)
    n_layers = len(weights)
    init, step = OPTIMIZERS[cfg.optimizer]
    params = weights + biases
    state = init(params)
    X, scaler = training_inputs(dataset)
    y = dataset.y
    n = X.shape[0]
    batch = n if cfg.batch_size is None else min(cfg.batch_size, n)

    epoch = 0
    with np.errstate(all="ignore"):
        loss, acc, gw, gb = network.loss_and_gradients(weights, biases, X, y, cfg.activation)
    while True:
        yield Snapshot(epoch, snapshot_model(weights, biases, cfg.activation, scaler), loss, acc)
        if not (np.isfinite(loss) and all(np.all(np.isfinite(p)) for p in params)):
            return "diverged"
        if cfg.stop_loss > 0 and loss < cfg.stop_loss:
            return "stop_loss"
        if epoch >= cfg.epochs:
            return "max_epochs"
        with np.errstate(all="ignore"):
            if batch == n:
                params, state = step(params, gw + gb, state, cfg.learning_rate, cfg.momentum)
            else:
                order = rng.permutation(n)
                for start in range(0, n, batch):
                    idx = order[start : start + batch]
                    w, b = params[:n_layers], params[n_layers:]
                    _, _, gw, gb = network.loss_and_gradients(w, b, X[idx], y[idx], cfg.activation)
                    params, state = step(params, gw + gb, state, cfg.learning_rate, cfg.momentum)
            weights, biases = params[:n_layers], params[n_layers:]
            loss, acc, gw, gb = network.loss_and_gradients(weights, biases, X, y, cfg.activation)
        epoch += 1


def train(dataset, *, config=None, progress=False, **settings):
    """Train a network and return every snapshot as a :class:`History`.

    Parameters
    ----------
    dataset : Dataset
    config : TrainConfig, optional
        All settings at once; otherwise keywords as in :class:`TrainConfig`.
    progress : bool, default=False
        Show a ``tqdm.auto`` progress bar (a widget in Jupyter, text in a terminal).

    Returns
    -------
    History

    Examples
    --------
    >>> from boundaryviz import gaussians, train
    >>> history = train(gaussians(), activation="tanh", learning_rate=0.1)
    >>> history.stop_reason in ("stop_loss", "max_epochs")
    True
    """
    gen = iter_train(dataset, config=config, **settings)
    cfg = _make_config(config, settings)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=cfg.epochs, desc=f"{cfg.activation} lr={cfg.learning_rate:g}", unit="epoch")
    snapshots = []
    try:
        while True:
            try:
                snapshots.append(next(gen))
            except StopIteration as stop:
                reason = stop.value
                break
            if bar is not None and snapshots[-1].epoch > 0:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return History(tuple(snapshots), dataset, cfg, reason)
