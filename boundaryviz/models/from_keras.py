"""Keras 3 models as frozen protocol models.

A ``Sequential`` of ``Dense`` layers (every hidden layer the same activation: relu, tanh,
sigmoid or linear; the output linear, sigmoid or softmax) is converted exactly into the
built-in :class:`~boundaryviz.MLP`. Any other model is cloned with copied weights and
evaluated by Keras itself; the hidden layer is the output of a layer the user names.

Keras is imported only here, when a recorder meets a Keras model.
"""

from __future__ import annotations

import sys

import numpy as np

from .._extras import require
from .mlp import MLP
from .protocol import ModelBase, check_probabilities, width_error

__all__ = ["is_keras_model", "mlp_from_keras", "KerasModel", "keras_model", "snapshot_callback"]

_HIDDEN = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "identity"}


def is_keras_model(obj):
    """bool: whether ``obj`` is a Keras model (never imports Keras)."""
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(obj, keras.Model)


def _activation_name(layer):
    return getattr(layer.activation, "__name__", str(layer.activation))


def mlp_from_keras(model):
    """The exact :class:`MLP` of a Keras ``Sequential`` of ``Dense`` layers, or None.

    Parameters
    ----------
    model : keras.Sequential

    Returns
    -------
    MLP or None
    """
    keras = require("keras")
    if not isinstance(model, keras.Sequential):
        return None
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if len(layers) < 2 or not all(type(layer) is keras.layers.Dense and layer.use_bias for layer in layers):
        return None
    hidden = {_activation_name(layer) for layer in layers[:-1]}
    if len(hidden) != 1 or next(iter(hidden)) not in _HIDDEN:
        return None
    out = _activation_name(layers[-1])
    units = layers[-1].units
    if not (out == "linear" or (out == "sigmoid" and units == 1) or (out == "softmax" and units >= 2)):
        return None
    weights, biases = [], []
    for layer in layers:
        kernel, bias = layer.get_weights()
        weights.append(np.array(kernel, dtype=float))
        biases.append(np.array(bias, dtype=float))
    if weights[0].shape[0] < 2:
        return None
    return MLP(tuple(weights), tuple(biases), _HIDDEN[next(iter(hidden))])


