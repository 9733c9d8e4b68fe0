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

from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Model", "ModelBase", "as_model", "check_probabilities", "whole_number", "width_error"]


@runtime_checkable
class Model(Protocol):
    """What a snapshot's model must answer (a structural type: no base class needed).

    A protocol is never instantiated: any object with the members below is a model, and
    ``isinstance(obj, Model)`` checks the required ones. ``X`` holds points of shape
    (n, n_features), ``H`` the activations of one hidden layer, of shape (n, d) with
    ``d = hidden_widths[layer]``, and ``K >= 2`` is the number of classes.

    Attributes
    ----------
    hidden_widths : tuple of int
        Required. Width of each hidden layer that can be shown, from the input side.
    n_classes : int, optional
        The number of classes K, the columns of ``predict_proba``: needed for K > 2 (2 when
        absent; :meth:`Recorder.snap <boundaryviz.Recorder.snap>` checks it).
    rests_at_zero : bool, optional
        Whether inactive hidden units sit at (or near) 0, as with ReLU: the hidden panel then
        keeps the origin in view. False when absent.

    Methods
    -------
    predict_proba(X)
        Required. Class probabilities at points ``X``, an ndarray of shape (n, K) whose rows
        sum to 1.
    hidden(X, layer)
        Required. Activations of hidden layer ``layer`` (0-based, a valid index into
        ``hidden_widths``) at points ``X``, an ndarray of shape (n, d).
    proba_from_hidden(H, layer)
        Required. Class probabilities, shape (n, K), when hidden layer ``layer`` holds the
        activations ``H``: the rest of the network after that layer.
    decision_function(X)
        Optional. For K = 2, the logit of class 1, ``log p1 - log p0``, shape (n,), computed
        without rounding probabilities (sharper fields far from the boundary).
    decision_from_hidden(H, layer)
        Optional. The same logit from hidden activations, shape (n,).
    first_layer()
        Optional. ``(W, b)`` or None: ``W`` of shape (n_features, m), ``b`` of shape (m,),
        the first layer's units, drawn as the lines ``x @ W[:, k] + b[k] = 0``.
    linear_head(layer)
        Optional. ``(W, b)`` or None: when the output logits are affine in layer ``layer``'s
        activations, ``logits = H @ W + b`` with ``W`` of shape (d, 1) for K = 2 (the class-1
        logit) or (d, K); the hidden panel then draws a straight boundary.

    See Also
    --------
    ModelBase : Fills in the optional members from the required ones.
    MLP : The built-in implementation.

    Notes
    -----
    The optional members are used when present and never guessed when absent: without
    ``first_layer`` no unit lines are drawn, without ``linear_head`` the hidden panel's
    boundary is traced from the field.

    Examples
    --------
    >>> import numpy as np
    >>> import boundaryviz as bv
    >>> class Stump:
    ...     hidden_widths = (1,)
    ...     def hidden(self, X, layer):
    ...         return X[:, :1]
    ...     def proba_from_hidden(self, H, layer):
    ...         p1 = 1 / (1 + np.exp(-H[:, 0]))
    ...         return np.column_stack([1 - p1, p1])
    ...     def predict_proba(self, X):
    ...         return self.proba_from_hidden(self.hidden(X, 0), 0)
    >>> isinstance(Stump(), bv.Model)
    True
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

    See Also
    --------
    Model : The protocol, member by member.

    Examples
    --------
    >>> import numpy as np
    >>> import boundaryviz as bv
    >>> class Stump(bv.ModelBase):
    ...     hidden_widths = (1,)
    ...     n_classes = 2
    ...     def hidden(self, X, layer):
    ...         return X[:, :1]
    ...     def proba_from_hidden(self, H, layer):
    ...         p1 = 1 / (1 + np.exp(-H[:, 0]))
    ...         return np.column_stack([1 - p1, p1])
    ...     def predict_proba(self, X):
    ...         return self.proba_from_hidden(self.hidden(X, 0), 0)
    >>> Stump().decision_function(np.array([[0.5, 0.0]]))
    array([0.5])
    """

    rests_at_zero = False

    @property
    def n_classes(self):
        """Number of classes K, an int.

        2 unless a subclass says otherwise, as for any model without ``n_classes``.
        """
        return 2

    def decision_function(self, X):
        """Class-1 logit at points (two classes only).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Points.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``log p1 - log p0`` from :meth:`predict_proba` (±inf where one is 0).
        """
        return _logit_from_proba(self.predict_proba(X))

    def decision_from_hidden(self, H, layer):
        """Class-1 logit from hidden activations (two classes only).

        Parameters
        ----------
        H : ndarray of shape (n_samples, width)
            Activations of hidden layer ``layer``.
        layer : int
            Index of the hidden layer, into ``hidden_widths``.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``log p1 - log p0`` from ``proba_from_hidden``.
        """
        return _logit_from_proba(self.proba_from_hidden(H, layer))

    def class_scores(self, X):
        """Log-probabilities of every class at points.

        Any per-row constant may be added: only differences between classes count.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Points.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            The log of :meth:`predict_proba`.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def class_scores_from_hidden(self, H, layer):
        """Class scores from hidden activations.

        Parameters
        ----------
        H : ndarray of shape (n_samples, width)
            Activations of hidden layer ``layer``.
        layer : int
            Index of the hidden layer, into ``hidden_widths``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            The log of ``proba_from_hidden``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.proba_from_hidden(H, layer))

    def decision_on_grid(self, xs, ys):
        """Class-1 logit on the grid of points ``(xs[j], ys[i])`` (two features).

        Parameters
        ----------
        xs : array-like of shape (n_x,)
            First coordinates of the grid.
        ys : array-like of shape (n_y,)
            Second coordinates of the grid.

        Returns
        -------
        ndarray of shape (n_y, n_x)
            :meth:`decision_function` at each grid point, row ``i`` at ``ys[i]``.
        """
        xs = np.asarray(xs, dtype=float)
        ys = np.asarray(ys, dtype=float)
        points = np.column_stack([np.tile(xs, len(ys)), np.repeat(ys, len(xs))])
        return self.decision_function(points).reshape(len(ys), len(xs))

    def first_layer(self):
        """No exact first-layer structure is known: None.

        Returns
        -------
        None
            Subclasses that know their first layer return ``(W, b)``.
        """
        return None

    def linear_head(self, layer):
        """The output is not known to be affine in any hidden layer: None.

        Parameters
        ----------
        layer : int
            Index of the hidden layer, into ``hidden_widths``.

        Returns
        -------
        None
            Subclasses that know a linear head return ``(W, b)``.
        """
        return None


