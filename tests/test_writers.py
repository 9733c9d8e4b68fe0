"""The streaming writers on synthetic frames: exact read-back, timing, atomic files, palette."""

import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from conftest import need
from numpy.testing import assert_array_equal
from PIL import Image
from readback import read_animation
from synthetic import COLORS, painted_frames

from boundaryviz._extras import MissingExtraError
from boundaryviz.output.atomic import PARTIAL_SUFFIX
from boundaryviz.output.formats import check_format, is_complete, open_writer
from boundaryviz.output.palette import ChangedRects, Palette
from boundaryviz.output.player import PlayerWriter
from boundaryviz.output.webp import THREAD_NAME as WEBP_THREADS
from boundaryviz.output.webp import WebPWriter
from boundaryviz.output.writers import GifWriter, Mp4Writer, frame_delays_ms


def _leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(PARTIAL_SUFFIX))


# ------------------------------------------------------------------------------ GifWriter
def test_gif_reads_back_pixel_exact_with_tolerance_zero(tmp_path):
    frames = painted_frames(6)
    path = tmp_path / "exact.gif"
    with GifWriter(path, fps=10, palette=Palette(COLORS), tolerance=0) as gif:
        for frame in frames:
            gif.append(frame)
    back, durations, loop = read_animation(path)
    assert len(back) == len(frames) == gif.n_frames
    for written, read in zip(frames, back):
        assert_array_equal(read, written)
    assert loop == 0
    assert durations == [100] * 5 + [1500]
    assert is_complete(path)


def test_gif_accepts_rgba_frames(tmp_path):
    frames = painted_frames(3)
    path = tmp_path / "rgba.gif"
    with GifWriter(path, fps=10, palette=Palette(COLORS)) as gif:
        for frame in frames:
            gif.append(np.dstack([frame, np.full(frame.shape[:2], 255, np.uint8)]))
    back, _, _ = read_animation(path)
    for written, read in zip(frames, back):
        assert_array_equal(read, written)


def test_gif_identical_consecutive_frames_still_count(tmp_path):
    frame = painted_frames(1)[0]
    path = tmp_path / "still.gif"
    with GifWriter(path, fps=20, palette=Palette(COLORS), hold_last_ms=500) as gif:
        for _ in range(4):
            gif.append(frame)
    back, durations, _ = read_animation(path)
    assert len(back) == 4
    for read in back:
        assert_array_equal(read, frame)
    assert durations == [50, 50, 50, 500]


@pytest.mark.parametrize("fps, expected", [(15, [70, 60, 70, 70, 60]), (10, [100] * 5), (50, [20] * 5)])
def test_gif_delays_follow_frame_delays_ms(tmp_path, fps, expected):
    path = tmp_path / "timing.gif"
    with GifWriter(path, fps=fps, palette=Palette(COLORS), hold_last_ms=1500) as gif:
        for frame in painted_frames(6):
            gif.append(frame)
    _, durations, _ = read_animation(path)
    assert durations == expected + [1500]
    assert durations == frame_delays_ms(6, fps, 1500).tolist()


# ---------------------------------------------------------------------- frame_delays_ms
def test_frame_delays_ms_do_not_drift():
    delays = frame_delays_ms(150, 15, 1500)
    assert set(delays[:-1].tolist()) == {60, 70}
    # frame i starts at round(i * 1000 / 15) to the 10 ms: after 149 frames, 9930 ms
    assert delays[:-1].sum() == 9930
    assert delays[-1] == 1500


@pytest.mark.parametrize(
    "n, fps, hold, expected",
    [
        (3, 10, 1500, [100, 100, 1500]),
        (3, 10, 0, [100, 100, 100]),  # the last frame stays at least one frame's time
        (2, 100, 0, [20, 20]),  # never below 20 ms, which browsers slow down to 100 ms
        (1, 15, 1500, [1500]),
        (0, 15, 1500, []),
    ],
)
def test_frame_delays_ms_cases(n, fps, hold, expected):
    assert frame_delays_ms(n, fps, hold).tolist() == expected


