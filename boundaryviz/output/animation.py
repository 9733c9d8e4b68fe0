"""From a History to an animation file: the renderer's frames streamed into a writer."""

from __future__ import annotations

import base64
import html
import os
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field, replace

import numpy as np

from .._validation import check_choice, check_int
from ..options import UNSET, AnimationOptions
from ..train.history import History
from .formats import FORMATS, check_format, check_path, get_format, open_writer
from .palette import Palette
from .pipeline import FrameEncoder

__all__ = ["save_animation", "save_animations", "show", "frame_indices", "animation_palette", "Animation",
           "renderer_for", "DEFAULT_FPS", "DEFAULT_MAX_FRAMES", "DEFAULT_HOLD_LAST", "GIF_TOLERANCE"]

DEFAULT_FPS = AnimationOptions.default("fps")
DEFAULT_MAX_FRAMES = AnimationOptions.default("max_frames")
DEFAULT_HOLD_LAST = AnimationOptions.default("hold_last")
GIF_TOLERANCE = 16


@dataclass(frozen=True)
class Animation:
    """An animation, written to a file or held in memory; shows itself inline in Jupyter.

    :func:`save_animation`, :func:`save_animations` and :func:`show` make it; each parameter
    is kept as the attribute of the same name.

    Parameters
    ----------
    path : str or None
        The written file; ``None`` for an animation held only in memory (see :func:`show`).
    n_frames : int
        Frames rendered (one per shown snapshot).
    fps : float
        Frames per second.
    size_bytes : int
        Size of the encoded animation in bytes.
    format : {'gif', 'mp4', 'webp', 'html'}
        The file format.
    data : bytes or None, default=None
        The encoded animation when held in memory; otherwise it is read from ``path`` each
        time it is displayed.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> animation = bv.show(bv.train(bv.gaussians(), epochs=9), size=(480, 280))  # 10 snapshots
    >>> animation.path is None, animation.n_frames, animation.data[:6]
    (True, 10, b'GIF89a')
    >>> animation.to_html(width=480).startswith('<img src="data:image/gif;base64,')
    True
    """

    path: str | None
    n_frames: int
    fps: float
    size_bytes: int
    format: str
    data: bytes | None = field(default=None, repr=False)

    def to_bytes(self):
        """The encoded animation, from memory or read from ``path``.

        Returns
        -------
        bytes
            The bytes of the file as written.
        """
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ValueError("this Animation has neither a path nor data.")
        with open(self.path, "rb") as handle:
            return handle.read()

    def to_html(self, width=None):
        """An ``<img>`` (GIF, WebP) or ``<video>`` (MP4) element with the animation inlined as data.

        An HTML player becomes an ``<iframe srcdoc>`` holding the whole page, so its script and
        styles stay apart from the notebook's (and from any other player's).

        Parameters
        ----------
        width : int, optional
            Display width in CSS pixels.

        Returns
        -------
        str
            The HTML element, self-contained (no file is referenced).
        """
        if width is not None:
            width = check_int(width, "width", low=1, high=100_000)
        name = os.path.basename(self.path) if self.path else f"{self.n_frames}-frame {self.format} animation"
        alt = html.escape(name, quote=True)
        entry = get_format(self.format)
        if entry.element == "iframe":
            from .player import page_frame_size, player_size

            page = self.to_bytes().decode("utf-8")
            shown, height = player_size(page_frame_size(page), width)
            return (f'<iframe srcdoc="{html.escape(page, quote=True)}" width="{shown}" height="{height}" '
                    f'title="{alt}" style="border: 0; max-width: 100%"></iframe>')
        data = base64.b64encode(self.to_bytes()).decode("ascii")
        src = f"data:{entry.mime};base64,{data}"
        size = f' width="{width}"' if width else ""
        if entry.element == "video":
            return f'<video src="{src}"{size} autoplay muted loop playsinline controls title="{alt}"></video>'
        return f'<img src="{src}"{size} alt="{alt}">'

    def _repr_html_(self):
        return self.to_html()


def _format_of(path):
    return check_path(path).name


