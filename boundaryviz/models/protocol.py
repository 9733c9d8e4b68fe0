"""The model protocol: what a snapshot's model answers so that every panel can be drawn.

The renderer never looks inside a network. It asks a model for class probabilities at
points, for the activations of one hidden layer, and for the output as a function of that
layer; optional members give exact structure (first-layer unit lines, a linear head) when the
model has it, and are never faked when it has not.

:class:`MLP` is the built-in implementation (the NumPy network of :mod:`boundaryviz.models.network`).
The recorders turn scikit-learn, PyTorch and Keras models into models that answer the same
protocol; any object of your own that answers it works as well (see :func:`as_model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from . import network

__all__ = ["Model", "ModelBase", "MLP", "as_model", "check_probabilities"]


@runtime_checkable
class Model(Protocol):
    """What a snapshot's model must answer (a structural type: no base class needed).

    Required
    --------
    hidden_widths : tuple of int
        Width of each hidden layer that can be shown, from the input side.
    predict_proba(X) -> ndarray of shape (n, K)
        Class probabilities at points ``X`` of shape (n, 2); rows sum to 1, K >= 2.
    hidden(X, layer) -> ndarray of shape (n, d)
        Activations of hidden layer ``layer`` (0-based, a valid index into
        ``hidden_widths``) at points ``X`` of shape (n, 2); ``d = hidden_widths[layer]``.
    proba_from_hidden(H, layer) -> ndarray of shape (n, K)
        Class probabilities when hidden layer ``layer`` holds the activations ``H`` of shape
        (n, d): the rest of the network after that layer.

    Optional (used when present, never guessed when absent)
    --------
    decision_function(X) -> ndarray of shape (n,)
        For K = 2, the logit of class 1, ``log p1 - log p0``, computed without rounding
        probabilities (sharper fields far from the boundary).
    decision_from_hidden(H, layer) -> ndarray of shape (n,)
        The same logit from hidden activations.
    first_layer() -> (W, b) or None
        ``W`` of shape (2, m), ``b`` of shape (m,): the first layer's units, drawn as the
        lines ``x @ W[:, k] + b[k] = 0``.
    linear_head(layer) -> (W, b) or None
        When the output logits are affine in layer ``layer``'s activations,
        ``logits = H @ W + b`` with ``W`` of shape (d, 1) for K = 2 (the class-1 logit) or
        (d, K): the hidden panel then draws a straight boundary.
    rests_at_zero : bool
        Whether inactive hidden units sit at (or near) 0, as with ReLU: the hidden panel then
        keeps the origin in view.
    """

    hidden_widths: tuple

    def predict_proba(self, X):
        ...

    def hidden(self, X, layer):
        ...

    def proba_from_hidden(self, H, layer):
        ...


def _logit_from_proba(proba):
    """Class-1 logit from (n, 2) probabilities, ``log p1 - log p0`` (±inf where one is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(proba[:, 1]) - np.log(proba[:, 0])


class ModelBase:
    """Defaults for the protocol's optional members, derived from the required ones.

    Subclasses implement ``hidden_widths``, ``predict_proba``, ``hidden`` and
    ``proba_from_hidden``; they override the optional members when they know better.
    """

    rests_at_zero = False

    @property
    def n_classes(self):
        """int: number of classes K."""
        raise NotImplementedError

    def decision_function(self, X):
        """Class-1 logit at points, ndarray of shape (n,) (K = 2 only)."""
        return _logit_from_proba(self.predict_proba(X))

    def decision_from_hidden(self, H, layer):
        """Class-1 logit from hidden activations, ndarray of shape (n,) (K = 2 only)."""
        return _logit_from_proba(self.proba_from_hidden(H, layer))

    def class_scores(self, X):
        """Log-probabilities of every class, ndarray of shape (n, K) (any per-row constant may
        be added: only differences between classes count)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def class_scores_from_hidden(self, H, layer):
        """Class scores from hidden activations, ndarray of shape (n, K)."""
        with np.errstate(divide="ignore"):
            return np.log(self.proba_from_hidden(H, layer))

    def decision_on_grid(self, xs, ys):
        """Class-1 logit on the grid ``(xs[j], ys[i])``, ndarray of shape (len(ys), len(xs))."""
        xs = np.asarray(xs, dtype=float)
        ys = np.asarray(ys, dtype=float)
        points = np.column_stack([np.tile(xs, len(ys)), np.repeat(ys, len(xs))])
        return self.decision_function(points).reshape(len(ys), len(xs))

    def first_layer(self):
        """None: no exact first-layer structure is known."""
        return None

    def linear_head(self, layer):
        """None: the output is not known to be affine in any hidden layer."""
        return None


@dataclass(frozen=True, eq=False)
class MLP(ModelBase):
    """The built-in fully connected network, frozen: d inputs → hidden layers → output.

    Parameters
    ----------
    weights : tuple of ndarray of shape (n_in, n_out)
        Read-only copies are kept, like scikit-learn's ``coefs_``.
    biases : tuple of ndarray of shape (n_out,)
        Like ``intercepts_``.
    activation : {'identity', 'leaky_relu', 'relu', 'sigmoid', 'tanh'}, default='relu'
        Activation of every hidden layer. One output unit is a sigmoid (two classes); more
        output units are a softmax over that many classes.

    Examples
    --------
    >>> import numpy as np
    >>> from boundaryviz.models.protocol import MLP
    >>> model = MLP((np.eye(2), np.ones((2, 1))), (np.zeros(2), np.zeros(1)), "relu")
    >>> model.predict_proba(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    """

    weights: tuple
    biases: tuple
    activation: str = "relu"

    def __post_init__(self):
        if self.activation not in network.ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(network.ACTIVATIONS)}. Got {self.activation!r}."
            )
        object.__setattr__(self, "weights", _frozen_copy(self.weights))
        object.__setattr__(self, "biases", _frozen_copy(self.biases))
        if len(self.weights) < 2 or len(self.weights) != len(self.biases):
            raise ValueError(
                "weights and biases must hold one array per layer, at least one hidden layer. "
                f"Got {len(self.weights)} weights and {len(self.biases)} biases."
            )
        if self.weights[0].ndim != 2 or self.weights[0].shape[0] < 2:
            raise ValueError(f"the first layer must take at least 2 inputs. Got shape {self.weights[0].shape}.")
        for k, (W, b) in enumerate(zip(self.weights, self.biases)):
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise ValueError(f"layer {k}: weights {W.shape} and biases {b.shape} do not fit.")
            if k and W.shape[0] != self.weights[k - 1].shape[1]:
                raise ValueError(f"layer {k} takes {W.shape[0]} inputs, the layer before gives "
                                 f"{self.weights[k - 1].shape[1]}.")

    def __eq__(self, other):
        if not isinstance(other, MLP):
            return NotImplemented
        return (
            self.activation == other.activation
            and len(self.weights) == len(other.weights)
            and all(a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
                    for a, b in zip(self.weights + self.biases, other.weights + other.biases))
        )


    @property
    def hidden_widths(self):
        """tuple of int: width of each hidden layer."""
        return tuple(W.shape[1] for W in self.weights[:-1])

    @property
    def n_inputs(self):
        """int: number of input features the first layer takes."""
        return int(self.weights[0].shape[0])

    @property
    def n_classes(self):
        """int: 2 for one sigmoid output unit, else the number of output units."""
        width = self.weights[-1].shape[1]
        return 2 if width == 1 else width

    @property
    def rests_at_zero(self):
        """bool: ReLU-like units (relu, leaky_relu) rest at or near 0."""
        return self.activation in ("relu", "leaky_relu")

    @property
    def is_finite(self):
        """bool: whether every parameter is finite."""
        return all(np.all(np.isfinite(a)) for a in self.weights + self.biases)

    def with_input_scaling(self, mean, scale):
        """The same function of raw inputs for a network trained on ``(X - mean) / scale``.

        The scaler is folded into the first layer, ``W' = W / scale`` (per input row) and
        ``b' = b - (mean / scale) @ W``, so unit lines, fields and boundaries stay exact in
        the data's own units.

        Parameters
        ----------
        mean, scale : array-like of shape (n_inputs,)

        Returns
        -------
        MLP
        """
        mean = np.asarray(mean, dtype=float)
        scale = np.asarray(scale, dtype=float)
        if mean.shape != (self.n_inputs,) or scale.shape != (self.n_inputs,):
            raise ValueError(f"mean and scale must have shape ({self.n_inputs},), one value per input. "
                             f"Got {mean.shape} and {scale.shape}.")
        W, b = self.weights[0], self.biases[0]
        first_W = W / scale[:, None]
        first_b = b - (mean / scale) @ W
        return MLP((first_W, *self.weights[1:]), (first_b, *self.biases[1:]), self.activation)

    def logits(self, X):
        """Output logits, ndarray of shape (n,) for two classes, else (n, K)."""
        with np.errstate(all="ignore"):
            return network.predict_logits(self.weights, self.biases, X, self.activation)

    def predict_proba(self, X):
        """Class probabilities, ndarray of shape (n, K)."""
        return _proba_from_logits(self.logits(X), self.n_classes)

    def decision_function(self, X):
        """Class-1 logit, ndarray of shape (n,) (two classes)."""
        return _class1_logit(self.logits(X))

    def class_scores(self, X):
        """Output logits of every class, ndarray of shape (n, K)."""
        return _scores(self.logits(X))

    def class_scores_from_hidden(self, H, layer):
        """Output logits of every class from layer ``layer``'s activations, shape (n, K)."""
        return _scores(self._logits_from_hidden(H, layer))

    def decision_on_grid(self, xs, ys):
        """Class-1 logit on the grid ``(xs[j], ys[i])``, shape (len(ys), len(xs))."""
        if self.weights[-1].shape[1] != 1:
            return super().decision_on_grid(xs, ys)
        with np.errstate(all="ignore"):
            return network.grid_logits(self.weights, self.biases, xs, ys, self.activation)

    def hidden(self, X, layer=-1):
        """Activations of hidden layer ``layer``, ndarray of shape (n, width)."""
        with np.errstate(all="ignore"):
            return network.hidden_activations(self.weights, self.biases, X, self.activation, layer)

    def pre_activation(self, X, layer=0):
        """Pre-activations ``z = a W + b`` of hidden layer ``layer``, shape (n, width)."""
        with np.errstate(all="ignore"):
            return network.pre_activations(self.weights, self.biases, X, self.activation, layer)

    def decision_from_hidden(self, H, layer):
        """Class-1 logit from layer ``layer``'s activations ``H`` (n, d), shape (n,)."""
        return _class1_logit(self._logits_from_hidden(H, layer))

    def proba_from_hidden(self, H, layer):
        """Class probabilities from layer ``layer``'s activations ``H`` (n, d), shape (n, K)."""
        return _proba_from_logits(self._logits_from_hidden(H, layer), self.n_classes)

    def _logits_from_hidden(self, H, layer):
        layer = range(len(self.hidden_widths))[layer]
        act = network.ACTIVATIONS[self.activation][0]
        a = np.asarray(H, dtype=float)
        with np.errstate(all="ignore"):
            for W, b in zip(self.weights[layer + 1 : -1], self.biases[layer + 1 : -1]):
                a = act(a @ W + b)
            out = a @ self.weights[-1] + self.biases[-1]
        return out[:, 0] if out.shape[1] == 1 else out

    def first_layer(self):
        """(W, b): the first layer's weights (n_inputs, m) and biases (m,)."""
        return self.weights[0], self.biases[0]

    def linear_head(self, layer):
        """(W, b) of the output layer when ``layer`` is the last hidden layer, else None."""
        if range(len(self.hidden_widths))[layer] != len(self.hidden_widths) - 1:
            return None
        return self.weights[-1], self.biases[-1]


def _class1_logit(logits):
    """The class-1 logit from one output unit (n,) or two softmax units (n, 2)."""
    if logits.ndim == 1:
        return logits
    if logits.shape[1] == 2:
        return logits[:, 1] - logits[:, 0]
    raise ValueError(f"a class-1 logit needs two classes. Got {logits.shape[1]}.")


def _scores(logits):
    """(n, K) class scores from one output unit's logit (n,) or K softmax logits."""
    if logits.ndim == 1:
        return np.column_stack([np.zeros_like(logits), logits])
    return logits


def _frozen_copy(arrays):
    out = []
    for a in arrays:
        a = np.array(a, dtype=float, copy=True)
        a.setflags(write=False)
        out.append(a)
    return tuple(out)


def _proba_from_logits(logits, n_classes):
    with np.errstate(all="ignore"):
        if n_classes == 2 and logits.ndim == 1:
            p1 = network.sigmoid(logits)
            return np.column_stack([1.0 - p1, p1])
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=1, keepdims=True)


class _ProtocolModel(ModelBase):
    """A user's object that answers the protocol, with the optional members filled in."""

    def __init__(self, model):
        self.model = model
        self.hidden_widths = tuple(int(w) for w in model.hidden_widths)
        self.rests_at_zero = bool(getattr(model, "rests_at_zero", False))

    @property
    def n_classes(self):
        return int(getattr(self.model, "n_classes", 2))

    def predict_proba(self, X):
        return np.asarray(self.model.predict_proba(X), dtype=float)

    def hidden(self, X, layer):
        return np.asarray(self.model.hidden(X, layer), dtype=float)

    def proba_from_hidden(self, H, layer):
        return np.asarray(self.model.proba_from_hidden(H, layer), dtype=float)

    def decision_function(self, X):
        own = getattr(self.model, "decision_function", None)
        return np.asarray(own(X), dtype=float) if own else super().decision_function(X)

    def decision_from_hidden(self, H, layer):
        own = getattr(self.model, "decision_from_hidden", None)
        return np.asarray(own(H, layer), dtype=float) if own else super().decision_from_hidden(H, layer)

    def first_layer(self):
        own = getattr(self.model, "first_layer", None)
        return own() if own else None

    def linear_head(self, layer):
        own = getattr(self.model, "linear_head", None)
        return own(layer) if own else None


def check_probabilities(out):
    """Raise unless ``out`` (n, k) can be probabilities: within [0, 1], rows summing to 1."""
    bad = np.any(out < 0) or np.any(out > 1)
    if out.shape[1] > 1:
        bad = bad or not np.allclose(out.sum(axis=1), 1.0, atol=1e-5)
    if bad:
        raise ValueError(
            "output='proba' but the model returns values that are not probabilities (outside "
            "[0, 1], or rows not summing to 1); use output='logits'."
        )


def as_model(obj):
    """The protocol view of ``obj``: a :class:`ModelBase` with every optional member.

    Parameters
    ----------
    obj : ModelBase or object answering :class:`Model`

    Returns
    -------
    ModelBase

    Raises
    ------
    TypeError
        When ``obj`` answers neither.
    """
    if isinstance(obj, ModelBase):
        return obj
    if isinstance(obj, Model):
        return _ProtocolModel(obj)
    raise TypeError(
        f"model must answer the boundaryviz model protocol (hidden_widths, predict_proba, hidden, "
        f"proba_from_hidden). Got {type(obj).__name__}."
    )
