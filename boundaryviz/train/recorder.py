"""Record a training loop you wrote yourself: a snapshot of your model after every epoch.

The :class:`Recorder` turns scikit-learn, PyTorch and Keras models (and any object that
answers the model protocol) into frozen protocol models, scores each on the dataset the same
way, and gathers them into a :class:`~boundaryviz.History` that every drawing and
writing function accepts.
"""

from __future__ import annotations

import copy

import numpy as np

from .._validation import ParameterTypeError, ParameterValueError, check_choice
from ..data.dataset import Dataset
from ..models.mlp import MLP
from ..models.protocol import Model, ModelBase, _ProtocolModel, as_model, whole_number, width_error
from .history import History, Snapshot
from .scoring import evaluate

__all__ = ["Recorder", "freeze_model"]

OUTPUTS = ("auto", "logits", "proba")


def freeze_model(model, layer=-1, output="auto", feature_names=("x1", "x2")):
    """A frozen protocol model of ``model``: copies of its parameters, never views.

    Parameters
    ----------
    model : MLPClassifier, torch.nn.Module, keras.Model, or an object answering the protocol
    layer : int or str, default=-1
        A name of the submodule / layer whose output is the hidden layer, for framework models
        that are not converted exactly.
    output : {'auto', 'logits', 'proba'}, default='auto'
        What a framework model's forward pass returns (see :class:`Recorder`).
    feature_names : tuple of str, default=("x1", "x2")
        The data's features: the model must take that many inputs.

    Returns
    -------
    ModelBase

    Raises
    ------
    TypeError
        For a model it cannot read, saying what it accepts.
    ValueError
        For a model that does not take as many inputs as the data has features, saying both.
    """
    frozen = _freeze(model, layer, output, tuple(feature_names))
    _check_width(frozen, tuple(feature_names))
    return frozen


def _freeze(model, layer, output, feature_names):
    from ..models.from_keras import is_keras_model
    from ..models.from_torch import is_torch_module

    if isinstance(model, ModelBase):
        return model if isinstance(model, MLP) else copy.deepcopy(model)
    if is_torch_module(model):
        from ..models.from_torch import torch_model

        return torch_model(model, layer, output, feature_names)
    if is_keras_model(model):
        from ..models.from_keras import keras_model

        return keras_model(model, layer, output, feature_names)
    if type(model).__name__ == "MLPClassifier":
        from ..models.from_sklearn import is_mlp_classifier, mlp_from_sklearn

        if is_mlp_classifier(model):
            return mlp_from_sklearn(model)
    if isinstance(model, Model):
        return as_model(copy.deepcopy(model))
    raise TypeError(
        "model must be a scikit-learn MLPClassifier, a PyTorch nn.Module, a Keras model, or an "
        "object answering the boundaryviz model protocol (hidden_widths, predict_proba, hidden, "
        f"proba_from_hidden). Got {type(model).__name__}."
    )


def _check_width(frozen, feature_names):
    """Raise the one width error unless the frozen model takes the data's features."""
    width = getattr(frozen, "n_inputs", None)
    if width is not None:
        if width != len(feature_names):
            raise width_error(width, feature_names)
        return
    try:  # a model of your own: does it answer at the data's width?
        out = np.asarray(frozen.predict_proba(np.zeros((1, len(feature_names)))), dtype=float)
    except Exception as exc:  # whatever the model raises, say what was asked
        raise width_error(None, feature_names, f"{type(exc).__name__}: {exc}") from exc
    if out.ndim != 2 or out.shape[0] != 1:
        raise width_error(None, feature_names, f"predict_proba gave shape {out.shape} for one point.")


def _check_classes(frozen, dataset):
    """A model must give one probability per class of the data (its loss and accuracy would be
    meaningless, or fail on a class it lacks), and say so in ``n_classes``, which the renderer
    reads."""
    data_k = dataset.n_classes
    columns = np.shape(frozen.predict_proba(dataset.X[:1]))[-1]
    if columns != data_k:
        width = frozen.weights[-1].shape[1] if isinstance(frozen, MLP) else None
        outputs = (f"{columns} class probabilities" if width is None
                   else f"{width} output{'s' * (width > 1)} ({columns} classes)")
        raise ParameterValueError(
            f"model gives {outputs} but the dataset {dataset.name!r} has {data_k} classes "
            f"({', '.join(map(str, dataset.class_names))}): give it one output per class "
            f"(or one sigmoid output for two classes).", "model")
    said = frozen.n_classes
    whole = whole_number(said)
    if whole is None or whole != columns:
        missing = isinstance(frozen, _ProtocolModel) and not hasattr(frozen.model, "n_classes")
        raise (ParameterValueError if whole is not None else ParameterTypeError)(
            f"model.n_classes must be the number of classes its predict_proba gives ({columns}), a whole "
            f"number. Got {said!r}{' (2 when missing)' if missing else ''}.", "model")


