"""Models: what a network is, in pure NumPy, and how a model from elsewhere speaks to boundaryviz.

- ``network``: init, forward pass, loss and gradients (pure functions);
- ``optim``: Adam and SGD steps (pure functions);
- ``protocol``: the :class:`~boundaryviz.Model` protocol every renderer talks through and
  :class:`~boundaryviz.ModelBase`, with the checks of a model against the data;
- ``mlp``: the built-in :class:`~boundaryviz.MLP`, the network above, frozen;
- ``from_sklearn``, ``from_torch``, ``from_keras``: adapters from scikit-learn, PyTorch and
  Keras models to the protocol (each imports its framework inside its functions).
"""
