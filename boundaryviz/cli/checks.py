"""Checks of the view flags against the data sets, before any run starts: a bad ``--view`` or
``--anchor`` is one line and exit status 2 (a :class:`~boundaryviz.cli.parser.UsageError`), not
a failed run."""

from __future__ import annotations

from .parser import UsageError

__all__ = ["check_view", "check_anchor"]


def check_view(view, datasets):
    """A slice must name two features of every data set, and LDA must find a direction in each."""
    if view == "lda":
        from ..render.plane import lda_plane

        for data in datasets:
            try:
                lda_plane(data.X, data.y, data.feature_names)
            except ValueError as exc:
                reason = (str(exc).removeprefix("view='lda' ").replace("view='pca'", "--view pca")
                          .replace("a slice of two features", "a slice, --view NAME,NAME"))
                raise UsageError(f"--view lda: {data.name}: {reason}") from None
    if isinstance(view, str):
        return
    for data in datasets:
        unknown = [name for name in view if name not in data.feature_names]
        if unknown:
            raise UsageError(f"--view: {data.name} has no feature {unknown[0]!r}; its features are "
                             f"{', '.join(data.feature_names)}.")


def check_anchor(anchor, datasets, views):
    """A row must be one of every data set's, and values one per feature of each, not far
    outside the data; and a data set of two features shows a view plane only when asked."""
    from ..render.plane import anchor_point

    for data in datasets:
        n, d = data.X.shape
        if d == 2 and views is None and anchor is not None:
            raise UsageError(f"--anchor: {data.name} has two features, shown as they are; --anchor sets where a "
                             "view plane goes through: give --view pca|lda|NAME,NAME as well, or data of more "
                             "features.")
        if isinstance(anchor, int) and not -n <= anchor < n:
            raise UsageError(f"--anchor: {data.name} has {n} samples: rows 0 to {n - 1}, or -{n} to -1 from the "
                             f"end. Got {anchor}.")
        if isinstance(anchor, tuple) and len(anchor) != d:
            raise UsageError(f"--anchor: {data.name} has {d} features ({', '.join(data.feature_names)}); "
                             f"give one value for each. Got {len(anchor)}.")
        try:
            anchor_point(anchor, data.X, data.feature_names)
        except ValueError as exc:
            raise UsageError(f"--anchor: {data.name}: {str(exc).removeprefix('anchor: ')}") from None
