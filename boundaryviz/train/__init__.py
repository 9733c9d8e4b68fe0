"""Training: a :class:`~boundaryviz.Snapshot` every epoch, gathered in a :class:`~boundaryviz.History`.

- ``config``: :class:`~boundaryviz.TrainConfig`, every training setting, checked once;
- ``history``: :class:`~boundaryviz.Snapshot` and :class:`~boundaryviz.History`;
- ``scoring``: what the loop, the engines and the recorder share: a model → a scored snapshot;
- ``loop``: :func:`~boundaryviz.train` and :func:`~boundaryviz.iter_train` (the NumPy engine);
- ``engines``: the same run trained by scikit-learn, PyTorch or Keras;
- ``recorder``: :class:`~boundaryviz.Recorder`, snapshots of a loop you wrote yourself.
"""