class KerasModel(ModelBase):
    """Any Keras model from d inputs to class scores, with copied weights, run by Keras.

    Parameters
    ----------
    model : keras.Model
        Cloned (``keras.models.clone_model``) and given a copy of its weights.
    hidden : str
        Name of the layer whose output is the hidden layer to show. For a ``Sequential``
        the rest of the network is the layers after it; for a functional model, the part of
        the graph from that layer's output to the model's output.
    output : {'logits', 'proba'}
    feature_names : tuple of str, default=("x1", "x2")
        The data's features: the model is probed with that many inputs.
    """

    def __init__(self, model, hidden, output="proba", feature_names=("x1", "x2")):
        keras = require("keras")
        try:
            graph = bool(model.inputs)
        except AttributeError:  # a subclassed model has no graph to cut
            graph = False
        if not graph:
            raise TypeError(
                f"a subclassed Keras model ({type(model).__name__}) cannot be cut at a layer: "
                "use a Sequential or functional model, or an object answering the boundaryviz "
                "model protocol."
            )
        clone = keras.models.clone_model(model)
        clone.set_weights([np.array(w) for w in model.get_weights()])
        names = [layer.name for layer in clone.layers]
        if hidden not in names:
            raise ValueError(f"layer must name a layer of the model: one of {names}. Got {hidden!r}.")
        self.model = clone
        self.output = output
        target = clone.get_layer(hidden)
        inputs = clone.inputs[0] if len(clone.inputs) == 1 else clone.inputs
        self._to_hidden = keras.Model(inputs, target.output)
        if isinstance(clone, keras.Sequential):
            index = clone.layers.index(target)
            rest = clone.layers[index + 1 :]

            def head(h):
                for layer in rest:
                    h = layer(h)
                return h

            self._head = head
        else:
            try:
                self._head = keras.Model(target.output, clone.output)
            except Exception as exc:  # Keras says why the graph cannot be cut there
                raise ValueError(f"cannot evaluate the model from layer {hidden!r} on: {exc}") from exc
        d = self.n_inputs = len(feature_names)
        try:
            probe = np.asarray(self._to_hidden(np.zeros((1, d), dtype="float32")))
        except Exception as exc:  # Keras says why the inputs do not fit
            raise width_error(input_width(model), tuple(feature_names), str(exc).splitlines()[0]) from exc
        self.hidden_widths = (int(probe.reshape(1, -1).shape[1]),)
        out = self._scores(clone(np.random.default_rng(0).normal(size=(8, d)).astype("float32")))
        self._n_out = int(out.shape[1])
        if output == "proba":
            check_probabilities(out)

    @property
    def n_classes(self):
        return 2 if self._n_out == 1 else self._n_out

    def _scores(self, out):
        out = np.asarray(out, dtype=float)
        return out.reshape(len(out), -1)

    def _proba(self, out):
        if out.shape[1] == 1:
            p1 = out[:, 0]
            if self.output == "logits":
                from .network import sigmoid

                p1 = sigmoid(p1)
            return np.column_stack([1.0 - p1, p1])
        if self.output == "logits":
            e = np.exp(out - out.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return out

    def _predict(self, fn, X):
        return self._scores(fn(np.asarray(X, dtype="float32")))

    def predict_proba(self, X):
        return self._proba(self._predict(self.model, X))

    def hidden(self, X, layer=0):
        return self._predict(self._to_hidden, X)

    def proba_from_hidden(self, H, layer=0):
        return self._proba(self._predict(self._head, H))


def input_width(model):
    """How many inputs a Keras model takes, when its input shape is known, else None."""
    try:
        width = model.inputs[0].shape[-1]
    except (AttributeError, IndexError, TypeError, ValueError):
        width = None
    if width is None:
        first = next((layer for layer in getattr(model, "layers", []) if getattr(layer, "kernel", None) is not None), None)
        width = None if first is None else first.kernel.shape[0]
    return None if width is None else int(width)


def keras_model(model, layer=-1, output="auto", feature_names=("x1", "x2")):
    """A frozen protocol model of a Keras model: exact :class:`MLP` or :class:`KerasModel`.

    Raises
    ------
    ValueError
        When the model does not take as many inputs as the data has features.
    """
    width = input_width(model)
    if width is not None and width != len(feature_names):
        raise width_error(width, tuple(feature_names))
    exact = mlp_from_keras(model)
    if exact is not None:
        return exact
    if not isinstance(layer, str):
        names = [lay.name for lay in model.layers]
        raise TypeError(
            f"this {type(model).__name__} is not a Sequential of Dense layers, so name the layer "
            f"whose output is the hidden layer: Recorder(..., layer=NAME), NAME one of {names}. "
            f"Got layer={layer!r}."
        )
    if output == "auto":
        output = "proba" if _ends_in_probabilities(model) else "logits"
    return KerasModel(model, layer, output, feature_names)


def _ends_in_probabilities(model):
    """Whether the model's last layer applies a sigmoid or softmax (by type or activation)."""
    keras = require("keras")
    last = model.layers[-1]
    if isinstance(last, keras.layers.Softmax):
        return True
    return hasattr(last, "activation") and _activation_name(last) in ("sigmoid", "softmax")


def snapshot_callback(recorder):
    """A ``keras.callbacks.Callback`` that snaps ``recorder`` at the start of training and
    after every epoch; it changes nothing in the training."""
    keras = require("keras")

    class BoundaryvizCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            if recorder.n_snapshots == 0:
                recorder.snap(self.model)

        def on_epoch_end(self, epoch, logs=None):
            recorder.snap(self.model)

    return BoundaryvizCallback()
