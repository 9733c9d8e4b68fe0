"""The training loop: one immutable :class:`~boundaryviz.Snapshot` per epoch, gathered in a
:class:`~boundaryviz.History`. Other engines (scikit-learn, PyTorch, Keras) are in
:mod:`boundaryviz.train.engines`.
"""

from __future__ import annotations

import numpy as np

from ..data.dataset import Dataset
from ..models import network
from ..models.optim import OPTIMIZERS
from .config import TrainConfig
from .history import History, Snapshot
from .scoring import snapshot_model, training_inputs

__all__ = ["iter_train", "train"]


def _make_config(config, kwargs):
    if config is not None:
        if kwargs:
            raise TypeError("pass either config or keyword settings, not both.")
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig. Got {type(config).__name__}.")
        return config
    return TrainConfig(**kwargs)


def iter_train(dataset, *, config=None, **settings):
    """Train a network and yield a :class:`Snapshot` before the first and after every epoch.

    Parameters
    ----------
    dataset : Dataset
        The training data.
    config : TrainConfig, optional
        All settings at once; otherwise pass them as keywords.
    **settings
        The fields of :class:`TrainConfig` as keywords, when ``config`` is not given:
        ``activation='relu', learning_rate=0.01, hidden=(2,), optimizer='adam', epochs=200,
        stop_loss=0.263, batch_size=None, seed=0, momentum=0.0, engine='numpy'``.

    Returns
    -------
    generator of Snapshot
        Yields epoch 0 (initial weights), then 1, 2, ... The generator's return value (seen
        by :func:`train`) is the stop reason: ``'stop_loss'``, ``'max_epochs'`` or
        ``'diverged'``.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> [snap.epoch for snap in bv.iter_train(bv.gaussians(), epochs=3)]
    [0, 1, 2, 3]
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a boundaryviz Dataset. Got {type(dataset).__name__}.")
    cfg = _make_config(config, settings)
    if cfg.engine == "numpy":
        return _train_loop(dataset, cfg)
    from .engines import framework_loop

    return framework_loop(dataset, cfg)


def _train_loop(dataset, cfg):
    rng = np.random.default_rng(cfg.seed)
    weights, biases = network.init_params(cfg.sizes(dataset.n_classes, dataset.n_features), rng)
    n_layers = len(weights)
    init, step = OPTIMIZERS[cfg.optimizer]
    params = weights + biases
    state = init(params)
    X, scaler = training_inputs(dataset)
    y = dataset.y
    n = X.shape[0]
    batch = n if cfg.batch_size is None else min(cfg.batch_size, n)

    epoch = 0
    with np.errstate(all="ignore"):
        loss, acc, gw, gb = network.loss_and_gradients(weights, biases, X, y, cfg.activation)
    while True:
        yield Snapshot(epoch, snapshot_model(weights, biases, cfg.activation, scaler), loss, acc)
        if not (np.isfinite(loss) and all(np.all(np.isfinite(p)) for p in params)):
            return "diverged"
        if cfg.stop_loss > 0 and loss < cfg.stop_loss:
            return "stop_loss"
        if epoch >= cfg.epochs:
            return "max_epochs"
        with np.errstate(all="ignore"):
            if batch == n:
                params, state = step(params, gw + gb, state, cfg.learning_rate, cfg.momentum)
            else:
                order = rng.permutation(n)
                for start in range(0, n, batch):
                    idx = order[start : start + batch]
                    w, b = params[:n_layers], params[n_layers:]
                    _, _, gw, gb = network.loss_and_gradients(w, b, X[idx], y[idx], cfg.activation)
                    params, state = step(params, gw + gb, state, cfg.learning_rate, cfg.momentum)
            weights, biases = params[:n_layers], params[n_layers:]
            loss, acc, gw, gb = network.loss_and_gradients(weights, biases, X, y, cfg.activation)
        epoch += 1


def train(dataset, *, config=None, progress=False, **settings):
    """Train a network and return every snapshot as a :class:`History`.

    Parameters
    ----------
    dataset : Dataset
        The training data.
    config : TrainConfig, optional
        All settings at once; otherwise pass them as keywords.
    progress : bool, default=False
        Show a ``tqdm.auto`` progress bar (a widget in Jupyter, text in a terminal).
    **settings
        The fields of :class:`TrainConfig` as keywords, when ``config`` is not given.

    Returns
    -------
    History
        Epoch 0 (initial weights) and every epoch trained, with the data, the settings and
        the stop reason.

    Examples
    --------
    >>> from boundaryviz import gaussians, train
    >>> history = train(gaussians(), activation="tanh", learning_rate=0.1)
    >>> history.stop_reason in ("stop_loss", "max_epochs")
    True
    """
    gen = iter_train(dataset, config=config, **settings)
    cfg = _make_config(config, settings)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=cfg.epochs, desc=f"{cfg.activation} lr={cfg.learning_rate:g}", unit="epoch")
    snapshots = []
    try:
        while True:
            try:
                snapshots.append(next(gen))
            except StopIteration as stop:
                reason = stop.value
                break
            if bar is not None and snapshots[-1].epoch > 0:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return History(tuple(snapshots), dataset, cfg, reason)
