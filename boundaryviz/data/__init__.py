"""Data: the first part of the flow. Everything here returns a :class:`~boundaryviz.Dataset`.

- ``dataset``: the :class:`~boundaryviz.Dataset` type (features, labels, names, scaler,
  mixture) and its array checks;
- ``synthetic``: the generators (gaussians, moons, circles, xor, spiral, blobs), which know
  their mixture;
- ``catalogue``: the named data sets (``--dataset NAME``, :func:`~boundaryviz.make_dataset`);
- ``tables``: the real tables scikit-learn ships (iris, wine) and the CSV reader;
- ``bayes``: the Bayes-optimal reference of a known mixture.
"""
