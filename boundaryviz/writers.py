"""Streaming animation writers and atomic file output.

A writer takes RGB frames one at a time and never holds more than two of them. Every file is
written under a temporary name in the target folder (``.NAME.XXXX.partial``, hidden, plainly not a
result) and renamed into place only once complete, so a reader never sees half a file.

GIF is written here frame by frame: a global palette fixed for the whole animation (so colours
never flicker), each frame cropped to the rectangle that changed, unchanged pixels inside it
made transparent, and the LZW coding of each frame done by Pillow. (Pillow's and imageio's own
GIF savers keep every frame in memory until the end.)

MP4 (the ``video`` extra) streams frames through a pipe to ffmpeg. WebP is encoded by Pillow
only once every frame is in: its writer keeps frames compressed meanwhile (see WebPWriter).
"""

from __future__ import annotations

import contextlib
import glob
import logging
import math
import os
import re
import struct
import sys
import tempfile
import time
import zlib

import numpy as np
from PIL import Image

from ._validation import ParameterValueError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

__all__ = [
    "Palette",
    "ChangedRects",
    "GifWriter",
    "Mp4Writer",
    "WebPWriter",
    "MissingExtraError",
    "check_format",
    "FORMATS",
    "atomic_output",
    "remove_partials",
    "frame_delays_ms",
    "open_writer",
    "is_complete",
    "format_size",
    "PARTIAL_SUFFIX",
]

log = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial"
MIN_DELAY_MS = 20  # browsers slow shorter GIF delays down to 100 ms
FORMATS = ("gif", "mp4", "webp", "html")
_LITTLE_ENDIAN = sys.byteorder == "little"