# ------------------------------------------------------------------------------ Palette
def test_palette_key_colours_are_exact():
    rng = np.random.default_rng(0)
    keys = np.vstack([COLORS, [[247, 247, 247], [143, 184, 222], [242, 167, 114]]]).astype(np.uint8)
    noise = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
    palette = Palette.from_frames(keys, [noise])
    assert len(palette.colors) <= 255
    picture = np.tile(keys[None, :, :], (4, 1, 1))
    assert_array_equal(palette.to_rgb(palette.index(picture)), picture)


def test_palette_rgba_lookup_matches_rgb_lookup():
    # RGBA frames (the canvas buffer) go through a 24-bit table, RGB frames through the
    # 5-6-5 one: every colour must land on the same palette entry either way
    rng = np.random.default_rng(1)
    palette = Palette(rng.integers(0, 256, size=(200, 3), dtype=np.uint8), n_exact=20)
    rgb = rng.integers(0, 256, size=(512, 520, 3), dtype=np.uint8)  # big enough for the 24-bit table
    rgb[0, :200] = palette.colors  # and every palette colour itself
    rgba = np.concatenate([rgb, np.full((512, 520, 1), 255, np.uint8)], axis=2)
    small = rgba[:100, :100]  # small frames (and views) take the 5-6-5 table's way
    assert_array_equal(palette.index(small), palette.index(rgb[:100, :100]))
    assert palette._lut_rgba is None
    assert_array_equal(palette.index(rgba), palette.index(rgb))
    assert palette._lut_rgba is not None
    assert_array_equal(palette.index(rgba)[0, :200], np.arange(200))
    assert_array_equal(palette.index(rgba[::2, 1::2]), palette.index(rgb[::2, 1::2]))  # strided views


def test_palette_maps_each_cell_to_its_nearest_colour():
    rng = np.random.default_rng(2)
    colors = rng.integers(0, 256, size=(255, 3), dtype=np.uint8)
    palette = Palette(colors)
    r, g, b = (rng.integers(0, n, 2000) for n in (32, 64, 32))
    centres = np.stack([(r << 3) + 4, (g << 2) + 2, (b << 3) + 4], axis=1)
    distances = ((centres[:, None, :] - colors[None, :, :].astype(int)) ** 2).sum(axis=2)
    picked = palette.lut[(r << 11) | (g << 5) | b]
    # the nearest, up to float32 ties; a palette colour's own cell may go to that colour
    own = np.zeros(65536, bool)
    c = colors.astype(int)
    own[(c[:, 0] >> 3) << 11 | (c[:, 1] >> 2) << 5 | (c[:, 2] >> 3)] = True
    free = ~own[(r << 11) | (g << 5) | b]
    best = distances.min(axis=1)
    assert np.all(distances[np.arange(2000), picked][free] <= best[free] + 1)


def test_palette_key_colour_wins_a_cell_it_shares():
    # (249, 252, 251) falls in white's 5-6-5 cell; a frame full of it puts it in the palette,
    # but white, a key colour, must still map to itself
    near_white = np.full((32, 32, 3), (249, 252, 251), np.uint8)
    palette = Palette.from_frames(np.array([[255, 255, 255], [0, 0, 0]], np.uint8), [near_white])
    white = np.full((1, 1, 3), 255, np.uint8)
    assert_array_equal(palette.to_rgb(palette.index(white)), white)


def test_palette_every_colour_wins_its_own_cell_even_the_last():
    # (0, 0, 0) is alone in its cell, but (8, 2, 4) is nearer that cell's centre (4, 2, 4)
    palette = Palette(np.array([[8, 2, 4], [0, 0, 0]], np.uint8))
    assert palette.index(np.array([[[0, 0, 0], [8, 2, 4]]], np.uint8)).tolist() == [[1, 0]]


def test_palette_from_frames_without_room_keeps_the_keys_only():
    keys = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)
    frames = painted_frames(2)
    palette = Palette.from_frames(keys, frames, n_colors=2)
    assert_array_equal(palette.colors, keys)
    assert palette.n_exact == 2


