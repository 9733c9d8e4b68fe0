"""Frames drawn in one thread and encoded in another: the two halves of ``save_animations``.

Drawing a frame (matplotlib, numpy) and encoding the last one run in two threads.
:class:`FrameEncoder` hands each drawn frame to a thread that appends it to every writer, in
order, while the caller draws the next one. The writers see exactly the frames and calls they
would see without the thread, so the files are the same bytes.

The overlap is only as good as the coders' release of the GIL. The WebP coder (libwebp), zlib
and the pipe to ffmpeg release it; the GIF writer's palette look-up and changed rectangle are
NumPy, which mostly does; Pillow's GIF LZW coder does not: while it runs, Python in the
drawing thread ran at 0.40 of its speed (measured on the reference frames). So for a GIF
alone the thread saves little (warm, 51 frames: 0.40-0.50 s threaded against 0.49-0.51 s
in one thread, with drawing alone 0.26-0.30 s and encoding alone 0.18-0.21 s).
"""

from __future__ import annotations

import queue
import threading

import numpy as np

__all__ = ["FrameEncoder"]

_DONE = object()
_POLL_SECONDS = 0.05  # how often an idle encoder thread looks whether the caller gave up


class FrameEncoder:
    """Append frames to writers in a background thread, in the order they are submitted.

    Use as a context manager around the drawing loop and inside the writers' own ``with``
    block: leaving it waits for the thread to append every submitted frame, so the writers
    finish (or are aborted) only once no frame is on its way. An error in a writer is raised
    in the caller, at the next :meth:`submit` or when the block ends, and every later
    :meth:`submit` and a clean end of the block raise too (the frames are no longer encoded);
    an error in the caller drops the frames still queued.

    Parameters
    ----------
    writers : sequence of writer
        Objects with ``append(frame)``.
    threaded : bool, default=True
        False appends in the caller's thread (no copy, no thread): for one frame there is
        nothing to overlap.
    depth : int, default=1
        Frames waiting besides the one being encoded (each a copy of the canvas).

    Examples
    --------
    >>> import numpy as np
    >>> class Counter:
    ...     n = 0
    ...     def append(self, frame):
    ...         self.n += 1
    >>> counter = Counter()
    >>> with FrameEncoder([counter]) as encoder:
    ...     for _ in range(3):
    ...         encoder.submit(np.zeros((2, 2, 4), np.uint8))
    >>> counter.n
    3
    """

    def __init__(self, writers, *, threaded=True, depth=1):
        self.writers = list(writers)
        self.threaded = bool(threaded)
        self._queue = queue.Queue(maxsize=max(1, int(depth)))
        self._error = None
        self._raised = None  # the writer error already raised in the caller
        self._cancel = threading.Event()  # a writer failed: frames still to come are dropped
        self._closing = threading.Event()  # the caller left the block with an error: stop when idle
        self._thread = None

    def __enter__(self):
        if self.threaded:
            self._thread = threading.Thread(target=self._run, name="boundaryviz-encoder", daemon=True)
            self._thread.start()
        return self

    def submit(self, frame):
        """Queue ``frame`` (ndarray of shape (H, W, 3 or 4), uint8) for every writer.

        The frame is copied when it goes to the thread, so the caller may reuse its buffer
        (the renderer's canvas) at once.
        """
        if not self.threaded:
            for writer in self.writers:
                writer.append(frame)
            return
        self._raise_error()
        self._queue.put(np.array(frame, copy=True))
        self._raise_error()

    def _run(self):
        while True:
            try:
                frame = self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if self._closing.is_set():
                    return
                continue
            if frame is _DONE:
                return
            if self._error is not None or self._cancel.is_set():
                continue  # drain: the caller stops at its next submit
            try:
                for writer in self.writers:
                    writer.append(frame)
            except BaseException as error:  # noqa: BLE001 - raised again in the caller
                self._error = error

    def _raise_error(self):
        if self._error is not None:
            error, self._error = self._error, None
            self._cancel.set()
            self._raised = error
            raise error
        if self._raised is not None:
            # a caller that caught the writer's error and went on: its frames would be dropped
            # and the writers finished short, so every later submit (and a clean end) fails too
            raise RuntimeError("frames are no longer encoded: a writer failed earlier "
                               f"({type(self._raised).__name__}: {self._raised}).") from self._raised

    def __exit__(self, exc_type, exc, tb):
        if self._thread is None:
            return False
        if exc_type is not None:
            # An interrupt may have come inside queue.put, between storing a frame and waking
            # the thread (CPython's locks are not safe against it): nothing more is queued, the
            # thread sees it at its next look at an empty queue.
            self._cancel.set()
            self._closing.set()
        else:
            self._queue.put(_DONE)  # the thread always empties the queue, so this never waits long
        self._thread.join()
        self._thread = None
        if exc_type is None:
            self._raise_error()
        return False
