"""PyTorch models as frozen protocol models.

An ``nn.Sequential`` of ``Linear`` layers and ReLU / Tanh / Sigmoid / LeakyReLU / Identity
modules is converted exactly into the built-in :class:`~boundaryviz.MLP`. Any other
``nn.Module`` is evaluated through its own ``forward`` on a frozen copy of its parameters;
the hidden layer is the output of a submodule the user names, captured with a forward hook.

PyTorch is imported only by the functions here, when a recorder meets a torch model.
"""

from __future__ import annotations

import copy
import sys

import numpy as np

from .._extras import require
from .mlp import MLP
from .protocol import ModelBase, check_probabilities, width_error

__all__ = ["is_torch_module", "mlp_from_sequential", "TorchModel", "torch_model"]

_ACTIVATIONS = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Identity": "identity"}
_LEAKY_SLOPE = 0.01


def is_torch_module(obj):
    """bool: whether ``obj`` is a ``torch.nn.Module`` (never imports PyTorch)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


def mlp_from_sequential(seq):
    """The exact :class:`MLP` of an ``nn.Sequential``, or None when it is not of that form.

    The form is ``Linear(d, h1), act, Linear(h1, h2), act, ..., Linear(h, k)``, every hidden
    activation the same one of ReLU, Tanh, Sigmoid, LeakyReLU (slope 0.01) or Identity, and
    optionally a final Sigmoid (k = 1) or Softmax / LogSoftmax (k >= 2) on the output.
    A final ``Linear(h, 1)`` gives the logit of class 1.

    Parameters
    ----------
    seq : torch.nn.Sequential

    Returns
    -------
    MLP or None
    """
    torch = require("torch")
    nn = torch.nn
    if not isinstance(seq, nn.Sequential):
        return None
    modules = list(seq)
    final = None
    if modules and type(modules[-1]).__name__ in ("Sigmoid", "Softmax", "LogSoftmax"):
        final = modules[-1]
        modules = modules[:-1]
    weights, biases, activations = [], [], []
    expect_linear = True
    for module in modules:
        if expect_linear:
            if type(module) is not nn.Linear or module.bias is None:
                return None
            weights.append(module.weight.detach().cpu().double().numpy().T.copy())
            biases.append(module.bias.detach().cpu().double().numpy().copy())
        else:
            name = type(module).__name__
            if name == "LeakyReLU" and module.negative_slope == _LEAKY_SLOPE:
                activations.append("leaky_relu")
            elif name in _ACTIVATIONS and type(module).__module__.startswith("torch.nn"):
                activations.append(_ACTIVATIONS[name])
            else:
                return None
        expect_linear = not expect_linear
    if expect_linear or len(weights) < 2 or len(set(activations)) != 1 or weights[0].shape[0] < 2:
        return None
    k = weights[-1].shape[1]
    if final is not None:
        # a sigmoid on one unit is the probability of class 1; a softmax over the units of a
        # row is a distribution over K classes; anything else is another model
        if type(final).__name__ == "Sigmoid" and k != 1:
            return None
        if type(final).__name__ != "Sigmoid" and (k < 2 or final.dim not in (1, -1)):
            return None
    return MLP(tuple(weights), tuple(biases), activations[0])


class TorchModel(ModelBase):
    """Any ``nn.Module`` from d inputs to class scores, frozen and evaluated by PyTorch.

    Parameters
    ----------
    module : torch.nn.Module
        Copied (with a copy of its ``state_dict``), put in eval mode; the original is left
        as found.
    hidden : str
        Name of the submodule (as in ``module.named_modules()``) whose output is the hidden
        layer to show, shape (n, d). The part of ``forward`` after it must depend on the input
        only through it (no skip connections around it).
    output : {'logits', 'proba'}
        What ``forward`` returns: logits (n, 1) or (n,) for the class-1 logit, or (n, K) for K
        classes; or probabilities in the same shapes.
    feature_names : tuple of str, default=("x1", "x2")
        The data's features: the module is probed with that many inputs.
    """

    def __init__(self, module, hidden, output="logits", feature_names=("x1", "x2")):
        torch = require("torch")
        self._torch = torch
        frozen = copy.deepcopy(module)
        frozen.load_state_dict({k: v.detach().clone() for k, v in module.state_dict().items()})
        frozen.eval()
        for sub in frozen.modules():  # the user's own hooks stay on the user's module
            sub._forward_hooks.clear()
            sub._forward_pre_hooks.clear()
            sub._backward_hooks.clear()
        for p in frozen.parameters():
            p.requires_grad_(False)
        modules = dict(frozen.named_modules())
        if hidden not in modules or hidden == "":
            names = [n for n in modules if n]
            raise ValueError(f"layer must name a submodule of the model: one of {names}. Got {hidden!r}.")
        self.module = frozen
        self.hidden_name = hidden
        self._hidden_module = modules[hidden]
        self.output = output
        params = list(frozen.parameters())
        self._dtype = params[0].dtype if params else torch.float64
        self.n_inputs = len(feature_names)
        try:
            probe = self._run(np.random.default_rng(0).normal(scale=3.0, size=(16, self.n_inputs)), count=True)
        except RuntimeError as exc:  # e.g. "mat1 and mat2 shapes cannot be multiplied"
            raise width_error(_first_linear_width(frozen), tuple(feature_names), str(exc).splitlines()[0]) from exc
        if probe[2] != 1:
            raise ValueError(
                f"layer {hidden!r} runs {probe[2]} times in one forward pass; name a submodule "
                "that runs once, whose output is the hidden layer."
            )
        self.hidden_widths = (int(probe[1].shape[1]),)
        self._n_out = int(probe[0].shape[1])
        if output == "proba":
            check_probabilities(probe[0])

    @property
    def n_classes(self):
        return 2 if self._n_out == 1 else self._n_out

    def _run(self, X, replace=None, count=False):
        """Forward pass: (scores (n, k), hidden (n, d)), the hidden output replaced if given;
        with ``count``, also how many times the hidden submodule ran."""
        torch = self._torch
        seen = {"calls": 0}

        def hook(module, inputs, output):
            seen["calls"] += 1
            if replace is not None:
                return torch.as_tensor(replace, dtype=output.dtype)
            seen["h"] = output
            return None

        handle = self._hidden_module.register_forward_hook(hook)
        # A few thousand points through a small network: one thread is quicker than several
        # (no hand-offs), and cannot be starved when other processes share the cores. The
        # user's setting comes back afterwards.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with torch.no_grad():
                out = self.module(torch.as_tensor(np.array(X, dtype=float), dtype=self._dtype))
        finally:
            handle.remove()
            torch.set_num_threads(threads)
        out = out.double().numpy()
        out = out.reshape(len(out), -1)
        h = seen.get("h")
        h = None if h is None else h.double().numpy().reshape(len(out), -1)
        return (out, h, seen["calls"]) if count else (out, h)

    def _proba(self, out):
        if out.shape[1] == 1:
            if self.output == "logits":
                from .network import sigmoid

                p1 = sigmoid(out[:, 0])
            else:
                p1 = out[:, 0]
            return np.column_stack([1.0 - p1, p1])
        if self.output == "logits":
            e = np.exp(out - out.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return out

    def _logit(self, out):
        if out.shape[1] == 1 and self.output == "logits":
            return out[:, 0]
        return None

    def predict_proba(self, X):
        return self._proba(self._run(X)[0])

    def decision_function(self, X):
        out = self._run(X)[0]
        logit = self._logit(out)
        return super().decision_function(X) if logit is None else logit

    def hidden(self, X, layer=0):
        return self._run(X)[1]

    def proba_from_hidden(self, H, layer=0):
        return self._proba(self._run(np.zeros((len(H), self.n_inputs)), replace=H)[0])

    def decision_from_hidden(self, H, layer=0):
        out = self._run(np.zeros((len(H), self.n_inputs)), replace=H)[0]
        logit = self._logit(out)
        return super().decision_from_hidden(H, layer) if logit is None else logit


def _first_linear_width(module):
    """in_features of the module's first Linear layer (in registration order), or None."""
    torch = require("torch")
    for sub in module.modules():
        if isinstance(sub, torch.nn.Linear):
            return int(sub.in_features)
    return None


