"""What a panel shows, checked against the model: the pure view functions, no figure."""

import subprocess
import sys

import contourpy
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import boundaryviz as bv
from boundaryviz.render import geometry, views
from boundaryviz.render.class_colors import class_levels
from boundaryviz.render.frame_geometry import MAX_UNIT_LABELS, FrameGeometry, shown_units
from boundaryviz.render.style import field_thresholds


@pytest.fixture(scope="module")
def history():
    return bv.train(bv.gaussians(), activation="relu", learning_rate=0.1, epochs=40)


@pytest.fixture(scope="module")
def geo(history):
    return FrameGeometry.from_history(history, 60, 0, 15)


@pytest.fixture(scope="module")
def wide():
    """Width 5: the hidden panel is a PCA plane."""
    history = bv.train(bv.gaussians(n_samples=100), activation="tanh", learning_rate=0.05, hidden=(5,), epochs=20)
    return history, FrameGeometry.from_history(history, 40, 0, 15)


@pytest.fixture(scope="module")
def three():
    history = bv.train(bv.blobs(n_samples=150, n_classes=3), activation="tanh", learning_rate=0.05, hidden=(4,),
                       epochs=20)
    return history, FrameGeometry.from_history(history, 40, 0, 15)


def _points_along(segments, n=9):
    t = np.linspace(0, 1, n)[:, None]
    return np.concatenate([seg[0] + t * (seg[-1] - seg[0]) for seg in segments])


def test_geometry_is_fixed_arrays_of_the_data(history, geo):
    assert_array_equal(geo.input_limits, geometry.input_limits(history.dataset.X))
    assert geo.xs.shape == geo.ys.shape == geo.hxs.shape == (60,)
    assert geo.points.shape == geo.hpoints.shape == (3600, 2)
    assert geo.lattice.shape == (30, 60, 2)
    assert geo.projection.kind == "identity" and geo.n_classes == 2 and geo.layer == 0
    assert_array_equal(geo.unit_index, [0, 1]) and geo.n_units == 2
    with pytest.raises(AttributeError):
        geo.layer = 1  # frozen


def test_input_view_logits_are_the_models_decision_on_grid(history, geo):
    for index in (0, -1):
        view = views.input_view(history[index], geo)
        assert view.levels is None
        assert_array_equal(view.logits, history[index].model.decision_on_grid(geo.xs, geo.ys))


class _OwnModel(bv.ModelBase):
    """A user's model over an MLP, with a decision_on_grid of its own that knows no thresholds."""

    def __init__(self, mlp):
        self.mlp, self.hidden_widths = mlp, mlp.hidden_widths

    def predict_proba(self, X):
        return self.mlp.predict_proba(X)

    def hidden(self, X, layer):
        return self.mlp.hidden(X, layer)

    def proba_from_hidden(self, H, layer):
        return self.mlp.proba_from_hidden(H, layer)

    def first_layer(self):
        return self.mlp.first_layer()

    def decision_on_grid(self, xs, ys):
        return self.mlp.decision_on_grid(xs, ys)


def test_with_thresholds_only_the_built_in_mlp_computes_its_field_in_float32():
    """Given the field's thresholds, an MLP's input logits are float32 away from them (the same
    bands and boundary); a model of the user's own gives its exact logits, asked as before."""
    history = bv.train(bv.gaussians(n_samples=100), activation="tanh", hidden=(16,), learning_rate=0.1, epochs=5)
    geo = FrameGeometry.from_history(history, 120, 0, 15)
    thresholds = field_thresholds(10)
    snap = history[-1]
    exact = snap.model.decision_on_grid(geo.xs, geo.ys)
    assert_array_equal(views.input_view(snap, geo).logits, exact)
    fast = views.input_view(snap, geo, thresholds=thresholds)
    assert (fast.logits != exact).mean() > 0.5
    assert_array_equal(np.searchsorted(thresholds, fast.logits.ravel(), side="right"),
                       np.searchsorted(thresholds, exact.ravel(), side="right"))
    expected = views.contour_segments(geo.xs, geo.ys, exact)
    assert len(fast.boundary) == len(expected)
    assert all(np.array_equal(a, b) for a, b in zip(fast.boundary, expected))
    own = bv.Snapshot(snap.epoch, _OwnModel(snap.model), snap.loss, snap.accuracy)
    assert views.input_view(own, geo, thresholds=thresholds).logits.tobytes() == exact.tobytes()


