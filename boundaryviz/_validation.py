"""Argument checks shared by the public entry points.

Every check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong
value) with one sentence naming the parameter, what is allowed and what was given, in the
style of scikit-learn: ``"learning_rate must be a finite number > 0. Got -0.1 instead."``
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable


def check_number(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float after checking it is a finite real number in range.

    Parameters
    ----------
    value : object
        The value given by the user.
    name : str
        Parameter name used in the message.
    low, high : float or None
        Bounds; ``None`` means unbounded on that side.
    low_open, high_open : bool
        Whether the bound itself is excluded.

    Returns
    -------
    float
    """
    allowed = _range_text("a finite number", low, high, low_open, high_open)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {allowed}. Got {value!r} of type {type(value).__name__}.")
    try:
        as_float = float(value)
    except OverflowError:  # an int or Fraction beyond the float range
        raise ValueError(f"{name} must be {allowed}. Got {value!r} instead.") from None
    if not math.isfinite(as_float) or not _in_range(as_float, low, high, low_open, high_open):
        raise ValueError(f"{name} must be {allowed}. Got {as_float!r} instead.")
    return as_float


def check_int(value, name, *, low=None, high=None):
    """Return ``value`` as an int after checking it is an integer in ``[low, high]``."""
    allowed = _range_text("an integer", low, high, False, False)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {allowed}. Got {value!r} of type {type(value).__name__}.")
    value = int(value)
    if not _in_range(value, low, high, False, False):
        raise ValueError(f"{name} must be {allowed}. Got {value!r} instead.")
    return value


def check_choice(value, name, choices: Iterable[str]):
    """Return ``value`` after checking it is one of ``choices`` (strings)."""
    choices = sorted(choices)
    listed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {listed}. Got {value!r}.")
    return value


def check_hidden(value, name="hidden", *, max_width=1024, max_layers=8):
    """Return hidden layer widths as a tuple of positive ints.

    Accepts an int (one layer) or a sequence of ints.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{name} must be a positive integer or a sequence of them. Got {value!r}."
        )
    widths = tuple(value)
    if not 1 <= len(widths) <= max_layers:
        raise ValueError(f"{name} must have 1 to {max_layers} layers. Got {value!r}.")
    for width in widths:
        if isinstance(width, bool) or not isinstance(width, numbers.Integral):
            raise TypeError(
                f"{name} widths must be integers from 1 to {max_width}. Got {value!r}."
            )
        if not 1 <= width <= max_width:
            raise ValueError(f"{name} widths must be integers from 1 to {max_width}. Got {value!r}.")
    return tuple(int(w) for w in widths)


def _in_range(value, low, high, low_open, high_open):
    if low is not None and (value < low or (low_open and value == low)):
        return False
    if high is not None and (value > high or (high_open and value == high)):
        return False
    return True


def _range_text(kind, low, high, low_open, high_open):
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {_bound_text(low)}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {_bound_text(high)}")
    return kind + (" " + " and ".join(parts) if parts else "")


def _bound_text(bound):
    # Integer bounds in full ("<= 4294967295", not "<= 4.29497e+09"); others compactly.
    if isinstance(bound, numbers.Integral):
        return str(int(bound))
    return f"{bound:g}"


RENDER_DEFAULTS = {"resolution": 200, "layer": -1, "size": (960, 560), "levels": 10, "lattice_lines": 15,
                   "bayes": False}
"""dict: the renderer's options and their defaults (checked by :func:`check_render_options`)."""


def check_render_options(options, n_hidden):
    """Check renderer options before any work; return them complete and normalised.

    Parameters
    ----------
    options : dict
        Any of ``resolution`` (2 to 2000), ``layer`` (a hidden layer, 0-based, negative from
        the last), ``size`` (even width 200 to 4000, even height 150 to 4000), ``levels``
        (None or 2 to 256), ``lattice_lines`` (2 to 100) and ``bayes`` (bool).
    n_hidden : int
        Number of hidden layers of the network to be drawn.

    Returns
    -------
    dict
        Every option, ``layer`` as a non-negative index and ``size`` as a tuple.
    """
    if not isinstance(options, dict):
        raise TypeError(f"render options must be a dict. Got {type(options).__name__}.")
    unknown = sorted(set(options) - set(RENDER_DEFAULTS))
    if unknown:
        allowed = ", ".join(repr(k) for k in RENDER_DEFAULTS)
        raise TypeError(f"render options must be among {allowed}. Got {', '.join(map(repr, unknown))}.")
    merged = {**RENDER_DEFAULTS, **options}
    out = {
        "resolution": check_int(merged["resolution"], "resolution", low=2, high=2000),
        "layer": check_int(merged["layer"], "layer", low=-n_hidden, high=n_hidden - 1) % n_hidden,
        "levels": None if merged["levels"] is None else check_int(merged["levels"], "levels", low=2, high=256),
        "lattice_lines": check_int(merged["lattice_lines"], "lattice_lines", low=2, high=100),
        "bayes": merged["bayes"],
    }
    if not isinstance(out["bayes"], bool):
        raise TypeError(f"bayes must be True or False. Got {out['bayes']!r}.")
    size = merged["size"]
    try:
        width, height = size
    except (TypeError, ValueError):
        raise TypeError(f"size must be a pair (width, height) of pixels. Got {size!r}.") from None
    width = check_int(width, "size width", low=200, high=4000)
    height = check_int(height, "size height", low=150, high=4000)
    if width % 2 or height % 2:
        raise ValueError(f"size must be even in both dimensions (for video). Got {size!r}.")
    out["size"] = (width, height)
    return out


def check_sequence(value, name, what):
    """Return ``value`` as a list, refusing a bare string or a non-iterable.

    ``what`` names the items for the message, e.g. ``"activation names"``.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a sequence of {what}. Got {value!r}.")
    return list(value)
