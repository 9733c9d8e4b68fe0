"""GIF, MP4 and WebP of the same run: same frames, same timing, loops, sizes, same bytes twice.

What is asserted about frame counts, precisely: the GIF and the WebP hold one frame per shown
snapshot (``len(frame_indices(...))``), the last one with a 1500 ms delay; the MP4 has a
constant frame rate, so it holds those frames plus ``Mp4Writer.hold_repeats(fps, 1500)``
copies of the last one (22 at 15 fps: the last frame is shown 23 / 15 s ≈ 1.53 s).
"""

import io
import os
import sys

import numpy as np
import pytest
from conftest import need
from readback import read_animation, sha256

import boundaryviz as bv
import boundaryviz.render.renderer as renderer_module
from boundaryviz._extras import MissingExtraError
from boundaryviz.cli.command import main
from boundaryviz.output.animation import frame_indices
from boundaryviz.output.formats import is_complete
from boundaryviz.output.webp import WebPWriter
from boundaryviz.output.writers import Mp4Writer
from boundaryviz.render import renderer as render  # noqa: F401  (bv.render is patched below)

need("imageio_ffmpeg")  # the whole module is about MP4 beside GIF and WebP
iio = need("imageio.v3")

FPS = 15
EPOCHS = 40
RENDER = {"size": (480, 280), "resolution": 40}


@pytest.fixture(scope="module")
def history():
    return bv.train(bv.gaussians(), activation="tanh", learning_rate=0.1, epochs=EPOCHS, stop_loss=0)


@pytest.fixture(scope="module")
def written(history, tmp_path_factory):
    """The run in every format, written twice into two folders (for the bytes)."""
    out = {}
    for copy in ("a", "b"):
        folder = tmp_path_factory.mktemp(copy)
        renderer = bv.Renderer(history, **RENDER)
        out[copy] = {fmt: bv.save_animation(history, folder / f"run.{fmt}", fps=FPS, renderer=renderer)
                     for fmt in ("gif", "mp4", "webp")}
    return out