def test_palette_from_rgba_frames_is_the_palette_from_their_rgb():
    keys = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)
    frames = painted_frames(2)
    rgba = [np.dstack([f, np.full(f.shape[:2], 255, np.uint8)]) for f in frames]
    assert_array_equal(Palette.from_frames(keys, rgba, n_colors=40).colors,
                       Palette.from_frames(keys, frames, n_colors=40).colors)


def test_changed_rects_default_to_exact_colours_and_a_transparent_pixel_for_no_change():
    palette = Palette(np.array([[100, 100, 100], [101, 100, 100]], np.uint8))  # a hair apart
    rects = ChangedRects(palette)
    assert rects.next(np.zeros((3, 4), np.uint8))[0] == (0, 0, 4, 3)
    box, data = rects.next(np.zeros((3, 4), np.uint8))  # nothing changes: one transparent pixel
    assert box == (0, 0, 1, 1) and data.tolist() == [[ChangedRects.TRANSPARENT]]
    box, data = rects.next(np.ones((3, 4), np.uint8))  # the nearby colour is still a change
    assert box == (0, 0, 4, 3) and np.all(data == 1)


def test_palette_rejects_too_many_colours():
    with pytest.raises(ValueError, match="1 to 255 colours"):
        Palette(np.zeros((256, 3), np.uint8))


# ------------------------------------------------------------------------------- atomic
def _writer(kind, path):
    if kind == "gif":
        return GifWriter(path, fps=10, palette=Palette(COLORS))
    if kind == "webp":
        return WebPWriter(path, fps=10, palette=Palette(COLORS))
    if kind == "webp-streamed":  # told 3 frames: encodes in a thread as they come
        return WebPWriter(path, fps=10, palette=Palette(COLORS), n_frames=3)
    return Mp4Writer(path, fps=10)


WRITER_KINDS = ["gif", "webp", "webp-streamed", "mp4"]


def _suffix(kind):
    return kind.split("-")[0]


@pytest.mark.parametrize("kind", WRITER_KINDS)
def test_writers_count_the_frames_appended(tmp_path, kind):
    with _writer(kind, tmp_path / f"a.{_suffix(kind)}") as writer:
        assert writer.n_frames == 0
        for frame in painted_frames(3, size=(16, 8)):
            writer.append(frame)
        assert writer.n_frames == 3


@pytest.mark.parametrize("kind", WRITER_KINDS)
def test_an_error_inside_the_block_leaves_nothing(tmp_path, kind):
    path = tmp_path / f"broken.{_suffix(kind)}"
    with pytest.raises(RuntimeError, match="boom"):
        with _writer(kind, path) as writer:
            for frame in painted_frames(3):
                writer.append(frame)
            raise RuntimeError("boom")
    assert not path.exists()
    assert os.listdir(tmp_path) == []
    assert _encoder_threads() == []  # a streamed WebP's encoder is stopped, not left waiting


@pytest.mark.parametrize("kind", WRITER_KINDS)
def test_no_frames_is_an_error_and_leaves_nothing(tmp_path, kind):
    path = tmp_path / f"empty.{_suffix(kind)}"
    with pytest.raises(ValueError, match="at least one frame"):
        with _writer(kind, path):
            pass
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("kind", WRITER_KINDS)
def test_an_existing_file_is_kept_when_writing_fails(tmp_path, kind):
    path = tmp_path / f"old.{_suffix(kind)}"
    path.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with _writer(kind, path) as writer:
            writer.append(painted_frames(1)[0])
            raise KeyboardInterrupt
    assert path.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


# -------------------------------------------------------------------------- WebP and MP4
def test_webp_with_palette_shows_the_gif_pixels_and_timing(tmp_path):
    frames = painted_frames(5)
    palette = Palette(COLORS)
    with GifWriter(tmp_path / "a.gif", fps=15, palette=palette, tolerance=0) as gif:
        for frame in frames:
            gif.append(frame)
    with WebPWriter(tmp_path / "a.webp", fps=15, palette=palette, tolerance=0) as webp:
        for frame in frames:
            webp.append(frame)
    gif_frames, gif_durations, _ = read_animation(tmp_path / "a.gif")
    webp_frames, webp_durations, loop = read_animation(tmp_path / "a.webp")
    assert loop == 0
    assert webp_durations == gif_durations
    assert len(gif_frames) == len(webp_frames) == len(frames)
    for a, b in zip(gif_frames, webp_frames):
        assert_array_equal(a, b)
    assert is_complete(tmp_path / "a.webp")


