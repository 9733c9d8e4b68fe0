"""The built-in model: :class:`MLP`, the NumPy network of :mod:`boundaryviz.models.network`,
frozen, answering every member of the model protocol (:mod:`boundaryviz.models.protocol`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import network
from .protocol import ModelBase

__all__ = ["MLP"]


@dataclass(frozen=True, eq=False)
class MLP(ModelBase):
    """The built-in fully connected network, frozen: d inputs → hidden layers → output.

    Parameters
    ----------
    weights : tuple of ndarray of shape (n_in, n_out)
        One weight matrix per layer, from the input side; read-only copies are kept, like
        scikit-learn's ``coefs_``.
    biases : tuple of ndarray of shape (n_out,)
        One bias vector per layer, like ``intercepts_``.
    activation : {'identity', 'leaky_relu', 'relu', 'sigmoid', 'tanh'}, default='relu'
        Activation of every hidden layer. One output unit is a sigmoid (two classes); more
        output units are a softmax over that many classes.

    Examples
    --------
    >>> import numpy as np
    >>> import boundaryviz as bv
    >>> model = bv.MLP((np.eye(2), np.ones((2, 1))), (np.zeros(2), np.zeros(1)), "relu")
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
        """Width of each hidden layer, a tuple of int."""
        return tuple(W.shape[1] for W in self.weights[:-1])

    @property
    def n_inputs(self):
        """Number of input features the first layer takes, an int."""
        return int(self.weights[0].shape[0])

    @property
    def n_classes(self):
        """Number of classes: 2 for one sigmoid output unit, else the number of output units."""
        width = self.weights[-1].shape[1]
        return 2 if width == 1 else width

    @property
    def rests_at_zero(self):
        """Whether the units rest at or near 0 (True for relu and leaky_relu), a bool."""
        return self.activation in ("relu", "leaky_relu")

    @property
    def is_finite(self):
        """Whether every parameter is finite, a bool."""
        return all(np.all(np.isfinite(a)) for a in self.weights + self.biases)

    def with_input_scaling(self, mean, scale):
        """The same function of raw inputs for a network trained on ``(X - mean) / scale``.

        The scaler is folded into the first layer, ``W' = W / scale`` (per input row) and
        ``b' = b - (mean / scale) @ W``, so unit lines, fields and boundaries stay exact in
        the data's own units.

        Parameters
        ----------
        mean : array-like of shape (n_inputs,)
            Mean the inputs were centred by.
        scale : array-like of shape (n_inputs,)
            Scale the centred inputs were divided by.

        Returns
        -------
        MLP
            A new network taking raw inputs; this one is unchanged.
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
        """Output logits at points.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Points.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            One logit per point for one sigmoid output unit, else one per class.
        """
        with np.errstate(all="ignore"):
            return network.predict_logits(self.weights, self.biases, X, self.activation)

    def predict_proba(self, X):
        """Class probabilities at points.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Points.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1.
        """
        return _proba_from_logits(self.logits(X), self.n_classes)

    def decision_function(self, X):
        """Class-1 logit at points (two classes).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Points.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``log p1 - log p0``, computed from the logits without rounding probabilities.
        """
        return _class1_logit(self.logits(X))

    def class_scores(self, X):
        """Output logits of every class at points.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Points.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            For one sigmoid output unit, 0 for class 0 and the logit for class 1.
        """
        return _scores(self.logits(X))

    def class_scores_from_hidden(self, H, layer):
        """Output logits of every class from layer ``layer``'s activations.

        Parameters
        ----------
        H : ndarray of shape (n_samples, width)
            Activations of hidden layer ``layer``.
        layer : int
            Index of the hidden layer, into ``hidden_widths`` (negative from the last).

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            As :meth:`class_scores`, for the network after that layer.
        """
        return _scores(self._logits_from_hidden(H, layer))

    def decision_on_grid(self, xs, ys, *, thresholds=None):
        """Class-1 logit on the grid of points ``(xs[j], ys[i])`` (two features).

        Parameters
        ----------
        xs : array-like of shape (n_x,)
            First coordinates of the grid.
        ys : array-like of shape (n_y,)
            Second coordinates of the grid.
        thresholds : array-like of float, optional
            Logits where the caller's reading of the grid changes (the edges of a field's
            colour bands; 0, the decision boundary, always is one). When given, a network of
            one tanh or sigmoid hidden layer is computed in float32 and only the cells that
            decide the reading again in float64: every cell lies on the same side of each
            threshold and of 0 as without ``thresholds``, and the corners of every grid quad
            the zero line crosses, like every cell near a threshold, hold the very same bits;
            the other cells are within a small bound of them
            (:mod:`boundaryviz.models.float32_grid`). A network of several tanh or sigmoid
            hidden layers too, with the same sides, but the deciding cells hold float64 values
            that may differ from those without ``thresholds`` in the last bits (BLAS sums in
            another order; :mod:`boundaryviz.models.float32_deep`). Other networks ignore it.

        Returns
        -------
        ndarray of shape (n_y, n_x)
            :meth:`decision_function` at each grid point, row ``i`` at ``ys[i]``.
        """
        if self.weights[-1].shape[1] != 1:
            return super().decision_on_grid(xs, ys)
        with np.errstate(all="ignore"):
            if thresholds is not None and len(self.weights) > 2:
                from . import float32_deep  # on the first frame: `import boundaryviz` stays as quick

                return float32_deep.decided_deep_logits(self.weights, self.biases, xs, ys, self.activation, thresholds)
            if thresholds is not None:
                from . import float32_grid

                return float32_grid.decided_grid_logits(self.weights, self.biases, xs, ys, self.activation, thresholds)
            return network.grid_logits(self.weights, self.biases, xs, ys, self.activation)

    def hidden(self, X, layer=-1):
        """Activations of hidden layer ``layer`` at points.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Points.
        layer : int, default=-1
            Index of the hidden layer, into ``hidden_widths`` (negative from the last).

        Returns
        -------
        ndarray of shape (n_samples, width)
            One column per unit of that layer.
        """
        with np.errstate(all="ignore"):
            return network.hidden_activations(self.weights, self.biases, X, self.activation, layer)

    def pre_activation(self, X, layer=0):
        """Pre-activations ``z = a W + b`` of hidden layer ``layer`` at points.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Points.
        layer : int, default=0
            Index of the hidden layer, into ``hidden_widths`` (negative from the last).

        Returns
        -------
        ndarray of shape (n_samples, width)
            One column per unit of that layer, before the activation.
        """
        with np.errstate(all="ignore"):
            return network.pre_activations(self.weights, self.biases, X, self.activation, layer)

    def decision_from_hidden(self, H, layer):
        """Class-1 logit from layer ``layer``'s activations ``H`` (two classes).

        Parameters
        ----------
        H : ndarray of shape (n_samples, width)
            Activations of hidden layer ``layer``.
        layer : int
            Index of the hidden layer, into ``hidden_widths`` (negative from the last).

        Returns
        -------
        ndarray of shape (n_samples,)
            As :meth:`decision_function`, for the network after that layer.
        """
        return _class1_logit(self._logits_from_hidden(H, layer))

    def proba_from_hidden(self, H, layer):
        """Class probabilities from layer ``layer``'s activations ``H``.

        Parameters
        ----------
        H : ndarray of shape (n_samples, width)
            Activations of hidden layer ``layer``.
        layer : int
            Index of the hidden layer, into ``hidden_widths`` (negative from the last).

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            As :meth:`predict_proba`, for the network after that layer.
        """
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
        """The first layer's weights and biases.

        Returns
        -------
        tuple of ndarray
            ``(W, b)``: ``W`` of shape (n_inputs, m) and ``b`` of shape (m,), the unit lines
            ``x @ W[:, k] + b[k] = 0``.
        """
        return self.weights[0], self.biases[0]

    def linear_head(self, layer):
        """The output layer's weights and biases when ``layer`` is the last hidden layer.

        Parameters
        ----------
        layer : int
            Index of the hidden layer, into ``hidden_widths`` (negative from the last).

        Returns
        -------
        tuple of ndarray or None
            ``(W, b)`` of the output layer, ``logits = H @ W + b``; None for an earlier layer,
            where the output is not affine in the activations.
        """
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
