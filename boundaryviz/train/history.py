"""What a run leaves: an immutable :class:`Snapshot` per epoch, gathered in a :class:`History`.

A snapshot holds a frozen model that answers the model protocol (:mod:`boundaryviz.models.protocol`);
a history holds the snapshots, the data and a description of the run (a :class:`~boundaryviz.TrainConfig`
for built-in runs, a label and settings for recorded ones).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._validation import check_choice, check_int
from ..data.dataset import Dataset
from ..models.mlp import MLP
from ..models.protocol import as_model
from .config import TrainConfig, run_label

__all__ = ["Snapshot", "History", "STOP_REASONS"]

STOP_REASONS = ("stop_loss", "max_epochs", "diverged", "interrupted")


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The model after one epoch, frozen, and how well it fits the training data.

    Parameters
    ----------
    epoch : int
        0 for the initial weights, k after k epochs.
    model : Model
        A frozen model answering the model protocol (:class:`~boundaryviz.Model`):
        the built-in :class:`~boundaryviz.MLP`, a recorded framework model, or your own.
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
        """A snapshot of the built-in network (:class:`~boundaryviz.MLP`).

        Parameters
        ----------
        epoch : int
            0 for the initial weights, k after k epochs.
        weights : sequence of ndarray of shape (n_in, n_out)
            One weight matrix per layer, from the input side.
        biases : sequence of ndarray of shape (n_out,)
            One bias vector per layer.
        loss : float
            Mean cross-entropy on the training data.
        accuracy : float
            Share of training samples classified correctly.
        activation : str, default='relu'
            Activation of every hidden layer (a key of :data:`~boundaryviz.ACTIVATIONS`).

        Returns
        -------
        Snapshot
            A snapshot whose model is an :class:`~boundaryviz.MLP` of these parameters.
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


    # The built-in network's parameters, for snapshots of an MLP.
    @property
    def weights(self):
        """The MLP's read-only weights, a tuple of ndarray of shape (n_in, n_out)."""
        return self._mlp().weights

    @property
    def biases(self):
        """The MLP's read-only biases, a tuple of ndarray of shape (n_out,)."""
        return self._mlp().biases

    @property
    def activation(self):
        """The MLP's hidden activation, a str."""
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
        """Width of each hidden layer, a tuple of int."""
        return tuple(self.model.hidden_widths)

    @property
    def n_classes(self):
        """Number of classes K, an int."""
        return self.model.n_classes

    def predict_proba(self, X):
        """Class probabilities at each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points.

        Returns
        -------
        ndarray of shape (n_samples, K)
            Column ``k`` is the probability of class ``k`` (for two classes, column 1 is
            the probability of class 1).
        """
        return self.model.predict_proba(_as_points(X, self.model))

    def hidden(self, X, layer=-1):
        """Activations of hidden layer ``layer`` (0-based, negative from the last).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points.
        layer : int, default=-1
            Index of the hidden layer.

        Returns
        -------
        ndarray of shape (n_samples, width)
            One column per unit of that layer.
        """
        X = _as_points(X, self.model)
        layer = _check_layer(layer, len(self.hidden_widths))
        with np.errstate(all="ignore"):
            return self.model.hidden(X, layer)

    def pre_activation(self, X, layer=0):
        """Pre-activations ``z = a W + b`` of hidden layer ``layer`` of the built-in network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points.
        layer : int, default=0
            Index of the hidden layer (0-based, negative from the last).

        Returns
        -------
        ndarray of shape (n_samples, width)
            One column per unit of that layer, before the activation.

        Raises
        ------
        AttributeError
            When the snapshot's model is not the built-in :class:`~boundaryviz.MLP`.
        """
        X = _as_points(X, self.model)
        layer = _check_layer(layer, len(self.hidden_widths))
        return self._mlp().pre_activation(X, layer)

    @property
    def is_finite(self):
        """Whether the loss (and, for the built-in network, every parameter) is finite, a bool."""
        finite = getattr(self.model, "is_finite", True)
        return bool(np.isfinite(self.loss) and finite)


def _as_points(X, model):
    X = np.asarray(X, dtype=float)
    width = getattr(model, "n_inputs", None)
    if X.ndim != 2 or X.shape[1] != (X.shape[1] if width is None else width):
        raise ValueError(f"X must have shape (n_samples, {width or 'n_features'}). Got shape {X.shape}.")
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
        The training data.
    config : TrainConfig or None, default=None
        The settings of a built-in run; ``None`` for a run recorded from your own training
        loop (:class:`~boundaryviz.Recorder`).
    stop_reason : {'stop_loss', 'max_epochs', 'diverged', 'interrupted'}, default='max_epochs'
        Why the run ended.
    label : str, optional
        Short run name for file names and captions; by default ``'{activation}_lr{lr:g}'``
        from ``config``, else ``'run'``.
    settings : dict, optional
        How the run was made, for captions and tables (e.g. ``{'model': 'torch Sequential'}``);
        by default the settings of ``config``.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> history = bv.train(bv.gaussians(), epochs=20)
    >>> len(history), history.epochs_run, history.stop_reason
    (21, 20, 'max_epochs')
    >>> history.losses.shape
    (21,)
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
        """The last snapshot, a Snapshot."""
        return self.snapshots[-1]

    @property
    def epochs_run(self):
        """Epochs trained (the last snapshot's epoch), an int."""
        return self.snapshots[-1].epoch

    @property
    def losses(self):
        """Loss of each snapshot, an ndarray of shape (n_snapshots,)."""
        return np.array([s.loss for s in self.snapshots])

    @property
    def accuracies(self):
        """Accuracy of each snapshot, an ndarray of shape (n_snapshots,)."""
        return np.array([s.accuracy for s in self.snapshots])

    @property
    def default_layer(self):
        """The hidden layer drawn unless another is asked for, an int.

        The one a Recorder was given (``settings['layer']``), else the last (-1).
        """
        layer = self.settings.get("layer", -1)
        return layer if isinstance(layer, int) and -len(self.final.hidden_widths) <= layer < len(self.final.hidden_widths) else -1

    @property
    def stop_loss(self):
        """The stop-loss threshold of a built-in run (0 when there is none), a float."""
        return 0.0 if self.config is None else self.config.stop_loss

    @property
    def headline(self):
        """What the run is, for the status line, e.g. ``'tanh  ·  learning rate 0.1'``."""
        cfg = self.config
        if cfg is None:
            return self.label
        # the engine is left out: every engine trains the same network, and frames of the
        # same weights stay the same frames (the engine is in the settings and tables)
        return f"{cfg.activation}  ·  learning rate {cfg.learning_rate:g}"

    def summary(self):
        """The run's settings and outcome, for tables and captions.

        Returns
        -------
        dict
            ``label``, ``dataset``, ``activation``, ``learning_rate``, ``hidden``,
            ``optimizer``, ``engine``, ``epochs_run``, ``stop_reason``, ``final_loss`` and
            ``final_accuracy``; ``activation``, ``learning_rate``, ``hidden`` and
            ``optimizer`` are ``None`` where a recorded run does not say.
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