def test_tolerance_never_lets_small_steps_drift(tmp_path):
    """Close colours keep what is on screen; steps that add up beyond the tolerance show."""
    greys = np.array([[100] * 3, [110] * 3, [120] * 3, [130] * 3], np.uint8)
    palette = Palette(greys)  # no exact colours: every pair within 12 is close
    frames = [np.full((6, 8, 3), g, np.uint8) for g in (100, 110, 120, 130)]
    with GifWriter(tmp_path / "t.gif", fps=10, palette=palette, tolerance=12) as gif:
        for frame in frames:
            gif.append(frame)
    with WebPWriter(tmp_path / "t.webp", fps=10, palette=palette, tolerance=12) as webp:
        for frame in frames:
            webp.append(frame)
    def timeline(path):  # the grey on screen every 100 ms (WebP merges repeated frames)
        frames, durations, _ = read_animation(path)
        return [int(f[0, 0, 0]) for f, ms in zip(frames, durations) for _ in range(ms // 100)]

    shown = timeline(tmp_path / "t.gif")
    assert shown[:3] == [100, 100, 120]  # 110 and 130 are within 12 of what is shown
    assert set(shown[3:]) == {120}  # the held last frame still shows 120
    assert timeline(tmp_path / "t.webp") == shown


def test_webp_without_palette_is_lossless(tmp_path):
    rng = np.random.default_rng(1)
    frames = [rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8) for _ in range(3)]
    with WebPWriter(tmp_path / "noise.webp", fps=10) as webp:
        for frame in frames:
            webp.append(frame)
    back, durations, _ = read_animation(tmp_path / "noise.webp")
    assert durations == [100, 100, 1500]
    for a, b in zip(frames, back):
        assert_array_equal(a, b)


def _encoder_threads():
    return [t for t in threading.enumerate() if t.name.startswith(WEBP_THREADS)]


@pytest.mark.parametrize("palette", [Palette(COLORS), None], ids=["palette", "full colour"])
def test_webp_bytes_do_not_depend_on_the_threads_or_the_count_given(tmp_path, palette):
    """Frames are encoded in threads as they come and written in order: one thread or three,
    told the count or not, the same file, and no thread left once the block ends."""
    rng = np.random.default_rng(2)
    frames = painted_frames(6, size=(40, 24))
    frames[3][5:9, 7:30] = rng.integers(0, 256, size=(4, 23, 3), dtype=np.uint8)
    frames.append(frames[-1].copy())  # nothing changes: a clear pixel, the frame still counted
    for name, threads, n_frames in (("one", 1, None), ("three", 3, len(frames))):
        with WebPWriter(tmp_path / f"{name}.webp", fps=12, palette=palette, tolerance=8, n_frames=n_frames,
                        threads=threads) as webp:
            for frame in frames:
                webp.append(frame)
                assert 1 <= len(_encoder_threads()) <= threads  # from the first frame on
        assert _encoder_threads() == []
    assert (tmp_path / "three.webp").read_bytes() == (tmp_path / "one.webp").read_bytes()
    back, durations, loop = read_animation(tmp_path / "three.webp")
    assert len(back) == len(frames) and loop == 0 and durations[-1] == 1500
    if palette is None:
        for a, b in zip(frames, back):
            assert_array_equal(a, b)


def test_webp_rectangles_at_odd_places_decode_exactly(tmp_path):
    """The container stores a frame's left and top halved: a change at an odd row and column
    widens its rectangle by a clear row and column, and shows just that change."""
    frames = [np.full((9, 11, 3), 200, np.uint8) for _ in range(4)]
    frames[1][3, 5] = (10, 20, 30)  # odd row, odd column
    frames[2][3, 5] = (10, 20, 30)
    frames[2][8, 10] = (40, 50, 60)  # the last row and column
    frames[3][0, 0] = (1, 2, 3)
    with WebPWriter(tmp_path / "odd.webp", fps=10) as webp:
        for frame in frames:
            webp.append(frame)
    back, _, _ = read_animation(tmp_path / "odd.webp")
    assert len(back) == len(frames)
    for a, b in zip(frames, back):
        assert_array_equal(a, b)


def test_webp_threads_must_be_a_positive_whole_number(tmp_path):
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="threads must be a positive whole number"):
            WebPWriter(tmp_path / "x.webp", fps=10, threads=bad)


