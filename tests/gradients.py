"""Central finite differences of the network's loss, shared by the gradient tests."""

import numpy as np

from boundaryviz.models import network


def numerical_gradients(weights, biases, X, y, activation, h=1e-6):
    """Central differences of the mean loss with respect to every weight and bias."""
    params = [p.copy() for p in weights + biases]
    n_w = len(weights)

    def loss():
        return network.loss_and_gradients(tuple(params[:n_w]), tuple(params[n_w:]), X, y, activation)[0]

    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = loss()
            p[idx] = old - h
            down = loss()
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return grads
