"""Argument checks shared by the public entry points.

Every check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong
value) with one sentence naming the parameter, what is allowed and what was given, in the
style of scikit-learn: ``"learning_rate must be a finite number > 0. Got -0.1 instead."``
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable


class ParameterValueError(ValueError):
    """A ``ValueError`` about one parameter, named by its ``parameter`` attribute.

    The command line maps ``parameter`` to the flag a user typed (``fps`` → ``--fps``).

    Parameters
    ----------
    message : str
        One sentence naming the parameter, what is allowed and what was given.
    parameter : str, optional
        The parameter's name, kept as the ``parameter`` attribute.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> try:
    ...     bv.TrainConfig(learning_rate=-0.1)
    ... except bv.ParameterValueError as error:
    ...     print(error.parameter)
    learning_rate
    """

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.parameter = parameter


class ParameterTypeError(TypeError):
    """A ``TypeError`` about one parameter, named by its ``parameter`` attribute.

    Parameters
    ----------
    message : str
        One sentence naming the parameter, what is allowed and what was given.
    parameter : str, optional
        The parameter's name, kept as the ``parameter`` attribute.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> try:
    ...     bv.AnimationOptions.from_keywords(speed=2)
    ... except bv.ParameterTypeError as error:
    ...     print(error.parameter)
    speed
    """

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.parameter = parameter


def check_number(value, name, *, low=None, high=None, low_open=False, high_open=False, parameter=None):
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
    parameter : str, optional
        The parameter the error names in its ``parameter`` attribute (default: ``name``).

    Returns
    -------
    float
    """
    parameter = parameter or name
    allowed = _range_text("a finite number", low, high, low_open, high_open)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(f"{name} must be {allowed}. Got {value!r} of type {type(value).__name__}.",
                                 parameter)
    try:
        as_float = float(value)
    except OverflowError:  # an int or Fraction beyond the float range
        raise ParameterValueError(f"{name} must be {allowed}. Got {value!r} instead.", parameter) from None
    if not math.isfinite(as_float) or not _in_range(as_float, low, high, low_open, high_open):
        raise ParameterValueError(f"{name} must be {allowed}. Got {as_float!r} instead.", parameter)
    return as_float


def check_int(value, name, *, low=None, high=None, parameter=None):
    """Return ``value`` as an int after checking it is an integer in ``[low, high]``.

    ``parameter`` names the parameter in the error's attribute (default: ``name``).
    """
    parameter = parameter or name
    allowed = _range_text("an integer", low, high, False, False)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterTypeError(f"{name} must be {allowed}. Got {value!r} of type {type(value).__name__}.",
                                 parameter)
    value = int(value)
    if not _in_range(value, low, high, False, False):
        raise ParameterValueError(f"{name} must be {allowed}. Got {value!r} instead.", parameter)
    return value


def check_choice(value, name, choices: Iterable[str]):
    """Return ``value`` after checking it is one of ``choices`` (strings)."""
    choices = sorted(choices)
    listed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str) or value not in choices:
        raise ParameterValueError(f"{name} must be one of {listed}. Got {value!r}.", name)
    return value


def check_hidden(value, name="hidden", *, max_width=1024, max_layers=8):
    """Return hidden layer widths as a tuple of positive ints.

    Accepts an int (one layer) or a sequence of ints.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ParameterTypeError(f"{name} must be a positive integer or a sequence of them. Got {value!r}.", name)
    widths = tuple(value)
    if not 1 <= len(widths) <= max_layers:
        raise ParameterValueError(f"{name} must have 1 to {max_layers} layers. Got {value!r}.", name)
    for width in widths:
        if isinstance(width, bool) or not isinstance(width, numbers.Integral):
            raise ParameterTypeError(f"{name} widths must be integers from 1 to {max_width}. Got {value!r}.", name)
        if not 1 <= width <= max_width:
            raise ParameterValueError(f"{name} widths must be integers from 1 to {max_width}. Got {value!r}.",
                                      name)
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


def check_sequence(value, name, what):
    """Return ``value`` as a list, refusing a bare string or a non-iterable.

    ``what`` names the items for the message, e.g. ``"activation names"``.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ParameterTypeError(f"{name} must be a sequence of {what}. Got {value!r}.", name)
    return list(value)
