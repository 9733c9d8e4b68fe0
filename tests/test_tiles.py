"""Tiles kept while a run is written, and the compare animation laid out from them."""

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from readback import read_animation, sha256

import boundaryviz as bv
from boundaryviz.gallery import build as gallery
from boundaryviz.output.animation import animation_palette, frame_indices
from boundaryviz.output.tiles import TileRecorder, half
from boundaryviz.render.renderer import Renderer
from boundaryviz.runs.run import RunSpec


@pytest.fixture(scope="module")
def history():
    return bv.train(bv.gaussians(n_samples=80), learning_rate=0.1, epochs=12)


def test_recorder_keeps_every_frame_at_half_size(history, tmp_path):
    renderer = Renderer(history, size=(320, 190), resolution=20)
    expected = frame_indices(len(history), 5).tolist()
    palette = animation_palette(renderer, expected)
    recorder = TileRecorder()
    indexed = TileRecorder(palette)
    seen = []

    def on_frame(index, frame):
        seen.append(index)
        recorder.add(index, frame)
        indexed.add(index, frame)

    bv.save_animations(history, [tmp_path / "a.gif"], renderer=renderer, max_frames=5, on_frame=on_frame,
                       palette=palette)
    tiles = recorder.tiles(renderer.layer, renderer.key_colors())
    assert seen == list(tiles.indices) == expected
    frames, _, _ = read_animation(tmp_path / "a.gif")
    assert len(frames) == len(tiles) == len(expected)
    assert tiles.shape == (95, 160) and tiles.layer == 0
    kept = indexed.tiles(renderer.layer)
    for k, index in enumerate(expected):
        frame = renderer.frame(index)
        assert_array_equal(tiles.image(k), frame[::2, ::2])
        assert_array_equal(kept.rgba(k)[:, :, :3], kept.image(k))
        assert_array_equal(tiles.rgba(k)[:, :, 3], 255)
        # in the animation's palette: what the GIF shows there
        assert_array_equal(kept.image(k), palette.to_rgb(palette.index(frame))[::2, ::2])
    # the first GIF frame is stored whole: the palette tile is that frame, halved
    assert_array_equal(kept.image(0), frames[0][::2, ::2])
    # the last tile at or before a snapshot
    assert [tiles.latest(i) for i in (0, 1, 3, 12)] == [0, 0, 1, len(expected) - 1]
    assert_array_equal(tiles.key_colors, renderer.key_colors())


def test_recorder_checks_its_frames():
    recorder = TileRecorder()
    with pytest.raises(ValueError, match="no frame"):
        recorder.tiles(0)
    recorder.add(3, np.zeros((10, 10, 4), np.uint8))
    with pytest.raises(ValueError, match="index must increase; got 3 after 3"):
        recorder.add(3, np.zeros((10, 10, 4), np.uint8))
    with pytest.raises(ValueError, match="one size"):
        recorder.add(4, np.zeros((12, 10, 4), np.uint8))
    assert half(np.zeros((5, 7, 4), np.uint8)).shape == (3, 4, 3)


def test_on_frame_and_palette_are_checked(history, tmp_path):
    with pytest.raises(TypeError, match="on_frame must be callable"):
        bv.save_animations(history, [tmp_path / "a.gif"], on_frame="tiles")
    with pytest.raises(TypeError, match="palette must be a boundaryviz Palette. Got list"):
        bv.save_animations(history, [tmp_path / "a.gif"], palette=[[0, 0, 0]])
    with pytest.raises(TypeError, match="palette must be a boundaryviz Palette. Got str"):
        TileRecorder("web")
    with pytest.raises(ValueError, match="indices must be a non-empty sequence"):
        animation_palette(Renderer(history, size=(320, 190)), [])
    assert not list(tmp_path.iterdir())


def test_runspec_tiles_is_a_flag(tmp_path):
    config = bv.TrainConfig(epochs=2)
    with pytest.raises(TypeError, match="tiles must be True or False. Got 'yes'"):
        RunSpec(bv.gaussians(), config, tmp_path, tiles="yes")


