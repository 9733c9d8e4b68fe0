"""The renderer: what each panel draws is checked against the model, and frames stay steady."""

import contourpy
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from numpy.testing import assert_allclose, assert_array_equal

import boundaryviz as bv
from boundaryviz.models import float32_deep, float32_grid, network
from boundaryviz.render import blit, geometry
from boundaryviz.render.renderer import Renderer, plot_panel
from boundaryviz.render.style import BOUNDARY_COLOR


@pytest.fixture(scope="module")
def relu_history():
    return bv.train(bv.gaussians(), activation="relu", learning_rate=0.1, epochs=40)


@pytest.fixture(scope="module")
def relu_renderer(relu_history):
    return Renderer(relu_history, resolution=80)


def _polylines(line):
    """Split a NaN-separated Line2D back into its polylines."""
    xy = np.asarray(line.get_xydata())
    parts = np.split(xy, np.flatnonzero(np.isnan(xy[:, 0])))
    return [p[~np.isnan(p[:, 0])] for p in parts if np.any(~np.isnan(p[:, 0]))]


def _marker_positions(panel):
    """Drawn sample positions of a hidden panel, class 0 then class 1, shape (n, 2)."""
    return np.concatenate([np.asarray(m.get_xydata()) for m in panel.samples])


def _frames_to_check(n):
    return sorted({0, 1, n // 2, n - 1})


def test_frame_shape_and_draw_returns_figure(relu_renderer):
    frame = relu_renderer.frame(3)
    assert frame.shape == (560, 960, 3)
    assert frame.dtype == np.uint8
    fig = relu_renderer.draw(3)
    assert isinstance(fig, Figure)
    assert fig is relu_renderer.figure


def test_frames_differ_between_epochs(relu_renderer):
    assert not np.array_equal(relu_renderer.frame(0), relu_renderer.frame(-1))


def test_blitted_frame_matches_full_redraw(relu_renderer):
    """The fast path (background + field pixels + artists) looks like a plain full draw."""
    for index in (0, 17, -1):
        fast = relu_renderer.frame(index).astype(int)
        slow = relu_renderer.frame_full_redraw(index).astype(int)
        differing = np.any(np.abs(fast - slow) > 2, axis=2)
        # text stamped from cached sprites (status digits, h1/h2 labels) sits on whole
        # pixels, Agg's on fractions of one: text differs by its antialiasing, nothing else
        assert differing.mean() < 0.004, f"frame {index}: {differing.sum()} pixels differ"
        assert differing[60:].mean() < 0.002, f"frame {index}: panels differ"
    # and the fast path is still right after a full redraw
    assert np.array_equal(relu_renderer.frame(5), Renderer(relu_renderer.history, resolution=80).frame(5))


def _text_mask(renderer, shape, pad=3):
    """True over the boxes of the texts the fast path stamps from sprites (labels, status)."""
    mask = np.zeros(shape[:2], dtype=bool)
    height = shape[0]
    texts = list(renderer.input_panel.unit_labels) + list(renderer.status.values)
    for text in texts:
        if text.get_visible() and text.get_text():
            box = text.get_window_extent(renderer.canvas.get_renderer()).padded(pad)
            mask[max(int(height - box.y1), 0) : int(height - box.y0) + 1, max(int(box.x0), 0) : int(box.x1) + 1] = True
    return mask


@pytest.mark.parametrize("x, y, rows, cols", [(-2, 12, slice(0, 2), slice(0, 2)),   # past the top left
                                             (8, 2, slice(8, 10), slice(8, 10))])   # past the bottom right
def test_a_sprite_past_the_edge_paints_exactly_its_visible_part(x, y, rows, cols):
    """A 4 x 4 opaque sprite half off a 10 x 10 frame: the part inside, and nothing else."""
    sprite = blit._Sprite(np.full((4, 4, 3), 200, np.float32), np.ones((4, 4, 1), np.float32), (0, 0))
    frame = np.zeros((10, 10, 4), np.uint8)
    sprite.stamp(frame, x, y)
    expected = np.zeros((10, 10), bool)
    expected[rows, cols] = True
    assert_array_equal(frame[:, :, 0] == 200, expected)
    assert_array_equal(frame[:, :, 0][~expected], 0)


def test_cached_digits_cover_the_status_numbers_and_nothing_else():
    digits = blit._Digits(Figure().text(0.5, 0.5, "0", fontsize=10))
    for string in ("12/200", "0.2634", "98.5%", "1.23e+05", "-inf", "nan"):
        assert digits.covers(string), string
    for string in ("epoch 1", "stopped", "x"):
        assert not digits.covers(string), string


@pytest.mark.parametrize("n_classes", [2, 3])
def test_blitted_panels_equal_the_full_redraw_pixel_for_pixel(n_classes):
    """Inside the two field panels (a few pixels in from their spines) and away from the
    sprite-stamped texts, the fast path writes exactly the pixels a plain ``canvas.draw()``
    does. (The curve strip is left out: there the faint accuracy curve, in the background,
    sits under the solid loss line, where a full draw puts it over; a few pixels differ.)"""
    data = bv.gaussians(n_samples=150) if n_classes == 2 else bv.blobs(n_samples=150, n_classes=3)
    history = bv.train(data, activation="tanh", learning_rate=0.05, hidden=(4,), epochs=25)
    renderer = Renderer(history, resolution=60)
    for index in (0, 7, len(history) // 2, -1):
        fast = renderer.frame(index)
        mask = _text_mask(renderer, fast.shape)
        slow = renderer.frame_full_redraw(index)
        height = fast.shape[0]
        for name in ("input", "hidden"):
            box = renderer.axes[name].bbox
            rows = slice(int(height - box.y1) + 3, int(height - box.y0) - 3)
            cols = slice(int(box.x0) + 3, int(box.x1) - 3)
            same = np.all(fast[rows, cols] == slow[rows, cols], axis=2) | mask[rows, cols]
            assert same.all(), f"frame {index}, {name} panel: {np.sum(~same)} pixels differ"
        differing = np.any(np.abs(fast.astype(int) - slow.astype(int)) > 2, axis=2)
        assert differing.mean() < 0.004, f"frame {index}: {differing.sum()} pixels differ"


@pytest.mark.parametrize("hidden, activation, levels", [((64,), "tanh", 10), ((16,), "tanh", None),
                                                       ((16,), "sigmoid", 10)])
def test_a_float32_input_field_draws_the_very_frames_of_the_float64_one(monkeypatch, hidden, activation, levels):
    """A wide tanh or sigmoid layer's input field is computed in float32 where that decides no
    pixel (models/float32_grid.py): every frame's bytes, blitted, and full redraws are those
    of the float64 field."""
    history = bv.train(bv.gaussians(), hidden=hidden, activation=activation, learning_rate=0.1, epochs=50)
    float32_calls = []
    float32_logits = float32_grid.float32_logits
    monkeypatch.setattr(float32_grid, "float32_logits", lambda *a, **k: float32_calls.append(1) or float32_logits(*a, **k))
    fast = Renderer(history, levels=levels)
    frames = [fast.frame_rgba(i).tobytes() for i in range(len(history))]
    assert len(float32_calls) == len(history)
    redrawn = [fast.frame_full_redraw(i).tobytes() for i in (1, -1)]
    monkeypatch.setattr(float32_grid, "error_bound", lambda *args: None)  # the float64 grid, as before
    exact = Renderer(history, levels=levels)
    for index, frame in enumerate(frames):
        assert exact.frame_rgba(index).tobytes() == frame, f"frame {index}"
    assert [exact.frame_full_redraw(i).tobytes() for i in (1, -1)] == redrawn
    assert len(float32_calls) == len(history) + 2


@pytest.mark.parametrize("hidden, activation, levels", [((32, 32), "tanh", 10), ((16, 16, 16), "sigmoid", None)])
def test_a_deep_float32_input_field_draws_the_very_frames_of_the_float64_one(monkeypatch, hidden, activation, levels):
    """Several tanh or sigmoid hidden layers: the cells that decide the picture are computed again
    by predict_logits on their points alone, so some may differ from the float64 grid's values
    in the last bits (BLAS sums in another order), on the same side of every band edge and 0
    (models/float32_deep.py); every frame's bytes, blitted, and full redraws are those of the float64 field."""
    history = bv.train(bv.gaussians(), hidden=hidden, activation=activation, learning_rate=0.1, epochs=30)
    calls = []
    deep_float32_logits = float32_deep.deep_float32_logits
    monkeypatch.setattr(float32_deep, "deep_float32_logits",
                        lambda *a, **k: calls.append(1) or deep_float32_logits(*a, **k))
    fast = Renderer(history, levels=levels, resolution=60)
    frames = [fast.frame_rgba(i).tobytes() for i in range(len(history))]
    assert len(calls) > len(history) // 2  # the float32 path was taken (256 levels: while the bound is small)
    redrawn = [fast.frame_full_redraw(i).tobytes() for i in (1, -1)]
    monkeypatch.setattr(float32_deep, "deep_error_bound", lambda *args: None)  # the float64 grid, as before
    exact = Renderer(history, levels=levels, resolution=60)
    for index, frame in enumerate(frames):
        assert exact.frame_rgba(index).tobytes() == frame, f"frame {index}"
    assert [exact.frame_full_redraw(i).tobytes() for i in (1, -1)] == redrawn


def test_grid_evaluation_draws_what_the_point_by_point_one_drew(relu_history, monkeypatch):
    """The input field comes from network.grid_logits (outer sums) instead of predict_logits
    on the mesh points; values agree to 1e-15, so frames may differ only where a contour
    vertex moved by that much: a hundred antialiased pixels, by one level."""
    indices = (0, 20, -1)
    fast = Renderer(relu_history)
    drawn = [fast.frame(index).astype(int) for index in indices]  # before the patch below
    calls = []

    def point_by_point(weights, biases, xs, ys, activation):
        calls.append(len(xs))
        points = np.column_stack([np.tile(xs, len(ys)), np.repeat(ys, len(xs))])
        return network.predict_logits(weights, biases, points, activation).reshape(len(ys), len(xs))

    monkeypatch.setattr(network, "grid_logits", point_by_point)
    reference = Renderer(relu_history)
    for index, a in zip(indices, drawn):
        b = reference.frame(index).astype(int)
        differing = np.any(a != b, axis=2)
        assert differing.mean() < 0.001, f"frame {index}: {differing.sum()} pixels differ"
        assert np.abs(a - b).max() <= 2
    assert calls  # the reference really went point by point


def test_same_history_gives_identical_frames(relu_history):
    a = Renderer(relu_history, resolution=60).frame(7)
    b = Renderer(relu_history, resolution=60).frame(7)
    assert np.array_equal(a, b)


def test_warped_lattice_is_the_hidden_activation_of_input_lines(relu_renderer):
    history = relu_renderer.history
    lattice = relu_renderer.geometry.lattice
    for index in (0, 20, -1):
        relu_renderer.update(index)
        drawn = _polylines(relu_renderer.hidden_panel.lattice)
        assert len(drawn) == lattice.shape[0] == 2 * relu_renderer.lattice_lines
        expected = history[index].hidden(lattice.reshape(-1, 2)).reshape(lattice.shape)
        assert_allclose(np.array(drawn), expected, rtol=1e-12, atol=1e-12)


def test_hidden_decision_line_has_probability_one_half(relu_renderer):
    history = relu_renderer.history
    for index in (5, -1):
        relu_renderer.update(index)
        segments = relu_renderer.hidden_panel.boundary.get_segments()
        assert len(segments) == 1
        ends = segments[0]
        points = ends[0] + np.linspace(0, 1, 11)[:, None] * (ends[1] - ends[0])
        snap = history[index]
        logits = points @ snap.weights[-1][:, 0] + snap.biases[-1][0]
        assert_allclose(network.sigmoid(logits), 0.5, atol=1e-9)


def test_input_contour_has_probability_one_half(relu_renderer):
    history = relu_renderer.history
    relu_renderer.update(-1)
    segments = relu_renderer.input_panel.boundary.get_segments()
    assert segments, "the trained network has a decision line in view"
    points = np.concatenate(segments)
    proba = history[-1].predict_proba(points)
    # contour points are interpolated on an 80x80 mesh: close to 0.5, not exactly
    assert np.max(np.abs(proba - 0.5)) < 0.05


def test_hidden_unit_lines_have_zero_pre_activation(relu_renderer):
    history = relu_renderer.history
    for index in (0, -1):
        relu_renderer.update(index)
        snap = history[index]
        segments = relu_renderer.input_panel.units.get_segments()
        assert len(segments) == 2
        checked = 0
        for unit, seg in enumerate(segments):
            if np.all(np.isnan(seg)):
                continue  # this unit's line misses the view
            z = snap.pre_activation(seg, layer=0)[:, unit]
            assert_allclose(z, 0, atol=1e-9)
            checked += 1
        assert checked >= 1


def _artist_census(renderer):
    return {
        name: (ax.get_xlim(), ax.get_ylim(), len(ax.get_children()))
        for name, ax in renderer.axes.items()
    }, len(renderer.figure.get_children()), len(renderer.figure.texts)


@pytest.mark.parametrize("hidden", [(2,), (8,), (1,), (4, 2)])
def test_limits_and_artist_counts_steady_across_frames(hidden):
    history = bv.train(bv.gaussians(n_samples=120), activation="relu", learning_rate=0.05,
                       epochs=30, hidden=hidden)
    renderer = Renderer(history, resolution=40)
    census = None
    for index in _frames_to_check(len(history)):
        renderer.frame(index)
        now = _artist_census(renderer)
        if census is None:
            census = now
        assert now == census, f"frame {index} changed limits or artists"
    renderer.draw(len(history) // 2)
    assert _artist_census(renderer) == census


def test_hidden_limits_ignore_a_wild_epoch():
    stack = np.random.default_rng(0).normal(size=(10_000, 2))
    stack[0] = (1e6, -1e6)
    limits = geometry.robust_limits(stack)
    assert np.all(np.abs(limits) < 10)


def test_samples_outside_hidden_limits_are_clipped_not_lost(relu_renderer):
    relu_renderer.update(-1)
    lim = relu_renderer.geometry.hidden_limits
    offsets = _marker_positions(relu_renderer.hidden_panel)
    assert len(offsets) == relu_renderer.history.dataset.n_samples
    assert np.all(offsets >= lim[:, 0]) and np.all(offsets <= lim[:, 1])


def test_pca_projection_for_wide_layer_is_fixed_and_labelled():
    history = bv.train(bv.moons(n_samples=100), activation="tanh", learning_rate=0.05, hidden=(6,), epochs=25)
    first = Renderer(history, resolution=30)
    second = Renderer(history, resolution=30)
    p1, p2 = first.geometry.projection, second.geometry.projection
    assert p1.kind == "pca"
    assert_allclose(p1.components, p2.components)
    assert_allclose(p1.components @ p1.components.T, np.eye(2), atol=1e-12)
    # signs fixed: the largest loading of each component is positive
    assert np.all(p1.components[np.arange(2), np.argmax(np.abs(p1.components), axis=1)] > 0)
    xlabel = first.axes["hidden"].get_xlabel()
    assert xlabel.startswith("PC1 (") and "%" in xlabel
    # the projection is the same object for every frame: samples move smoothly, no flips
    positions = []
    for index in range(len(history)):
        first.update(index)
        positions.append(_marker_positions(first.hidden_panel))
    steps = [np.abs(b - a).max() for a, b in zip(positions, positions[1:])]
    span = np.ptp(first.geometry.hidden_limits, axis=1).max()
    assert max(steps) < 0.5 * span


def test_pca_plane_boundary_is_exact_on_the_plane():
    history = bv.train(bv.gaussians(n_samples=100), activation="tanh", learning_rate=0.05, hidden=(5,), epochs=20)
    renderer = Renderer(history, resolution=30)
    renderer.update(-1)
    assert renderer.geometry.projection.kind == "pca"
    segments = renderer.hidden_panel.boundary.get_segments()
    assert len(segments) == 1, "this run's decision plane crosses the PCA plane in view"
    ends = segments[0]
    plane = ends[0] + np.linspace(0, 1, 7)[:, None] * (ends[1] - ends[0])
    h = renderer.geometry.projection.lift(plane)
    snap = history[-1]
    proba = network.sigmoid(h @ snap.weights[-1][:, 0] + snap.biases[-1][0])
    assert_allclose(proba, 0.5, atol=1e-9)


def test_width_two_needs_no_projection(relu_renderer):
    projection = relu_renderer.geometry.projection
    assert projection.kind == "identity"
    h = np.random.default_rng(1).normal(size=(5, 2))
    assert np.array_equal(projection.project(h), h)
    assert relu_renderer.axes["hidden"].get_xlabel() == "h1"


def test_width_one_is_a_jitter_view():
    history = bv.train(bv.gaussians(n_samples=80), activation="tanh", learning_rate=0.05, hidden=(1,), epochs=10)
    renderer = Renderer(history, resolution=30)
    renderer.update(-1)
    offsets = _marker_positions(renderer.hidden_panel)
    h = history[-1].hidden(history.dataset.X)[:, 0]
    order = np.concatenate([np.flatnonzero(history.dataset.y == c) for c in (0, 1)])
    lim = renderer.geometry.hidden_limits
    assert_allclose(offsets[:, 0], np.clip(h[order], *lim[0]), atol=0.01 * np.ptp(lim[0]))
    assert renderer.frame(-1).shape == (560, 960, 3)


def test_layer_option_picks_the_hidden_layer():
    history = bv.train(bv.gaussians(n_samples=80), activation="relu", learning_rate=0.05, hidden=(4, 3), epochs=10)
    first = Renderer(history, layer=0, resolution=30)
    last = Renderer(history, layer=-1, resolution=30)
    assert first.geometry.projection.kind == "pca" and first.layer == 0
    assert last.layer == 1
    assert "layer 1 of 2" in first.axes["hidden"].get_title()
    assert "layer 2 of 2" in last.axes["hidden"].get_title()
    # a non-last layer's decision line is the 0-level contour of the logit carried from the
    # PCA plane (lifted into layer 1) through the layers after it, on the hidden mesh
    first.update(-1)
    geo = first.geometry
    model = history.final.model
    logits = model.decision_from_hidden(geo.projection.lift(geo.hpoints), 0).reshape(len(geo.hys), len(geo.hxs))
    expected = contourpy.contour_generator(geo.hxs, geo.hys, logits, name="serial", line_type="Separate").lines(0.0)
    drawn = first.hidden_panel.boundary.get_segments()
    assert drawn, "the trained network has a decision line in the hidden panel"
    assert len(drawn) == len(expected)
    for seg, line in zip(drawn, expected):
        assert_array_equal(seg, line)
    # and that contour has probability about one half (interpolated on a 30x30 mesh)
    proba = model.proba_from_hidden(geo.projection.lift(np.concatenate(drawn)), 0)[:, 1]
    assert np.max(np.abs(proba - 0.5)) < 0.05


def test_non_finite_weights_render_and_say_diverged():
    history = bv.train(bv.gaussians(n_samples=60), activation="identity", optimizer="sgd",
                       learning_rate=10, momentum=0.9, hidden=(8,), epochs=300, stop_loss=0)
    assert history.stop_reason == "diverged"
    assert not history.final.is_finite
    renderer = Renderer(history, resolution=30)
    frame = renderer.frame(-1)
    assert frame.shape == (560, 960, 3)
    assert f"diverged at epoch {history.epochs_run}" in renderer.status.text


def test_status_line_shows_epoch_loss_accuracy(relu_renderer):
    relu_renderer.update(12)
    snap = relu_renderer.history[12]
    text = relu_renderer.status.text
    assert f"{snap.epoch}/{relu_renderer.history.epochs_run}" in text
    assert f"{snap.loss:.4f}" in text and f"{snap.accuracy:.1%}" in text
    assert "relu" in text and "learning rate 0.1" in text


def test_curve_panel_solid_up_to_current_epoch(relu_renderer):
    relu_renderer.update(10)
    x, y = relu_renderer.curve_panel.loss_line.get_data()
    assert list(x) == list(range(11))
    assert_allclose(y, relu_renderer.history.losses[:11])


def _boundary_collections(ax):
    """The LineCollections drawn in the decision boundary's colour and width."""
    return [c for c in ax.collections
            if isinstance(c, LineCollection) and len(c.get_linewidths()) == 1 and c.get_linewidths()[0] == 1.8
            and np.allclose(c.get_edgecolor(), to_rgba(BOUNDARY_COLOR))]


def test_plot_panel_input_draws_the_field_and_the_boundary(relu_history):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_panel(relu_history, 5, panel="input", ax=ax, resolution=50) is ax
    limits = geometry.input_limits(relu_history.dataset.X)
    xs, ys, _ = geometry.mesh(limits, 50)
    model = relu_history[5].model
    (image,) = ax.images
    assert_allclose(image.get_array(), network.sigmoid(model.decision_on_grid(xs, ys)), rtol=1e-12)
    assert_allclose(image.get_extent(), limits.ravel())
    assert_allclose([ax.get_xlim(), ax.get_ylim()], limits)
    (boundary,) = _boundary_collections(ax)
    segments = boundary.get_segments()
    assert segments
    proba = relu_history[5].predict_proba(np.concatenate(segments))
    assert np.max(np.abs(proba - 0.5)) < 0.05
    samples = np.concatenate([line.get_xydata() for line in ax.lines])
    assert_allclose(np.sort(samples, axis=0), np.sort(relu_history.dataset.X, axis=0))


def test_plot_panel_hidden_draws_the_output_over_the_plane(relu_history):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_panel(relu_history, 5, panel="hidden", ax=ax, resolution=50) is ax
    snap = relu_history[5]
    (image,) = ax.images
    (x0, x1, y0, y1) = image.get_extent()
    hxs, hys, hpoints = geometry.mesh(np.array([[x0, x1], [y0, y1]]), 50)
    # width 2: the plane is the layer itself, the field the network's output from it
    expected = snap.model.proba_from_hidden(hpoints, 0)[:, 1].reshape(50, 50)
    assert_allclose(image.get_array(), expected, rtol=1e-9, atol=1e-12)
    (boundary,) = _boundary_collections(ax)
    (ends,) = boundary.get_segments()
    assert_allclose(snap.model.proba_from_hidden(ends, 0)[:, 1], 0.5, atol=1e-9)


def test_plot_panel_curve_draws_the_run_up_to_the_snapshot(relu_history):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_panel(relu_history, 5, panel="curve", ax=ax) is ax
    solid = [line for line in ax.lines if line.get_label() == "loss"]
    assert len(solid) == 1
    x, y = solid[0].get_data()
    assert_array_equal(x, np.arange(6))
    assert_allclose(y, relu_history.losses[:6])


def test_plot_panel_makes_its_own_figure(relu_history):
    ax = plot_panel(relu_history, panel="input", resolution=20)
    assert isinstance(ax.figure, Figure) and len(ax.images) == 1


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"resolution": 1}, ValueError, "resolution must be an integer >= 2"),
        ({"resolution": 5000}, ValueError, "resolution"),
        ({"resolution": 2.5}, TypeError, "resolution"),
        ({"layer": 3}, ValueError, "layer"),
        ({"levels": 1}, ValueError, "levels"),
        ({"size": (961, 560)}, ValueError, "even"),
        ({"size": "big"}, TypeError, "size"),
    ],
)
def test_renderer_rejects_bad_options(relu_history, kwargs, error, match):
    with pytest.raises(error, match=match):
        Renderer(relu_history, **kwargs)


