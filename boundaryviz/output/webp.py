"""The animated WebP writer: lossless, the GIF's palette and pixels, frames encoded in parallel.

An animated WebP is a RIFF container of frames, each a rectangle of the canvas with its own
bitstream, alpha-blended over what is shown (Google's "WebP Container Specification").
libwebp's animation encoder, the only one Pillow reaches, encodes its frames one after
another in one thread. The frames of these animations need no encoder's search, though: the
changed rectangle of each frame, transparent where nothing changes, is known already
(:class:`~boundaryviz.output.palette.ChangedRects`, as for the GIF). So each rectangle is
encoded on its own as a lossless WebP image by Pillow's public ``Image.save`` (libwebp
releases the GIL), in a few threads at once, and its ``VP8L`` bitstream is written in
order into the container here. With the same settings the reference run's file is byte for
byte the one libwebp's animation encoder makes, in about half the time on two cores
(``benchmarks/bench_perf.py``). The bytes depend only on the frames and the settings, not
on the threads.
"""

from __future__ import annotations

import collections
import contextlib
import io
import struct
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

from .atomic import AtomicWriter
from .palette import ChangedRects
from .writers import StreamedDelays

__all__ = ["WebPWriter", "vp8l_bitstream"]

THREAD_NAME = "boundaryviz-webp"
_TRANSPARENT = ChangedRects.TRANSPARENT
_RIFF_MOST = 0xFFFFFFFF - 1  # a RIFF size field holds 32 bits (and the 8 bytes before it)


def _chunk(tag, payload):
    """A RIFF chunk: its tag, its size, the payload, padded to an even length."""
    return tag + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) % 2 else b"")


def _uint24(*values):
    return b"".join(int(value).to_bytes(3, "little") for value in values)


def vp8l_bitstream(rgba, *, method=4, quality=80):
    """The lossless ``VP8L`` chunk of one image, as libwebp encodes it through Pillow.

    Parameters
    ----------
    rgba : ndarray of shape (H, W, 4), dtype uint8
    method : int, default=4
        libwebp's effort, 0 (fast, larger) to 6 (slow, smaller).
    quality : float, default=80
        For lossless, more effort on the entropy coding (0-100).

    Returns
    -------
    bytes
        The whole chunk: tag, size and bitstream (padded to an even length).

    Examples
    --------
    >>> import numpy as np
    >>> chunk = vp8l_bitstream(np.full((4, 6, 4), 255, np.uint8))
    >>> chunk[:4], len(chunk) % 2
    (b'VP8L', 0)
    """
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="WEBP", lossless=True, method=method, quality=quality)
    data = buffer.getvalue()
    position = 12  # past "RIFF", the size and "WEBP"
    while position + 8 <= len(data):
        tag, size = data[position : position + 4], struct.unpack("<I", data[position + 4 : position + 8])[0]
        end = position + 8 + size + (size & 1)
        if tag == b"VP8L":
            return data[position:end]
        position = end
    raise RuntimeError("libwebp gave no lossless bitstream (VP8L chunk) for a lossless image.")


