"""Streaming animation writers and atomic file output.

A writer takes RGB frames one at a time and never holds more than two of them. Every file is
written under a temporary name in the target folder (``.NAME.partial``, hidden, plainly not a
result) and renamed into place only once complete, so a reader never sees half a file.

GIF is written here frame by frame: a global palette fixed for the whole animation (so colours
never flicker), each frame cropped to the rectangle that changed, unchanged pixels inside it
made transparent, and the LZW coding of each frame done by Pillow. (Pillow's and imageio's own
GIF savers keep every frame in memory until the end.)
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import struct
import tempfile
import time

import numpy as np

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

__all__ = [
    "Palette",
    "GifWriter",
    "FORMATS",
    "atomic_output",
    "remove_partials",
    "frame_delays_ms",
    "open_writer",
    "is_complete",
    "PARTIAL_SUFFIX",
]

log = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial"
MIN_DELAY_MS = 20  # browsers slow shorter GIF delays down to 100 ms
FORMATS = ("gif", "mp4", "webp")


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
    folder) is left alone.

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
    pattern = os.path.join(glob.escape(os.fspath(folder)), f".*{PARTIAL_SUFFIX}")
    deadline = time.monotonic() + wait
    removed = []
    while True:
        busy = False
        for tmp in sorted(glob.glob(pattern)):
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



def is_complete(path):
    """Whether ``path`` holds a whole animation file (read back far enough to tell).

    GIF: a valid header and the trailer byte; WebP: a RIFF header whose size matches the file;
    MP4: an ``ftyp`` box and a ``moov`` box. Any other file: it exists and is not empty.
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
    """

    def __init__(self, colors):
        colors = np.asarray(colors, dtype=np.uint8).reshape(-1, 3)
        if not 1 <= len(colors) <= 255:
            raise ValueError(f"colors must hold 1 to 255 colours. Got {len(colors)}.")
        self.colors = colors
        r = (np.arange(32) << 3) + 4
        g = (np.arange(64) << 2) + 2
        centres = np.stack(np.meshgrid(r, g, r, indexing="ij"), axis=-1).reshape(-1, 3).astype(np.int32)
        pal = colors.astype(np.int32)
        lut = np.empty(len(centres), dtype=np.uint8)
        for start in range(0, len(centres), 8192):
            block = centres[start : start + 8192]
            dist = ((block[:, None, :] - pal[None, :, :]) ** 2).sum(axis=-1)
            lut[start : start + 8192] = np.argmin(dist, axis=1)
        # exact key colours win their own cell
        for i, c in enumerate(pal):
            lut[(c[0] >> 3) << 11 | (c[1] >> 2) << 5 | (c[2] >> 3)] = i
        self.lut = lut

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
            stacked = Image.fromarray(np.concatenate(frames, axis=0))
            quant = stacked.quantize(colors=room, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            extra = np.array(quant.getpalette()[: 3 * room], dtype=np.uint8).reshape(-1, 3)
            used = np.unique(np.asarray(quant))
            extra = extra[used[used < len(extra)]]
        colors = np.concatenate([keys, extra])
        _, first = np.unique(colors, axis=0, return_index=True)
        return cls(colors[np.sort(first)][:n_colors])

    def index(self, rgb):
        """Palette indices of an RGB frame.

        Parameters
        ----------
        rgb : ndarray of shape (H, W, 3) or (H, W, 4), dtype uint8

        Returns
        -------
        ndarray of shape (H, W), dtype uint8
        """
        r = rgb[:, :, 0].astype(np.uint16)
        g = rgb[:, :, 1].astype(np.uint16)
        b = rgb[:, :, 2].astype(np.uint16)
        key = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)
        return self.lut.take(key)

    def closeness(self, tolerance):
        """ndarray of shape (256, 256), bool: colours within ``tolerance`` in every channel."""
        close = np.zeros((256, 256), dtype=bool)
        c = self.colors.astype(np.int16)
        n = len(c)
        close[:n, :n] = np.abs(c[:, None, :] - c[None, :, :]).max(axis=-1) <= tolerance
        return close

    def to_rgb(self, indices):
        """RGB image of palette ``indices``, ndarray of shape (H, W, 3)."""
        return self.colors[indices]


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
        # close[i * 256 + j]: colour i may stay on screen where colour j is asked for
        self._close = palette.closeness(tolerance).ravel()
        self.fps = float(fps)
        self.palette = palette
        self.hold_last_ms = hold_last_ms
        self.n_frames = 0
        self._atomic = None
        self._fh = None
        self._shown = None  # indices currently on screen (after the last written frame)
        self._pending = None  # (indices, delay_cs) waiting for the next frame's arrival
        self._frame_ms = 1000.0 / self.fps
        self._clock_cs = 0

    def __enter__(self):
        self._atomic = atomic_output(self.path)
        tmp = self._atomic.__enter__()
        self._fh = open(tmp, "wb")
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._finish()
        finally:
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
        height, width = indices.shape
        if self._shown is None:
            fh.write(self._header(width, height))
            box = (0, 0, width, height)
            data = indices
        else:
            shown = self._shown
            changed = ~self._close.take(shown.astype(np.intp) * 256 + indices)
            rows = np.flatnonzero(changed.any(axis=1))
            if rows.size == 0:
                # nothing to change: a one-pixel transparent frame keeps the frame count
                data = np.full((1, 1), self.TRANSPARENT, np.uint8)
                box = (0, 0, 1, 1)
            else:
                cols = np.flatnonzero(changed[rows[0] : rows[-1] + 1].any(axis=0))
                box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
                window = (slice(box[1], box[3]), slice(box[0], box[2]))
                data = np.where(changed[window], indices[window], self.TRANSPARENT).astype(np.uint8)
                indices = np.where(changed, indices, shown)
        image = Image.frombytes("P", (data.shape[1], data.shape[0]), np.ascontiguousarray(data).tobytes())
        # a GIF delay field holds at most 65535 cs (11 minutes)
        params = {"duration": min(delay_cs, 65535) * 10, "disposal": 1}
        if self._shown is not None:
            params["transparency"] = self.TRANSPARENT
        for part in GifImagePlugin.getdata(image, offset=box[:2], **params):
            fh.write(part)
        self._shown = indices

    def _header(self, width, height):
        colors = np.zeros((256, 3), np.uint8)
        colors[: len(self.palette.colors)] = self.palette.colors
        return (
            b"GIF89a"
            + struct.pack("<HHBBB", width, height, 0xF7, 0, 0)  # 256-colour global table
            + colors.tobytes()
            + b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00"  # loop forever
        )


def open_writer(path, *, fps, hold_last_ms=1500, palette=None, tolerance=0):
    """A writer for ``path`` chosen by its suffix (``.gif``, ``.mp4`` or ``.webp``).

    Parameters
    ----------
    path : str or os.PathLike
    fps : float
    hold_last_ms : int, default=1500
    palette : Palette, optional
        Needed for GIF.

    Returns
    -------
    A context manager with ``append(frame)``.
    """
    suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if suffix == "gif":
        if palette is None:
            raise ValueError("a GIF writer needs a palette.")
        return GifWriter(path, fps=fps, palette=palette, hold_last_ms=hold_last_ms, tolerance=tolerance)
    allowed = ", ".join(f"'.{f}'" for f in FORMATS)
    raise ValueError(f"path must end in one of {allowed}. Got {os.fspath(path)!r}.")