class _ProtocolModel(ModelBase):
    """A user's object that answers the protocol, with the optional members filled in."""

    def __init__(self, model):
        self.model = model
        self.hidden_widths = tuple(int(w) for w in model.hidden_widths)
        self.rests_at_zero = bool(getattr(model, "rests_at_zero", False))

    @property
    def n_classes(self):
        said = getattr(self.model, "n_classes", 2)
        whole = whole_number(said)
        return said if whole is None else whole  # anything else: Recorder.snap says what is wrong

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


def whole_number(value):
    """``value`` as an int when it is a whole number (3, ``np.int64(3)``, 3.0, a 0-d array of 3),
    else None (True, "3", 2.7, None).

    Examples
    --------
    >>> whole_number(3.0), whole_number(np.array(3)), whole_number(2.7), whole_number(True)
    (3, 3, None, None)
    """
    if isinstance(value, (bool, np.bool_, str, bytes)) or np.ndim(value) != 0:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def width_error(model_width, feature_names, detail=""):
    """The one error for a model whose input width is not the data's.

    Parameters
    ----------
    model_width : int or None
        How many inputs the model takes, when known.
    feature_names : tuple of str
        The data's features.
    detail : str, optional
        What the model's framework said, when the width is not known.

    Returns
    -------
    ValueError
        "the model takes 3 inputs but the data has 2 features (x1, x2)."
    """
    d = len(feature_names)
    shown = ", ".join(feature_names[:6]) + (f", ... {feature_names[-1]}" if d > 6 else "")
    if model_width is not None:
        return ValueError(f"the model takes {model_width} input{'s' if model_width != 1 else ''} but the data "
                          f"has {d} features ({shown}).")
    return ValueError(f"the model cannot be run on the data's {d} features ({shown}): {detail}")


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
