"""Atomic files: written under a temporary name beside the target, renamed into place once whole.

Every file boundaryviz writes goes through :func:`atomic_output`: a temporary file in the
target's folder (``.NAME.XXXX.partial``, hidden, plainly not a result), renamed to the target
only once complete, so a reader never sees half a file. :class:`AtomicWriter` is the same for
the streaming animation writers (GIF, MP4, WebP, the HTML player). :func:`remove_partials`
clears temporary files that an interrupted writer left behind; :func:`is_complete` tells a
whole animation file from a cut one.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import struct
import tempfile
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

__all__ = ["atomic_output", "AtomicWriter", "remove_partials", "is_complete", "format_size", "PARTIAL_SUFFIX"]

PARTIAL_SUFFIX = ".partial"
_PICTURE_SUFFIXES = ("png",)  # written atomically besides the animations (summary.png)


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
    from .formats import REGISTRY  # the registry names the writers, which build on this module

    # only what boundaryviz writes (.NAME.EXT.XXXXXXXX.partial): other programs' files stay
    suffixes = [entry.suffix.lstrip(".") for entry in REGISTRY] + list(_PICTURE_SUFFIXES)
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
