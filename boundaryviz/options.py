"""How an animation is drawn and timed: one frozen object, checked once.

:class:`AnimationOptions` holds the timing of an animation (``fps``, ``hold_last``,
``max_frames``) and the renderer's options (``resolution``, ``layer``, ``size``, ``levels``,
``lattice_lines``, ``bayes``, ``view``, ``anchor``). Its defaults are the package's defaults: :func:`save_animation
<boundaryviz.save_animation>`, :class:`~boundaryviz.RunSpec`, the gallery and the command
line's help read them from here.

Every value is checked when the object is made; a bad one raises ``ValueError`` or
``TypeError`` whose ``parameter`` attribute names the option (see
:class:`~boundaryviz._validation.ParameterValueError`). Only ``layer`` is checked again
against a network, whose depth the object does not know (:meth:`AnimationOptions.layer_index`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, fields, replace

from ._validation import ParameterTypeError, ParameterValueError, check_int, check_number

__all__ = ["AnimationOptions", "MAX_FPS", "MAX_HOLD_LAST", "UNSET"]

MAX_FPS = 50
"""int: the highest frame rate (browsers slow GIF delays under 20 ms down to 100 ms)."""
MAX_HOLD_LAST = 60
"""int: the longest hold of the last frame, in seconds."""


class _Unset:
    """The default of an option keyword: "not given", so that nothing guesses what a call asked for."""

    def __repr__(self):
        return "<default>"

    def __reduce__(self):  # one object, also after a trip through pickle
        return "UNSET"


UNSET = _Unset()
"""The default of the option keywords of the public functions: the keyword was not given."""


@dataclass(frozen=True)
class AnimationOptions:
    """Timing and drawing options of an animation, frozen and checked once.

    Parameters
    ----------
    fps : float, default=12
        Frames per second (> 0, <= 50).
    hold_last : float, default=1.5
        Seconds the last frame stays before the loop restarts (0 to 60).
    max_frames : int or None, default=100
        A run with more snapshots shows every k-th epoch (and the last), so that at most this
        many frames are written; ``None`` or 0 (stored as ``None``) keeps every snapshot.
    resolution : int, default=200
        Mesh points per axis of the probability fields (2 to 2000).
    layer : int or None, default=None
        Hidden layer shown in the hidden panel (0-based; negative counts from the last);
        ``None`` for the history's own (``History.default_layer``).
    size : tuple of int, default=(960, 560)
        Frame width (200 to 4000) and height (150 to 4000) in pixels, both even (for video).
    levels : int or None, default=10
        Colour bands of the probability field (2 to 256); ``None`` for a smooth field.
    lattice_lines : int, default=15
        Lines of the input lattice drawn warped in hidden space, per direction (2 to 100).
    bayes : bool, default=False
        Also draw the Bayes-optimal boundary and expected loss (data sets whose distribution
        is known).
    view : None, {'pca', 'lda'}, (str, str) or Plane, default=None
        The plane through input space that the input panel shows, fixed for the animation:
        ``'pca'`` (the default when the data has more than two features) the first two
        principal axes of the standardised data; ``'lda'`` the most class-separating
        directions; two feature names an axis-aligned slice; a :class:`~boundaryviz.Plane`
        any plane. ``None`` with two features: the data's own plane.
    anchor : None, "mean", int or sequence of float, default=None
        The point a named view goes through (for a slice: where the other features are held):
        the mean by default, a sample's index, or one value per feature.

    Attributes
    ----------
    TIMING : tuple of str
        The options of an animation's timing: ``fps``, ``hold_last``, ``max_frames`` (a class
        attribute, not a field).
    RENDERING : tuple of str
        The options of :class:`~boundaryviz.Renderer`, ``resolution`` to ``anchor`` (a class
        attribute, not a field).

    Examples
    --------
    >>> import boundaryviz as bv
    >>> options = bv.AnimationOptions(fps=24, levels=None)
    >>> options.fps, options.renderer_options["levels"]
    (24.0, None)
    >>> bv.AnimationOptions(fps=0)
    Traceback (most recent call last):
    ...
    boundaryviz._validation.ParameterValueError: fps must be a finite number > 0 and <= 50. Got 0.0 instead.
    """

    fps: float = 12
    hold_last: float = 1.5
    max_frames: int | None = 100
    resolution: int = 200
    layer: int | None = None
    size: tuple = (960, 560)
    levels: int | None = 10
    lattice_lines: int = 15
    bayes: bool = False
    view: object = None
    anchor: object = None

    # Class attributes, not fields; documented in the class docstring's Attributes section
    # (numpydoc would check a docstring here against the tuple's own).
    TIMING = ("fps", "hold_last", "max_frames")
    RENDERING = ("resolution", "layer", "size", "levels", "lattice_lines", "bayes", "view", "anchor")

    def __post_init__(self):
        checked = {
            "fps": check_number(self.fps, "fps", low=0, high=MAX_FPS, low_open=True),
            "hold_last": check_number(self.hold_last, "hold_last", low=0, high=MAX_HOLD_LAST),
            "max_frames": _check_max_frames(self.max_frames),
            "resolution": check_int(self.resolution, "resolution", low=2, high=2000),
            "layer": None if self.layer is None else check_int(self.layer, "layer"),
            "size": _check_size(self.size),
            "levels": None if self.levels is None else check_int(self.levels, "levels", low=2, high=256),
            "lattice_lines": check_int(self.lattice_lines, "lattice_lines", low=2, high=100),
            "bayes": _check_bool(self.bayes, "bayes"),
            "view": _check_view(self.view),
            "anchor": _check_anchor(self.anchor),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_keywords(cls, **keywords):
        """Options from keyword arguments, naming any that is not an option.

        Parameters
        ----------
        **keywords
            The options by name, as for the constructor.

        Returns
        -------
        AnimationOptions
            The checked options.

        Raises
        ------
        TypeError
            For a keyword that is not an option (``parameter`` names it).
        """
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(keywords) - set(known))
        if unknown:
            raise ParameterTypeError(
                f"{unknown[0]} is not an animation option; the options are {', '.join(known)}.",
                unknown[0])
        return cls(**keywords)

    @classmethod
    def from_call(cls, options=None, **keywords):
        """The one AnimationOptions of a call: ``options`` as given, or made from the keywords.

        Keywords whose value is :data:`UNSET` were not given and are left out, so the object
        holds exactly what the caller asked for.

        Parameters
        ----------
        options : AnimationOptions or None, default=None
            The call's ``options`` argument.
        **keywords
            The call's option keywords, :data:`UNSET` where not given.

        Returns
        -------
        AnimationOptions
            ``options`` itself, or the options made from the keywords given.

        Raises
        ------
        TypeError
            For a keyword that is not an option; when ``options`` is not an AnimationOptions;
            when ``options`` comes with option keywords.
        """
        given = {name: value for name, value in keywords.items() if value is not UNSET}
        if options is None:
            return cls.from_keywords(**given)
        if not isinstance(options, AnimationOptions):
            raise ParameterTypeError(f"options must be a boundaryviz AnimationOptions. Got {type(options).__name__}.",
                                     "options")
        if given:
            cls.from_keywords(**given)  # an unknown keyword is named first
            raise ParameterTypeError(f"pass either options or {', '.join(sorted(given))}, not both.",
                                     sorted(given)[0])
        return options

    @classmethod
    def default(cls, name):
        """The default value of an option (for documentation and help texts).

        Parameters
        ----------
        name : str
            The option, a field of :class:`AnimationOptions`.

        Returns
        -------
        object
            Its default value.

        Raises
        ------
        ParameterValueError
            When ``name`` is not an option.

        Examples
        --------
        >>> import boundaryviz as bv
        >>> bv.AnimationOptions.default("fps")
        12
        """
        for f in fields(cls):
            if f.name == name:
                return f.default
        raise ParameterValueError(f"name must be an animation option. Got {name!r}.", "name")

    def replace(self, **changes):
        """A copy with some options changed.

        Parameters
        ----------
        **changes
            New values by option name, checked like the constructor's arguments.

        Returns
        -------
        AnimationOptions
            The copy; this object is unchanged.

        Examples
        --------
        >>> import boundaryviz as bv
        >>> bv.AnimationOptions().replace(fps=24).fps
        24.0
        """
        type(self).from_keywords(**changes)  # names an unknown keyword before replace does
        return replace(self, **changes)

    @property
    def renderer_options(self):
        """The keywords of :class:`~boundaryviz.Renderer` (resolution … anchor), a dict."""
        return {name: getattr(self, name) for name in self.RENDERING}

    def draws_like(self, other):
        """Whether ``other`` draws frames the same way (every renderer option equal).

        Parameters
        ----------
        other : AnimationOptions
            The options to compare with.

        Returns
        -------
        bool
            True when every option of ``RENDERING`` is equal.
        """
        return self.renderer_options == other.renderer_options

    def layer_index(self, n_hidden, default=-1):
        """The hidden layer shown, as a 0-based index into ``n_hidden`` layers.

        ``layer=None`` stands for ``default``: the last layer, or a History's own
        (``History.default_layer``, which the renderer passes).

        Parameters
        ----------
        n_hidden : int
            Number of hidden layers of the network.
        default : int, default=-1
            The layer shown when ``layer`` is None.

        Returns
        -------
        int
            From 0 to ``n_hidden - 1``.

        Raises
        ------
        ValueError
            When ``layer`` is not a layer of a network with ``n_hidden`` hidden layers.
        """
        layer = default if self.layer is None else self.layer
        return check_int(layer, "layer", low=-n_hidden, high=n_hidden - 1) % n_hidden


def _check_max_frames(value):
    if value is None:
        return None
    value = check_int(value, "max_frames", low=0)
    if value == 1:
        raise ParameterValueError("max_frames must be 0 (no limit) or at least 2. Got 1.", "max_frames")
    return value or None


def _check_size(size):
    try:
        width, height = size
    except (TypeError, ValueError):
        raise ParameterTypeError(f"size must be a pair (width, height) of pixels. Got {size!r}.", "size") from None
    width = check_int(width, "size width", low=200, high=4000, parameter="size")
    height = check_int(height, "size height", low=150, high=4000, parameter="size")
    if width % 2 or height % 2:
        raise ParameterValueError(f"size must be even in both dimensions (for video). Got {size!r}.", "size")
    return (width, height)


def _check_bool(value, name):
    if not isinstance(value, bool):
        raise ParameterTypeError(f"{name} must be True or False. Got {value!r}.", name)
    return value


def _check_view(view):
    """None, 'pca', 'lda', a pair of feature names (as a tuple) or a plane (anything with
    ``origin``, ``u`` and ``v``: a :class:`~boundaryviz.Plane`, checked when it was made).
    Feature names are checked against the data by the renderer."""
    if view is None or (isinstance(view, str) and view in ("pca", "lda")) or all(hasattr(view, a) for a in ("origin", "u", "v")):
        return view
    if isinstance(view, str):
        if "," in view:
            return _check_view(tuple(part.strip() for part in view.split(",")))
        raise ParameterValueError(f"view must be 'pca', 'lda', two feature names or a Plane. Got {view!r}.", "view")
    if isinstance(view, (tuple, list)):
        if len(view) != 2 or not all(isinstance(n, str) and n.strip() for n in view):
            raise ParameterValueError(f"view must name two features for a slice. Got {tuple(view)!r}.", "view")
        if view[0] == view[1]:
            raise ParameterValueError(f"view must name two different features. Got {tuple(view)!r}.", "view")
        return tuple(view)
    raise ParameterTypeError(f"view must be 'pca', 'lda', two feature names or a Plane. Got {view!r} of type "
                             f"{type(view).__name__}.", "view")


def _check_anchor(anchor):
    """None (or "mean"), a sample index (int) or a tuple of finite floats (their number is checked
    against the data by the renderer)."""
    if anchor is None or (isinstance(anchor, str) and anchor.strip() == "mean"):  # "mean", as the CLI says it
        return None
    if isinstance(anchor, numbers.Integral) and not isinstance(anchor, bool):
        return int(anchor)
    if isinstance(anchor, (str, bytes, bool)) or not hasattr(anchor, "__len__"):
        raise ParameterTypeError(f"anchor must be None, a sample index or one number per feature. Got {anchor!r}.",
                                 "anchor")
    values = []
    for value in anchor:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value) == float(value) \
                or abs(float(value)) == float("inf"):
            raise ParameterValueError(f"anchor must hold finite numbers, one per feature. Got {anchor!r}.", "anchor")
        values.append(float(value))
    if len(values) < 2:
        raise ParameterValueError(f"anchor must hold one number per feature. Got {anchor!r}.", "anchor")
    return tuple(values)
