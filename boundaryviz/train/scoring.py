"""What the training loop, the engines and the recorder share: a model → a scored snapshot.

:func:`training_inputs` gives the features training sees (standardised when the data set
asks for it), :func:`snapshot_model` the frozen model of a snapshot in the data's own units,
and :func:`evaluate` its loss and accuracy on the data set.
"""

from __future__ import annotations

import numpy as np

from ..models.mlp import MLP
from ..models.network import loss_from_logits

__all__ = ["training_inputs", "snapshot_model", "evaluate"]


def training_inputs(dataset):
    """The features training sees: standardised when the dataset asks for it.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
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


def evaluate(model, dataset):
    """Mean cross-entropy and accuracy of a protocol model on a dataset.

    The built-in :class:`MLP` is scored from its logits (exact, as in training); any other
    model from its probabilities, each clipped to ``[eps, 1]`` with ``eps`` float64's
    machine epsilon, as scikit-learn's ``log_loss`` does.

    Parameters
    ----------
    model : ModelBase
    dataset : Dataset

    Returns
    -------
    loss : float
    accuracy : float
    """
    X, y = dataset.X, dataset.y.astype(int)
    with np.errstate(all="ignore"):
        if isinstance(model, MLP):
            logits = model.logits(X)
            if logits.ndim == 1:
                return loss_from_logits(logits, y), float(np.mean((logits > 0) == (y == 1)))
            return loss_from_logits(logits, y), float(np.mean(np.argmax(logits, axis=1) == y))
        proba = np.asarray(model.predict_proba(X), dtype=float)
        picked = np.clip(proba[np.arange(len(y)), y], np.finfo(float).eps, 1.0)
        loss = float(-np.mean(np.log(picked)))
        accuracy = float(np.mean(np.argmax(proba, axis=1) == y))
    return loss, accuracy