def frame_indices(n_snapshots, max_frames=DEFAULT_MAX_FRAMES):
    """Which snapshots become frames: all of them, or every k-th one and the last.

    Parameters
    ----------
    n_snapshots : int
    max_frames : int or None, default=100
        Most frames; ``None`` or 0 keeps every snapshot.

    Returns
    -------
    ndarray of shape (n_frames,), dtype int
        Increasing snapshot indices, starting at 0 and ending at ``n_snapshots - 1``.

    Examples
    --------
    >>> frame_indices(201).tolist()[:4], len(frame_indices(201))
    ([0, 3, 6, 9], 68)
    """
    n_snapshots = check_int(n_snapshots, "n_snapshots", low=1)
    max_frames = AnimationOptions(max_frames=max_frames).max_frames
    last = n_snapshots - 1
    if not max_frames or n_snapshots <= max_frames:
        return np.arange(n_snapshots)
    stride = -(-last // (max_frames - 1))  # ceil
    picked = np.arange(0, last + 1, stride)
    return picked if picked[-1] == last else np.append(picked, last)


def animation_palette(renderer, indices=None):
    """The palette of an animation: the colours its frames are made of, and the most common
    in-between (antialiased) colours of its first, middle and last frames.

    Parameters
    ----------
    renderer : Renderer
    indices : array-like of int, optional
        The snapshots the animation shows (default: :func:`frame_indices` of the renderer).

    Returns
    -------
    Palette
    """
    if indices is None:
        indices = frame_indices(renderer.n_frames)
    indices = np.asarray(indices)
    if indices.ndim != 1 or indices.size == 0:
        raise ValueError(f"indices must be a non-empty sequence of snapshot indices. Got {indices!r}.")
    n = len(indices)
    samples = [renderer.frame(int(i)) for i in sorted({int(indices[0]), int(indices[n // 2]), int(indices[-1])})]
    return Palette.from_frames(renderer.key_colors(), samples)


def save_animation(history, path, *, fps=UNSET, hold_last=UNSET, max_frames=UNSET, renderer=None, progress=False,
                   options=None, **renderer_options):
    """Render every snapshot of ``history`` and stream the frames into an animation file.

    The format follows the suffix of ``path``:

    - ``.gif``: a palette fixed for the whole animation, loops forever;
    - ``.webp``: lossless, the GIF's palette and pixels and timing, loops forever, smaller;
    - ``.mp4``: H.264 (yuv420p, +faststart) for every browser, needs the ``video`` extra
      (``pip install "boundaryviz[video]"``); no loop flag (use ``<video loop>``), the last
      frame repeated for ``hold_last``;
    - ``.html``: a self-contained player of the GIF's exact frames, with play / pause, a
      slider over the epochs, arrow keys, speed and loop, and ``#epoch=N`` links
      (:mod:`boundaryviz.output.player`).

    The file is written under a temporary name in the same folder and renamed into place
    when complete; the same history and settings give the same bytes.

    Parameters
    ----------
    history : History
        The run to draw, one frame per snapshot shown.
    path : str or os.PathLike
        The file to write; its folder must exist.
    fps : float, default=12
        Frames per second (> 0, <= 50).
    hold_last : float, default=1.5
        Seconds the last frame stays before the loop restarts (0 to 60).
    max_frames : int or None, default=100
        A run with more snapshots shows every k-th epoch (and the last) so that at most
        this many frames are written, which keeps long runs small enough to embed;
        ``None`` or 0 writes one frame per snapshot.
    renderer : Renderer, optional
        A renderer of ``history`` to reuse (it brings its drawing options); otherwise one is
        made from ``options`` or ``renderer_options``.
    progress : bool, default=False
        Show a ``tqdm.auto`` progress bar.
    options : AnimationOptions, optional
        Every option at once (:class:`~boundaryviz.AnimationOptions`), instead of ``fps``,
        ``hold_last``, ``max_frames`` and ``renderer_options``; with a ``renderer``, its
        drawing options must be the renderer's.
    **renderer_options
        ``resolution``, ``layer``, ``size``, ``levels``, ``lattice_lines``, ``bayes``,
        ``view``, ``anchor``: see :class:`~boundaryviz.Renderer`.

    Returns
    -------
    Animation
        The written file's path, frame count and size; displays itself inline in a notebook.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> history = bv.train(bv.gaussians(), learning_rate=0.1, epochs=50)
    >>> bv.save_animation(history, "relu.gif")  # doctest: +SKIP
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path. Got {path!r}.")
    (animation,) = save_animations(history, [path], fps=fps, hold_last=hold_last, max_frames=max_frames,
                                   renderer=renderer, progress=progress, options=options, **renderer_options)
    return animation


def renderer_for(history, renderer, options, renderer_options=None):
    """The renderer to draw ``history`` with: the one given (checked), or a new one.

    Parameters
    ----------
    history : History
    renderer : Renderer or None
    options : AnimationOptions or None
        The call's options object, if it passed one.
    renderer_options : dict, optional
        The drawing keywords the call was given (exactly those).

    Returns
    -------
    Renderer

    Raises
    ------
    TypeError
        When a renderer comes with drawing keywords.
    ValueError
        When the renderer draws another history, or differently from ``options``.
    """
    from ..render.renderer import Renderer  # here, so matplotlib loads only when something is drawn

    renderer_options = renderer_options or {}
    if renderer is None:
        return Renderer(history, options=options, **renderer_options)
    if renderer_options:
        raise TypeError(f"pass either renderer or renderer options ({', '.join(sorted(renderer_options))}), not both.")
    if not isinstance(renderer, Renderer) or renderer.history is not history:
        raise ValueError("renderer must be a Renderer of the same history.")
    if options is not None and not options.draws_like(renderer.options):
        raise ValueError("options must draw as the renderer does (the same renderer options), or be left out.")
    return renderer


def save_animations(history, paths, *, fps=UNSET, hold_last=UNSET, max_frames=UNSET, renderer=None, progress=False,
                    on_frame=None, palette=None, options=None, **renderer_options):
    """Like :func:`save_animation` for several files (formats) at once: each frame drawn once.

    Parameters
    ----------
    history : History
        The run to draw, one frame per snapshot shown.
    paths : sequence of str or os.PathLike
        One file per path, the format following each suffix; at least one, no repeats.
    fps : float, default=12
        Frames per second, as for :func:`save_animation`.
    hold_last : float, default=1.5
        Seconds the last frame stays, as for :func:`save_animation`.
    max_frames : int or None, default=100
        Most frames written, as for :func:`save_animation`.
    renderer : Renderer, optional
        A renderer of ``history`` to reuse, as for :func:`save_animation`.
    progress : bool, default=False
        Show a ``tqdm.auto`` progress bar.
    on_frame : callable, optional
        Called as ``on_frame(index, frame)`` after each frame is written, with the snapshot
        index and the frame, ndarray of shape (H, W, 4), dtype uint8: the canvas buffer,
        valid only during the call (a :class:`~boundaryviz.output.tiles.TileRecorder` keeps tiles
        of the frames this way).
    palette : Palette, optional
        The GIF's and WebP's palette; by default one made from the renderer's colours and
        sample frames.
    options : AnimationOptions, optional
        Every option at once, as for :func:`save_animation`.
    **renderer_options
        The drawing options, as for :func:`save_animation`.

    Returns
    -------
    list of Animation
        One per path, in order.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> history = bv.train(bv.gaussians(), learning_rate=0.1, epochs=50)
    >>> bv.save_animations(history, ["relu.gif", "relu.webp"])  # doctest: +SKIP
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a boundaryviz History. Got {type(history).__name__}.")
    if isinstance(paths, (str, os.PathLike)) or not hasattr(paths, "__iter__"):
        raise TypeError(f"paths must be a sequence of file paths. Got {paths!r}.")
    paths = list(paths)
    if not paths:
        raise ValueError("paths must name at least one file. Got none.")
    for path in paths:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"paths must hold file paths. Got {path!r}.")
    if len({os.path.abspath(os.fspath(p)) for p in paths}) != len(paths):
        raise ValueError(f"paths must not repeat a file. Got {[os.fspath(p) for p in paths]!r}.")
    if on_frame is not None and not callable(on_frame):
        raise TypeError(f"on_frame must be callable. Got {on_frame!r}.")
    if palette is not None and not isinstance(palette, Palette):
        raise TypeError(f"palette must be a boundaryviz Palette. Got {type(palette).__name__}.")
    formats = [_format_of(path) for path in paths]
    for fmt in formats:
        check_format(fmt)  # MP4 without the video extra fails here, before any work
    timing = {"fps": fps, "hold_last": hold_last, "max_frames": max_frames}
    if renderer is None:
        options = AnimationOptions.from_call(options, **timing, **renderer_options)
    else:  # a renderer brings its drawing options; the call may set the timing
        AnimationOptions.from_call(options, **timing)  # not both an options object and keywords
        renderer = renderer_for(history, renderer, options, renderer_options)
        options = options or renderer.options.replace(**{k: v for k, v in timing.items() if v is not UNSET})
    for path in paths:
        folder = os.path.dirname(os.path.abspath(os.fspath(path)))
        if not os.path.isdir(folder):
            raise ValueError(f"path's folder {folder!r} does not exist.")
        if os.path.isdir(path):
            raise ValueError(f"path {os.fspath(path)!r} is a folder; give a file name.")
    if renderer is None:
        renderer = renderer_for(history, None, options)
    fps, hold_last = options.fps, options.hold_last
    indices = frame_indices(renderer.n_frames, options.max_frames)
    n = len(indices)
    if palette is None and any(get_format(fmt).needs_palette for fmt in formats):  # the GIF's pixels
        palette = animation_palette(renderer, indices)
    epochs = [history.snapshots[int(i)].epoch for i in indices]  # the player's slider shows them
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc=", ".join(os.path.basename(os.fspath(p)) for p in paths), unit="frame")
    hold_ms = int(round(hold_last * 1000))
    try:
        with ExitStack() as stack:
            writers = [
                stack.enter_context(open_writer(path, fps=fps, hold_last_ms=hold_ms, palette=palette,
                                                tolerance=GIF_TOLERANCE, epochs=epochs, n_frames=n))
                for path in paths
            ]
            # the next frame is drawn while the writers encode the last one in a thread
            with FrameEncoder(writers, threaded=n > 1) as encoder:
                for i in indices:
                    frame = renderer.frame_rgba(int(i))
                    encoder.submit(frame)  # a copy goes to the thread: the canvas is drawn over next
                    if on_frame is not None:
                        on_frame(int(i), frame)
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return [Animation(os.fspath(path), n, fps, os.path.getsize(path), fmt) for path, fmt in zip(paths, formats)]


def show(history, *, format="gif", player=False, **options):
    """Render ``history`` into an animation held in memory, for display in a notebook.

    The animation is written by :func:`save_animation` into a temporary folder, read back
    and the folder removed, so no file is left behind. A notebook cell ending in the result
    shows it inline (``<img>`` for GIF and WebP, ``<video>`` for MP4, the HTML player in an
    ``<iframe>``).

    Parameters
    ----------
    history : History
        The run to draw, one frame per snapshot shown.
    format : {'gif', 'mp4', 'webp', 'html'}, default='gif'
        ``'mp4'`` needs the ``video`` extra.
    player : bool, default=False
        Show the HTML player (slider, play / pause, arrow keys) instead: the same as
        ``format='html'``.
    **options
        As for :func:`save_animation`: ``fps``, ``hold_last``, ``max_frames``, ``renderer``,
        ``progress``, the renderer options (``resolution``, ``layer``, ``size``, ``levels``,
        ``lattice_lines``, ``bayes``, ``view``, ``anchor``), or ``options`` (an
        :class:`~boundaryviz.AnimationOptions`) for all of them at once.

    Returns
    -------
    Animation
        With ``path=None`` and the encoded bytes in ``data``.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> history = bv.train(bv.gaussians(), activation="tanh", learning_rate=0.1)
    >>> bv.show(history, max_frames=40)  # doctest: +SKIP
    >>> bv.show(history, player=True)  # doctest: +SKIP
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a boundaryviz History. Got {type(history).__name__}.")
    check_choice(format, "format", FORMATS)
    if not isinstance(player, bool):
        raise TypeError(f"player must be True or False. Got {player!r}.")
    if player:
        if format not in ("gif", "html"):
            raise ValueError(f"format must be left out (or 'html') with player=True. Got {format!r}.")
        format = "html"
    with tempfile.TemporaryDirectory(prefix="boundaryviz-") as folder:
        # named after the run, so a progress bar reads e.g. "tanh_lr0.1.gif"
        written = save_animation(history, os.path.join(folder, f"{history.label}.{format}"), **options)
        data = written.to_bytes()
    return replace(written, path=None, size_bytes=len(data), data=data)