@pytest.mark.parametrize("epochs, max_frames, n_tiles", [(70, 0, 36), (130, 20, 20)])
def test_compare_from_kept_tiles_is_the_compare_drawn_again(tmp_path, epochs, max_frames, n_tiles):
    # the workers' tiles save drawing every run again; the file must not change for it, nor
    # when some runs kept tiles and others (say, kept by --skip-existing) did not. Runs of
    # different lengths, more frames than a run keeps tiles of, a max_frames of their own and
    # renderer options of their own: what is drawn again must be drawn the way the run drew it.
    specs = bv.reference_specs(bv.gaussians(n_samples=80), tmp_path, activations=["relu"],
                               learning_rates=[0.1, 0.01], epochs=epochs, stop_loss=0.45, max_frames=max_frames,
                               render={"size": (320, 190), "resolution": 24}, tiles=True)
    results = list(bv.run_sweep(specs, jobs=1))
    lengths = sorted(len(r.history) for r in results)
    assert lengths[0] < lengths[1] == epochs + 1  # one run stopped early
    for r in results:
        frames = frame_indices(len(r.history), max_frames)  # the run's own animation
        assert list(r.tiles.indices) == frames[frame_indices(len(frames), 60)].tolist()
    longest = max(results, key=lambda r: len(r.history))
    assert len(longest.tiles) == n_tiles
    written = {}
    for name, tiled in (("kept", results), ("mixed", [results[0], dataclasses.replace(results[1], tiles=None)]),
                        ("drawn", [dataclasses.replace(r, tiles=None) for r in results])):
        folder = tmp_path / name
        folder.mkdir()
        (written[name],) = gallery.write_compare(tiled, folder)
    assert sha256(written["kept"]) == sha256(written["mixed"]) == sha256(written["drawn"])
    frames, _, _ = read_animation(written["kept"])
    assert len(frames) == n_tiles  # the longest run's kept frames
    # another resolution than the tiles show: drawn again, not taken from the tiles
    (coarse,) = gallery.write_compare(results, tmp_path / "drawn", resolution=12)
    assert sha256(coarse) != sha256(written["kept"])


def test_compare_checks_layer_and_sizes(tmp_path):
    specs = bv.reference_specs(bv.gaussians(n_samples=60), tmp_path, activations=["tanh"],
                               learning_rates=[0.1, 0.01], epochs=3, render={"size": (320, 190)}, tiles=True)
    results = list(bv.run_sweep(specs, jobs=1))
    with pytest.raises(ValueError, match="layer must be"):
        gallery.write_compare(results, tmp_path, layer=5)
    with pytest.raises(TypeError, match="layer must be"):
        gallery.write_compare(results, tmp_path, layer="x")
    with pytest.raises(ValueError, match="layer must be"):
        gallery.write_summary(results, tmp_path / "summary.png", layer=-2)
    with pytest.raises(TypeError, match="layer must be"):
        gallery.write_compare(results[:1], tmp_path, layer="x")  # checked even with one run
    with pytest.raises(ValueError, match="resolution must be"):
        gallery.write_compare(results[:1], tmp_path, resolution=-5)
    with pytest.raises(ValueError, match="fps must be"):
        gallery.write_compare(results, tmp_path, fps=0)
    with pytest.raises(ValueError, match="hold_last must be"):
        gallery.write_compare(results, tmp_path, hold_last=-1)
    with pytest.raises(ValueError, match="max_frames must be"):
        gallery.write_compare(results, tmp_path, max_frames=1)
    other = dataclasses.replace(results[1], tiles=None, options=results[1].options.replace(size=(480, 280)))
    with pytest.raises(ValueError, match="share one frame size"):
        gallery.write_compare([results[0], other], tmp_path)
    # the gallery checks everything before it writes anything
    for bad in ({"fps": 0}, {"max_frames": 1}, {"layer": 3}):
        with pytest.raises((ValueError, TypeError)):
            bv.write_gallery(results, tmp_path, **bad)
    with pytest.raises(ValueError, match="share one frame size"):
        bv.write_gallery([results[0], other], tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("compare", "summary", "index", "."))]


def test_a_long_run_keeps_at_most_sixty_tiles_evenly():
    frames = frame_indices(2001, 0)  # --max-frames 0: a frame per epoch of a 2000-epoch run
    recorder = TileRecorder.evenly(frames)
    picture = np.zeros((8, 8, 4), np.uint8)
    for index in frames:
        picture[0, 0, 0] = index % 256  # a tile remembers its own frame
        recorder.add(index, picture)
    tiles = recorder.tiles(layer=0)
    assert len(tiles) == 60
    assert tiles.indices[0] == 0 and tiles.indices[-1] == 2000
    assert len(set(np.diff(tiles.indices[:-1]))) == 1  # evenly spaced, then the last
    assert [int(tiles.image(k)[0, 0, 0]) for k in (0, 1, 59)] == [0, tiles.indices[1] % 256, 2000 % 256]
    assert sum(len(c) for c in tiles.chunks) < 60 * 8 * 8 * 3
