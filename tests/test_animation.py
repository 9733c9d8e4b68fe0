"""save_animation and show end to end: each option is read back from the file it changes."""

import io

import numpy as np
import pytest
from PIL import Image
from readback import read_animation

import boundaryviz as bv
from boundaryviz import AnimationOptions, Renderer, save_animation, show

SMALL = dict(size=(320, 200), resolution=24)  # cheap frames: only what the option changes is under test


@pytest.fixture(scope="module")
def history():
    # two hidden layers, so that ``layer`` has a choice; gaussians, so that ``bayes`` has a line
    return bv.train(bv.gaussians(n_samples=120), activation="tanh", learning_rate=0.1, hidden=(4, 2),
                    epochs=9, stop_loss=0)


@pytest.mark.parametrize(("fps", "hold_last", "delays", "last"), [
    (10, 0.5, {100}, 500),
    (20, 0.0, {50}, 50),  # at least one frame's time
    (12, 2.25, {80, 90}, 2250),  # 83.3 ms on the GIF's 10 ms clock, without drift
])
def test_fps_and_hold_last_are_the_gif_delays(history, tmp_path, fps, hold_last, delays, last):
    path = tmp_path / "run.gif"
    animation = save_animation(history, path, fps=fps, hold_last=hold_last, **SMALL)
    frames, durations, loop = read_animation(path)
    assert len(frames) == animation.n_frames == len(history)
    assert durations[-1] == last, f"hold_last={hold_last}: the last frame stays {durations[-1]} ms"
    assert set(durations[:-1]) == delays
    assert sum(durations[:-1]) == pytest.approx(1000 * (len(frames) - 1) / fps, abs=10)
    assert loop == 0


def test_the_options_object_sets_the_timing_too(history, tmp_path):
    path = tmp_path / "run.gif"
    save_animation(history, path, options=AnimationOptions(fps=10, hold_last=0.5, max_frames=4, **SMALL))
    frames, durations, _ = read_animation(path)
    assert durations == [100, 100, 100, 500]
    assert frames[0].shape == (200, 320, 3)


def test_show_passes_the_timing_on(history):
    animation = show(history, fps=10, hold_last=0.5, **SMALL)
    with Image.open(io.BytesIO(animation.data)) as image:
        durations = []
        for i in range(image.n_frames):
            image.seek(i)
            durations.append(image.info["duration"])
    assert durations == [100] * (len(history) - 1) + [500]


@pytest.mark.parametrize("max_frames", [2, 4, None])
def test_max_frames_picks_every_kth_epoch_and_the_last(history, tmp_path, max_frames):
    path = tmp_path / "run.gif"
    seen = []
    save_animation(history, path, max_frames=max_frames, on_frame=lambda i, frame: seen.append(i), **SMALL)
    frames, _, _ = read_animation(path)
    assert len(frames) == len(seen) == (max_frames or len(history))
    assert seen[0] == 0 and seen[-1] == len(history) - 1 and seen == sorted(seen)
    reference = Renderer(history, **SMALL)
    for i, frame in zip(seen, frames):  # the file shows those very snapshots, in that order
        assert np.abs(frame.astype(int) - reference.frame(i)).mean() < 3


def test_size_is_the_frame_size(history, tmp_path):
    save_animation(history, tmp_path / "run.gif", size=(400, 250), resolution=24, max_frames=2)
    with Image.open(tmp_path / "run.gif") as image:
        assert image.size == (400, 250)


def test_progress_shows_a_bar_named_after_the_file(history, tmp_path, capsys):
    save_animation(history, tmp_path / "run.gif", progress=True, max_frames=3, **SMALL)
    err = capsys.readouterr().err
    assert "run.gif" in err and "3/3" in err
    save_animation(history, tmp_path / "quiet.gif", max_frames=3, **SMALL)
    assert capsys.readouterr().err == ""


def test_a_given_renderer_draws_the_frames(history, tmp_path):
    renderer = Renderer(history, size=(320, 200), resolution=24, levels=None)
    save_animation(history, tmp_path / "run.gif", renderer=renderer, max_frames=2)
    frames, _, _ = read_animation(tmp_path / "run.gif")
    assert np.abs(frames[-1].astype(int) - renderer.frame(-1)).mean() < 3


def test_a_given_palette_is_the_gifs(history, tmp_path):
    palette = bv.output.palette.Palette(np.array([[255, 255, 255], [0, 0, 0]], np.uint8))
    save_animation(history, tmp_path / "run.gif", palette=palette, max_frames=2, **SMALL)
    frames, _, _ = read_animation(tmp_path / "run.gif")
    assert {tuple(c) for c in np.unique(frames[-1].reshape(-1, 3), axis=0)} <= {(255, 255, 255), (0, 0, 0)}


@pytest.fixture(scope="module")
def default_last_frame(history):
    """The last frame with the default drawing options, drawn once for every option's test."""
    return Renderer(history, **SMALL).frame(-1).astype(int)


@pytest.mark.parametrize("option", [
    {"resolution": 8}, {"levels": None}, {"levels": 3}, {"layer": 0}, {"lattice_lines": 4}, {"bayes": True},
])
def test_each_drawing_option_changes_the_frames_as_the_renderer_draws_it(history, default_last_frame, tmp_path,
                                                                         option):
    """The written frames are the renderer's with that option, not the default's."""
    settings = {**SMALL, **option}
    save_animation(history, tmp_path / "run.gif", max_frames=2, **settings)
    show_gif = show(history, max_frames=2, **settings).data
    (tmp_path / "shown.gif").write_bytes(show_gif)
    wanted = Renderer(history, **settings).frame(-1).astype(int)
    default = default_last_frame

    def off(a, b):  # mean difference: the GIF's palette rounds a smooth field's colours
        return np.abs(a - b).mean()

    assert off(wanted, default) > 0.1, "the option should change the frame"
    for name in ("run.gif", "shown.gif"):
        frames, _, _ = read_animation(tmp_path / name)
        got = frames[-1].astype(int)
        # measured: 0.3-0.4 against 1-10, except a smooth field (levels=None), which the
        # GIF's palette rounds: 2.0 against 2.9
        assert off(got, wanted) < 0.8 * off(got, default), (name, off(got, wanted), off(got, default))