def test_every_format_has_the_same_frames(written, history):
    n = len(frame_indices(len(history)))
    assert n == EPOCHS + 1
    animations = written["a"]
    assert {a.n_frames for a in animations.values()} == {n}
    gif, _, _ = read_animation(animations["gif"].path)
    webp, _, _ = read_animation(animations["webp"].path)
    mp4 = list(iio.imiter(animations["mp4"].path, plugin="FFMPEG"))
    assert len(gif) == len(webp) == n
    assert len(mp4) == n + Mp4Writer.hold_repeats(FPS, 1500) == n + 22
    # WebP is lossless over the GIF's palette: the very same pixels, every frame
    for i in range(n):
        np.testing.assert_array_equal(webp[i], gif[i])
    # MP4 is lossy but shows the same pictures, and the held copies are the last frame
    for i in (0, n // 2, n - 1):
        assert np.abs(mp4[i].astype(int) - gif[i]).mean() < 6
    for held in mp4[n:]:
        assert np.abs(held.astype(int) - mp4[n - 1]).mean() < 2


def test_timing_and_loops(written):
    animations = written["a"]
    _, gif_ms, gif_loop = read_animation(animations["gif"].path)
    _, webp_ms, webp_loop = read_animation(animations["webp"].path)
    assert gif_loop == 0 and webp_loop == 0  # loop forever
    assert min(gif_ms) >= 20
    assert gif_ms[-1] == 1500
    assert set(gif_ms[:-1]) == {60, 70}  # 15 fps on the GIF's 10 ms clock, without drift
    assert webp_ms == gif_ms
    meta = iio.immeta(animations["mp4"].path, plugin="FFMPEG")
    assert meta["fps"] == FPS
    assert meta["duration"] == pytest.approx((EPOCHS + 1 + 22) / FPS, abs=0.07)


def test_mp4_plays_in_browsers(written):
    path = written["a"]["mp4"].path
    meta = iio.immeta(path, plugin="FFMPEG")
    assert meta["codec"] == "h264"
    assert meta["pix_fmt"].startswith("yuv420p")
    width, height = meta["size"]
    assert width % 2 == 0 and height % 2 == 0
    data = open(path, "rb").read()
    assert data[4:8] == b"ftyp"
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: the index comes first
    assert all(is_complete(a.path) for a in written["a"].values())


def test_webp_is_no_larger_than_libwebps_own_animation_encoder(written, tmp_path):
    """The writer muxes frames it encodes itself, in parallel: the file must be no larger than
    libwebp's animation encoder (through Pillow) makes of the same frames and settings."""
    from PIL import Image

    frames, durations, _ = read_animation(written["a"]["gif"].path)
    images = [Image.fromarray(frame) for frame in frames]
    buffer = io.BytesIO()
    images[0].save(buffer, format="WEBP", save_all=True, append_images=images[1:], duration=durations, loop=0,
                   lossless=True, method=4, kmin=0, kmax=0)
    ours = written["a"]["webp"].size_bytes
    assert ours <= 1.02 * buffer.tell(), (ours, buffer.tell())
    # with libwebp's own effort, the very file it makes: the container written right
    with WebPWriter(tmp_path / "same.webp", fps=FPS, method=4) as webp:
        for frame in frames:
            webp.append(frame)
    assert (tmp_path / "same.webp").read_bytes() == buffer.getvalue()


def test_webp_and_mp4_are_smaller_than_the_gif(written):
    sizes = {fmt: a.size_bytes for fmt, a in written["a"].items()}
    assert sizes["webp"] < sizes["gif"]
    assert sizes["mp4"] < sizes["gif"]
    assert sizes == {fmt: os.path.getsize(a.path) for fmt, a in written["a"].items()}


@pytest.mark.parametrize("fmt", ["gif", "mp4", "webp"])
def test_same_bytes_every_run(written, fmt):
    assert sha256(written["a"][fmt].path) == sha256(written["b"][fmt].path)


# ---------------------------------------------------------------- without the video extra
@pytest.fixture
def no_ffmpeg(monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)


def test_save_animation_refuses_mp4_before_any_work(no_ffmpeg, history, tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("rendered before checking the format")

    monkeypatch.setattr(renderer_module, "Renderer", fail)
    with pytest.raises(MissingExtraError, match=r'pip install "boundaryviz\[video\]"'):
        bv.save_animation(history, tmp_path / "run.mp4")
    assert os.listdir(tmp_path) == []


def test_reference_specs_refuse_mp4(no_ffmpeg, tmp_path):
    with pytest.raises(ValueError, match=r"boundaryviz\[video\]"):
        bv.reference_specs(bv.gaussians(), tmp_path, formats=("gif", "mp4"))
    assert bv.reference_specs(bv.gaussians(), tmp_path, formats=("gif", "webp"))


def test_cli_refuses_mp4_with_one_line_and_writes_nothing(no_ffmpeg, tmp_path, capsys):
    out = tmp_path / "out"
    status = main(["--format", "gif,mp4", "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and 'pip install "boundaryviz[video]"' in err
    assert not out.exists()


def test_save_animations_draws_once_for_every_format(history, tmp_path):
    """Several formats from one pass give the same files as one format at a time."""
    together = bv.save_animations(history, [tmp_path / "a.gif", tmp_path / "a.webp", tmp_path / "a.mp4"],
                                  fps=FPS, **RENDER)
    assert [a.format for a in together] == ["gif", "webp", "mp4"]
    for fmt in ("gif", "webp", "mp4"):
        alone = bv.save_animation(history, tmp_path / f"b.{fmt}", fps=FPS, **RENDER)
        assert sha256(tmp_path / f"a.{fmt}") == sha256(alone.path)
    with pytest.raises(ValueError, match="paths must not repeat a file"):
        bv.save_animations(history, [tmp_path / "c.gif", tmp_path / "c.gif"])
    with pytest.raises(TypeError, match="paths must be a sequence"):
        bv.save_animations(history, tmp_path / "c.gif")
