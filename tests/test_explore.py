"""The notebook explorer: every snapshot reachable, each frame drawn on demand, shown as PNG."""

import io
import subprocess
import sys
import zlib

import numpy as np
import pytest
from conftest import need
from PIL import Image

import boundaryviz as bv
from boundaryviz.output.explorer import frame_png

need("ipywidgets")  # the explorer needs it (in the test extra)

SMALL = {"size": (320, 200), "resolution": 24}


@pytest.fixture(scope="module")
def history():
    return bv.train(bv.gaussians(), activation="relu", learning_rate=0.1, epochs=150, stop_loss=0)


def _pixels(png):
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def test_slider_value_shows_exactly_that_frame(history):
    explorer = bv.explore(history, **SMALL)
    reference = bv.Renderer(history, **SMALL)  # drawn apart from the explorer's renderer
    assert (explorer.slider.min, explorer.slider.max) == (0, 150)  # every epoch, not only kept frames
    assert np.array_equal(_pixels(explorer.image.value), reference.frame(0))
    for index in (97, 1, 150, 148):  # 97 and 148 are epochs no animation file keeps by default
        explorer.slider.value = index
        assert explorer.image.value == frame_png(reference.frame(index))
        assert np.array_equal(_pixels(explorer.image.value), reference.frame(index))
        snapshot = history.snapshots[index]
        assert explorer.label.value.startswith(f"epoch {snapshot.epoch} · loss {snapshot.loss:.4f}")


def test_play_is_linked_to_the_slider_in_the_browser(history):
    explorer = bv.explore(history, fps=10, **SMALL)
    assert (explorer.play.min, explorer.play.max, explorer.play.interval) == (0, 150, 100)
    assert explorer.link.source == (explorer.play, "value")
    assert explorer.link.target == (explorer.slider, "value")
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
    assert explorer.image in explorer.widget.children


def test_explorer_reuses_a_renderer_and_checks_its_input(history):
    renderer = bv.Renderer(history, **SMALL)
    explorer = bv.explore(history, renderer=renderer)
    assert explorer.renderer is renderer
    other = bv.train(bv.gaussians(), epochs=3)
    with pytest.raises(TypeError, match="history must be a boundaryviz History"):
        bv.explore("history")
    with pytest.raises(ValueError, match="fps must be"):
        bv.explore(history, fps=0)
    with pytest.raises(ValueError, match="renderer must be a Renderer of the same history"):
        bv.explore(other, renderer=renderer)
    with pytest.raises(TypeError, match="either renderer or renderer options"):
        bv.explore(history, renderer=renderer, resolution=10)


def test_frame_png_is_the_same_bytes_for_the_same_frame(history):
    frame = bv.Renderer(history, **SMALL).frame(5)
    assert frame_png(frame) == frame_png(frame.copy())
    assert b"tIME" not in frame_png(frame)


@pytest.mark.parametrize("shape", [(1, 1, 3), (7, 5, 3), (37, 53, 4), (200, 320, 4)])
def test_frame_png_decodes_to_the_frames_pixels(shape):
    """Random pixels (the worst case for the unfiltered rows) and RGBA (alpha dropped)."""
    frame = np.random.default_rng(sum(shape)).integers(0, 256, shape, dtype=np.uint8)
    with Image.open(io.BytesIO(frame_png(frame))) as image:
        image.load()  # checks every chunk's CRC and the zlib stream
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", (shape[1], shape[0]))
        assert np.array_equal(np.asarray(image), frame[:, :, :3])


@pytest.mark.parametrize("shape", [(1, 4, 3), (2, 3, 3), (561, 960, 4)])
def test_frame_png_is_one_zlib_stream_with_its_checksum(shape):
    """The halves deflated apart make one zlib stream whose Adler-32 is that of every row
    (zlib checks it; Pillow does not)."""
    frame = np.random.default_rng(shape[0]).integers(0, 256, shape, dtype=np.uint8)
    png = frame_png(frame)
    length = int.from_bytes(png[33:37], "big")
    assert png[37:41] == b"IDAT"
    rows = np.zeros((shape[0], 1 + 3 * shape[1]), np.uint8)
    rows[:, 1:] = frame[:, :, :3].reshape(shape[0], -1)
    assert zlib.decompress(png[41 : 41 + length]) == rows.tobytes()


def test_frame_png_of_the_canvas_buffer_is_that_of_the_frame(history):
    renderer = bv.Renderer(history, **SMALL)
    assert frame_png(renderer.frame_rgba(40)) == frame_png(renderer.frame(40))


@pytest.mark.parametrize("frame", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.float32),
                                   np.zeros((4, 4, 2), np.uint8)])
def test_frame_png_rejects_what_is_not_an_rgb_frame(frame):
    with pytest.raises(ValueError, match="frame must be an RGB uint8 array"):
        frame_png(frame)


def test_import_loads_no_widgets():
    code = "import sys, boundaryviz; print('ipywidgets' in sys.modules, 'matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "False"], done.stderr


def test_missing_ipywidgets_is_one_clear_message(history, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # as if not installed
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        bv.explore(history)
