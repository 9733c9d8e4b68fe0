"""Atomic files: written under a temporary name beside the target, renamed into place once whole.

Every file boundaryviz writes goes through :func:`atomic_output`: a temporary file in the
target's folder (``.NAME.XXXX.partial``, hidden, plainly not a result), renamed to the target
only once complete, so a reader never sees half a file. :class:`AtomicWriter` is the same for
the streaming animation writers (GIF, MP4, WebP, the HTML player). The registry of formats
(:mod:`boundaryviz.output.formats`) clears the temporary files an interrupted writer left
behind and reads finished files back.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile

if sys.platform == "win32":  # pragma: no cover - not POSIX: no advisory locks
    fcntl = None
else:
    import fcntl

__all__ = ["atomic_output", "AtomicWriter", "try_lock", "format_size", "PARTIAL_SUFFIX", "PICTURE_SUFFIXES"]

PARTIAL_SUFFIX = ".partial"
PICTURE_SUFFIXES = ("png",)  # written atomically besides the animations (summary.png)


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
            try_lock(fd)
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


def try_lock(fd):
    """Take an exclusive advisory lock on ``fd`` without waiting; False if another holds it."""
    if fcntl is None:  # pragma: no cover - not POSIX
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def format_size(n_bytes):
    """A file size for people: ``'1.4 MB'``, ``'683.2 kB'``, ``'512 B'`` (powers of 1000)."""
    size = float(n_bytes)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000


class AtomicWriter:
    """Base of the streaming writers: frames go to a temporary file beside ``path``, renamed
    into place when the ``with`` block ends cleanly and removed otherwise.

    A writer sets the hooks it needs: :meth:`_start` (the temporary path :attr:`_tmp` is
    ready), :meth:`_finish` (the block ended without an error: write the rest; an error here
    removes the file too) and :meth:`_abort` (let go of what is open, quietly).

    Parameters
    ----------
    path : str or os.PathLike
        Where the file appears once complete.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self._atomic = None
        self._tmp = None

    def __enter__(self):
        self._atomic = atomic_output(self.path)
        self._tmp = self._atomic.__enter__()
        try:
            self._start()
        except BaseException as error:
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self._finish()
            except BaseException as error:
                # a failure while finishing (no frame, disk full) must not rename a broken file
                self._abort()
                self._atomic.__exit__(type(error), error, error.__traceback__)
                raise
        else:
            self._abort()
        self._atomic.__exit__(exc_type, exc, tb)
        return False

    @classmethod
    def check_available(cls):
        """Raise unless this writer can work here (an optional dependency); nothing by default."""

    def _start(self):
        """Called once the temporary path :attr:`_tmp` exists; nothing by default."""

    def _finish(self):  # pragma: no cover - every writer defines it
        raise NotImplementedError

    def _abort(self):  # pragma: no cover - every writer defines it
        raise NotImplementedError
