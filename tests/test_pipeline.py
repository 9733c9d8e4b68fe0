"""save_animations draws in one thread and encodes in another: same bytes, no partial file."""

import hashlib
import os
import time

import numpy as np
import pytest

import boundaryviz as bv
import boundaryviz.output.animation as animation_module
import boundaryviz.output.writers as writers_module
from boundaryviz.output.atomic import PARTIAL_SUFFIX
from boundaryviz.output.pipeline import FrameEncoder

RENDER = {"size": (480, 280), "resolution": 40}
FORMATS = ("gif", "webp", "html")


@pytest.fixture(scope="module")
def history():
    return bv.train(bv.gaussians(), activation="tanh", learning_rate=0.1, epochs=30, stop_loss=0)


def _digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _serial(monkeypatch):
    """save_animations appending every frame in the drawing thread, as before the pipeline."""
    monkeypatch.setattr(animation_module, "FrameEncoder", lambda writers, threaded: FrameEncoder(writers, threaded=False))


def _write_all(history, folder):
    folder.mkdir()
    paths = [os.path.join(folder, f"run.{fmt}") for fmt in FORMATS]
    bv.save_animations(history, paths, **RENDER)
    return {os.path.basename(p): _digest(p) for p in paths}


def test_pipelined_save_gives_the_serial_bytes(history, tmp_path, monkeypatch):
    threaded = _write_all(history, tmp_path / "threaded")
    _serial(monkeypatch)
    serial = _write_all(history, tmp_path / "serial")
    assert threaded == serial


class _Boom(Exception):
    pass


def test_a_writer_failing_midway_leaves_no_file(history, tmp_path, monkeypatch):
    """The error comes from the encoder thread; it is raised in the caller and every file is dropped."""
    original = writers_module.GifWriter.append
    calls = []

    def failing_append(self, frame):
        calls.append(1)
        if len(calls) == 5:
            raise _Boom("disk on fire")
        original(self, frame)

    monkeypatch.setattr(writers_module.GifWriter, "append", failing_append)
    with pytest.raises(_Boom, match="disk on fire"):
        bv.save_animations(history, [tmp_path / "run.gif", tmp_path / "run.webp"], **RENDER)
    assert os.listdir(tmp_path) == []
    assert len(calls) == 5  # frames after the failure are not encoded


def test_drawing_failing_midway_leaves_no_file(history, tmp_path, monkeypatch):
    from boundaryviz.render.renderer import Renderer

    original = Renderer.frame_rgba
    drawn = []

    def failing_frame(self, index=-1):
        drawn.append(index)
        if len(drawn) == 8:  # after the palette's three samples, some frames into the loop
            raise _Boom("matplotlib gave up")
        return original(self, index)

    monkeypatch.setattr(Renderer, "frame_rgba", failing_frame)
    with pytest.raises(_Boom):
        bv.save_animations(history, [tmp_path / "run.gif", tmp_path / "run.html"], **RENDER)
    assert [n for n in os.listdir(tmp_path) if n.endswith(PARTIAL_SUFFIX) or not n.startswith(".")] == []


def test_frame_encoder_copies_what_it_queues():
    """The caller reuses its buffer at once (the canvas): the writer must see each frame as submitted."""
    seen = []

    class Keep:
        def append(self, frame):
            seen.append(int(frame[0, 0, 0]))

    buffer = np.zeros((4, 4, 4), np.uint8)
    with FrameEncoder([Keep()]) as encoder:
        for value in range(20):
            buffer[...] = value
            encoder.submit(buffer)
    assert seen == list(range(20))


def test_an_interrupt_inside_queueing_a_frame_does_not_hang_the_way_out():
    """Ctrl-C reaches the drawing thread anywhere, even inside ``queue.put`` between storing
    the frame and waking the encoder thread (CPython's locks are not safe against it). Leaving
    the block must not then wait for a wake-up that never comes: measured once in 7 runs of
    the interrupt test (the CLI hung on SIGINT until killed)."""
    import queue
    import threading

    class Slow:
        n = 0

        def append(self, frame):
            self.n += 1

    writer = Slow()
    finished = threading.Event()

    def interrupted_put(self, item, block=True, timeout=None):  # stored, but nobody woken
        del self.put  # once
        with self.mutex:
            self._put(item)
            self.unfinished_tasks += 1
        raise KeyboardInterrupt

    def save():
        try:
            with FrameEncoder([writer]) as encoder:
                encoder.submit(np.zeros((2, 2, 4), np.uint8))
                time.sleep(0.2)  # the encoder thread waits for the next frame
                encoder._queue.put = interrupted_put.__get__(encoder._queue, queue.Queue)
                encoder.submit(np.zeros((2, 2, 4), np.uint8))
        except KeyboardInterrupt:
            finished.set()

    threading.Thread(target=save, daemon=True, name="test-interrupted-save").start()
    assert finished.wait(5), "leaving the encoder after an interrupt hung"
    assert writer.n == 1  # the frame after the interrupt is dropped, as the caller asked


def test_a_caller_that_catches_a_writer_error_and_goes_on_still_gets_out():
    """A writer fails on its first frame; the caller catches the error at a later submit and
    keeps submitting. The idle encoder thread must keep draining (dropping) frames rather than
    stop, or the next full queue blocks the caller for good; and since frames are no longer
    encoded, every later submit, and leaving the block, say so (a writer finished short would
    be a file missing frames)."""
    import threading

    class FailsFirst:
        n = 0

        def append(self, frame):
            self.n += 1
            if self.n == 1:
                raise OSError("disk full")

    writer = FailsFirst()
    caught = []
    left = []
    finished = threading.Event()

    def save():
        try:
            with FrameEncoder([writer]) as encoder:
                for _ in range(5):
                    try:
                        encoder.submit(np.zeros((2, 2, 4), np.uint8))
                    except (OSError, RuntimeError) as error:
                        caught.append(type(error).__name__)
                    time.sleep(0.15)  # the encoder thread goes idle between frames
        except RuntimeError as error:
            left.append(str(error))
        finished.set()

    threading.Thread(target=save, daemon=True, name="test-caught-error").start()
    assert finished.wait(5), "submitting after a caught writer error hung"
    assert writer.n == 1  # later frames dropped, not appended
    assert caught[0] == "OSError" and set(caught[1:]) == {"RuntimeError"} and len(caught) >= 3
    assert left and "a writer failed earlier (OSError: disk full)" in left[0]
