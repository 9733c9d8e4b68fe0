"""scikit-learn's ``MLPClassifier`` as a frozen :class:`~boundaryviz.MLP` (exact)."""

from __future__ import annotations

import numpy as np

from .mlp import MLP

__all__ = ["is_mlp_classifier", "mlp_from_sklearn", "SKLEARN_ACTIVATIONS"]

SKLEARN_ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
"""dict: MLPClassifier activation → boundaryviz activation (the same functions)."""


def is_mlp_classifier(obj):
    """bool: whether ``obj`` is a scikit-learn ``MLPClassifier`` (imports scikit-learn)."""
    from sklearn.neural_network import MLPClassifier

    return isinstance(obj, MLPClassifier)


def mlp_from_sklearn(clf):
    """Copy a fitted ``MLPClassifier``'s parameters into an :class:`MLP`.

    ``coefs_`` and ``intercepts_`` are the same arrays as the built-in network's weights and
    biases, and the activations are the same functions, so the model is the same function.

    Parameters
    ----------
    clf : sklearn.neural_network.MLPClassifier
        Fitted (``partial_fit`` or ``fit``), any number of inputs.

    Returns
    -------
    MLP
    """
    if not hasattr(clf, "coefs_"):
        raise ValueError("the MLPClassifier is not fitted yet: call partial_fit or fit before snap.")
    if clf.activation not in SKLEARN_ACTIVATIONS:
        raise ValueError(f"MLPClassifier activation {clf.activation!r} is not one of {sorted(SKLEARN_ACTIVATIONS)}.")
    return MLP(tuple(np.array(w, dtype=float) for w in clf.coefs_),
               tuple(np.array(b, dtype=float) for b in clf.intercepts_),
               SKLEARN_ACTIVATIONS[clf.activation])
