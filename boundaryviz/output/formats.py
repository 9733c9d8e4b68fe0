"""The registry of animation formats: one entry per format, read by everyone who needs a fact.

Each :class:`Format` says its name and suffix, the writer that makes it, its MIME type, the
HTML element a page shows it with, whether the file loops by itself and the optional extra it
needs. :func:`open_writer`, :func:`check_format`, :func:`check_path`, ``save_animation``,
``Animation.to_html``, the gallery, the command line's ``--format`` and the clean-up of
temporary files (:func:`remove_partials`) all read it; it also reads a finished file back
(:func:`is_complete`, :func:`frame_size`): a new format is one
entry here and its writer.
"""

from __future__ import annotations

import glob
import os
import re
import struct
import time
from dataclasses import dataclass

from PIL import Image

from .._validation import ParameterValueError
from .atomic import PARTIAL_SUFFIX, PICTURE_SUFFIXES, try_lock
from .player import PlayerWriter, read_player_size
from .webp import WebPWriter
from .writers import GifWriter, Mp4Writer

__all__ = ["Format", "REGISTRY", "FORMATS", "get_format", "format_of", "check_format", "check_path",
           "remove_partials", "is_complete", "frame_size",
           "open_writer"]

ELEMENTS = ("img", "video", "iframe")
"""tuple of str: the HTML elements a page can show an animation with."""
OPTIONS = ("palette", "tolerance", "epochs", "n_frames")
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
        Which of :func:`open_writer`'s ``palette``, ``tolerance``, ``epochs`` and ``n_frames`` the writer takes.
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
    Format(name="webp", suffix=".webp", writer=WebPWriter, options=("palette", "tolerance", "n_frames"),
           mime="image/webp", element="img", loops=True, extra=None),
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


def open_writer(path, *, fps, hold_last_ms=1500, palette=None, tolerance=0, epochs=None, n_frames=None):
    """A writer for ``path`` chosen by its suffix (``.gif``, ``.mp4``, ``.webp`` or ``.html``).

    Parameters
    ----------
    path : str or os.PathLike
    fps : float
    hold_last_ms : int, default=1500
    palette : Palette, optional
        Needed for GIF and HTML; WebP maps its frames to it when given; MP4 ignores it.
    tolerance : int, default=0
        For GIF, HTML and (with a palette) WebP: see :class:`~boundaryviz.output.writers.GifWriter`.
    epochs : sequence of int, optional
        For HTML: the epoch each frame shows (see :class:`~boundaryviz.output.player.PlayerWriter`).
    n_frames : int, optional
        For WebP: how many frames will come, so that it encodes them as they come (see
        :class:`~boundaryviz.output.webp.WebPWriter`).

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
    given = dict(zip(OPTIONS, (palette, tolerance, epochs, n_frames)))
    return entry.writer(path, fps=fps, hold_last_ms=hold_last_ms, **{name: given[name] for name in entry.options})


# Finished files: clean-up of what an interrupted writer left, and reading a file back.


def remove_partials(folder, *, wait=0.0):
    """Delete temporary files left in ``folder`` by an interrupted writer.

    A temporary file still being written by a live process (another sweep into the same
    folder) is left alone, and so is any ``.partial`` file that boundaryviz did not name.

    Parameters
    ----------
    folder : str or os.PathLike
    wait : float, default=0
        Seconds to keep retrying files still in use (for writers that are being stopped).

    Returns
    -------
    list of str
        The paths removed.
    """
    # only what boundaryviz writes (.NAME.EXT.XXXXXXXX.partial): other programs' files stay
    suffixes = [entry.suffix.lstrip(".") for entry in REGISTRY] + list(PICTURE_SUFFIXES)
    ours = re.compile(r"^\..+\.(" + "|".join(map(re.escape, suffixes)) + r")\.[^.]+" + re.escape(PARTIAL_SUFFIX) + "$")
    pattern = os.path.join(glob.escape(os.fspath(folder)), f".*{PARTIAL_SUFFIX}")
    deadline = time.monotonic() + wait
    removed = []
    while True:
        busy = False
        for tmp in sorted(t for t in glob.glob(pattern) if ours.match(os.path.basename(t))):
            try:
                fd = os.open(tmp, os.O_RDONLY)
            except OSError:
                continue  # gone already
            try:
                if try_lock(fd):
                    os.remove(tmp)
                    removed.append(tmp)
                else:
                    busy = True
            except OSError:
                pass
            finally:
                os.close(fd)
        if not busy or time.monotonic() >= deadline:
            return removed
        time.sleep(0.05)


def is_complete(path):
    """Whether ``path`` holds a whole animation file (read back far enough to tell).

    GIF: a valid header and the trailer byte; WebP: a RIFF header whose size matches the file;
    MP4: an ``ftyp`` box and a ``moov`` box; HTML player: it ends with ``</html>``. Any other
    file: it exists and is not empty.
    """
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(16)
            handle.seek(max(0, size - 1))
            tail = handle.read(1)
    except OSError:
        return False
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".gif":
        if not (head.startswith(b"GIF8") and tail == b";"):
            return False
        try:
            with Image.open(path) as image:
                image.seek(image.n_frames - 1)
                image.load()
        except Exception:
            return False
        return True
    if suffix == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP" and struct.unpack("<I", head[4:8])[0] + 8 == size
    if suffix == ".mp4":
        if head[4:8] != b"ftyp":
            return False
        with open(path, "rb") as handle:
            return b"moov" in handle.read()
    if suffix == ".html":
        with open(path, "rb") as handle:
            handle.seek(max(0, size - 16))
            return handle.read().rstrip().endswith(b"</html>")
    return size > 0


def frame_size(path):
    """(width, height) of an animation or picture from its header; None if unreadable."""
    if os.path.splitext(path)[1].lower() == ".mp4":
        return _mp4_frame_size(path)
    if os.path.splitext(path)[1].lower() == ".html":
        return read_player_size(path)
    try:
        with Image.open(path) as image:
            return image.size
    except OSError:
        return None


def _mp4_frame_size(path):
    """(width, height) of the first video track of an MP4: the end of its ``tkhd`` box.

    The writer puts the index (``moov``) first, so the first megabyte holds it.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return None
    start = head.find(b"tkhd")
    while start >= 4:
        size = int.from_bytes(head[start - 4 : start], "big")
        if 84 <= size <= 120 and start - 4 + size <= len(head):
            end = start - 4 + size
            width, height = (int.from_bytes(head[i : i + 4], "big") >> 16 for i in (end - 8, end - 4))
            if width and height:
                return width, height
        start = head.find(b"tkhd", start + 4)
    return None