# ---------------------------------------------------------------------------- atomic files
@contextlib.contextmanager
def atomic_output(path):
    """Yield a temporary path beside ``path``; rename it to ``path`` only on success.

    On any exception (including ``KeyboardInterrupt``) the temporary file is removed and
    ``path`` is left as it was.

    Parameters
    ----------
    path : str or os.PathLike

    Yields
    ------
    str
        The temporary path to write to (``.NAME.XXXX.partial`` in the same folder).
    """
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=PARTIAL_SUFFIX, dir=folder)
    if fcntl is None:  # pragma: no cover - not POSIX, where an open file cannot be renamed
        os.close(fd)
        fd = None
    try:
        if fd is not None:
            # Held until the rename: remove_partials leaves a temporary file alone while the
            # process writing it is alive; the lock goes with the process, even after SIGKILL.
            _try_lock(fd)
        yield tmp
        with open(tmp, "rb") as written:  # on disk before it takes the final name
            os.fsync(written.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    finally:
        if fd is not None:
            os.close(fd)


def _try_lock(fd):
    """Take an exclusive advisory lock on ``fd`` without waiting; False if another holds it."""
    if fcntl is None:  # pragma: no cover - not POSIX
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


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
    ours = re.compile(r"^\..+\.(gif|mp4|webp|png|html)\.[^.]+" + re.escape(PARTIAL_SUFFIX) + "$")
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
                if _try_lock(fd):
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


def format_size(n_bytes):
    """A file size for people: ``'1.4 MB'``, ``'683.2 kB'``, ``'512 B'`` (powers of 1000)."""
    size = float(n_bytes)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000


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
            from PIL import Image

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


def frame_delays_ms(n_frames, fps, hold_last_ms, *, tick_ms=10):
    """Per-frame display times, rounded to the format's clock without drifting.

    Frame ``i`` starts at ``round(i * 1000 / fps)`` in units of ``tick_ms``; the last frame is
    shown for ``hold_last_ms`` (at least one frame's time). No delay is below 20 ms.

    Returns
    -------
    ndarray of shape (n_frames,), dtype int
        Milliseconds, multiples of ``tick_ms``.
    """
    starts = np.round(np.arange(n_frames + 1) * (1000.0 / fps) / tick_ms).astype(int) * tick_ms
    delays = np.diff(starts)
    delays = np.maximum(delays, MIN_DELAY_MS)
    if n_frames:
        delays[-1] = max(delays[-1], int(round(hold_last_ms / tick_ms)) * tick_ms)
    return delays


# ---------------------------------------------------------------------------------- palette
class Palette:
    """A fixed palette of at most 255 colours and a fast RGB → index lookup.

    The lookup is a table over RGB quantised to 5-6-5 bits (65 536 cells), each cell holding
    the palette colour nearest to its centre; colours listed in ``key_colors`` are always in
    the palette exactly.

    Parameters
    ----------
    colors : ndarray of shape (n_colors, 3), dtype uint8
        ``n_colors <= 255``; index 255 is left for transparency.
    n_exact : int, default=0
        The first ``n_exact`` colours are the picture's own colours (colour-map bands, class
        colours, lines): a lossy writer never lets one stand in for another.
    """

    def __init__(self, colors, n_exact=0):
        colors = np.asarray(colors, dtype=np.uint8).reshape(-1, 3)
        if not 1 <= len(colors) <= 255:
            raise ValueError(f"colors must hold 1 to 255 colours. Got {len(colors)}.")
        self.colors = colors
        self.n_exact = int(n_exact)
        r = (np.arange(32) << 3) + 4
        g = (np.arange(64) << 2) + 2
        centres = np.stack(np.meshgrid(r, g, r, indexing="ij"), axis=-1).reshape(-1, 3).astype(np.float32)
        pal = colors.astype(np.int32)
        # nearest palette colour of every cell centre: |c - p|^2 = |c|^2 - 2 c.p + |p|^2, where
        # |c|^2 is the same for every p; the rest is one product, [c, 1] @ [-2 p; |p|^2]
        pal32 = pal.astype(np.float32)
        weights = np.vstack([-2.0 * pal32.T, (pal32**2).sum(axis=1)[None, :]]).astype(np.float32)
        centres = np.hstack([centres, np.ones((len(centres), 1), np.float32)])
        lut = np.empty(len(centres), dtype=np.uint8)
        for start in range(0, len(centres), 4096):  # in blocks: a few MB at a time
            lut[start : start + 4096] = (centres[start : start + 4096] @ weights).argmin(axis=1)
        # every palette colour wins its own cell; where two share a cell, the earlier
        # (an exact colour before a sampled in-between one) wins
        for i in range(len(pal) - 1, -1, -1):
            c = pal[i]
            lut[(c[0] >> 3) << 11 | (c[1] >> 2) << 5 | (c[2] >> 3)] = i
        self.lut = lut
        self._lut_rgba = None  # the same table over 24-bit colours, made on first use

    @classmethod
    def from_frames(cls, key_colors, frames, n_colors=255):
        """Key colours plus the most common other colours of some sample frames.

        Parameters
        ----------
        key_colors : ndarray of shape (k, 3), dtype uint8
            Colours that must be exact (colour map levels, class colours, lines).
        frames : iterable of ndarray of shape (H, W, 3), dtype uint8
            Sample frames (for example the first, middle and last).
        n_colors : int, default=255

        Returns
        -------
        Palette
        """
        from PIL import Image

        keys = np.unique(np.asarray(key_colors, dtype=np.uint8).reshape(-1, 3), axis=0)
        frames = [np.asarray(f, dtype=np.uint8) for f in frames]
        room = n_colors - len(keys)
        extra = np.zeros((0, 3), dtype=np.uint8)
        if room > 0 and frames:
            # a quarter of a million pixels are plenty to find the common in-between colours
            # (every third pixel each way of three 960 x 560 frames): as close a palette as
            # from twice as many, in half the time
            total = sum(f.shape[0] * f.shape[1] for f in frames)
            step = 2
            while total / step**2 > 250_000:
                step += 1
            stacked = Image.fromarray(np.concatenate([f[::step, ::step, :3] for f in frames], axis=0))
            quant = stacked.quantize(colors=room, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            extra = np.array(quant.getpalette()[: 3 * room], dtype=np.uint8).reshape(-1, 3)
            counts = np.bincount(np.asarray(quant).ravel(), minlength=256)[: len(extra)]
            extra = extra[counts > 0]
        colors = np.concatenate([keys, extra])
        _, first = np.unique(colors, axis=0, return_index=True)
        return cls(colors[np.sort(first)][:n_colors], n_exact=min(len(keys), n_colors))

    def index(self, rgb):
        """Palette indices of an RGB frame.

        Parameters
        ----------
        rgb : ndarray of shape (H, W, 3) or (H, W, 4), dtype uint8
            Any strides (a view such as ``frame[::2, ::2]`` is fine).

        Returns
        -------
        ndarray of shape (H, W), dtype uint8
        """
        if rgb.shape[2] == 4 and rgb.dtype == np.uint8 and rgb.strides[2] == 1 and _LITTLE_ENDIAN:
            word = rgb.view(np.uint32)[:, :, 0]  # RGBA as one word per pixel, R in the low byte
            if rgb.shape[0] * rgb.shape[1] < 250_000 and self._lut_rgba is None:
                key = ((word & 0xF8) << 8) | ((word >> 5) & 0x7E0) | ((word >> 19) & 0x1F)
                return self.lut.take(key)
            # the low 24 bits index a table of every RGB colour: 16 MB, made once frames
            # of a quarter megapixel come; two passes over the frame instead of eight
            if self._lut_rgba is None:
                by_rgb = self.lut.reshape(32, 64, 32)  # [r >> 3, g >> 2, b >> 3]
                by_bgr = np.ascontiguousarray(by_rgb.transpose(2, 1, 0))
                # widen the innermost axis first, while the array is small (1 ms, not 8)
                wide = np.repeat(np.repeat(by_bgr, 8, axis=2), 4, axis=1)
                self._lut_rgba = np.repeat(wide, 8, axis=0).ravel()
            return self._lut_rgba.take(word & 0xFFFFFF)
        r = rgb[:, :, 0].astype(np.uint16)
        g = rgb[:, :, 1].astype(np.uint16)
        b = rgb[:, :, 2].astype(np.uint16)
        key = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)
        return self.lut.take(key)

    def closeness(self, tolerance):
        """ndarray of shape (256, 256), bool: colours within ``tolerance`` in every channel.

        Only in-between colours (antialiasing) are ever close to each other: a pixel that
        is, or becomes, one of the exact colours always shows it, so moving bands and lines
        leave no trails.
        """
        close = np.zeros((256, 256), dtype=bool)
        c = self.colors.astype(np.int16)
        n = len(c)
        close[:n, :n] = np.abs(c[:, None, :] - c[None, :, :]).max(axis=-1) <= tolerance
        k = self.n_exact
        close[:k, :] = False
        close[:, :k] = False
        close[np.arange(256), np.arange(256)] = True
        return close

    def to_rgb(self, indices):
        """RGB image of palette ``indices``, ndarray of shape (H, W, 3)."""
        return self.colors[indices]


# ------------------------------------------------------------------------ changed rectangles
class ChangedRects:
    """What each palette frame changes on screen: the rectangle a GIF frame stores.

    The first frame is stored whole. Each later frame is cropped to the rectangle around the
    pixels whose shown colour must change, with :attr:`TRANSPARENT` where the shown colour
    stays (unchanged, or within ``tolerance`` of the new colour, see
    :meth:`Palette.closeness`). Decoding the rectangles in order (drawing every index but
    :attr:`TRANSPARENT`) gives exactly the frames a GIF of them shows; the GIF writer and
    the HTML player both store these rectangles.

    Parameters
    ----------
    palette : Palette
    tolerance : int, default=0
        As for :class:`GifWriter`.

    Attributes
    ----------
    shown : ndarray of shape (H, W), dtype uint8, or None
        The indices on screen after the rectangles so far (``None`` before the first).

    Examples
    --------
    >>> import numpy as np
    >>> rects = ChangedRects(Palette([[0, 0, 0], [255, 255, 255]]))
    >>> rects.next(np.zeros((4, 4), np.uint8))[0]
    (0, 0, 4, 4)
    >>> frame = np.zeros((4, 4), np.uint8); frame[1, 2] = 1
    >>> rects.next(frame)
    ((2, 1, 3, 2), array([[1]], dtype=uint8))
    """

    TRANSPARENT = 255

    def __init__(self, palette, tolerance=0):
        # close[i * 256 + j]: colour i may stay on screen where colour j is asked for
        self._close = palette.closeness(tolerance).ravel()
        self.shown = None

    def next(self, indices):
        """The rectangle that shows frame ``indices`` over what is shown; updates :attr:`shown`.

        Parameters
        ----------
        indices : ndarray of shape (H, W), dtype uint8
            Palette indices of the frame (the first frame's size fixes every later one's).

        Returns
        -------
        box : tuple of int
            ``(left, top, right, bottom)`` in pixels; ``(0, 0, 1, 1)`` with one transparent
            pixel when nothing changes.
        data : ndarray of shape (bottom - top, right - left), dtype uint8
            The rectangle's indices, :attr:`TRANSPARENT` where the shown colour stays.
        """
        height, width = indices.shape
        if self.shown is None:
            self.shown = indices.copy()  # what is shown, updated in place from here on
            return (0, 0, width, height), indices
        shown = self.shown
        if shown.shape != indices.shape:
            raise ValueError(f"every frame must have the first one's size {shown.shape[::-1]}. "
                             f"Got {indices.shape[::-1]}.")
        where = np.flatnonzero(indices != shown)  # flat positions whose index differs
        if where.size:
            # of those, the ones close to what is shown stay as they are
            pairs = shown.ravel().take(where).astype(np.intp) * 256 + indices.ravel().take(where)
            where = where[~self._close.take(pairs)]
        if where.size == 0:
            # nothing to change: one transparent pixel keeps the frame count, and the screen
            # keeps what it shows (close colours must not drift)
            return (0, 0, 1, 1), np.full((1, 1), self.TRANSPARENT, np.uint8)
        rows, cols = np.divmod(where, width)  # rows increase with the flat position
        top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols.min()), int(cols.max()) + 1
        fresh = indices.ravel().take(where)
        # the changed rectangle, transparent where nothing changes
        data = np.full((bottom - top, right - left), self.TRANSPARENT, np.uint8)
        data[rows - top, cols - left] = fresh
        shown.ravel()[where] = fresh
        return (left, top, right, bottom), data


