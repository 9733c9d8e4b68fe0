"""The animated WebP writer: lossless, the GIF's palette and pixels, encoded as frames come.

libwebp's animation encoder is reached only through Pillow's ``Image.save``, which takes
every frame from one multi-frame image through ``n_frames`` and ``seek``. Told how many
frames will come, :class:`WebPWriter` runs that save in a thread from the first frame on and
hands it each frame as it is appended (:class:`_StreamedFrames`): libwebp encodes while the
next frame is drawn (it releases the GIL), and no frame is kept. Not told, it keeps the
frames zlib-compressed until the block ends (:class:`_StoredFrames`) and encodes them then.
Both give the same bytes.
"""

from __future__ import annotations

import queue
import threading
import zlib

import numpy as np
from PIL import Image

from .atomic import AtomicWriter
from .writers import frame_delays_ms

__all__ = ["WebPWriter"]


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
            self._show(Image.frombytes("RGB", self._frame_size, self._decode(self._chunks[frame])))
            self._index = frame

    def _show(self, image):
        self.im = image.im
        self._mode = image.mode
        self._size = image.size

    def tell(self):
        return self._index


class _Stopped(Exception):
    """Raised inside the encoding thread when the writer is aborted."""


class _StreamedFrames(_StoredFrames):
    """``n_frames`` frames that arrive one at a time, seen by Pillow as one multi-frame image.

    :meth:`seek` to the next frame waits for it; Pillow seeks back to the first frame when it
    is done, which is kept for that.
    """

    def __init__(self, first, n_frames, frames, stop):
        Image.Image.__init__(self)
        self._first = first
        self._count = n_frames
        self._frames = frames  # queue.Queue of RGB images
        self._stop = stop  # threading.Event: the writer was aborted
        self._index = 0
        self._show(first)

    @property
    def n_frames(self):
        return self._count

    def seek(self, frame):
        if frame == self._index:
            return
        if frame == 0:
            self._show(self._first)
        elif frame == self._index + 1:
            while True:
                try:
                    image = self._frames.get(timeout=0.05)
                    break
                except queue.Empty:
                    if self._stop.is_set():
                        raise _Stopped() from None
            self._show(image)
        else:
            raise EOFError(f"frames stream in order; asked for {frame} after {self._index}.")
        self._index = frame


class WebPWriter(AtomicWriter):
    """Write frames into an animated, lossless WebP that loops forever.

    With a ``palette`` (as :func:`~boundaryviz.save_animation` gives it) the frames
    are mapped to the GIF's palette with the same ``tolerance``, so the WebP shows exactly
    the GIF's pixels and timing, losslessly compressed (about a quarter smaller). Without
    one, frames are kept in full colour.

    With ``n_frames`` (as :func:`~boundaryviz.save_animation` gives it) libwebp encodes
    each frame in a thread as it is appended, while the caller draws the next; appending
    more or fewer frames than that is an error. Without it the frames are kept
    zlib-compressed in memory (a few tens of kB each for these flat-coloured frames) and
    encoded when the block ends. Both give the same bytes.

    Parameters
    ----------
    path : str or os.PathLike
    fps : float
    hold_last_ms : int, default=1500
    palette : Palette, optional
    tolerance : int, default=0
        As for :class:`~boundaryviz.output.writers.GifWriter`; used only with a palette.
    method : int, default=4
        libwebp effort, 0 (fast, large) to 6 (slow, small).
    n_frames : int, optional
        How many frames will be appended: encode them as they come.

    Examples
    --------
    >>> import numpy as np
    >>> from boundaryviz.output.webp import WebPWriter
    >>> with WebPWriter("blink.webp", fps=10, n_frames=2) as webp:  # doctest: +SKIP
    ...     webp.append(np.zeros((20, 20, 3), np.uint8))
    ...     webp.append(np.full((20, 20, 3), 255, np.uint8))
    """

    def __init__(self, path, *, fps, hold_last_ms=1500, palette=None, tolerance=0, method=4, n_frames=None):
        if n_frames is not None and (isinstance(n_frames, bool) or not isinstance(n_frames, (int, np.integer))
                                     or n_frames < 1):
            raise ValueError(f"n_frames must be a positive whole number or None. Got {n_frames!r}.")
        super().__init__(path)
        self.fps = float(fps)
        self.hold_last_ms = hold_last_ms
        self.palette = palette
        self.tolerance = tolerance
        self.method = method
        self.expected = None if n_frames is None else int(n_frames)
        self.n_frames = 0
        self._keep = None if palette is None else palette.closeness(tolerance).ravel()
        self._chunks = []
        self._size = None
        self._shown = None
        self._queue = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread = None
        self._error = None

    def append(self, frame):
        """Add one frame, ndarray of shape (H, W, 3) (or 4, alpha ignored), dtype uint8."""
        height, width = frame.shape[:2]
        if self._size is None:
            self._size = (width, height)
        elif self._size != (width, height):
            raise ValueError(f"every frame must have the first one's size {self._size}. Got {(width, height)}.")
        if self.expected is not None and self.n_frames >= self.expected:
            raise ValueError(f"this writer was told n_frames={self.expected}; a frame more was appended.")
        if self.palette is None:
            data = np.ascontiguousarray(frame[:, :, :3])
        else:
            data = self.palette.index(frame)
            if self._shown is not None:
                changed = ~self._keep.take(self._shown.astype(np.intp) * 256 + data)
                data = np.where(changed, data, self._shown)
            self._shown = data
        if self.expected is None:
            self._chunks.append(zlib.compress(data.tobytes(), 1))
        else:
            self._stream(Image.frombytes("RGB", self._size, self._rgb(data)))
        self.n_frames += 1

    def _rgb(self, data):
        return data.tobytes() if self.palette is None else self.palette.to_rgb(data).tobytes()

    def _decode(self, chunk):
        raw = zlib.decompress(chunk)
        if self.palette is None:
            return raw
        width, height = self._size
        return self._rgb(np.frombuffer(raw, np.uint8).reshape(height, width))

    def _save(self, frames, n_frames):
        durations = frame_delays_ms(n_frames, self.fps, self.hold_last_ms).tolist()
        # kmin=kmax=0: no forced key frames, every frame may be a sub-rectangle of the last
        frames.save(self._tmp, format="WEBP", save_all=True, duration=durations, loop=0, lossless=True,
                    method=self.method, kmin=0, kmax=0)

    def _stream(self, image):
        if self._thread is None:
            frames = _StreamedFrames(image, self.expected, self._queue, self._stop)
            self._thread = threading.Thread(target=self._encode, args=(frames,), name="boundaryviz-webp", daemon=True)
            self._thread.start()
            return
        while True:  # wait for room, unless the encoder has stopped
            self._raise_error()
            try:
                self._queue.put(image, timeout=0.05)
                return
            except queue.Full:
                continue

    def _encode(self, frames):
        try:
            self._save(frames, self.expected)
        except _Stopped:
            pass
        except BaseException as error:  # noqa: BLE001 - raised again in the caller
            self._error = error

    def _raise_error(self):
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _finish(self):
        if self.n_frames == 0:
            raise ValueError("an animation needs at least one frame; none was appended.")
        if self.expected is None:
            frames = _StoredFrames(self._chunks, self._size, self._decode)
            self._save(frames, len(self._chunks))
            self._chunks = []
            return
        if self.n_frames != self.expected:
            raise ValueError(f"this writer was told n_frames={self.expected}; {self.n_frames} were appended.")
        self._thread.join()
        self._thread = None
        self._raise_error()

    def _abort(self):
        self._chunks = []
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
