"""A live explorer for notebooks: a slider over every snapshot, each frame drawn on demand.

Where a file keeps every k-th epoch, :func:`explore` reaches every snapshot of the history:
moving the slider (or the play button, which moves it) asks the
:class:`~boundaryviz.Renderer` for that snapshot's frame and shows it as a PNG in an
``ipywidgets.Image``. ipywidgets is imported only here; ``pip install ipywidgets`` (it is in
the ``test`` extra) if it is missing.
"""

from __future__ import annotations

import struct
import threading
import zlib

import numpy as np

from .._validation import check_number
from ..train.history import History

__all__ = ["Explorer", "explore", "frame_png"]

DEFAULT_EXPLORE_FPS = 8


def frame_png(frame):
    """PNG bytes of an RGB frame, as the explorer shows it.

    Parameters
    ----------
    frame : ndarray of shape (H, W, 3) or (H, W, 4), dtype uint8
        Alpha, if any, is dropped (the renderer's canvas buffer can be passed as it is).

    Returns
    -------
    bytes
        A PNG of the RGB pixels, without time stamps or text chunks (the same frame gives
        the same bytes). Written here rather than by Pillow, whose encoder tries five
        filters on every row: these flat-coloured frames deflate well unfiltered, so rows
        go to zlib as they are, at level 1 — a third of Pillow's time at level 1, and a
        tenth smaller (``benchmarks/bench_perf.py``). The top and bottom halves are
        gathered and deflated at once in two threads (zlib and NumPy's copies release the
        GIL), as two runs of one zlib stream; always two, so the bytes do not depend on the
        machine.

    Examples
    --------
    >>> import numpy as np
    >>> frame_png(np.zeros((2, 3, 3), np.uint8))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4) or frame.dtype != np.uint8:
        raise ValueError(f"frame must be an RGB uint8 array of shape (H, W, 3). Got {frame.dtype} {frame.shape}.")
    height, width = frame.shape[:2]
    middle = height // 2
    halves = [b"", b""]
    sums = [1, 1]

    def deflate(part, rows, last):
        # each row: filter type 0 (none), then its RGB bytes
        data = np.empty((len(rows), 1 + 3 * width), np.uint8)
        data[:, 0] = 0
        data[:, 1:].reshape(len(rows), width, 3)[...] = rows[:, :, :3]
        coder = zlib.compressobj(1, zlib.DEFLATED, -15)  # raw deflate: the runs are joined below
        halves[part] = coder.compress(data.data) + coder.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
        sums[part] = zlib.adler32(data.data)
        lengths[part] = data.size

    lengths = [0, 0]
    top = threading.Thread(target=deflate, args=(0, frame[:middle], False))
    top.start()
    deflate(1, frame[middle:], True)
    top.join()
    # the stream's checksum, combined from the halves' (Adler-32 is two sums modulo 65521)
    checksum = _adler32_combine(sums[0], sums[1], lengths[1])
    idat = b"\x78\x01" + halves[0] + halves[1] + struct.pack(">I", checksum)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, not interlaced
    return b"".join((b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header), _chunk(b"IDAT", idat), _chunk(b"IEND", b"")))


def _adler32_combine(first, second, second_length):
    """Adler-32 of ``A + B`` from that of ``A``, that of ``B`` and ``len(B)`` (as zlib's
    ``adler32_combine``)."""
    base = 65521
    a1, b1 = first & 0xFFFF, first >> 16
    a2, b2 = second & 0xFFFF, second >> 16
    a = (a1 + a2 - 1) % base
    b = (b1 + b2 + second_length * (a1 - 1)) % base  # B's b counts A's a once per byte of B
    return (b << 16) | a


def _chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(tag)))


def _widgets():
    try:
        import ipywidgets
    except ImportError as exc:
        raise ImportError("explore needs ipywidgets, which is not installed; install it with: "
                          "pip install ipywidgets") from exc
    return ipywidgets


class Explorer:
    """Widgets that show any snapshot of a history: a slider, a play button, the frame.

    Made by :func:`explore`; a notebook cell ending in it shows the widgets.

    Parameters
    ----------
    history : History
        The run shown, one slider position per snapshot.
    renderer : Renderer
        A renderer of ``history``, which draws the frames.
    fps : float
        Snapshots a second while playing.

    Attributes
    ----------
    renderer : Renderer
        Draws the frames.
    slider : ipywidgets.IntSlider
        The snapshot index shown (0 to ``len(history) - 1``); set its ``value`` to show
        another snapshot.
    play : ipywidgets.Play
        Moves the slider, ``fps`` snapshots a second.
    link : ipywidgets.Link
        Play → slider, kept in the browser (``jslink``), so playing costs the kernel only
        the redraws.
    image : ipywidgets.Image
        The frame, PNG (:func:`frame_png` of ``renderer.frame(slider.value)``).
    label : ipywidgets.Label
        The epoch shown, its loss and accuracy.
    widget : ipywidgets.VBox
        All of them, as displayed.

    Examples
    --------
    >>> import boundaryviz as bv
    >>> explorer = bv.explore(bv.train(bv.gaussians(), epochs=30), size=(480, 280))
    >>> explorer.slider.max
    30
    >>> explorer.slider.value = 12  # draws epoch 12
    >>> explorer.label.value.startswith("epoch 12")
    True
    """

    def __init__(self, history, renderer, fps):
        widgets = _widgets()
        self.history = history
        self.renderer = renderer
        last = len(history) - 1
        self.slider = widgets.IntSlider(value=0, min=0, max=last, step=1, description="snapshot",
                                        continuous_update=True, readout=False,
                                        layout=widgets.Layout(flex="1 1 auto", width="auto"))
        self.play = widgets.Play(value=0, min=0, max=last, step=1, interval=max(1, int(round(1000 / fps))),
                                 description="Play", show_repeat=True)
        self.link = widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.label = widgets.Label()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%"))
        self._show(0)
        width = renderer.frame(0).shape[1]
        self.image.layout.max_width = f"{width}px"  # never larger than drawn
        self.widget = widgets.VBox([self.image, widgets.HBox([self.play, self.slider, self.label])])
        self.slider.observe(self._on_value, names="value")

    def _on_value(self, change):
        self._show(change["new"])

    def _show(self, index):
        snapshot = self.history.snapshots[index]
        self.image.value = frame_png(self.renderer.frame_rgba(index))  # no RGB copy first
        self.label.value = (f"epoch {snapshot.epoch} · loss {snapshot.loss:.4f} · "
                            f"accuracy {snapshot.accuracy:.1%}")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def explore(history, *, fps=DEFAULT_EXPLORE_FPS, renderer=None, **renderer_options):
    """Explore every snapshot of ``history`` in a notebook: a slider, play, the frame drawn on demand.

    Each move of the slider draws that snapshot's frame through the
    :class:`~boundaryviz.Renderer` (about a hundredth of a second at the default
    960 × 560, see ``benchmarks/bench_player.py``), so the explorer reaches every epoch,
    not only the frames a file keeps, and keeps no frame in memory.

    Parameters
    ----------
    history : History
        From :func:`~boundaryviz.train` or any other source of snapshots.
    fps : float, default=8
        Snapshots a second while playing (> 0, <= 50).
    renderer : Renderer, optional
        A renderer of ``history`` to reuse; otherwise one is made from ``renderer_options``.
    **renderer_options
        ``resolution``, ``layer``, ``size``, ``levels``, ``lattice_lines``, ``bayes``,
        ``view``, ``anchor``: see :class:`~boundaryviz.Renderer`.

    Returns
    -------
    Explorer
        A notebook cell ending in it shows the widgets.

    Raises
    ------
    ImportError
        When ipywidgets is not installed (the message says how to install it).

    Examples
    --------
    >>> import boundaryviz as bv
    >>> history = bv.train(bv.gaussians(), activation="relu", learning_rate=0.1)
    >>> bv.explore(history)  # doctest: +SKIP
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a boundaryviz History. Got {type(history).__name__}.")
    fps = check_number(fps, "fps", low=0, high=50, low_open=True)
    _widgets()  # a missing ipywidgets is reported before any drawing
    from .animation import renderer_for

    return Explorer(history, renderer_for(history, renderer, None, renderer_options), fps)
