"""Models: what a network is, in pure NumPy, and how a model from elsewhere speaks to boundaryviz.

- ``network``: init, forward pass, loss and gradients (pure functions);
- ``float32_grid``: a one-hidden-layer network's grid of logits in float32 with a rigorous
  error bound, exact (float64, to the bit) at the cells that decide colour bands and the
  zero line (pure functions);
- ``float32_deep``: the same for several tanh or sigmoid hidden layers, float64 at the
  deciding cells up to the order of BLAS's sums, on the float64 grid's side of every band
  edge and 0 (pure functions);
- ``optim``: Adam and SGD steps (pure functions);
- ``protocol``: the :class:`~boundaryviz.Model` protocol every renderer talks through and
  :class:`~boundaryviz.ModelBase`, with the checks of a model against the data;
- ``mlp``: the built-in :class:`~boundaryviz.MLP`, the network above, frozen;
- ``from_sklearn``, ``from_torch``, ``from_keras``: adapters from scikit-learn, PyTorch and
  Keras models to the protocol (each imports its framework inside its functions).
"""