def test_webp_streamed_needs_exactly_the_frames_it_was_told(tmp_path):
    with pytest.raises(ValueError, match="n_frames=2; a frame more"):
        with WebPWriter(tmp_path / "more.webp", fps=10, n_frames=2) as webp:
            for frame in painted_frames(3):
                webp.append(frame)
    with pytest.raises(ValueError, match="n_frames=3; 2 were appended"):
        with WebPWriter(tmp_path / "fewer.webp", fps=10, n_frames=3) as webp:
            for frame in painted_frames(2):
                webp.append(frame)
    assert os.listdir(tmp_path) == []
    assert _encoder_threads() == []
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="n_frames must be a positive whole number"):
            WebPWriter(tmp_path / "x.webp", fps=10, n_frames=bad)


def test_webp_streamed_encoder_error_reaches_the_caller(tmp_path):
    """libwebp refusing its settings in the thread is raised in the caller; no file is left."""
    with pytest.raises(ValueError, match="invalid configuration"):
        with WebPWriter(tmp_path / "bad.webp", fps=10, method=99, n_frames=4) as webp:
            for frame in painted_frames(4):
                webp.append(frame)
    assert os.listdir(tmp_path) == []
    assert _encoder_threads() == []


def test_webp_streamed_one_frame_and_an_error_after_the_last(tmp_path):
    """One frame streamed is the stored file; an encoder error after the last frame (here
    the one frame's own encoding) is raised when the block ends, and no file is left."""
    frame = painted_frames(1)[0]
    for name, n_frames in (("stored", None), ("streamed", 1)):
        with WebPWriter(tmp_path / f"{name}.webp", fps=10, n_frames=n_frames) as webp:
            webp.append(frame)
    assert (tmp_path / "streamed.webp").read_bytes() == (tmp_path / "stored.webp").read_bytes()
    with pytest.raises(ValueError, match="invalid configuration"):
        with WebPWriter(tmp_path / "bad.webp", fps=10, method=99, n_frames=1) as webp:
            webp.append(frame)
    assert sorted(os.listdir(tmp_path)) == ["stored.webp", "streamed.webp"]
    assert _encoder_threads() == []


def test_webp_frames_must_share_a_size(tmp_path):
    with pytest.raises(ValueError, match="first one's size"):
        with WebPWriter(tmp_path / "sizes.webp", fps=10) as webp:
            webp.append(np.zeros((10, 10, 3), np.uint8))
            webp.append(np.zeros((12, 10, 3), np.uint8))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("n_frames", [None, 120], ids=["stored", "streamed"])
