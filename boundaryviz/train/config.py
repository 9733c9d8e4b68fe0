"""The settings of a built-in training run: :class:`TrainConfig`, validated once."""

from __future__ import annotations

from dataclasses import dataclass

from .._validation import ParameterValueError, check_choice, check_hidden, check_int, check_number
from ..models import network
from ..models.optim import OPTIMIZERS

__all__ = ["TrainConfig", "run_label", "MAX_EPOCHS", "ENGINES"]

MAX_EPOCHS = 100_000
ENGINES = ("numpy", "sklearn", "torch", "keras")


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run, validated once.

    Parameters
    ----------
    activation : {'identity', 'leaky_relu', 'relu', 'sigmoid', 'tanh'}, default='relu'
        Activation of every hidden layer. The output is a sigmoid unit for two classes, a
        softmax for more.
    learning_rate : float, default=0.01
        Step size (> 0, at most 10).
    hidden : int or tuple of int, default=(2,)
        Width of each hidden layer.
    optimizer : {'adam', 'sgd'}, default='adam'
        The update rule (see :data:`~boundaryviz.OPTIMIZERS`).
    epochs : int, default=200
        Most epochs to train (1 to 100 000).
    stop_loss : float, default=0.263
        Stop once the training loss falls below this; 0 disables the rule.
    batch_size : int or None, default=None
        Samples per update; ``None`` means full batch.
    seed : int, default=0
        Seeds the initial weights and the mini-batch order.
    momentum : float, default=0.0
        Momentum for ``optimizer='sgd'`` (0 <= momentum < 1); ignored by Adam.
    engine : {'numpy', 'sklearn', 'torch', 'keras'}, default='numpy'
        Which framework trains the network: the same initial weights (Glorot-uniform from the
        seed), optimizer settings and mini-batches in the same order for every engine.
        'torch' needs ``boundaryviz[torch]`` and 'keras' ``boundaryviz[keras]``.

    Raises
    ------
    ParameterValueError
        For a setting out of range or not among the choices, naming it.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> config = bv.TrainConfig(activation="tanh", hidden=(4, 3), learning_rate=0.05)
    >>> config.sizes(n_classes=2)
    (2, 4, 3, 1)
    >>> history = bv.train(bv.gaussians(), config=config)
    """

    activation: str = "relu"
    learning_rate: float = 0.01
    hidden: tuple = (2,)
    optimizer: str = "adam"
    epochs: int = 200
    stop_loss: float = 0.263
    batch_size: int | None = None
    seed: int = 0
    momentum: float = 0.0
    engine: str = "numpy"

    def __post_init__(self):
        check_choice(self.activation, "activation", network.ACTIVATIONS)
        object.__setattr__(
            self, "learning_rate",
            check_number(self.learning_rate, "learning_rate", low=0, high=10, low_open=True),
        )
        object.__setattr__(self, "hidden", check_hidden(self.hidden))
        check_choice(self.optimizer, "optimizer", OPTIMIZERS)
        object.__setattr__(self, "epochs", check_int(self.epochs, "epochs", low=1, high=MAX_EPOCHS))
        object.__setattr__(self, "stop_loss", check_number(self.stop_loss, "stop_loss", low=0))
        if self.batch_size is not None:
            object.__setattr__(
                self, "batch_size", check_int(self.batch_size, "batch_size", low=1)
            )
        object.__setattr__(self, "seed", check_int(self.seed, "seed", low=0, high=2**32 - 1))
        object.__setattr__(
            self, "momentum",
            check_number(self.momentum, "momentum", low=0, high=1, high_open=True),
        )
        check_choice(self.engine, "engine", ENGINES)
        if self.engine == "sklearn" and self.activation == "leaky_relu":
            raise ParameterValueError("activation 'leaky_relu' is not available with engine='sklearn' "
                                      "(scikit-learn has identity, relu, sigmoid and tanh).", "activation")

    def describe(self):
        """The settings, for captions and tables.

        Returns
        -------
        dict
            Every field of the configuration by name.
        """
        return {
            "activation": self.activation, "learning_rate": self.learning_rate, "hidden": self.hidden,
            "optimizer": self.optimizer, "epochs": self.epochs, "stop_loss": self.stop_loss,
            "batch_size": self.batch_size, "seed": self.seed, "momentum": self.momentum,
            "engine": self.engine,
        }

    @property
    def layer_sizes(self):
        """Widths from input to output for two classes and two features, e.g. ``(2, 2, 1)``."""
        return self.sizes(2)

    def sizes(self, n_classes, n_features=2):
        """Widths of the layers from input to output.

        Parameters
        ----------
        n_classes : int
            Number of classes K: one sigmoid output unit for two classes, K softmax units for
            K > 2.
        n_features : int, default=2
            Number of inputs.

        Returns
        -------
        tuple of int
            ``(n_features, *hidden, n_outputs)``.
        """
        return (n_features, *self.hidden, 1 if n_classes == 2 else n_classes)


def run_label(config):
    """str: a run's short name, ``'{activation}_lr{learning_rate:g}'`` (whatever the engine)."""
    return f"{config.activation}_lr{config.learning_rate:g}"