def test_renderer_rejects_bad_index_and_history(relu_renderer):
    with pytest.raises(ValueError, match="index"):
        relu_renderer.frame(10_000)
    with pytest.raises(TypeError, match="history must be a boundaryviz History"):
        Renderer([1, 2, 3])
    with pytest.raises(ValueError, match="panel must be one of"):
        plot_panel(relu_renderer.history, panel="middle")


def test_drawn_figure_shows_itself_as_png_with_every_artist(relu_renderer):
    import io

    from PIL import Image

    relu_renderer.frame(4)  # leave the blitting state behind, then ask for a full figure
    png = relu_renderer.draw(9)._repr_png_()
    shown = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    expected = relu_renderer.frame_full_redraw(9).astype(int)
    assert shown.shape == expected.shape
    assert np.mean(np.any(np.abs(shown - expected) > 2, axis=2)) < 0.001


@pytest.mark.parametrize("size", [(480, 280), (640, 374), (1280, 746)])
def test_other_sizes_scale_the_whole_layout(relu_history, size):
    """Fonts and lines scale with the frame: the same layout, nothing overlapping."""
    renderer = Renderer(relu_history, size=size, resolution=40)
    assert renderer.frame(-1).shape == (size[1], size[0], 3)
    boxes = {name: ax.get_window_extent() for name, ax in renderer.axes.items()}
    scale = size[0] / 960
    reference = Renderer(relu_history, resolution=40)
    for name, box in boxes.items():
        expected = reference.axes[name].get_window_extent()
        assert_allclose([box.x0, box.width], [expected.x0 * scale, expected.width * scale], rtol=1e-6)
    assert renderer.status.values[0].get_fontsize() == reference.status.values[0].get_fontsize()