class WebPWriter(AtomicWriter):
    """Write frames into an animated, lossless WebP that loops forever.

    With a ``palette`` (as :func:`~boundaryviz.save_animation` gives it) the frames are
    mapped to the GIF's palette with the same ``tolerance``, so the WebP shows exactly the
    GIF's pixels and timing, losslessly compressed (about a third smaller). Without one,
    frames are kept in full colour.

    Each frame's changed rectangle (transparent where the shown colour stays) is encoded in
    one of ``threads`` threads while the caller goes on; the finished bitstreams are written
    to the file in order, each once the next frame has come (which fixes its display time).
    A few frames at most are in flight, so memory does not grow with the frame count.

    Parameters
    ----------
    path : str or os.PathLike
    fps : float
    hold_last_ms : int, default=1500
    palette : Palette, optional
    tolerance : int, default=0
        As for :class:`~boundaryviz.output.writers.GifWriter`; used only with a palette.
    method : int, default=2
        libwebp effort, 0 (fast, large) to 6 (slow, small). On these palette frames 2 gave
        files 0.6-1.6 % smaller than libwebp's default 4 in each of six runs measured
        (two-class, three-class, iris, digits), for as much CPU or a fifth less.
    n_frames : int, optional
        How many frames will be appended, if known: appending more or fewer is an error.
    threads : int, default=2
        Frames encoded at once. The file's bytes do not depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> from boundaryviz.output.webp import WebPWriter
    >>> with WebPWriter("blink.webp", fps=10) as webp:  # doctest: +SKIP
    ...     webp.append(np.zeros((20, 20, 3), np.uint8))
    ...     webp.append(np.full((20, 20, 3), 255, np.uint8))
    """

    def __init__(self, path, *, fps, hold_last_ms=1500, palette=None, tolerance=0, method=2, n_frames=None,
                 threads=2):
        for name, value in (("n_frames", n_frames), ("threads", threads)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                                      or value < 1):
                raise ValueError(f"{name} must be a positive whole number{' or None' if name == 'n_frames' else ''}. "
                                 f"Got {value!r}.")
        super().__init__(path)
        self.fps = float(fps)
        self.hold_last_ms = hold_last_ms
        self.palette = palette
        self.tolerance = tolerance
        self.method = method
        self.expected = None if n_frames is None else int(n_frames)
        self.threads = int(threads)
        self.n_frames = 0
        self._changes = None if palette is None else ChangedRects(palette, tolerance)
        if palette is not None:
            self._rgba = np.zeros((256, 4), np.uint8)  # palette index -> RGBA, the transparent one clear
            self._rgba[: len(palette.colors), :3] = palette.colors
            self._rgba[: len(palette.colors), 3] = 255
            self._rgba[_TRANSPARENT] = 0
        self._shown = None  # full colour: the RGB frame on screen
        self._size = None
        self._fh = None
        self._pool = None
        self._in_flight = collections.deque()  # (future of the VP8L chunk, box), in frame order
        self._written = 0
        self._failure = None  # a frame that could not be encoded
        self._delays = StreamedDelays(self.fps)

    def _start(self):
        self._fh = open(self._tmp, "wb")

    def append(self, frame):
        """Add one frame, ndarray of shape (H, W, 3) (or 4, alpha ignored), dtype uint8."""
        height, width = frame.shape[:2]
        if self._size is None:
            self._size = (width, height)
        elif self._size != (width, height):
            raise ValueError(f"every frame must have the first one's size {self._size}. Got {(width, height)}.")
        if self.expected is not None and self.n_frames >= self.expected:
            raise ValueError(f"this writer was told n_frames={self.expected}; a frame more was appended.")
        self._raise_failure()
        try:
            box, rgba = self._rectangle(frame)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix=THREAD_NAME)
                self._fh.write(self._header(width, height))
            self._in_flight.append((self._pool.submit(vp8l_bitstream, rgba, method=self.method), box))
            self.n_frames += 1
            # every frame but the newest knows its display time: write those whose bitstream
            # is ready, and wait for the oldest when too many are on their way
            while len(self._in_flight) > 1 and (self._in_flight[0][0].done()
                                                 or len(self._in_flight) > 2 * self.threads):
                self._write_oldest(self._delays.between(self._written))
        except BaseException as error:
            # past this point the screen, the file or the frames in flight may be half updated
            # (a disk full, an interrupt): every later append, and the end of the block, fail too
            if self._failure is None:
                self._failure = error
            raise

    def _rectangle(self, frame):
        """The changed rectangle ``(left, top, width, height)``, left and top even (as the
        container stores them halved), and its RGBA pixels, clear where the screen stays."""
        if self._changes is not None:
            (left, top, right, bottom), indices = self._changes.next(self.palette.index(frame))
            rgba = self._rgba[indices]
        else:
            rgb = np.array(frame[:, :, :3])  # a copy: the caller may draw the next frame into its buffer
            if self._shown is None:
                changed = np.ones(rgb.shape[:2], dtype=bool)
            else:
                changed = np.any(rgb != self._shown, axis=2)
            self._shown = rgb
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size == 0:
                return (0, 0, 1, 1), np.zeros((1, 1, 4), np.uint8)
            top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
            rgba = np.zeros((bottom - top, right - left, 4), np.uint8)
            inside = changed[top:bottom, left:right]
            rgba[inside, :3] = rgb[top:bottom, left:right][inside]
            rgba[inside, 3] = 255
        pad_top, pad_left = top % 2, left % 2  # one clear row or column more
        if pad_top or pad_left:
            rgba = np.pad(rgba, ((pad_top, 0), (pad_left, 0), (0, 0)))
        return (left - pad_left, top - pad_top, rgba.shape[1], rgba.shape[0]), rgba

    def _header(self, width, height):
        animated_with_alpha = 0x10 | 0x02
        return (b"RIFF" + b"\0\0\0\0" + b"WEBP"  # the RIFF size is written when the file is complete
                + _chunk(b"VP8X", bytes([animated_with_alpha, 0, 0, 0]) + _uint24(width - 1, height - 1))
                + _chunk(b"ANIM", struct.pack("<IH", 0, 0)))  # background clear, loop forever

    def _raise_failure(self):
        if self._failure is not None:
            raise RuntimeError("this WebP writer stopped at a frame it could not encode or write; the file "
                               "would lack it.") from self._failure

    def _write_oldest(self, delay_ms):
        future, (left, top, width, height) = self._in_flight.popleft()
        bitstream = future.result()
        if self._fh.tell() + len(bitstream) + 24 > _RIFF_MOST:
            raise ValueError(f"a WebP file holds at most {_RIFF_MOST} bytes; frame {self._written} would go past "
                             "that.")
        blend = 0x00 if self._written else 0x02  # later frames alpha-blend over what is shown
        # a frame's duration field holds 24 bits (about 4.6 hours)
        header = _uint24(left // 2, top // 2, width - 1, height - 1, min(delay_ms, 0xFFFFFF)) + bytes([blend])
        self._fh.write(_chunk(b"ANMF", header + bitstream))
        self._written += 1

    def _finish(self):
        self._raise_failure()
        if self.n_frames == 0:
            raise ValueError("an animation needs at least one frame; none was appended.")
        if self.expected is not None and self.n_frames != self.expected:
            raise ValueError(f"this writer was told n_frames={self.expected}; {self.n_frames} were appended.")
        try:
            while len(self._in_flight) > 1:
                self._write_oldest(self._delays.between(self._written))
            self._write_oldest(self._delays.last(self.n_frames, self.hold_last_ms))
        except BaseException as error:
            self._failure = error
            raise
        self._close_pool()
        size = self._fh.tell() - 8
        self._fh.seek(4)
        self._fh.write(struct.pack("<I", size))
        self._fh.close()

    def _close_pool(self):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._in_flight.clear()

    def _abort(self):
        self._close_pool()
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