def input_width(module):
    """How many inputs an ``nn.Sequential`` whose first module is ``Linear`` takes, or None."""
    torch = require("torch")
    if isinstance(module, torch.nn.Sequential) and len(module) and isinstance(module[0], torch.nn.Linear):
        return int(module[0].in_features)
    return None


def torch_model(module, layer=-1, output="auto", feature_names=("x1", "x2")):
    """A frozen protocol model of a PyTorch module.

    Parameters
    ----------
    module : torch.nn.Module
    layer : int or str
        For an exact ``nn.Sequential`` (:func:`mlp_from_sequential`), the hidden layer index
        is chosen at drawing time and this is unused; any other module needs the name of the
        submodule whose output is the hidden layer.
    output : {'auto', 'logits', 'proba'}
        What a module that is not converted exactly returns. 'auto' means 'logits', as
        PyTorch's losses take them (``BCEWithLogitsLoss``, ``CrossEntropyLoss``): a module
        whose ``forward`` ends in a sigmoid or softmax needs ``output='proba'``.
    feature_names : tuple of str, default=("x1", "x2")
        The data's features: the module must take that many inputs.

    Returns
    -------
    MLP or TorchModel

    Raises
    ------
    ValueError
        When the module does not take as many inputs as the data has features.
    """
    width = input_width(module)
    if width is not None and width != len(feature_names):
        raise width_error(width, tuple(feature_names))
    exact = mlp_from_sequential(module)
    if exact is not None:
        return exact
    if not isinstance(layer, str):
        names = [n for n, _ in module.named_modules() if n]
        raise TypeError(
            f"this {type(module).__name__} is not an nn.Sequential of Linear layers and activations, "
            f"so name the submodule whose output is the hidden layer: Recorder(..., layer=NAME), "
            f"NAME one of {names}. Got layer={layer!r}."
        )
    return TorchModel(module, layer, "logits" if output == "auto" else output, feature_names)
