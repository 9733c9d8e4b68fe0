"""The shared atomic base of the writers: whatever fails, in any format, leaves nothing behind."""

import os
import stat

import pytest
from conftest import EXTRA_MODULES
from synthetic import COLORS, painted_frames

from boundaryviz.output.atomic import PARTIAL_SUFFIX, AtomicWriter, atomic_output, format_size, try_lock
from boundaryviz.output.formats import REGISTRY, open_writer
from boundaryviz.output.palette import Palette


def _entries():
    out = []
    for entry in REGISTRY:
        marks = [pytest.mark.needs(*EXTRA_MODULES[entry.extra])] if entry.extra else []
        out.append(pytest.param(entry, id=entry.name, marks=marks))
    return out


def _open(entry, folder):
    return open_writer(os.path.join(folder, f"cut{entry.suffix}"), fps=10, palette=Palette(COLORS),
                       epochs=[0, 1, 2])


@pytest.mark.parametrize("entry", _entries())
def test_an_error_mid_way_leaves_no_file_and_no_partial(entry, tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        with _open(entry, tmp_path) as writer:
            for frame in painted_frames(2):
                writer.append(frame)
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("entry", _entries())
def test_a_writer_that_refuses_a_frame_mid_way_leaves_nothing(entry, tmp_path):
    with pytest.raises(ValueError):
        with _open(entry, tmp_path) as writer:
            writer.append(painted_frames(1)[0])
            writer.append(painted_frames(1, size=(40, 24))[0])  # another size than the first frame's
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("entry", _entries())
def test_no_frame_fails_when_finishing_and_keeps_the_old_file(entry, tmp_path):
    old = tmp_path / f"cut{entry.suffix}"
    old.write_bytes(b"old")
    with pytest.raises(ValueError, match="at least one frame"):
        with _open(entry, tmp_path):
            pass
    assert os.listdir(tmp_path) == [old.name] and old.read_bytes() == b"old"


@pytest.mark.parametrize("entry", _entries())
def test_every_writer_is_an_atomic_writer(entry):
    assert issubclass(entry.writer, AtomicWriter)
    assert "__enter__" not in vars(entry.writer) and "__exit__" not in vars(entry.writer)


class _Counting(AtomicWriter):
    """A minimal writer: a line per item, written as they come."""

    def __init__(self, path, fail_on=None):
        super().__init__(path)
        self.fail_on = fail_on
        self.aborted = False
        self._fh = None

    def _start(self):
        self._fh = open(self._tmp, "w")

    def append(self, item):
        if item == self.fail_on:
            raise ValueError(f"item must not be {self.fail_on!r}. Got {item!r}.")
        self._fh.write(f"{item}\n")

    def _finish(self):
        self._fh.close()

    def _abort(self):
        self.aborted = True
        self._fh.close()


def test_the_base_renames_on_success_with_nothing_left_over(tmp_path):
    with _Counting(tmp_path / "items.txt") as writer:
        assert os.path.dirname(writer._tmp) == str(tmp_path) and writer._tmp.endswith(PARTIAL_SUFFIX)
        writer.append(1)
        writer.append(2)
        assert not (tmp_path / "items.txt").exists()
    assert (tmp_path / "items.txt").read_text() == "1\n2\n"
    assert os.listdir(tmp_path) == ["items.txt"] and not writer.aborted
    # readable by everyone, like a file written in place (mkstemp's temporary file is 0o600)
    assert stat.S_IMODE(os.stat(tmp_path / "items.txt").st_mode) == 0o644


@pytest.mark.parametrize("interrupt", [ValueError, KeyboardInterrupt])
def test_the_base_aborts_and_removes_on_any_failure(tmp_path, interrupt):
    writer = _Counting(tmp_path / "items.txt", fail_on=3)
    with pytest.raises(interrupt):
        with writer:
            writer.append(1)
            if interrupt is KeyboardInterrupt:
                raise KeyboardInterrupt
            writer.append(3)
    assert writer.aborted and os.listdir(tmp_path) == []


def test_a_failing_start_leaves_nothing(tmp_path):
    class Broken(_Counting):
        def _start(self):
            raise OSError("no room")

    writer = Broken(tmp_path / "items.txt")  # still referenced: nothing is left to the garbage collector
    with pytest.raises(OSError, match="no room"):
        with writer:
            pass  # pragma: no cover - never reached
    assert os.listdir(tmp_path) == []


def test_a_failing_finish_aborts_and_keeps_the_old_file(tmp_path):
    class FailsToFinish(_Counting):
        def _finish(self):
            raise OSError("disk full")

    (tmp_path / "items.txt").write_text("old")
    writer = FailsToFinish(tmp_path / "items.txt")
    with pytest.raises(OSError, match="disk full"):
        with writer:
            writer.append(1)
    assert writer.aborted and os.listdir(tmp_path) == ["items.txt"]
    assert (tmp_path / "items.txt").read_text() == "old"


def test_try_lock_is_false_while_another_open_file_holds_the_lock(tmp_path):
    path = tmp_path / "locked"
    path.write_bytes(b"")
    first, second = os.open(path, os.O_RDWR), os.open(path, os.O_RDWR)
    try:
        assert try_lock(first) is True
        assert try_lock(second) is False
    finally:
        os.close(first)
        os.close(second)
    third = os.open(path, os.O_RDWR)  # the lock went with the closed file
    try:
        assert try_lock(third) is True
    finally:
        os.close(third)


def test_atomic_output_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / "a.gif"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(path) as tmp:
            with open(tmp, "wb") as handle:
                handle.write(b"new")
            raise RuntimeError
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["a.gif"]


@pytest.mark.parametrize("n, text", [(512, "512 B"), (683_200, "683.2 kB"), (1_400_000, "1.4 MB"),
                                     (3e12, "3000.0 GB")])
def test_format_size(n, text):
    assert format_size(n) == text