def test_webp_keeps_frames_compressed_not_all_in_memory(tmp_path, n_frames):
    """120 frames of 960 × 560 would take 190 MB as arrays (258 MB as Pillow images); the
    writer's peak memory must stay far below that, storing or streaming."""
    script = textwrap.dedent(
        f"""
        import resource, numpy as np
        from boundaryviz.output.webp import WebPWriter
        frame = np.full((560, 960, 3), 240, np.uint8)
        frame[::7] = 30  # stripes: something to encode
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with WebPWriter({str(tmp_path / "big.webp")!r}, fps=15, method=0, n_frames={n_frames!r}) as webp:
            for i in range(120):
                frame[100:140, 5 * i : 5 * i + 40] = (i * 2) % 256
                webp.append(frame)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) // 1024)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    grown_mb = int(done.stdout.strip())
    assert grown_mb < 60, f"peak memory grew by {grown_mb} MB while writing"
    with Image.open(tmp_path / "big.webp") as image:
        assert image.n_frames == 120


def test_mp4_hold_repeats_and_even_size(tmp_path):
    import imageio.v3 as iio

    frames = [np.pad(f, ((0, 1), (0, 1), (0, 0)), mode="edge") for f in painted_frames(4, size=(48, 32))]
    assert frames[0].shape[:2] == (33, 49)
    path = tmp_path / "odd.mp4"
    with Mp4Writer(path, fps=10, hold_last_ms=500) as video:
        for frame in frames:
            video.append(frame)
    read = list(iio.imiter(path, plugin="FFMPEG"))
    repeats = Mp4Writer.hold_repeats(10, 500)
    assert repeats == 4
    assert len(read) == len(frames) + repeats
    assert read[0].shape == (34, 50, 3)  # padded to even by repeating the edge
    # H.264 is lossy: colours come back close, not exact
    assert np.abs(read[0][:33, :49].astype(int) - frames[0]).mean() < 8
    meta = iio.immeta(path, plugin="FFMPEG")
    assert meta["fps"] == 10 and meta["codec"] == "h264"
    assert meta["pix_fmt"].startswith("yuv420p")
    head = path.read_bytes()
    assert head[4:8] == b"ftyp" and head.index(b"moov") < head.index(b"mdat")  # +faststart
    assert is_complete(path)


@pytest.mark.parametrize("frame", [np.zeros((8, 8), np.uint8), np.zeros((8, 8, 2), np.uint8),
                                   np.zeros((8, 8, 5), np.uint8), np.zeros((8, 8, 3), np.float32)],
                         ids=["2-d", "two-channels", "five-channels", "float"])
def test_mp4_rejects_frames_that_are_not_rgb_uint8(tmp_path, frame):
    with pytest.raises(ValueError, match=r"frame must be an RGB uint8 array of shape \(H, W, 3\)\. Got"):
        with Mp4Writer(tmp_path / "a.mp4", fps=10) as video:
            video.append(frame)
    assert os.listdir(tmp_path) == []


def test_mp4_accepts_rgba_frames_ignoring_alpha_and_pads_any_odd_size(tmp_path):
    import imageio.v3 as iio

    # 35 x 33: each side odd, and neither a multiple of 3 plus 1, so only "pad by size % 2" fits
    rgb = [np.pad(f, ((0, 1), (0, 3), (0, 0)), mode="edge") for f in painted_frames(2, size=(32, 32))]
    assert rgb[0].shape == (33, 35, 3)
    with Mp4Writer(tmp_path / "a.mp4", fps=10, hold_last_ms=0) as video:
        for frame in rgb:
            video.append(np.dstack([frame, np.zeros(frame.shape[:2], np.uint8)]))  # alpha 0: ignored
    read = list(iio.imiter(tmp_path / "a.mp4", plugin="FFMPEG"))
    assert len(read) == 2 and read[0].shape == (34, 36, 3)
    assert np.abs(read[0][:33, :35].astype(int) - rgb[0]).mean() < 8


def test_ffmpeg_that_cannot_be_found_is_one_line_naming_why(monkeypatch, tmp_path):
    imageio_ffmpeg = need("imageio_ffmpeg")

    def no_exe():
        raise RuntimeError("No ffmpeg exe could be found.\n  Install ffmpeg on your system.")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_exe)
    with pytest.raises(MissingExtraError) as info:
        Mp4Writer(tmp_path / "a.mp4", fps=10)
    assert "(No ffmpeg exe could be found. Install ffmpeg on your system.)" in str(info.value)
    assert 'pip install --force-reinstall "boundaryviz[video]"' in str(info.value)


@pytest.mark.parametrize("fps, hold, repeats", [(15, 1500, 22), (10, 1500, 14), (15, 0, 0), (30, 50, 1)])
def test_mp4_hold_repeats(fps, hold, repeats):
    assert Mp4Writer.hold_repeats(fps, hold) == repeats


# -------------------------------------------------------------------------- open_writer
@pytest.mark.parametrize("suffix, cls", [(".gif", GifWriter), (".mp4", Mp4Writer), (".webp", WebPWriter),
                                        (".html", PlayerWriter)])
def test_open_writer_picks_by_suffix(tmp_path, suffix, cls):
    assert isinstance(open_writer(tmp_path / f"a{suffix.upper()}", fps=10, palette=Palette(COLORS)), cls)


@pytest.mark.parametrize(
    "name, kwargs, message",
    [
        ("a.png", {"palette": Palette(COLORS)}, "must end in one of '.gif', '.mp4', '.webp', '.html'"),
        ("a.gif", {}, "GIF writer needs a palette"),
    ],
)
def test_open_writer_errors(tmp_path, name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        open_writer(tmp_path / name, fps=10, **kwargs)


def test_missing_video_extra_is_one_line_naming_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails
    for call in (lambda: check_format("mp4"), lambda: Mp4Writer(tmp_path / "a.mp4", fps=10)):
        with pytest.raises(MissingExtraError) as info:
            call()
        assert isinstance(info.value, ImportError) and isinstance(info.value, ValueError)
        message = str(info.value)
        assert 'pip install "boundaryviz[video]"' in message and "\n" not in message
    check_format("gif")
    check_format("webp")
    with pytest.raises(ValueError, match="format must be one of 'gif', 'mp4', 'webp', 'html'. Got 'avi'."):
        check_format("avi")


def test_webp_full_colour_frames_drawn_into_one_buffer(tmp_path):
    """A caller may draw each frame into the same array: the writer must keep what it showed,
    not the caller's buffer (else every later frame looks unchanged)."""
    buffer = np.zeros((8, 8, 3), np.uint8)
    with WebPWriter(tmp_path / "reused.webp", fps=10) as webp:
        for value in (0, 60, 120, 180):
            buffer[...] = value
            webp.append(buffer)
    back, _, _ = read_animation(tmp_path / "reused.webp")
    assert [int(frame[0, 0, 0]) for frame in back] == [0, 60, 120, 180]


def test_webp_frame_that_cannot_be_encoded_fails_every_later_step(tmp_path, monkeypatch):
    """A caller that catches the encoder's error and goes on must not get a file that lacks
    that frame: later appends and the end of the block fail, and no file is left."""
    import boundaryviz.output.webp as webp_module

    calls = []
    real = webp_module.vp8l_bitstream

    def fails_fourth(rgba, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise OSError("libwebp ran out of memory")
        return real(rgba, **kwargs)

    monkeypatch.setattr(webp_module, "vp8l_bitstream", fails_fourth)
    errors = []
    with pytest.raises(RuntimeError, match="could not encode"):
        with WebPWriter(tmp_path / "short.webp", fps=10, n_frames=10, threads=1) as webp:
            for frame in painted_frames(10):
                try:
                    webp.append(frame)
                except (OSError, RuntimeError) as error:
                    errors.append(type(error).__name__)
    assert errors and errors[0] == "OSError" and set(errors[1:]) <= {"RuntimeError"}
    assert os.listdir(tmp_path) == []
    assert _encoder_threads() == []


def test_webp_write_that_fails_midway_fails_every_later_step(tmp_path):
    """The disk fills while frame 5's chunk is written: a caller that catches the error and
    goes on must not get a broken file under the final name."""

    class FillsUp:
        def __init__(self, fh):
            self.fh, self.writes = fh, 0

        def write(self, data):
            self.writes += 1
            if self.writes == 6:  # the header, then frames 1-4, then half of frame 5
                self.fh.write(data[:10])
                raise OSError(28, "No space left on device")
            return self.fh.write(data)

        def __getattr__(self, name):
            return getattr(self.fh, name)

    class Writer(WebPWriter):
        def _start(self):
            super()._start()
            self._fh = FillsUp(self._fh)

    errors = []
    with pytest.raises(RuntimeError, match="could not encode or write"):
        with Writer(tmp_path / "full.webp", fps=10, threads=1) as webp:
            for frame in painted_frames(12):
                try:
                    webp.append(frame)
                except (OSError, RuntimeError) as error:
                    errors.append(type(error).__name__)
    assert errors[0] == "OSError" and set(errors[1:]) <= {"RuntimeError"}
    assert os.listdir(tmp_path) == []
    assert _encoder_threads() == []
