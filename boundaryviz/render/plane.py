"""The view plane: the one fixed plane through input space that the input panel shows.

A network of d > 2 inputs is drawn on a plane ``x = origin + s·u + t·v`` (a :class:`Plane`),
the same for every frame of an animation: the probability field and the boundary are what the
model says *on* the plane, exactly; every sample is drawn at its projection onto the plane,
faded by its distance from it, and the plane's *agreement* (the share of samples whose class at
their real point equals the field's class at their projection) says how far the picture can be
trusted.

Distances and projections use the standardised metric: each feature divided by its standard
deviation over the data, so that a feature measured in thousands does not swamp one measured in
tenths. Plane coordinates ``(s, t)`` are in the units of ``u`` and ``v``: for an axis slice,
the two features' own values; for PCA and LDA, standard deviations along the axis.

Pure functions and a frozen dataclass; no matplotlib. For d = 2 and no view asked for, there is
no plane at all (:func:`resolve_view` returns None) and the input panel draws the data's own
plane exactly as it always has.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from .._validation import ParameterTypeError, ParameterValueError
from ..models.mlp import MLP
from ..models.protocol import ModelBase
from .axis_text import held_text, loadings_text, short_name

__all__ = ["Plane", "VIEWS", "ANCHOR_REACH", "anchor_point", "resolve_view", "pca_plane", "lda_plane",
           "slice_plane", "on_plane", "data_scale", "fade"]

VIEWS = ("pca", "lda")
"""The named views; a pair of feature names is an axis-aligned slice."""


@dataclass(frozen=True, eq=False)
class Plane:
    """A plane through input space, ``x = origin + s·u + t·v``, that the input panel shows.

    Parameters
    ----------
    origin : array-like of shape (d,)
        The point at ``(s, t) = (0, 0)``, in the data's units.
    u, v : array-like of shape (d,)
        The directions of the panel's horizontal and vertical axes, in the data's units; they
        must not be parallel (they need not be orthogonal or of unit length).
    labels : tuple of str, default=("s", "t")
        The panel's axis labels.
    name : str, default="your plane"
        What the panel's title calls the plane (``"PCA plane"``, ``"slice at the mean"``, ...).
    notes : tuple of str, default=("", "")
        A second line under each axis label (the largest loadings of a PCA or LDA axis).

    Examples
    --------
    >>> import numpy as np
    >>> import boundaryviz as bv
    >>> plane = bv.Plane(origin=np.zeros(3), u=[1, 0, 0], v=[0, 1, 1])
    >>> plane.lift(np.array([[1.0, 2.0]]))
    array([[1., 2., 2.]])
    """

    origin: np.ndarray
    u: np.ndarray
    v: np.ndarray
    labels: tuple = ("s", "t")
    name: str = "your plane"
    notes: tuple = field(default=("", ""))

    def __post_init__(self):
        arrays = {}
        for key in ("origin", "u", "v"):
            try:
                a = np.array(getattr(self, key), dtype=float).reshape(-1) if np.ndim(getattr(self, key)) <= 1 \
                    else None
            except (TypeError, ValueError):
                a = None
            if a is None or a.size < 2 or not np.all(np.isfinite(a)):
                raise ParameterValueError(f"view: Plane {key} must be a finite vector of at least 2 numbers. "
                                          f"Got {getattr(self, key)!r}.", "view")
            a.setflags(write=False)
            arrays[key] = a
        d = arrays["origin"].size
        if arrays["u"].size != d or arrays["v"].size != d:
            raise ParameterValueError(f"view: Plane origin, u and v must have the same length. Got "
                                      f"{d}, {arrays['u'].size} and {arrays['v'].size}.", "view")
        basis = np.vstack([arrays["u"], arrays["v"]])
        if np.linalg.matrix_rank(basis, tol=1e-12 * max(np.abs(basis).max(), 1e-300)) < 2:
            raise ParameterValueError("view: Plane u and v must span a plane (not zero, not parallel).", "view")
        for key, value in arrays.items():
            object.__setattr__(self, key, value)
        labels, notes = tuple(str(s) for s in self.labels), tuple(str(s) for s in self.notes)
        if len(labels) != 2 or len(notes) != 2:
            raise ParameterValueError(f"view: Plane labels and notes must hold two strings. Got {self.labels!r}.",
                                      "view")
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "notes", notes)
        object.__setattr__(self, "name", str(self.name))

    def __eq__(self, other):
        if not isinstance(other, Plane):
            return NotImplemented
        return (self.labels == other.labels and self.name == other.name and self.notes == other.notes
                and all(np.array_equal(getattr(self, k), getattr(other, k)) for k in ("origin", "u", "v")))

    def __hash__(self):
        return hash((self.name, self.labels, self.origin.tobytes(), self.u.tobytes(), self.v.tobytes()))

    @property
    def d(self):
        """The dimension d of the input space, an int."""
        return self.origin.size

    @property
    def basis(self):
        """The directions ``u`` and ``v`` as rows, an ndarray of shape (2, d)."""
        return np.vstack([self.u, self.v])

    def lift(self, st):
        """Points of the plane at plane coordinates ``st``.

        Parameters
        ----------
        st : array-like of shape (n, 2)
            Coordinates ``(s, t)`` along ``u`` and ``v``.

        Returns
        -------
        ndarray of shape (n, d)
            The points ``origin + s·u + t·v`` in input space.
        """
        return self.origin + np.asarray(st, dtype=float) @ self.basis

    def coordinates(self, X, scale=None):
        """Plane coordinates of the orthogonal projection of points ``X``.

        Orthogonal in the metric where feature ``i`` is divided by ``scale[i]`` (the plain
        Euclidean metric when ``scale`` is None).

        Parameters
        ----------
        X : array-like of shape (n, d)
            Points in input space.
        scale : array-like of shape (d,), optional
            Per-feature scale of the metric: feature ``i`` is divided by ``scale[i]``; the
            plain Euclidean metric when None.

        Returns
        -------
        ndarray of shape (n, 2)
            The coordinates ``(s, t)`` of each point's projection.
        """
        A, Z = self._scaled(X, scale)
        return np.linalg.lstsq(A, Z.T, rcond=None)[0].T

    def distance(self, X, scale=None):
        """Distance of points ``X`` from the plane, in the metric of ``scale``.

        Parameters
        ----------
        X : array-like of shape (n, d)
            Points in input space.
        scale : array-like of shape (d,), optional
            Per-feature scale of the metric: feature ``i`` is divided by ``scale[i]``; the
            plain Euclidean metric when None.

        Returns
        -------
        ndarray of shape (n,)
            The distance of each point from its projection.
        """
        A, Z = self._scaled(X, scale)
        st = np.linalg.lstsq(A, Z.T, rcond=None)[0].T
        return np.linalg.norm(Z - st @ A.T, axis=1)

    def _scaled(self, X, scale):
        scale = np.ones(self.d) if scale is None else np.asarray(scale, dtype=float)
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.d:
            raise ParameterValueError(f"view: the plane lies in {self.d} dimensions but the data has "
                                      f"{X.shape[-1]} features.", "view")
        return (self.basis / scale).T, (X - self.origin) / scale


def data_scale(X):
    """Per-feature standard deviation of ``X`` (n, d), 1 where a feature does not vary."""
    scale = np.asarray(X, dtype=float).std(axis=0)
    scale[~(scale > 1e-12)] = 1.0
    return scale


def _fix_sign(direction):
    """The direction with its largest loading positive (a refit never flips an axis)."""
    k = int(np.argmax(np.abs(direction)))
    return direction if direction[k] >= 0 else -direction


def _named_plane(origin, z_axes, scale, labels, feature_names, name):
    """A plane through ``origin`` along two orthonormal directions of the standardised space."""
    z_axes = [_fix_sign(a) for a in z_axes]
    notes = tuple(loadings_text(a, feature_names) for a in z_axes)
    return Plane(origin, z_axes[0] * scale, z_axes[1] * scale, labels=labels, name=name, notes=notes)


def _share(name, share, what):
    return f"{name}, {100 * share:.0f} % of {what}"


def pca_plane(X, feature_names, origin=None):
    """The plane of the first two principal axes of the standardised data, through its mean.

    ``u`` and ``v`` are the principal axes mapped back through the scaler (in the data's units),
    so ``s`` and ``t`` are principal-component scores in standard deviations.
    """
    from sklearn.decomposition import PCA

    X = np.asarray(X, dtype=float)
    scale = data_scale(X)
    pca = PCA(n_components=2, svd_solver="full").fit((X - X.mean(axis=0)) / scale)
    origin = X.mean(axis=0) if origin is None else origin
    shares = pca.explained_variance_ratio_
    labels = (_share("PC1", shares[0], "variance"), _share("PC2", shares[1], "variance"))
    return _named_plane(origin, list(pca.components_), scale, labels, feature_names, "PCA plane")


def lda_plane(X, y, feature_names, origin=None):
    """The most class-separating plane: scikit-learn's linear discriminant directions.

    With three or more classes, the first two discriminant directions (made orthonormal in the
    standardised space; the span is LDA's), each labelled with its share of the between-class
    variance; with two classes, the one direction and the first principal axis of what it leaves.
    """
    from sklearn.decomposition import PCA
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    X = np.asarray(X, dtype=float)
    scale = data_scale(X)
    Z = (X - X.mean(axis=0)) / scale
    with np.errstate(all="ignore"):  # no spread or no separation: numpy's 0/0, refused below in one message
        try:
            lda = LinearDiscriminantAnalysis(solver="svd").fit(Z, y)
            dirs = np.asarray(lda.scalings_, dtype=float)
        except (IndexError, ValueError, np.linalg.LinAlgError):  # no spread within the classes: nothing to scale by
            dirs = np.zeros((X.shape[1], 0))
    if dirs.shape[1] == 0 or not np.all(np.isfinite(dirs)):
        raise ParameterValueError("view='lda' finds no class-separating direction in this data: its features do "
                                  "not vary within the classes, or the classes' means coincide. Use view='pca' "
                                  "or a slice of two features.", "view")
    first = dirs[:, 0] / np.linalg.norm(dirs[:, 0])
    if dirs.shape[1] >= 2:
        second = dirs[:, 1] - (dirs[:, 1] @ first) * first
        shares = lda.explained_variance_ratio_
        labels = (_share("LD1", shares[0], "separation"), _share("LD2", shares[1], "separation"))
    else:  # two classes: the first principal axis of the data with the LDA direction taken out
        pca = PCA(n_components=1, svd_solver="full").fit(Z - np.outer(Z @ first, first))
        second = pca.components_[0]
        labels = ("LD1", _share("PC1 of the rest", pca.explained_variance_ratio_[0], "its variance"))
    origin = X.mean(axis=0) if origin is None else origin
    return _named_plane(origin, [first, second / np.linalg.norm(second)], scale, labels, feature_names, "LDA plane")


def slice_plane(names, feature_names, anchor_point, held="given values"):
    """The axis-aligned slice of two features, the others held at ``anchor_point``.

    Plane coordinates are the two features' own values; ``held`` says where the others are
    held, in the panel's title (``"the mean"``, ``"sample 7"``).
    """
    i, j = (feature_names.index(n) for n in names)
    d = len(feature_names)
    origin = np.array(anchor_point, dtype=float)
    others = [k for k in range(d) if k not in (i, j)]
    notes = (held_text(origin, feature_names, others), "") if others else ("", "")
    origin[[i, j]] = 0.0
    u, v = np.eye(d)[i], np.eye(d)[j]
    name = "slice" if d == 2 else f"slice at {held}"
    return Plane(origin, u, v, labels=(short_name(feature_names[i]), short_name(feature_names[j])), name=name,
                 notes=notes)


ANCHOR_REACH = 1e6
"""How far from the data's mean an anchor may lie, in spans of each feature: farther, the view's
limits and the model's inputs lose their precision (an anchor of 1e200 gave no picture)."""


def anchor_point(anchor, X, feature_names=None):
    """The point a named view goes through: the mean, a sample (by index) or given values.

    Parameters
    ----------
    anchor : None, int or array-like of shape (d,)
    X : ndarray of shape (n, d)
    feature_names : sequence of str, optional
        For the error messages.

    Returns
    -------
    ndarray of shape (d,)

    Raises
    ------
    ValueError, TypeError
        Naming ``anchor``: a row out of range, a count of values other than d, a value not
        finite or more than :data:`ANCHOR_REACH` spans of its feature from the mean.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 10.0, 1.0], [2.0, 30.0, 3.0]])
    >>> anchor_point(None, X), anchor_point(1, X), anchor_point([1, 20, 2], X)
    (array([ 1., 20.,  2.]), array([ 2., 30.,  3.]), array([ 1., 20.,  2.]))
    """
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if anchor is None:
        return X.mean(axis=0)
    if isinstance(anchor, numbers.Integral) and not isinstance(anchor, bool):
        if not -n <= anchor < n:
            raise ParameterValueError(f"anchor must be a sample index from {-n} to {n - 1}. Got {anchor}.", "anchor")
        return X[anchor].copy()
    try:
        point = np.array(anchor, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ParameterTypeError(f"anchor must be None, a sample index or {d} numbers. Got {anchor!r}.",
                                 "anchor") from None
    if point.size != d or not np.all(np.isfinite(point)):
        raise ParameterValueError(f"anchor must hold {d} finite numbers, one per feature. Got {anchor!r}.", "anchor")
    mean = X.mean(axis=0)
    span = np.ptp(X, axis=0) if n else np.zeros(d)
    reach = ANCHOR_REACH * np.where(span > 0, span, np.maximum(np.abs(mean), 1.0))
    far = np.flatnonzero(~(np.abs(point - mean) <= reach))
    if far.size:
        k = int(far[0])
        name = feature_names[k] if feature_names is not None else f"feature {k}"
        raise ParameterValueError(f"anchor: {name} = {point[k]:g} lies more than {ANCHOR_REACH:g} times its "
                                  f"range ({span[k]:g}) from its mean ({mean[k]:g}).", "anchor")
    return point


def resolve_view(view, anchor, X, y, feature_names):
    """The plane an animation shows, or None for the data's own plane (d = 2, no view asked).

    Parameters
    ----------
    view : None, {'pca', 'lda'}, (str, str) or Plane
        ``None``: PCA when d > 2, else the data's own plane.
    anchor : None, int or array-like of shape (d,)
        The point a named view goes through: the mean by default, a sample's index, or values.
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
    feature_names : sequence of str

    Returns
    -------
    Plane or None

    Raises
    ------
    ValueError
        Naming ``view`` (an unknown feature, a plane of another dimension) or ``anchor``.
    """
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    feature_names = list(feature_names)
    if isinstance(view, Plane):
        if anchor is not None:
            raise ParameterValueError(f"anchor sets where a named view ('pca', 'lda' or two feature names) goes "
                                      f"through; a Plane goes through its own origin. Got anchor={anchor!r} with "
                                      "a Plane: give the point as the Plane's origin instead.", "anchor")
        if view.d != d:
            raise ParameterValueError(f"view: the plane lies in {view.d} dimensions but the data has {d} "
                                      "features.", "view")
        return view
    if view is None and d == 2:
        if anchor is not None:
            raise ParameterValueError(f"anchor sets where a view plane goes through, and data of two features is "
                                      f"shown as it is. Got anchor={anchor!r} with view=None: give a view "
                                      f"('pca', 'lda', two feature names or a Plane) as well.", "anchor")
        return None
    point = anchor_point(anchor, X, feature_names)
    if view is None or view == "pca":
        return pca_plane(X, feature_names, point)
    if view == "lda":
        return lda_plane(X, y, feature_names, point)
    names = tuple(view)
    unknown = [n for n in names if n not in feature_names]
    if unknown:
        raise ParameterValueError(f"view names an unknown feature {unknown[0]!r}; the features are "
                                  f"{', '.join(feature_names)}.", "view")
    # a row counted from the end is named by its own index ("sample 149", not "sample -1")
    held = "the mean" if anchor is None else f"sample {anchor % len(X)}" if isinstance(anchor, numbers.Integral) \
        else "given values"
    return slice_plane(names, feature_names, point, held)


def fade(distance):
    """Opacity (n,) of samples at ``distance`` from the plane: 1 on it, down to 0.35.

    Relative to the median distance (a sample at the median distance is drawn at 0.675), so that
    in many dimensions, where every sample is far from any plane, the nearer ones still stand out.
    """
    distance = np.asarray(distance, dtype=float)
    ref = float(np.median(distance)) if distance.size else 0.0
    if not ref > 1e-9:
        return np.ones_like(distance)
    return 0.35 + 0.65 * np.exp(-np.log(2) * (distance / ref) ** 2)


class _OnPlane(ModelBase):
    """A model seen on a plane: its inputs are plane coordinates (n, 2), lifted to (n, d)."""

    def __init__(self, model, plane):
        self.model, self.plane = model, plane
        self.hidden_widths = model.hidden_widths
        self.rests_at_zero = model.rests_at_zero

    @property
    def n_classes(self):
        return self.model.n_classes

    def predict_proba(self, X):
        return self.model.predict_proba(self.plane.lift(X))

    def decision_function(self, X):
        return self.model.decision_function(self.plane.lift(X))

    def class_scores(self, X):
        return self.model.class_scores(self.plane.lift(X))

    def hidden(self, X, layer):
        return self.model.hidden(self.plane.lift(X), layer)

    def proba_from_hidden(self, H, layer):
        return self.model.proba_from_hidden(H, layer)

    def first_layer(self):
        return _first_layer_on_plane(self.model.first_layer(), self.plane)


def _first_layer_on_plane(first, plane):
    """The first layer ``x @ W + b`` as a function of plane coordinates: ``(basis @ W, b + origin @ W)``."""
    if first is None:
        return None
    W, b = np.asarray(first[0], dtype=float), np.asarray(first[1], dtype=float)
    return plane.basis @ W, b + plane.origin @ W


def on_plane(model, plane):
    """``model`` as a function of plane coordinates (n, 2): exact, the same model restricted.

    An :class:`~boundaryviz.MLP` stays an MLP (its first layer composed with the plane, so the
    fast grid path and the unit lines ``w·(o + s u + t v) + b = 0`` are exact); any other model
    is wrapped so that its points are lifted onto the plane.
    """
    if plane is None:
        return model
    if isinstance(model, MLP):
        W, b = _first_layer_on_plane((model.weights[0], model.biases[0]), plane)
        return MLP((W, *model.weights[1:]), (b, *model.biases[1:]), model.activation)
    return _OnPlane(model, plane)
