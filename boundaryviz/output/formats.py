"""The registry of animation formats: one entry per format, read by everyone who needs a fact.

Each :class:`Format` says its name and suffix, the writer that makes it, its MIME type, the
HTML element a page shows it with, whether the file loops by itself and the optional extra it
needs. :func:`open_writer`, :func:`check_format`, :func:`check_path`, ``save_animation``,
``Animation.to_html``, the gallery, the command line's ``--format`` and the clean-up of
temporary files (:func:`~boundaryviz.atomic.remove_partials`) all read it: a new format is one
entry here and its writer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .._validation import ParameterValueError
from .player import PlayerWriter
from .writers import GifWriter, Mp4Writer, WebPWriter

__all__ = ["Format", "REGISTRY", "FORMATS", "get_format", "format_of", "check_format", "check_path",
           "open_writer"]

ELEMENTS = ("img", "video", "iframe")
"""tuple of str: the HTML elements a page can show an animation with."""
OPTIONS = ("palette", "tolerance", "epochs")
"""tuple of str: the settings of :func:`open_writer` beyond ``fps`` and ``hold_last_ms``."""


@dataclass(frozen=True)
class Format:
    """What boundaryviz knows about one animation format.

    Attributes
    ----------
    name : str
        The name the options use (``format='gif'``, ``--format gif``).
    suffix : str
        The file name's ending, with its dot, lower case.
    writer : type
        The writer class: ``writer(path, fps=..., hold_last_ms=..., **options)`` is a context
        manager with ``append(frame)``; ``writer.check_available()`` raises when an optional
        dependency is missing.
    options : tuple of str
        Which of :func:`open_writer`'s ``palette``, ``tolerance`` and ``epochs`` the writer takes.
    mime : str
        The MIME type (``data:`` addresses).
    element : {'img', 'video', 'iframe'}
        The HTML element a page shows the file with.
    loops : bool
        Whether the file loops by itself (a GIF's or WebP's loop flag, the player's loop
        switch); a page loops the others (``<video loop>``).
    extra : str or None
        The optional dependency group it needs (``pip install "boundaryviz[EXTRA]"``).
    """

    name: str
    suffix: str
    writer: type
    options: tuple
    mime: str
    element: str
    loops: bool
    extra: str | None

    def __post_init__(self):
        if not (self.suffix.startswith(".") and self.suffix == self.suffix.lower()):
            raise ValueError(f"suffix must be a lower-case ending with its dot. Got {self.suffix!r}.")
        if self.element not in ELEMENTS:
            raise ValueError(f"element must be one of {', '.join(map(repr, ELEMENTS))}. Got {self.element!r}.")
        unknown = set(self.options) - set(OPTIONS)
        if unknown:
            raise ValueError(f"options must be among {', '.join(map(repr, OPTIONS))}. Got {sorted(unknown)!r}.")

    @property
    def needs_palette(self):
        """bool: whether the writer takes the animation's fixed palette (GIF, WebP, HTML)."""
        return "palette" in self.options


REGISTRY = (
    Format(name="gif", suffix=".gif", writer=GifWriter, options=("palette", "tolerance"), mime="image/gif",
           element="img", loops=True, extra=None),
    Format(name="mp4", suffix=".mp4", writer=Mp4Writer, options=(), mime="video/mp4",
           element="video", loops=False, extra="video"),
    Format(name="webp", suffix=".webp", writer=WebPWriter, options=("palette", "tolerance"), mime="image/webp",
           element="img", loops=True, extra=None),
    Format(name="html", suffix=".html", writer=PlayerWriter, options=("palette", "tolerance", "epochs"),
           mime="text/html", element="iframe", loops=True, extra=None),
)
"""tuple of Format: every format boundaryviz writes, in the order options list them."""

FORMATS = tuple(entry.name for entry in REGISTRY)
"""tuple of str: the formats' names (``'gif'``, ``'mp4'``, ``'webp'``, ``'html'``)."""


def get_format(fmt):
    """The :class:`Format` named ``fmt``.

    Raises
    ------
    ValueError
        For a name not in :data:`FORMATS`.

    Examples
    --------
    >>> get_format("mp4").element
    'video'
    """
    for entry in REGISTRY:
        if entry.name == fmt:
            return entry
    raise ParameterValueError(f"format must be one of {', '.join(map(repr, FORMATS))}. Got {fmt!r}.", "format")


def format_of(path):
    """The :class:`Format` of ``path`` by its suffix (any case), or None for another suffix.

    Examples
    --------
    >>> format_of("runs/tanh.GIF").name, format_of("summary.png")
    ('gif', None)
    """
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    for entry in REGISTRY:
        if entry.suffix == suffix:
            return entry
    return None


def check_path(path):
    """The :class:`Format` of ``path``; raise unless its suffix is one of the registry's.

    Raises
    ------
    ValueError
        Naming the suffixes allowed.

    Examples
    --------
    >>> check_path("tanh.webp").mime
    'image/webp'
    """
    entry = format_of(path)
    if entry is None:
        allowed = ", ".join(f"'{e.suffix}'" for e in REGISTRY)
        raise ParameterValueError(f"path must end in one of {allowed}. Got {os.fspath(path)!r}.", "path")
    return entry


def check_format(fmt):
    """Raise unless animations in format ``fmt`` can be written here.

    Parameters
    ----------
    fmt : {'gif', 'mp4', 'webp', 'html'}

    Returns
    -------
    Format

    Raises
    ------
    ValueError
        For a format not in :data:`FORMATS`.
    MissingExtraError
        For a format whose extra is not installed (``'mp4'`` without ``video``).

    Examples
    --------
    >>> check_format("gif").suffix
    '.gif'
    """
    entry = get_format(fmt)
    entry.writer.check_available()
    return entry


def open_writer(path, *, fps, hold_last_ms=1500, palette=None, tolerance=0, epochs=None):
    """A writer for ``path`` chosen by its suffix (``.gif``, ``.mp4``, ``.webp`` or ``.html``).

    Parameters
    ----------
    path : str or os.PathLike
    fps : float
    hold_last_ms : int, default=1500
    palette : Palette, optional
        Needed for GIF and HTML; WebP maps its frames to it when given; MP4 ignores it.
    tolerance : int, default=0
        For GIF, HTML and (with a palette) WebP: see :class:`~boundaryviz.writers.GifWriter`.
    epochs : sequence of int, optional
        For HTML: the epoch each frame shows (see :class:`~boundaryviz.player.PlayerWriter`).

    Returns
    -------
    GifWriter, Mp4Writer, WebPWriter or PlayerWriter
        A context manager with ``append(frame)``.

    Raises
    ------
    ValueError
        For another suffix, or a GIF or HTML player without a palette.
    MissingExtraError
        For ``.mp4`` without the ``video`` extra.
    """
    entry = check_path(path)
    given = dict(zip(OPTIONS, (palette, tolerance, epochs)))
    return entry.writer(path, fps=fps, hold_last_ms=hold_last_ms, **{name: given[name] for name in entry.options})