def test_input_boundary_is_the_zero_contour_of_the_logits(history, geo):
    view = views.input_view(history[-1], geo)
    expected = contourpy.contour_generator(geo.xs, geo.ys, view.logits, name="serial",
                                           line_type="Separate").lines(0.0)
    assert view.boundary and len(view.boundary) == len(expected)
    for seg, line in zip(view.boundary, expected):
        assert_array_equal(seg, line)
    proba = history[-1].predict_proba(np.concatenate(view.boundary))
    assert np.max(np.abs(proba - 0.5)) < 0.05


def test_unit_lines_lie_on_zero_pre_activation_and_carry_their_labels(history, geo):
    for index in (0, -1):
        snap = history[index]
        view = views.input_view(snap, geo)
        W, b = snap.model.first_layer()
        assert len(view.units) == 2 and view.label_positions.shape == (2, 2)
        for k, seg in enumerate(view.units):
            assert view.label_visible[k] == np.all(np.isfinite(seg))
            if not view.label_visible[k]:
                assert np.all(np.isnan(view.label_positions[k]))
                continue
            assert_allclose(seg @ W[:, k] + b[k], 0, atol=1e-9)
            # the label sits on its line, between the ends
            label = view.label_positions[k]
            assert_allclose(label @ W[:, k] + b[k], 0, atol=1e-9)
            assert np.all(label >= seg.min(axis=0) - 1e-12) and np.all(label <= seg.max(axis=0) + 1e-12)
            # near the start, staggered per unit (12 %, 22 %, ... of the way) so labels do not overlap
            fraction = np.linalg.norm(label - seg[0]) / np.linalg.norm(seg[1] - seg[0])
            assert_allclose(fraction, 0.12 + 0.1 * k)
        assert view.label_visible.any()


def test_unit_labels_near_the_panel_edge_move_inward_along_their_lines(history, geo):
    """A unit line that runs close to the left edge, or cuts off a corner: its label stays whole."""
    (x0, x1), (y0, y1) = geo.input_limits
    width, height = x1 - x0, y1 - y0
    inner = geo.input_limits + np.array([[1, -1], [1, -1]]) * np.array([[width], [height]]) * views.LABEL_MARGIN
    # unit 1: x = x0 + 1 % of the width, a nearly vertical line hugging the left edge, tilted so
    # it crosses the inner box's left side; unit 2: a line through the bottom-left corner only
    near_edge = np.array([1.0, -0.1 * width / height])
    W = np.column_stack([near_edge, [1.0, height / width]])
    b = np.array([-(x0 + 0.01 * width) - near_edge[1] * y0, -(x0 + 0.01 * width) - height / width * (y0 + 0.01 * height)])
    snap = history[-1]
    model = bv.MLP((W, snap.weights[1]), (b, snap.biases[1]), "relu")
    view = views.input_view(bv.Snapshot(snap.epoch, model, snap.loss, snap.accuracy), geo)
    assert view.label_visible.all()
    labels = view.label_positions
    assert np.all(labels >= inner[:, 0] - 1e-9) and np.all(labels <= inner[:, 1] + 1e-9), labels
    # the first still lies on its own line, the second (its line never enters) just beside it
    assert_allclose(labels[0] @ W[:, 0] + b[0], 0, atol=1e-9)
    assert not np.isclose(labels[1] @ W[:, 1] + b[1], 0, atol=1e-6)
    # labels away from the edge do not move at all
    diagonals = np.array([[inner[:, 0], inner[:, 1]], [inner[[0, 1], [0, 1]], inner[[0, 1], [1, 0]]]])
    middle = diagonals.mean(axis=1) + [[0.1, 0.0], [0.0, -0.1]]
    assert_array_equal(geometry.labels_inside(middle, diagonals, geo.input_limits, views.LABEL_MARGIN), middle)


