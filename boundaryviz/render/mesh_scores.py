"""Class scores over a panel's mesh, computed into arrays kept from frame to frame.

A K-class frame works on arrays as large as the mesh times K (a 200 × 200 mesh of 10 classes
is 3.2 MB); made afresh for every frame, their pages are mapped and zeroed again each time,
which costs more than the arithmetic. A :class:`Scratch` keeps them: the renderer holds one
and hands it to the view functions, and what they return never lives in it.

Pure NumPy; no matplotlib.
"""

from __future__ import annotations

import contextlib

import numpy as np

from ..models import network
from ..models.mlp import MLP

__all__ = ["Scratch", "mesh_class_scores"]


class Scratch:
    """Work arrays by name, made once and reused (their contents are left from the last use).

    Examples
    --------
    >>> scratch = Scratch()
    >>> a = scratch.get("scores", (3, 4))
    >>> scratch.get("scores", (3, 4)) is a
    True
    """

    def __init__(self):
        self._arrays = {}
        self._blas = None  # threadpoolctl's controller, made on first use (False without one)

    def one_blas_thread(self):
        """A context in which BLAS (NumPy's matrix products) runs on one thread.

        A frame's products are small: on more threads they finish no sooner, and the helper
        threads spin on, taking the cores the rest of the frame (and other work) needs. The
        products of a mesh come out the same on any number of threads. A no-op without
        threadpoolctl (3.0 or later; scikit-learn brings it).
        """
        if self._blas is None:
            try:
                from threadpoolctl import ThreadpoolController

                self._blas = ThreadpoolController()
            except (ImportError, RuntimeError):  # pragma: no cover - an old or missing threadpoolctl
                self._blas = False
        if self._blas is False:
            return contextlib.nullcontext()
        return self._blas.limit(limits=1, user_api="blas")

    @classmethod
    def or_new(cls, scratch):
        """``scratch``, or a new Scratch when it is None."""
        return cls() if scratch is None else scratch

    def get(self, name, shape, dtype=float):
        """The array called ``name``, of this shape and dtype (a new one when either differs).

        Parameters
        ----------
        name : str
        shape : tuple of int
        dtype : numpy dtype, default=float

        Returns
        -------
        ndarray
            Uninitialised the first time; afterwards, what was last written into it.
        """
        shape = tuple(shape)
        array = self._arrays.get(name)
        if array is None or array.shape != shape or array.dtype != np.dtype(dtype):
            array = self._arrays[name] = np.empty(shape, dtype)
        return array


# activations that can overwrite their input, with the values of the functions in
# network.ACTIVATIONS
_IN_PLACE = {
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0, out=z),
    "tanh": lambda z: np.tanh(z, out=z),
}


def mesh_class_scores(model, points, scratch=None):
    """Every class's score at ``points``, classes first: ``model.class_scores(points).T``.

    For the built-in :class:`~boundaryviz.MLP` the layers are computed as
    :func:`~boundaryviz.models.network.predict_logits` computes them (the same products and
    sums, so the same numbers), into ``scratch``'s arrays; any other model is asked for
    ``class_scores`` and its answer transposed.

    Parameters
    ----------
    model : Model
        Of K > 2 classes, taking points of shape (n, 2).
    points : ndarray of shape (n, 2)
    scratch : Scratch, optional
        Where the work arrays and the result live; new arrays when omitted.

    Returns
    -------
    ndarray of shape (K, n)
        C-contiguous; one of ``scratch``'s arrays (overwritten by the next call).
    """
    scratch = Scratch.or_new(scratch)
    if not isinstance(model, MLP) or model.weights[-1].shape[1] < 2:
        scores = model.class_scores(points)
        out = scratch.get("scores", scores.shape[::-1])
        np.copyto(out, scores.T)
        return out
    n = len(points)
    a = points
    with np.errstate(all="ignore"), scratch.one_blas_thread():
        for layer, (W, b) in enumerate(zip(model.weights[:-1], model.biases[:-1])):
            z = scratch.get(f"layer {layer}", (n, W.shape[1]))
            np.matmul(a, W, out=z)
            np.add(z, b, out=z)
            in_place = _IN_PLACE.get(model.activation)
            a = in_place(z) if in_place is not None else network.ACTIVATIONS[model.activation][0](z)
        W, b = model.weights[-1], model.biases[-1]
        logits = scratch.get("logits", (n, W.shape[1]))
        np.matmul(a, W, out=logits)
        out = scratch.get("scores", (W.shape[1], n))
        np.add(logits.T, b[:, None], out=out)  # the bias added on the way to classes first
    return out
