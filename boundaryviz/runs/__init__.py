"""Many runs: settings → trained history → files, in parallel or on a cluster.

- ``run``: :class:`~boundaryviz.RunSpec`, :class:`~boundaryviz.RunResult` and ``run_one``;
- ``grid``: grids of settings (:func:`~boundaryviz.grid_specs`), their names and facets, the
  reference grid;
- ``sweep``: :func:`~boundaryviz.reference_specs` and :func:`~boundaryviz.run_sweep`;
- ``cluster``: the runs on a Dask cluster (imported only when a scheduler is given).
"""
