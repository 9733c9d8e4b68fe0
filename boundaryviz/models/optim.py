"""Optimizers as pure functions over parameter tuples.

Each optimizer is an ``(init, step)`` pair: ``init(params)`` returns a state, and
``step(params, grads, state, learning_rate)`` returns new parameters and a new state. The
parameters are one flat tuple of arrays (weights then biases); nothing is changed in place.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["AdamState", "SGDState", "adam_init", "adam_step", "sgd_init", "sgd_step", "OPTIMIZERS"]

BETA1 = 0.9
BETA2 = 0.999
EPSILON = 1e-8


class AdamState(NamedTuple):
    """Adam's moment estimates and step count."""

    m: tuple
    v: tuple
    t: int


class SGDState(NamedTuple):
    """Velocity for SGD with momentum (zeros when momentum is 0)."""

    velocity: tuple


def adam_init(params):
    """Zero moments for ``params`` (tuple of ndarray)."""
    zeros = tuple(np.zeros_like(p) for p in params)
    return AdamState(m=zeros, v=zeros, t=0)


def adam_step(params, grads, state, learning_rate, momentum=None):
    """One Adam step (Kingma & Ba) with the bias correction folded into the step size.

    ``lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)`` and
    ``p -= lr_t * m / (sqrt(v) + eps)``, exactly as scikit-learn's ``AdamOptimizer``.

    Parameters
    ----------
    params, grads : tuple of ndarray
    state : AdamState
    learning_rate : float
    momentum : ignored
        Accepted so every optimizer has the same signature.

    Returns
    -------
    params : tuple of ndarray
    state : AdamState
    """
    t = state.t + 1
    m = tuple(BETA1 * mi + (1 - BETA1) * g for mi, g in zip(state.m, grads))
    v = tuple(BETA2 * vi + (1 - BETA2) * (g * g) for vi, g in zip(state.v, grads))
    lr_t = learning_rate * np.sqrt(1 - BETA2**t) / (1 - BETA1**t)
    new = tuple(p - lr_t * mi / (np.sqrt(vi) + EPSILON) for p, mi, vi in zip(params, m, v))
    return new, AdamState(m=m, v=v, t=t)


def sgd_init(params):
    """Zero velocity for ``params``."""
    return SGDState(velocity=tuple(np.zeros_like(p) for p in params))


def sgd_step(params, grads, state, learning_rate, momentum=0.0):
    """One step of gradient descent with (heavy-ball) momentum.

    ``v = momentum * v - lr * g``; ``p += v``. With ``momentum=0`` this is plain SGD.
    """
    velocity = tuple(momentum * v - learning_rate * g for v, g in zip(state.velocity, grads))
    new = tuple(p + v for p, v in zip(params, velocity))
    return new, SGDState(velocity=velocity)


OPTIMIZERS = {
    "adam": (adam_init, adam_step),
    "sgd": (sgd_init, sgd_step),
}
"""dict: optimizer name → (init, step)."""