# -------------------------------------------------------------------------------------- GIF
class GifWriter:
    """Stream frames into an animated GIF that loops forever.

    Use as a context manager; the file appears at ``path`` only when the block ends without
    an error.

    Parameters
    ----------
    path : str or os.PathLike
    fps : float
        Frames per second (> 0, <= 50; GIF delays are whole centiseconds).
    palette : Palette
        Fixed palette of the whole animation.
    hold_last_ms : int, default=1500
        How long the last frame stays before the loop restarts.
    tolerance : int, default=0
        A pixel whose shown colour differs from the new one by at most this much in every
        channel (0-255) keeps the shown colour. 0 is lossless; a small value (about 16)
        drops antialiasing flicker and makes files smaller.

    Examples
    --------
    >>> import numpy as np
    >>> from boundaryviz.writers import GifWriter, Palette
    >>> palette = Palette([[0, 0, 0], [255, 255, 255]])
    >>> with GifWriter("blink.gif", fps=10, palette=palette) as gif:  # doctest: +SKIP
    ...     gif.append(np.zeros((20, 20, 3), np.uint8))
    ...     gif.append(np.full((20, 20, 3), 255, np.uint8))
    """

    TRANSPARENT = 255

    def __init__(self, path, *, fps, palette, hold_last_ms=1500, tolerance=0):
        self.path = os.fspath(path)
        self.tolerance = tolerance
        self._changes = ChangedRects(palette, tolerance)
        self.fps = float(fps)
        self.palette = palette
        self.hold_last_ms = hold_last_ms
        self.n_frames = 0
        self._atomic = None
        self._fh = None
        self._pending = None  # (indices, delay_cs) waiting for the next frame's arrival
        self._frame_ms = 1000.0 / self.fps

    def __enter__(self):
        self._atomic = atomic_output(self.path)
        tmp = self._atomic.__enter__()
        self._fh = open(tmp, "wb")
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._finish()
            self._fh.close()  # a failure here (disk full) is a failure to finish, too
        except BaseException as error:
            # a failure while finishing (no frame, disk full) must not rename a broken file
            with contextlib.suppress(OSError):
                self._fh.close()
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise
        self._fh.close()
        self._atomic.__exit__(exc_type, exc, tb)
        return False

    def append(self, frame):
        """Add one frame, ndarray of shape (H, W, 3) (or 4), dtype uint8."""
        indices = self.palette.index(frame)
        start = int(round(self.n_frames * self._frame_ms / 10))
        end = int(round((self.n_frames + 1) * self._frame_ms / 10))
        delay = max(end - start, MIN_DELAY_MS // 10)
        self.n_frames += 1
        if self._pending is not None:
            self._write(*self._pending)
        self._pending = (indices, delay)

    def _finish(self):
        if self._pending is None:
            raise ValueError("an animation needs at least one frame; none was appended.")
        indices, delay = self._pending
        hold = max(delay, int(round(self.hold_last_ms / 10)))
        self._write(indices, hold)
        self._fh.write(b";")

    def _write(self, indices, delay_cs):
        from PIL import GifImagePlugin, Image

        fh = self._fh
        first = self._changes.shown is None
        if first:
            fh.write(self._header(indices.shape[1], indices.shape[0]))
        box, data = self._changes.next(indices)
        data = np.ascontiguousarray(data, dtype=np.uint8)
        image = Image.frombuffer("P", (data.shape[1], data.shape[0]), data, "raw", "P", 0, 1)
        # a GIF delay field holds at most 65535 cs (11 minutes)
        params = {"duration": min(delay_cs, 65535) * 10, "disposal": 1}
        if not first:
            params["transparency"] = self.TRANSPARENT
        for part in GifImagePlugin.getdata(image, offset=box[:2], **params):
            fh.write(part)

    def _header(self, width, height):
        colors = np.zeros((256, 3), np.uint8)
        colors[: len(self.palette.colors)] = self.palette.colors
        return (
            b"GIF89a"
            + struct.pack("<HHBBB", width, height, 0xF7, 0, 0)  # 256-colour global table
            + colors.tobytes()
            + b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00"  # loop forever
        )


# ------------------------------------------------------------------------- optional extras
class MissingExtraError(ImportError, ValueError):
    """A format needs an optional dependency that is not installed.

    Both an ``ImportError`` (what went missing) and a ``ValueError`` (the format asked for
    cannot be written here), so callers that check their input catch it before any work.
    """


def check_format(fmt):
    """Raise unless animations in format ``fmt`` can be written here.

    Parameters
    ----------
    fmt : {'gif', 'mp4', 'webp', 'html'}

    Raises
    ------
    ValueError
        For a format not in :data:`FORMATS`.
    MissingExtraError
        For ``'mp4'`` without the ``video`` extra (``imageio-ffmpeg``).

    Examples
    --------
    >>> check_format("gif")
    """
    if fmt not in FORMATS:
        raise ParameterValueError(f"format must be one of {', '.join(map(repr, FORMATS))}. Got {fmt!r}.", "format")
    if fmt == "mp4":
        _ffmpeg_exe()


def _ffmpeg_exe():
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except ImportError as exc:
        raise MissingExtraError(
            'MP4 needs imageio-ffmpeg, which is not installed; install it with: pip install "boundaryviz[video]"'
        ) from exc
    except RuntimeError as exc:  # imageio-ffmpeg without a bundled or system ffmpeg
        detail = " ".join(str(exc).split())  # one line
        raise MissingExtraError(
            f'MP4 needs an ffmpeg executable and imageio-ffmpeg found none ({detail}); '
            'reinstall it with: pip install --force-reinstall "boundaryviz[video]"'
        ) from exc


# -------------------------------------------------------------------------------------- MP4
class _AtomicWriter:
    """Context-manager plumbing of the MP4 and WebP writers: frames go to a temporary file
    that is renamed into place when the block ends cleanly and removed otherwise."""

    path = None

    def __enter__(self):
        self._atomic = atomic_output(self.path)
        self._tmp = self._atomic.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self._finish()
            except BaseException as error:
                self._abort()
                self._atomic.__exit__(type(error), error, error.__traceback__)
                raise
        else:
            self._abort()
        self._atomic.__exit__(exc_type, exc, tb)
        return False

    def _finish(self):  # pragma: no cover - every writer defines it
        raise NotImplementedError

    def _abort(self):  # pragma: no cover - every writer defines it
        raise NotImplementedError


class Mp4Writer(_AtomicWriter):
    """Stream frames into an H.264 MP4 that plays in every browser.

    Frames go one at a time through a pipe to ffmpeg (imageio's ``FFMPEG`` plugin, from the
    ``video`` extra): H.264 High profile, 4:2:0 chroma (``yuv420p``), BT.709 colours, the
    index moved to the front (``+faststart``) so a page can start playing before the file
    has arrived. The bytes depend only on the frames and the settings: one encoder thread,
    no metadata, no timestamps (``bitexact``).

    MP4 has no loop flag (a page loops it with ``<video loop>``) and a constant frame rate:
    the last frame is repeated to stay for ``hold_last_ms``, so the file holds
    ``n_frames + hold_repeats(fps, hold_last_ms)`` frames. An odd width or height is padded
    by one pixel (repeating the edge), as 4:2:0 video needs even sizes.

    Parameters
    ----------
    path : str or os.PathLike
    fps : float
    hold_last_ms : int, default=1500
    crf : int, default=23
        x264 quality, 0 (lossless) to 51 (worst); 23 keeps text and thin lines sharp.
    preset : str, default='medium'
        x264 speed/size trade-off (``'veryfast'`` … ``'veryslow'``).

    Examples
    --------
    >>> import numpy as np
    >>> from boundaryviz.writers import Mp4Writer
    >>> with Mp4Writer("blink.mp4", fps=10) as video:  # doctest: +SKIP
    ...     video.append(np.zeros((20, 20, 3), np.uint8))
    ...     video.append(np.full((20, 20, 3), 255, np.uint8))
    """

    def __init__(self, path, *, fps, hold_last_ms=1500, crf=23, preset="medium"):
        self.ffmpeg = _ffmpeg_exe()
        self.path = os.fspath(path)
        self.fps = float(fps)
        self.hold_last_ms = hold_last_ms
        self.crf = int(crf)
        self.preset = preset
        self.n_frames = 0
        self._plugin = None
        self._video = None
        self._last = None

    @staticmethod
    def hold_repeats(fps, hold_last_ms):
        """int: extra copies of the last frame so that it stays about ``hold_last_ms``.

        The last frame is shown for ``hold_last_ms`` rounded to whole frames (at least one).

        Examples
        --------
        >>> Mp4Writer.hold_repeats(15, 1500), Mp4Writer.hold_repeats(10, 0)
        (22, 0)
        """
        return max(1, math.floor(hold_last_ms * fps / 1000 + 0.5)) - 1

    def append(self, frame):
        """Add one frame, ndarray of shape (H, W, 3) (or 4, alpha ignored), dtype uint8."""
        frame = np.asarray(frame)
        if frame.ndim != 3 or frame.shape[2] not in (3, 4) or frame.dtype != np.uint8:
            raise ValueError(f"frame must be an RGB uint8 array of shape (H, W, 3). Got {frame.dtype} {frame.shape}.")
        height, width = frame.shape[:2]
        frame = np.array(frame[:, :, :3], order="C")  # a copy: the last frame is kept for the hold
        if height % 2 or width % 2:
            frame = np.pad(frame, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
        if self._video is None:
            self._open()
        self._video.append_data(frame)
        self._last = frame
        self.n_frames += 1

    def _open(self):
        import imageio.v3 as iio

        params = [
            "-preset", self.preset, "-crf", str(self.crf), "-profile:v", "high", "-threads", "1",
            # BT.709 conversion and tags, as browsers assume for untagged HD video
            "-vf", "scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,"
            "setparams=range=tv:colorspace=bt709:color_primaries=bt709:color_trc=bt709",
            "-movflags", "+faststart", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
            "-f", "mp4",  # the temporary name does not end in .mp4
        ]
        # imopen's extension lets the FFMPEG plugin write to the temporary name
        self._plugin = iio.imopen(self._tmp, "wI", plugin="FFMPEG", extension=".mp4", legacy_mode=True)
        self._video = self._plugin.legacy_get_writer(
            fps=self.fps, codec="libx264", pixelformat="yuv420p", quality=None, macro_block_size=1,
            ffmpeg_log_level="error", output_params=params,
        )

    def _finish(self):
        if self._video is None:
            raise ValueError("an animation needs at least one frame; none was appended.")
        for _ in range(self.hold_repeats(self.fps, self.hold_last_ms)):
            self._video.append_data(self._last)
        video, plugin = self._video, self._plugin
        self._video = self._plugin = self._last = None
        video.close()  # ffmpeg writes the index and moves it to the front
        plugin.close()

    def _abort(self):
        video, plugin = self._video, self._plugin
        self._video = self._plugin = self._last = None
        for closer in (video, plugin):
            if closer is not None:
                with contextlib.suppress(Exception):
                    closer.close()


# ------------------------------------------------------------------------------------- WebP
class _StoredFrames(Image.Image):
    """Frames kept compressed in memory, seen by Pillow as one multi-frame image.

    Pillow's animated WebP saver turns ``append_images`` into a list before it encodes (so a
    generator of images would all be held at once), but it reads a multi-frame image one
    frame at a time through ``n_frames`` and ``seek``. This image decodes a frame on
    ``seek``, so only one frame is ever held uncompressed.
    """

    def __init__(self, chunks, size, decode):
        super().__init__()
        self._chunks = chunks
        self._decode = decode
        self._frame_size = size
        self._index = -1
        self.seek(0)

    @property
    def n_frames(self):
        return len(self._chunks)

    @property
    def is_animated(self):
        return len(self._chunks) > 1

    def seek(self, frame):
        if not 0 <= frame < len(self._chunks):
            raise EOFError(f"no frame {frame}; the animation has {len(self._chunks)}.")
        if frame != self._index:
            image = Image.frombytes("RGB", self._frame_size, self._decode(self._chunks[frame]))
            self.im = image.im
            self._mode = image.mode
            self._size = image.size
            self._index = frame

    def tell(self):
        return self._index


class WebPWriter(_AtomicWriter):
    """Collect frames into an animated, lossless WebP that loops forever.

    With a ``palette`` (as :func:`~boundaryviz.animate.save_animation` gives it) the frames
    are mapped to the GIF's palette with the same ``tolerance``, so the WebP shows exactly
    the GIF's pixels and timing, losslessly compressed (about a quarter smaller). Without
    one, frames are kept in full colour.

    Pillow encodes an animated WebP only once it has every frame (libwebp's animation
    encoder is reached only through ``Image.save``). The frames are therefore kept
    zlib-compressed in memory (a few tens of kB each for these flat-coloured frames, not
    megabytes) and handed to Pillow as one lazily decoded multi-frame image when the block
    ends; only one frame is ever held uncompressed.

    Parameters
    ----------
    path : str or os.PathLike
    fps : float
    hold_last_ms : int, default=1500
    palette : Palette, optional
    tolerance : int, default=0
        As for :class:`GifWriter`; used only with a palette.
    method : int, default=4
        libwebp effort, 0 (fast, large) to 6 (slow, small).

    Examples
    --------
    >>> import numpy as np
    >>> from boundaryviz.writers import WebPWriter
    >>> with WebPWriter("blink.webp", fps=10) as webp:  # doctest: +SKIP
    ...     webp.append(np.zeros((20, 20, 3), np.uint8))
    ...     webp.append(np.full((20, 20, 3), 255, np.uint8))
    """

    def __init__(self, path, *, fps, hold_last_ms=1500, palette=None, tolerance=0, method=4):
        self.path = os.fspath(path)
        self.fps = float(fps)
        self.hold_last_ms = hold_last_ms
        self.palette = palette
        self.tolerance = tolerance
        self.method = method
        self.n_frames = 0
        self._keep = None if palette is None else palette.closeness(tolerance).ravel()
        self._chunks = []
        self._size = None
        self._shown = None

    def append(self, frame):
        """Add one frame, ndarray of shape (H, W, 3) (or 4, alpha ignored), dtype uint8."""
        height, width = frame.shape[:2]
        if self._size is None:
            self._size = (width, height)
        elif self._size != (width, height):
            raise ValueError(f"every frame must have the first one's size {self._size}. Got {(width, height)}.")
        if self.palette is None:
            data = np.ascontiguousarray(frame[:, :, :3])
        else:
            data = self.palette.index(frame)
            if self._shown is not None:
                changed = ~self._keep.take(self._shown.astype(np.intp) * 256 + data)
                data = np.where(changed, data, self._shown)
            self._shown = data
        self._chunks.append(zlib.compress(data.tobytes(), 1))
        self.n_frames += 1

    def _decode(self, chunk):
        raw = zlib.decompress(chunk)
        if self.palette is None:
            return raw
        width, height = self._size
        indices = np.frombuffer(raw, np.uint8).reshape(height, width)
        return self.palette.to_rgb(indices).tobytes()

    def _finish(self):
        if not self._chunks:
            raise ValueError("an animation needs at least one frame; none was appended.")
        durations = frame_delays_ms(len(self._chunks), self.fps, self.hold_last_ms).tolist()
        frames = _StoredFrames(self._chunks, self._size, self._decode)
        # kmin=kmax=0: no forced key frames, every frame may be a sub-rectangle of the last
        frames.save(self._tmp, format="WEBP", save_all=True, duration=durations, loop=0, lossless=True,
                    method=self.method, kmin=0, kmax=0)
        self._chunks = []

    def _abort(self):
        self._chunks = []


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
        For GIF, HTML and (with a palette) WebP: see :class:`GifWriter`.
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
    suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if suffix == "gif":
        if palette is None:
            raise ValueError("a GIF writer needs a palette.")
        return GifWriter(path, fps=fps, palette=palette, hold_last_ms=hold_last_ms, tolerance=tolerance)
    if suffix == "mp4":
        return Mp4Writer(path, fps=fps, hold_last_ms=hold_last_ms)
    if suffix == "webp":
        return WebPWriter(path, fps=fps, hold_last_ms=hold_last_ms, palette=palette, tolerance=tolerance)
    if suffix == "html":
        from .player import PlayerWriter  # the player builds on this module

        return PlayerWriter(path, fps=fps, palette=palette, hold_last_ms=hold_last_ms, tolerance=tolerance,
                            epochs=epochs)
    allowed = ", ".join(f"'.{f}'" for f in FORMATS)
    raise ValueError(f"path must end in one of {allowed}. Got {os.fspath(path)!r}.")