class Recorder:
    """Snapshots of your own model, one per epoch, gathered into a History.

    Parameters
    ----------
    dataset : Dataset
        The data the model trains on: loss and accuracy are computed on it by boundaryviz,
        the same way for every framework, so curves compare.
    label : str, optional
        Run name for captions and file names; by default the model's kind, e.g. ``'torch'``.
    layer : int or str, default=-1
        Which hidden layer to show. For models converted exactly (scikit-learn
        ``MLPClassifier``, a PyTorch ``nn.Sequential`` of ``Linear`` layers and activations, a
        Keras ``Sequential`` of ``Dense`` layers, the built-in network), the index of a hidden
        layer (0-based, negative from the last): the history's ``default_layer``, which
        ``Renderer``, ``save_animation`` and ``plot_panel`` draw unless told otherwise. Any
        other PyTorch or Keras model needs the name of the submodule / layer whose output is
        the hidden layer.
    output : {'auto', 'logits', 'proba'}, default='auto'
        What a framework model returns, for models evaluated by their own forward pass:
        'auto' reads a final Sigmoid / Softmax as probabilities, anything else as logits.

    Examples
    --------
    >>> import torch  # doctest: +SKIP
    >>> import boundaryviz as bv
    >>> data = bv.gaussians()
    >>> model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))  # doctest: +SKIP
    >>> recorder = bv.Recorder(data)
    >>> recorder.snap(model)  # epoch 0: the initial weights  # doctest: +SKIP
    >>> # ... after each epoch of your training loop: recorder.snap(model)
    >>> bv.save_animation(recorder.history, "mine.gif")  # doctest: +SKIP
    """

    def __init__(self, dataset, *, label=None, layer=-1, output="auto"):
        if not isinstance(dataset, Dataset):
            raise TypeError(f"dataset must be a boundaryviz Dataset. Got {type(dataset).__name__}.")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            raise ValueError(f"label must be a non-empty string. Got {label!r}.")
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer, str)):
            raise TypeError(f"layer must be a hidden layer index or a layer name. Got {layer!r}.")
        check_choice(output, "output", OUTPUTS)
        self.dataset = dataset
        self.label = label
        self.layer = layer if isinstance(layer, str) else int(layer)
        self.output = output
        self._snapshots = []
        self._kind = None

    @property
    def n_snapshots(self):
        """Number of snapshots taken so far, an int."""
        return len(self._snapshots)

    def snap(self, model):
        """Copy ``model``'s parameters as the next epoch's snapshot (the first call is epoch 0).

        Parameters
        ----------
        model : MLPClassifier, torch.nn.Module, keras.Model, or an object answering the protocol
            The model as it stands now; its parameters are copied, never viewed.

        Returns
        -------
        Snapshot
            The frozen model with its loss and accuracy on the recorder's dataset.
        """
        frozen = freeze_model(model, self.layer, self.output, self.dataset.feature_names)
        _check_classes(frozen, self.dataset)
        if self._snapshots and frozen.hidden_widths != self._snapshots[0].model.hidden_widths:
            raise ValueError(
                f"the model's hidden widths changed from {self._snapshots[0].model.hidden_widths} "
                f"to {frozen.hidden_widths} between snapshots."
            )
        if isinstance(self.layer, int) and not -len(frozen.hidden_widths) <= self.layer < len(frozen.hidden_widths):
            raise ValueError(
                f"layer must be a hidden layer index from {-len(frozen.hidden_widths)} to "
                f"{len(frozen.hidden_widths) - 1}. Got {self.layer}."
            )
        if self._kind is None:
            self._kind = _kind(model, frozen)
        loss, accuracy = evaluate(frozen, self.dataset)
        snapshot = Snapshot(len(self._snapshots), frozen, loss, accuracy)
        self._snapshots.append(snapshot)
        return snapshot

    def keras_callback(self):
        """A Keras callback that snaps at the start of training and after every epoch.

        Returns
        -------
        keras.callbacks.Callback
            Pass it to ``model.fit(..., callbacks=[...])``.

        Examples
        --------
        >>> model.fit(X, y, epochs=100, callbacks=[recorder.keras_callback()])  # doctest: +SKIP
        """
        from ..models.from_keras import snapshot_callback

        return snapshot_callback(self)

    @property
    def history(self):
        """History: every snapshot so far (at least one), for every drawing function."""
        if not self._snapshots:
            raise ValueError("the recorder has no snapshot yet: call recorder.snap(model) first.")
        settings = {"engine": self._kind[0], "model": self._kind[1]}
        if isinstance(self.layer, int):
            settings["layer"] = self.layer
        label = self.label or self._kind[0]
        diverged = not self._snapshots[-1].is_finite
        return History(tuple(self._snapshots), self.dataset, None,
                       "diverged" if diverged else "max_epochs", label=label, settings=settings)


def _kind(model, frozen):
    """(framework, description) of a model, for labels and tables."""
    from ..models.from_keras import is_keras_model
    from ..models.from_torch import is_torch_module

    if is_torch_module(model):
        framework = "torch"
    elif is_keras_model(model):
        framework = "keras"
    elif type(model).__module__.startswith("sklearn"):
        framework = "sklearn"
    else:
        framework = "numpy" if isinstance(model, MLP) else "custom"
    how = "exact" if isinstance(frozen, MLP) else "evaluated by its own forward pass"
    return framework, f"{type(model).__name__} ({how})"