def test_wide_first_layer_draws_a_few_unit_lines_and_names_them(tmp_path):
    history = bv.train(bv.gaussians(), activation="relu", learning_rate=0.01, hidden=(64,))
    renderer = Renderer(history)
    renderer.frame(-1)
    panel = renderer.input_panel
    assert len(panel.units.get_segments()) == 8 == len(panel.unit_labels)
    assert panel.ax.get_title() == "input space · unit lines of 8 of 64 units"
    shown = [int(label.get_text()[1:]) - 1 for label in panel.unit_labels]
    assert shown == list(panel.unit_index) and len(set(shown)) == 8
    # the shown units are among those whose contribution to the output logit spreads most
    # (a unit whose line nearly repeats a stronger one's is passed over)
    model = history.final.model
    spread = model.hidden(history.dataset.X, 0).std(axis=0) * np.abs(model.weights[1][:, 0])
    rank = {unit: r for r, unit in enumerate(np.argsort(-spread, kind="stable"))}
    assert rank[np.argsort(-spread)[0]] == 0 and np.argsort(-spread)[0] in shown
    assert max(rank[u] for u in shown) < 32
    # each drawn line is that unit's own zero line
    for seg, unit in zip(panel.units.get_segments(), shown):
        if np.all(np.isfinite(seg)):
            assert_allclose(history.final.pre_activation(seg, 0)[:, unit], 0, atol=1e-9)
    # and the file stays small: measured 0.60 MB for these 24 frames, 1.37 MB with all 64 lines
    path = tmp_path / "wide.gif"
    bv.save_animation(history, path, max_frames=25)
    assert path.stat().st_size < 1_000_000