def test_unit_labels_that_would_overlap_move_apart_along_their_lines():
    """Units 1 and 5 share a line (and their staggered place along it), unit 2 lies just beside
    it: each label still gets a box of its own, on its own line."""
    history = bv.train(bv.gaussians(n_samples=100), activation="relu", learning_rate=0.05, hidden=(8,), epochs=2)
    geo = FrameGeometry.from_history(history, 40, 0, 15)
    snap = history[-1]
    W, b = np.array(snap.weights[0]), np.array(snap.biases[0])
    W[:, 4], b[4] = W[:, 0], b[0]
    W[:, 1], b[1] = W[:, 0], b[0] + 1e-3 * np.abs(W[:, 0]).sum()
    model = bv.MLP((W, snap.weights[1]), (b, snap.biases[1]), "relu")
    view = views.input_view(bv.Snapshot(snap.epoch, model, snap.loss, snap.accuracy), geo)
    shown = np.flatnonzero(view.label_visible)
    assert {0, 1, 4} <= set(shown)
    span = geo.input_limits[:, 1] - geo.input_limits[:, 0]
    reach = np.asarray(views.LABEL_SIZE) * span
    for i in shown:
        for j in shown[shown > i]:
            gap = np.abs(view.label_positions[i] - view.label_positions[j])
            assert np.any(gap >= reach - 1e-12), (i, j, view.label_positions[[i, j]])
    for k in shown:
        assert_allclose(view.label_positions[k] @ W[:, k] + b[k], 0, atol=1e-9)
    # each moved as little as it could: a step or two along its line, not to its line's far end
    preferred = geometry.labels_inside(
        np.array([seg[0] + (0.12 + 0.1 * (k % 4)) * (seg[1] - seg[0]) for k, seg in enumerate(view.units)]),
        np.array(view.units), geo.input_limits, views.LABEL_MARGIN)
    def distance(a, b):
        return np.hypot(*((np.asarray(a) - b) / span).T)

    moved = [k for k in shown if distance(view.label_positions[k], preferred[k]) > 0]
    assert moved
    for k in moved:
        seg = view.units[k]
        places = seg[0] + np.array(views.LABEL_FRACTIONS)[:, None] * (seg[1] - seg[0])
        places = geometry.labels_inside(places, np.repeat(seg[None], len(places), axis=0), geo.input_limits,
                                        views.LABEL_MARGIN)
        went = distance(view.label_positions[k], preferred[k])
        for place in places[distance(places, preferred[k]) < went - 1e-9]:
            earlier = view.label_positions[[j for j in shown if j < k]]
            assert np.any(np.all(np.abs(earlier - place) < reach, axis=1)), (k, place)  # nearer, but taken


def test_hidden_view_straight_boundary_satisfies_the_head(history, geo):
    snap = history[-1]
    view = views.hidden_view(snap, geo)
    (ends,) = view.boundary
    w, b = snap.weights[-1][:, 0], snap.biases[-1][0]  # width 2: the plane is the layer
    assert_allclose(ends @ w + b, 0, atol=1e-9)
    assert np.all(ends >= geo.hidden_limits[:, 0] - 1e-9) and np.all(ends <= geo.hidden_limits[:, 1] + 1e-9)


def test_hidden_view_field_is_the_output_over_the_plane(history, geo):
    snap = history[-1]
    view = views.hidden_view(snap, geo)
    expected = snap.model.decision_from_hidden(geo.hpoints, 0).reshape(60, 60)
    assert_allclose(view.logits, expected, rtol=1e-9, atol=1e-9)


