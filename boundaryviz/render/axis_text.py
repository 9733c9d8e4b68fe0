"""The small texts under a view plane's axis labels: a PCA or LDA axis's largest loadings, and
where a slice holds the other features. Pure string functions of the plane's numbers."""

from __future__ import annotations

import numpy as np

__all__ = ["loadings_text", "held_text", "short_name", "as_written"]

NAME_WIDTH = 48
"""Most characters of a feature's name in an axis label (the input panel holds about 60 at its
label's size): a longer name is cut with "…" rather than run off the frame."""


def short_name(name, width=NAME_WIDTH):
    """``name`` as a string of at most ``width`` characters, its end cut with "…" when longer.

    Examples
    --------
    >>> short_name("petal length"), short_name("a very long feature name", 10)
    ('petal length', 'a very lo…')
    """
    name = str(name)
    return name if len(name) <= width else name[: width - 1] + "…"


def as_written(text, string):
    """``string`` for the matplotlib Text ``text`` to show as written: its ``$`` escaped when
    the text parses mathtext (an Axes of the user's, in ``plot_panel``; the Renderer's texts
    do not parse it).

    Examples
    --------
    >>> from matplotlib.text import Text
    >>> print(as_written(Text(), "price ($)"), as_written(Text(parse_math=False), "price ($)"))
    price (\\$) price ($)
    """
    return string.replace("$", r"\$") if text.get_parse_math() else string


def loadings_text(direction, feature_names, top=3, width=40):
    """The largest loadings of a unit direction in feature names: ``"0.58 petal length − 0.41 …"``.

    At most ``top`` terms and about ``width`` characters (fewer terms when names are long);
    ``" + …"`` says that terms were left out.
    """
    order = np.argsort(-np.abs(direction), kind="stable")
    text = ""
    for rank, i in enumerate(order[:top]):
        w = direction[i]
        term = f"{abs(w):.2f} {short_name(feature_names[i], width - 8)}"
        sign = ("−" if w < 0 else "") if rank == 0 else (" − " if w < 0 else " + ")
        if rank and len(text) + len(sign) + len(term) > width:
            break
        text += sign + term
    return text + (" + …" if len(direction) > top or len(text) > width else "")


def held_text(point, feature_names, held, width=64):
    """Where a slice holds the other features: ``"others at: alcohol = 13, ash = 2.37 + 9 more"``.

    Parameters
    ----------
    point : ndarray of shape (d,)
        The anchor, in the data's units.
    feature_names : sequence of str
    held : sequence of int
        The held features' indices, in the order to list them.
    width : int, default=64
        About how many characters; the features left out are counted at the end.

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> held_text(np.array([7.5, 2.0, 1.0, 1.0]), ["sepal length", "sepal width", "petal length",
    ...           "petal width"], [0, 1])
    'others at: sepal length = 7.5, sepal width = 2'
    """
    text = "others at: "
    for rank, k in enumerate(held):
        name = short_name(feature_names[k], width // 2)  # one long name must not push the note off the frame
        term = f"{name} = {point[k]:.4g}"
        rest = len(held) - rank
        if rank and len(text) + 2 + len(term) + len(f" + {rest - 1} more") * (rest > 1) > width:
            return f"{text} + {rest} more"
        text += (", " if rank else "") + term
    return text