def test_narrow_first_layer_draws_every_unit(relu_renderer):
    assert len(relu_renderer.input_panel.units.get_segments()) == 2
    assert relu_renderer.axes["input"].get_title() == "input space"


def _ink(pixels):
    """Darkness of each pixel (0 on the white background, 255 black), float."""
    return 255.0 - pixels.astype(float).mean(axis=2)


def _best_correlation(a, b, reach=1):
    """Highest correlation of ``a`` with ``b`` over shifts of up to ``reach`` pixels each way."""
    best = -1.0
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            x = np.roll(a, (dy, dx), axis=(0, 1)) - a.mean()
            y = b - b.mean()
            best = max(best, float((x * y).sum() / np.sqrt((x * x).sum() * (y * y).sum())))
    return best


def test_fast_path_draws_the_status_numbers_like_a_full_redraw(relu_renderer):
    """The epoch, loss and accuracy values, which the fast path composes from cached glyphs,
    carry ink and show the same glyphs in the same place as a plain ``canvas.draw()``.

    Not pixel for pixel: glyph sprites are stamped on whole pixels with hinted advances,
    where Agg lays the string out on fractions of a pixel, so edges differ by antialiasing
    and a right-aligned value may sit one pixel over (measured: the best correlation of
    the two within one pixel of shift is 0.96-0.97; a different string in the same box
    scores 0.4-0.8, an empty box has no ink at all). So: the same amount of ink (within
    10 %) and a correlation of at least 0.93 within one pixel of shift."""
    renderer = relu_renderer
    height = renderer.figure.bbox.height
    for index in (0, 17, -1):
        fast = renderer.frame(index)
        strings = [text.get_text() for text in renderer.status.values[:3]]
        boxes = [text.get_window_extent(renderer.canvas.get_renderer()).padded(2)
                 for text in renderer.status.values[:3]]
        slow = renderer.frame_full_redraw(index)
        assert [text.get_text() for text in renderer.status.values[:3]] == strings
        assert strings[0] == f"{index % len(renderer)}/{renderer.history.epochs_run}"
        for string, box in zip(strings, boxes):
            rows = slice(int(np.floor(height - box.y1)), int(np.ceil(height - box.y0)))
            cols = slice(int(np.floor(box.x0)), int(np.ceil(box.x1)))
            ink_fast, ink_slow = _ink(fast[rows, cols]), _ink(slow[rows, cols])
            assert ink_slow.sum() > 0, f"frame {index}: the full redraw shows no {string!r}"
            assert (ink_fast > 64).sum() >= 0.5 * (ink_slow > 64).sum(), \
                f"frame {index}: the fast path left {string!r} (almost) blank"
            assert ink_fast.sum() == pytest.approx(ink_slow.sum(), rel=0.1), f"frame {index}: {string!r}"
            score = _best_correlation(ink_fast, ink_slow)
            assert score >= 0.93, f"frame {index}: {string!r} drawn differently (correlation {score:.3f})"