def test_hidden_view_lattice_and_samples_are_the_layers_activations(history, geo):
    snap = history[-1]
    view = views.hidden_view(snap, geo)
    assert_allclose(view.lattice, snap.hidden(geo.lattice.reshape(-1, 2)).reshape(geo.lattice.shape),
                    rtol=1e-12, atol=1e-12)
    lim = geo.hidden_limits
    h = snap.hidden(geo.X)
    inside = np.all((h > lim[:, 0] + 0.01 * np.ptp(lim, axis=1)) & (h < lim[:, 1] - 0.01 * np.ptp(lim, axis=1)), axis=1)
    assert inside.mean() > 0.9
    assert_allclose(view.positions[inside], h[inside], rtol=1e-12)
    assert np.all(view.positions >= lim[:, 0]) and np.all(view.positions <= lim[:, 1])


def test_pca_plane_boundary_is_exact_in_the_layer(wide):
    history, geo = wide
    assert geo.projection.kind == "pca"
    snap = history[-1]
    view = views.hidden_view(snap, geo)
    assert len(view.boundary) == 1
    h = geo.projection.lift(_points_along(view.boundary))
    assert_allclose(h @ snap.weights[-1][:, 0] + snap.biases[-1][0], 0, atol=1e-9)
    # the field is the network's output over the lifted plane
    expected = snap.model.decision_from_hidden(geo.projection.lift(geo.hpoints), 0).reshape(40, 40)
    assert_allclose(view.logits, expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("kind", ["identity", "pca", "jitter"])
def test_plane_affine_is_the_same_for_one_output_and_many(kind):
    """The two-class head (a vector) and K class scores (a matrix) go through one function."""
    rng = np.random.default_rng(0)
    d = {"identity": 2, "pca": 5, "jitter": 1}[kind]
    projection = geometry.fit_projection(rng.normal(size=(50, d)))
    assert projection.kind == kind
    W, b = rng.normal(size=(d, 3)), rng.normal(size=3)
    W_plane, b_plane = views.plane_affine(W, b, projection)
    assert W_plane.shape == (2, 3)
    for k in range(3):
        w, c = views.plane_affine(W[:, k], float(b[k]), projection)
        assert_allclose(w, W_plane[:, k], rtol=1e-12)
        assert_allclose(c, b_plane[k], rtol=1e-12)
    if kind != "jitter":  # on the plane, the affine function is the original one of the layer
        p = rng.normal(size=(4, 2))
        assert_allclose(p @ W_plane + b_plane, projection.lift(p) @ W + b, rtol=1e-9, atol=1e-12)


def test_width_one_layer_before_more_layers_shows_the_network_after_it():
    """Layer 0 of 1 unit, then a hidden layer: a jitter plane and no linear head, so the field
    is the rest of the network over the unit's value, the same in every jitter row."""
    history = bv.train(bv.gaussians(n_samples=60), activation="tanh", learning_rate=0.05, hidden=(1, 2), epochs=5)
    geo = FrameGeometry.from_history(history, 20, 0, 15)
    assert geo.projection.kind == "jitter"
    snap = history[-1]
    view = views.hidden_view(snap, geo)
    assert view.logits.shape == (len(geo.hys), len(geo.hxs))
    expected = snap.model.decision_from_hidden(geo.hxs[:, None], 0)
    assert_allclose(view.logits, np.broadcast_to(expected, view.logits.shape), rtol=1e-12)


def test_three_classes_give_levels_and_tie_lines(three):
    history, geo = three
    snap = history[-1]
    view = views.input_view(snap, geo)
    assert view.logits is None
    scores = snap.model.class_scores(geo.points).reshape(40, 40, -1)
    assert_array_equal(view.levels, class_levels(scores))
    assert view.boundary
    # on a tie line the two best classes score alike
    top2 = np.sort(snap.model.class_scores(np.concatenate(view.boundary)), axis=1)[:, -2:]
    assert np.max(top2[:, 1] - top2[:, 0]) < 0.2
    hidden = views.hidden_view(snap, geo)
    assert hidden.logits is None and hidden.levels.shape == (40, 40)
    # the hidden field is the classes the network gives the plane, lifted into the layer
    lifted = snap.model.class_scores_from_hidden(geo.projection.lift(geo.hpoints), geo.layer)
    assert np.mean(hidden.levels == class_levels(lifted.reshape(40, 40, -1))) > 0.999
    assert hidden.boundary and hidden.positions.shape == (len(geo.X), 2)


def test_three_class_plane_scores_are_the_linear_head_carried_to_the_plane(three):
    history, geo = three
    model = history[-1].model
    W, b = model.linear_head(geo.layer)
    plane = views.plane_scores(model, geo.layer, geo.projection)
    assert plane is not None  # a linear head: straight tie lines, no pass over a grid
    for got, want in zip(plane, views.plane_affine(np.asarray(W, float), np.asarray(b, float), geo.projection)):
        assert_allclose(got, want, rtol=1e-12)
    boundary = views.hidden_view(history[-1], geo).boundary
    assert boundary and all(len(segment) == 2 for segment in boundary)  # straight: two ends each


def test_contour_segments_mask_what_is_not_finite():
    xs = ys = np.linspace(-1, 1, 21)
    z = xs[None, :] + 0 * ys[:, None]
    assert views.contour_segments(xs, ys, np.full((21, 21), np.nan)) == []
    z = z.copy()
    z[:, :3] = np.inf
    (seg,) = views.contour_segments(xs, ys, z)
    assert_allclose(seg[:, 0], 0, atol=1e-12)


def test_curve_view_clips_losses_into_a_fixed_axis(history):
    curve = views.curve_view(history)
    assert curve.bayes_loss is None
    assert_array_equal(curve.epochs, [s.epoch for s in history.snapshots])
    assert np.all((curve.losses >= 0) & (curve.losses <= curve.top))
    assert_allclose(curve.losses, np.clip(history.losses, 0, curve.top))
    assert views.curve_view(history, bayes=True).bayes_loss > 0  # gaussians: a known mixture


def test_status_values_say_epoch_loss_accuracy(history):
    snap = history[12]
    epoch, loss, accuracy, note = views.status_values(history, 12)
    assert epoch == f"{snap.epoch}/{history.epochs_run}"
    assert loss == f"{snap.loss:.4f}" and accuracy == f"{snap.accuracy:.1%}" and note == ""


def test_status_note_of_a_stopped_run_is_on_its_last_frame_only():
    history = bv.train(bv.gaussians(), activation="relu", learning_rate=0.1, epochs=200, stop_loss=0.3)
    assert history.stop_reason == "stop_loss"
    last = len(history) - 1
    assert views.status_values(history, last)[3] == "stopped: loss < 0.3"
    assert views.status_values(history, last - 1)[3] == ""


def test_points_outside_the_box_are_clipped_just_inside_its_edge():
    limits = np.array([[0.0, 10.0], [-1.0, 1.0]])  # 0.4 % of each side: 0.04 and 0.008
    points = np.array([[-5.0, 0.0], [20.0, 5.0], [5.0, 0.5], [0.01, -0.999]])
    assert_allclose(views._clip_to(points, limits), [[0.04, 0], [9.96, 0.992], [5, 0.5], [0.04, -0.992]])


def test_wide_layer_shows_at_most_eight_unit_lines():
    history = bv.train(bv.gaussians(n_samples=120), activation="relu", learning_rate=0.01, hidden=(20,), epochs=5)
    index, n_units = shown_units(history)
    assert n_units == 20 and 0 < len(index) <= MAX_UNIT_LABELS
    assert np.all(np.diff(index) > 0)


@pytest.mark.parametrize("module", ["boundaryviz.render.views", "boundaryviz.render.frame_geometry"])
def test_view_modules_do_not_import_matplotlib(module):
    code = f"import sys, {module}; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
