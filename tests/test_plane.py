"""The view plane: what the input panel shows of a network of d > 2 inputs, checked against the
analytic plane sections of known models, and the plane's agreement counted independently."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import boundaryviz as bv
from boundaryviz.models.protocol import ModelBase
from boundaryviz.render import axis_text, geometry, views
from boundaryviz.render import plane as planes
from boundaryviz.render.frame_geometry import FrameGeometry


def _history(model, X, y, names=None):
    data = bv.Dataset.from_arrays(X, y, name="hyper", feature_names=names, standardize=False)
    snap = bv.Snapshot(0, model, loss=0.5, accuracy=0.5)
    return bv.History([snap, bv.Snapshot(1, model, loss=0.4, accuracy=0.6)], data)


def _data(d, w, c, n=300, seed=0):
    """Gaussian points in d dimensions, features of different scales, labelled by the hyperplane."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.linspace(0.5, 3.0, d) + np.arange(d)
    return X, (X @ w + c > 0).astype(int)


class LinearModel(ModelBase):
    """A model of one's own (no MLP): p(class 1) = sigmoid(w·x + c); its hidden layer is x."""

    rests_at_zero = False

    def __init__(self, w, c):
        self.w, self.c = np.asarray(w, float), float(c)
        self.hidden_widths = (len(self.w),)

    @property
    def n_classes(self):
        return 2

    def decision_function(self, X):
        return np.asarray(X, float) @ self.w + self.c

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def hidden(self, X, layer):
        return np.asarray(X, float)

    def proba_from_hidden(self, H, layer):
        return self.predict_proba(H)


def _identity_mlp(w, c):
    """A network whose hidden layer is the identity: logit = w·x + c exactly."""
    d = len(w)
    return bv.MLP((np.eye(d), np.asarray(w, float)[:, None]), (np.zeros(d), np.array([c], float)), "identity")


def _views(d, w):
    names = [f"f{k}" for k in range(d)]
    return names, ["pca", "lda", (names[d - 1], names[0])]


@pytest.mark.parametrize("d", [3, 5])
@pytest.mark.parametrize("kind", ["linear", "identity-mlp"])
def test_boundary_on_the_plane_is_the_analytic_intersection_line(d, kind):
    rng = np.random.default_rng(d)
    w, c = rng.normal(size=d), 0.3
    X, y = _data(d, w, -0.1 * d)
    model = LinearModel(w, c) if kind == "linear" else _identity_mlp(w, c)
    names, named_views = _views(d, w)
    history = _history(model, X, y, names)
    for view in named_views:
        geo = FrameGeometry.from_history(history, 120, 0, 15, view=view)
        plane = geo.plane
        # the hyperplane w·x + c = 0 meets the plane x = o + s u + t v in a s + b t + e = 0
        a, b, e = w @ plane.u, w @ plane.v, w @ plane.origin + c
        boundary = views.input_view(history.snapshots[-1], geo).boundary
        assert boundary, view
        vertices = np.concatenate(boundary)
        off = np.abs(vertices @ np.array([a, b]) + e) / np.hypot(a, b)
        cell = np.hypot(geo.xs[1] - geo.xs[0], geo.ys[1] - geo.ys[0])
        # a linear field's contour is exact: well within the mesh's resolution
        assert off.max() < 0.01 * cell, (view, off.max(), cell)
        # and it is the whole of the line inside the mesh
        box = np.array([[geo.xs[0], geo.xs[-1]], [geo.ys[0], geo.ys[-1]]])
        ends = geometry.line_in_box(np.array([a, b]), e, box)
        drawn = sum(np.linalg.norm(np.diff(seg, axis=0), axis=1).sum() for seg in boundary)
        assert drawn == pytest.approx(np.linalg.norm(ends[1] - ends[0]), rel=1e-6)


def test_the_planes_are_what_they_say():
    rng = np.random.default_rng(1)
    d = 5
    w = rng.normal(size=d)
    X, y = _data(d, w, -0.5)
    names = [f"f{k}" for k in range(d)]
    scale = planes.data_scale(X)
    pca = planes.resolve_view("pca", None, X, y, names)
    # through the mean; u, v the principal axes of the standardised data mapped back through the scaler
    from sklearn.decomposition import PCA

    ref = PCA(2).fit((X - X.mean(0)) / scale)
    assert_allclose(pca.origin, X.mean(0))
    for axis, comp in zip((pca.u, pca.v), ref.components_):
        assert_allclose(np.abs(axis / scale @ comp), 1, atol=1e-9)
    assert pca.labels[0].startswith("PC1, ") and "% of variance" in pca.labels[0]
    # two classes: LDA's one direction, and the first principal axis of what it leaves
    lda = planes.resolve_view("lda", None, X, y, names)
    zu, zv = lda.u / scale, lda.v / scale
    assert_allclose([zu @ zu, zv @ zv, zu @ zv], [1, 1, 0], atol=1e-9)
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    direction = LinearDiscriminantAnalysis().fit((X - X.mean(0)) / scale, y).scalings_[:, 0]
    assert_allclose(abs(zu @ direction) / np.linalg.norm(direction), 1, atol=1e-9)
    # a slice at an anchor: the other features held at a sample's values, coordinates the features'
    cut = planes.resolve_view(("f3", "f1"), 7, X, y, names)
    assert_array_equal(cut.u, np.eye(d)[3])
    assert_array_equal(cut.v, np.eye(d)[1])
    held = [0, 2, 4]
    assert_array_equal(cut.origin[held], X[7, held])
    assert_allclose(cut.coordinates(X, scale), X[:, [3, 1]])
    assert cut.labels == ("f3", "f1")
    given = planes.resolve_view(("f0", "f1"), [1.0, 2, 3, 4, 5], X, y, names)
    assert_array_equal(given.origin, [0, 0, 3, 4, 5])
    # the values the others are held at, written under the horizontal axis
    assert given.notes == ("others at: f2 = 3, f3 = 4, f4 = 5", "")
    assert cut.notes[0] == "others at: " + ", ".join(f"f{k} = {X[7, k]:.4g}" for k in held)
    many = axis_text.held_text(np.arange(40.0) + 0.5, [f"feature {k}" for k in range(40)], range(40))
    assert many.startswith("others at: feature 0 = 0.5, feature 1 = 1.5") and many.endswith(" more")
    shown = many.count(" = ")
    # a $ would pair with another into mathtext, and one very long name would run off the frame
    odd = axis_text.held_text(np.array([1.0, 2.0, 3.0]), ["price ($)", "cost ($)", "x" * 100], [0, 1, 2])
    assert odd.startswith("others at: price ($) = 1, cost ($) = 2")  # as written: the frame's texts are not mathtext
    long = axis_text.held_text(np.array([1.0, 2.0]), ["y" * 100, "b"], [0, 1])
    assert long.startswith("others at: " + "y" * 31 + "… = 1") and len(long) < 64
    assert many.endswith(f" + {40 - shown} more") and len(many) <= 64 + len(" + 40 more")
    # d = 2 and nothing asked: no plane at all (the data's own plane, drawn as before)
    assert planes.resolve_view(None, None, X[:, :2], y, names[:2]) is None


def test_relu_unit_lines_are_where_each_pre_activation_is_zero_on_the_plane():
    rng = np.random.default_rng(3)
    d, m = 5, 6
    W1, b1 = rng.normal(size=(d, m)), rng.normal(size=m)
    model = bv.MLP((W1, rng.normal(size=(m, 3))), (b1, rng.normal(size=3)), "relu")
    X = rng.normal(size=(200, d)) * 2
    y = rng.integers(0, 3, size=200)
    history = _history(model, X, y, [f"f{k}" for k in range(d)])
    for view in ("pca", "lda", ("f4", "f2")):
        geo = FrameGeometry.from_history(history, 50, 0, 15, view=view)
        shown = views.input_view(history.snapshots[0], geo)
        plane = geo.plane
        drawn = 0
        for k, seg in zip(geo.unit_index, shown.units):
            if np.isnan(seg).all():
                continue
            drawn += 1
            # w·(o + s u + t v) + b = 0 at both ends, in the data's own coordinates
            assert_allclose(plane.lift(seg) @ W1[:, k] + b1[k], 0, atol=1e-9)
        assert drawn >= 2, view


def test_agreement_is_complete_for_samples_on_the_plane():
    rng = np.random.default_rng(4)
    d = 4
    plane = bv.Plane(rng.normal(size=d), rng.normal(size=d), rng.normal(size=d))
    X = plane.lift(rng.normal(size=(150, 2)) * 2)
    model = bv.MLP((rng.normal(size=(d, 8)), rng.normal(size=(8, 1))), (rng.normal(size=8), np.zeros(1)), "tanh")
    y = (model.decision_function(X) > 0).astype(int)
    history = _history(model, X, y)
    geo = FrameGeometry.from_history(history, 40, 0, 15, view=plane)
    assert_allclose(geo.distance, 0, atol=1e-9)
    shown = views.input_view(history.snapshots[0], geo)
    assert shown.agreement == 1.0 and shown.agrees.all()


def test_agreement_counts_samples_where_a_plane_cuts_a_curved_boundary():
    rng = np.random.default_rng(5)
    d = 3
    X = rng.normal(size=(400, d))
    # a curved boundary: a ring around the third axis, and samples above and below the PCA plane
    W1 = np.array([[1, -1, 0, 0], [0, 0, 1, -1], [0.8, 0.8, 0.8, 0.8]])
    model = bv.MLP((W1, -np.ones((4, 1))), (np.zeros(4), np.array([1.2])), "relu")
    y = (model.decision_function(X) > 0).astype(int)
    history = _history(model, X, y)
    geo = FrameGeometry.from_history(history, 40, 0, 15, view="pca")
    shown = views.input_view(history.snapshots[0], geo)
    # counted here without the package's projection: normal equations in standardised units
    scale = X.std(0)
    A = np.column_stack([geo.plane.u, geo.plane.v]) / scale[:, None]
    st = np.linalg.solve(A.T @ A, A.T @ ((X - geo.plane.origin) / scale).T).T
    foot = geo.plane.origin + st @ np.vstack([geo.plane.u, geo.plane.v])
    real = model.decision_function(X) > 0
    there = model.decision_function(foot) > 0
    expected = np.mean(real == there)
    assert 0.5 < expected < 1.0
    assert shown.agreement == pytest.approx(expected, abs=1e-12)
    assert_array_equal(shown.agrees, real == there)


def test_hidden_panel_keeps_real_activations_and_the_planes_lattice():
    rng = np.random.default_rng(6)
    d = 4
    model = bv.MLP((rng.normal(size=(d, 2)), rng.normal(size=(2, 1))), (rng.normal(size=2), np.zeros(1)), "tanh")
    X = rng.normal(size=(100, d))
    history = _history(model, X, (X[:, 0] > 0).astype(int))
    geo = FrameGeometry.from_history(history, 30, 0, 5, view="lda")
    shown = views.hidden_view(history.snapshots[0], geo)
    inside = (shown.positions > geo.hidden_limits[:, 0]) & (shown.positions < geo.hidden_limits[:, 1])
    real = model.hidden(X, 0)
    assert_allclose(shown.positions[inside.all(1)], real[inside.all(1)])
    lifted = geo.plane.lift(geo.lattice.reshape(-1, 2))
    assert_allclose(shown.lattice.reshape(-1, 2), model.hidden(lifted, 0))


@pytest.mark.parametrize("kwargs, error, parameter, match", [
    (dict(view="pcx"), ValueError, "view", "view must be 'pca', 'lda'"),
    (dict(view=("f0",)), ValueError, "view", "two features"),
    (dict(view=("f0", "nope")), ValueError, "view", "unknown feature 'nope'"),
    (dict(view=3), TypeError, "view", "view must be"),
    (dict(view=bv.Plane(np.zeros(2), [1, 0], [0, 1])), ValueError, "view", "2 dimensions but the data has 3"),
    (dict(anchor=500), ValueError, "anchor", "sample index"),
    (dict(anchor=[1.0, 2.0]), ValueError, "anchor", "3 finite numbers"),
    (dict(anchor="middle"), TypeError, "anchor", "anchor must be"),  # "mean" is the mean
    (dict(anchor=[1.0, float("nan"), 2.0]), ValueError, "anchor", "finite"),
    (dict(anchor=[1.0, 1e200, 2.0]), ValueError, "anchor", "f1 = 1e[+]200 lies more than 1e[+]06 times its range"),
])
def test_bad_view_and_anchor_name_the_parameter(kwargs, error, parameter, match):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 3))
    model = _identity_mlp(np.ones(3), 0.0)
    history = _history(model, X, (X[:, 0] > 0).astype(int), ["f0", "f1", "f2"])
    with pytest.raises(error, match=match) as info:
        bv.Renderer(history, resolution=20, **kwargs)
    assert info.value.parameter == parameter


def test_an_anchor_on_two_features_asks_for_a_view():
    """Two features are shown as they are: an anchor alone would quietly turn the panel into a
    PCA plane (rotated axes) on which it changes nothing."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 2))
    history = _history(_identity_mlp(np.ones(2), 0.0), X, (X[:, 0] > 0).astype(int), ["f0", "f1"])
    with pytest.raises(ValueError, match="give a view") as info:
        bv.Renderer(history, resolution=20, anchor=3)
    assert info.value.parameter == "anchor"
    assert bv.Renderer(history, resolution=20, anchor=3, view="pca").axes["input"].get_xlabel().startswith("PC1")
    assert bv.Renderer(history, resolution=20).axes["input"].get_xlabel() == "f0"


@pytest.mark.parametrize("args, match", [
    ((np.zeros(3), [1, 0, 0], [2, 0, 0]), "span a plane"),
    ((np.zeros(3), [1, 0, 0], [0, 1]), "same length"),
    ((np.zeros(3), [1, 0, np.inf], [0, 1, 0]), "finite"),
])
def test_a_plane_that_is_not_one(args, match):
    with pytest.raises(ValueError, match=match) as info:
        bv.Plane(*args)
    assert info.value.parameter == "view"


def test_frames_on_a_plane_blit_like_a_full_draw_and_say_the_agreement():
    rng = np.random.default_rng(8)
    data = bv.Dataset.from_arrays(rng.normal(size=(120, 4)) + np.repeat(np.eye(4)[:3] * 2, 40, axis=0),
                                  np.repeat([0, 1, 2], 40), name="four")
    history = bv.train(data, hidden=(6,), activation="relu", learning_rate=0.05, epochs=8)
    renderer = bv.Renderer(history, resolution=50, view="lda")
    for index in (0, -1):
        fast = renderer.frame(index)
        slow = renderer.frame_full_redraw(index)
        # the faded samples never move: blended from one capture (Agg blends each translucent
        # marker in whole levels), so where they are, a level or two from a full draw
        # (found by drawing them in another colour: a marker can lie on a line of its colour)
        colors = [artist.get_facecolor().copy() for artist in renderer.input_panel.samples]
        for artist, color in zip(renderer.input_panel.samples, colors):
            artist.set_facecolor(np.column_stack([np.tile([1.0, 0.0, 1.0], (len(color), 1)), color[:, 3]]))
        footprint = np.any(renderer.frame_full_redraw(index) != slow, axis=2)
        for artist, color in zip(renderer.input_panel.samples, colors):
            artist.set_facecolor(color)
        assert footprint.sum() > 500
        near = np.abs(fast.astype(int) - slow.astype(int)).max(axis=2) <= 2
        # inside the panels, away from the texts stamped from sprites, the same pixels
        texts = [*renderer.input_panel.unit_labels, *renderer.status.values, renderer.axes["input"].title]
        mask = np.zeros(fast.shape[:2], dtype=bool)
        height = fast.shape[0]
        for text in texts:
            if text.get_visible() and text.get_text():
                box = text.get_window_extent(renderer.canvas.get_renderer()).padded(3)
                mask[max(int(height - box.y1), 0): int(height - box.y0) + 1, max(int(box.x0), 0): int(box.x1) + 1] = 1
        for name in ("input", "hidden"):
            box = renderer.axes[name].bbox
            rows = slice(int(height - box.y1) + 3, int(height - box.y0) - 3)
            cols = slice(int(box.x0) + 3, int(box.x1) - 3)
            same = np.all(fast[rows, cols] == slow[rows, cols], axis=2) | mask[rows, cols]
            same |= footprint[rows, cols] & near[rows, cols]
            assert same.all(), f"frame {index}, {name} panel: {np.sum(~same)} pixels differ"
        # the title is stamped on whole pixels, Agg draws it on fractions of one: antialiasing differs
        differing = np.any(np.abs(fast.astype(int) - slow.astype(int)) > 2, axis=2) & ~mask
        assert differing.mean() < 0.002, f"frame {index}: {differing.sum()} pixels differ"
        # the title, composed from sprites around the share's glyphs, where Agg puts it
        box = renderer.axes["input"].title.get_window_extent(renderer.canvas.get_renderer())
        rows, cols = slice(int(height - box.y1) - 3, int(height - box.y0) + 3), slice(int(box.x0) - 20, int(box.x1) + 20)
        darkness = [765 - frame[rows, cols, :3].astype(int).sum(axis=2) for frame in (fast, slow)]
        ink = [np.flatnonzero((dark > 265).any(axis=0)) for dark in darkness]
        assert abs(ink[0][0] - ink[1][0]) <= 1 and abs(ink[0][-1] - ink[1][-1]) <= 1, (ink[0][[0, -1]], ink[1][[0, -1]])
        assert darkness[0].sum() == pytest.approx(darkness[1].sum(), rel=0.03)  # as much ink: no glyph missing
        title = renderer.axes["input"].get_title()
        assert title.startswith("LDA plane · agrees at ") and title.endswith(" % of points")
        agreement = renderer.input_panel.view.agreement
        assert f"{100 * agreement:.0f} %" in title
    assert renderer.axes["input"].get_xlabel().startswith("LD1, ")


def test_a_long_composed_title_puts_its_share_where_agg_does():
    """A slice's title is long ("slice at the mean · agrees at 31 % of points"): placing the
    share at the head's summed advances put it 3-4 px right of Agg's kerned layout, and shifted
    every ink column after it."""
    history = bv.train(bv.wine(features="all"), hidden=(4,), activation="tanh", learning_rate=0.05, epochs=6)
    renderer = bv.Renderer(history, resolution=40, view=("alcohol", "malic_acid"))
    height = renderer.canvas.get_width_height()[1]
    for index in (0, -1):
        fast, slow = renderer.frame(index).copy(), renderer.frame_full_redraw(index).copy()
        assert renderer.axes["input"].get_title().startswith("slice at the mean · agrees at ")
        box = renderer.axes["input"].title.get_window_extent(renderer.canvas.get_renderer())
        rows, cols = slice(int(height - box.y1) - 3, int(height - box.y0) + 3), slice(int(box.x0) - 20, int(box.x1) + 20)
        ink = [((765 - frame[rows, cols, :3].astype(int).sum(axis=2)) > 265).any(axis=0) for frame in (fast, slow)]
        ends = [np.flatnonzero(columns)[[0, -1]] for columns in ink]
        assert np.all(np.abs(ends[0] - ends[1]) <= 1), ends
        # the glyphs' columns, a pixel's antialiasing apart (about 10 of 215 differ; 48 with the share misplaced)
        assert np.sum(ink[0] ^ ink[1]) <= 20, np.sum(ink[0] ^ ink[1])


def test_bayes_boundary_is_the_mixtures_on_the_plane():
    """The data knows its mixture (two features here): on a rotated, shifted plane the Bayes
    boundary, lifted back into input space, lies on the data plane's own."""
    history = bv.train(bv.gaussians(n_samples=200), hidden=(3,), epochs=3)
    own = FrameGeometry.from_history(history, 120, 0, 15)
    plane = bv.Plane(origin=[0.3, -0.2], u=[0.8, 0.6], v=[-0.6, 0.8])
    turned = FrameGeometry.from_history(history, 120, 0, 15, view=plane)
    a = np.concatenate(views.bayes_segments(history.dataset.mixture, own))
    b = plane.lift(np.concatenate(views.bayes_segments(history.dataset.mixture, turned)))
    cell = np.hypot(own.xs[1] - own.xs[0], own.ys[1] - own.ys[0])
    inside = np.all((b >= own.input_limits[:, 0]) & (b <= own.input_limits[:, 1]), axis=1)
    assert inside.sum() > 20
    gap = np.linalg.norm(b[inside][:, None] - a[None], axis=-1).min(axis=1)
    assert gap.max() < cell


def test_lda_without_a_separating_direction_is_refused_naming_view():
    # every row twice and a constant column: nothing varies within a class (scikit-learn's LDA
    # raised IndexError); and no feature that varies at all
    X = np.array([[0, 5, 1], [0, 5, 1], [1, 5, 2], [1, 5, 2], [2, 5, 3], [2, 5, 3]], float)
    y = np.array([0, 0, 1, 1, 2, 2])
    with pytest.raises(ValueError, match="view='lda' finds no class-separating direction") as caught:
        planes.resolve_view("lda", None, X, y, ["a", "b", "c"])
    assert caught.value.parameter == "view"
    with pytest.raises(ValueError, match="view='lda'"):
        planes.resolve_view("lda", None, np.ones((6, 3)), y, ["a", "b", "c"])
    # one spread within the classes is enough
    X[::2] += [0.1, 0.2, -0.1]
    assert planes.resolve_view("lda", None, X, y, ["a", "b", "c"]).name == "LDA plane"


def test_names_are_drawn_as_written_and_long_ones_shortened():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    long = "a very long feature name " * 6
    for names, view in ((["price_$", "cost_$", "c", "d"], None), (["US$ price", "US$ cost", "c", "d"], ("US$ price", "US$ cost")),
                        ([long, "b", "c", "d"], (long, "b")), (["x $a$", "y $b$"], None),
                        (["p $1$", "q", "c", "d"], ("p $1$", "q"))):
        data = bv.Dataset.from_arrays(X[:, : len(names)], y, feature_names=names)
        history = bv.train(data, epochs=2)
        renderer = bv.Renderer(history, options=bv.AnimationOptions(view=view, resolution=20))
        frame = renderer.frame_rgba(1)  # two $ in one label made mathtext, which failed to parse or ate the $
        assert frame.shape[2] == 4
        ax = renderer.axes["input"]
        label, note = ax.xaxis.label, ax.xaxis.label.get_text()
        assert not label.get_parse_math() and not ax.title.get_parse_math()
        width = label.get_window_extent(renderer.canvas.get_renderer()).width
        assert width <= renderer.figure.bbox.width * 0.45, (note, width)  # within the input panel's half
        if view is not None:
            assert note.splitlines()[0] == axis_text.short_name(view[0]) and len(note.splitlines()[0]) <= 48
            # plot_panel draws into the user's own Axes, which parse mathtext: its $ are escaped
            # there, and the user's own mathtext still works afterwards
            panel = bv.plot_panel(history, view=view, resolution=20)
            panel.figure.canvas.draw()
            shown = [t._preprocess_math(t.get_text()) for t in (panel.xaxis.label, panel.yaxis.label)]
            assert shown[0] == (note, False) and shown[1] == (ax.yaxis.label.get_text(), False), shown
            panel.set_xlabel("$x_1$")
            assert panel.xaxis.label._preprocess_math("$x_1$")[1]
        elif len(names) == 2:
            assert note == "x $a$"
        else:
            assert "price_$" in note or "cost_$" in note  # the loadings, $ and all


def test_a_slice_along_a_constant_feature_spans_a_readable_range():
    rng = np.random.default_rng(1)
    X = np.column_stack([np.full(80, 5.0), rng.normal(size=80), rng.normal(size=80)])
    y = (X[:, 1] > 0).astype(int)
    history = bv.train(bv.Dataset.from_arrays(X, y, feature_names=["b", "a", "c"]), epochs=2)
    geo = FrameGeometry.from_history(history, 20, 0, 15, view=("b", "a"))
    low, high = geo.input_limits[0]
    assert low < 5 < high and high - low > 1  # a span of 1e-9 gave tick labels of fifteen digits
    assert_allclose(geometry.input_limits(np.array([[0.0, 1.0], [0.0, 2.0]]))[0], [-0.65, 0.65])


def test_anchor_mean_a_row_from_the_end_and_a_plane_of_ones_own():
    iris = bv.iris(features="all")
    X, y, names = iris.X, iris.y, list(iris.feature_names)
    # a row counted from the end is named by its own index; "mean" is the mean, as in the CLI
    last = planes.resolve_view(tuple(names[2:]), -1, X, y, names)
    assert last.name == f"slice at sample {len(X) - 1}"
    assert_array_equal(last.origin[:2], X[-1, :2])
    assert bv.AnimationOptions(view="pca", anchor="mean").anchor is None
    # a Plane has its own origin: an anchor beside it was ignored without a word
    plane = bv.Plane(X.mean(axis=0), np.eye(4)[0], np.eye(4)[1])
    with pytest.raises(ValueError, match="a Plane goes through its own origin") as caught:
        planes.resolve_view(plane, 3, X, y, names)
    assert caught.value.parameter == "anchor"
    assert planes.resolve_view(plane, None, X, y, names) is plane


def test_the_title_and_the_tick_labels_fit_the_input_panel():
    rng = np.random.default_rng(2)
    X = np.column_stack([1e9 + rng.normal(size=6000) * 1e3, rng.normal(size=6000) * 1e-3, rng.normal(size=6000)])
    y = (X[:, 2] > 0).astype(int)
    history = bv.train(bv.Dataset.from_arrays(X, y, feature_names=["big", "tiny", "c"]), epochs=2)
    renderer = bv.Renderer(history, options=bv.AnimationOptions(view=("big", "tiny"), anchor=-1, resolution=20))
    renderer.frame_rgba(1)
    ax, agg = renderer.axes["input"], renderer.canvas.get_renderer()
    title, panel = ax.title, ax.get_window_extent(agg)
    # narrowed only as far as the labels need (a title too wide for the panel is made smaller
    # instead: it had moved the panel right by 30 px)
    ax.title.set_visible(False)
    left = ax.get_tightbbox(agg).x0
    ax.title.set_visible(True)
    assert panel.x0 == pytest.approx(0.065 * renderer.figure.bbox.width) or 3 <= left <= 6, (panel.x0, left)
    assert title.get_text().startswith("slice at sample 5999 · agrees at ") and "5,000 of 6,000 points" in title.get_text()
    box = title.get_window_extent(agg)  # it had run off the frame's left edge
    assert panel.x0 - 1 <= box.x0 and box.x1 <= panel.x1 + 1, (box, panel)
    # nine-digit tick labels had run into one another
    X = np.column_stack([1e9 + rng.normal(size=300) * 1e3, rng.normal(size=300) * 1e-3, rng.normal(size=300)])
    history = bv.train(bv.Dataset.from_arrays(X, y[:300], feature_names=["big", "tiny", "c"]), epochs=2)
    renderer = bv.Renderer(history, options=bv.AnimationOptions(view=("big", "tiny"), resolution=20))
    renderer.frame_rgba(1)
    ax, agg = renderer.axes["input"], renderer.canvas.get_renderer()
    low, high = sorted(ax.get_xlim())
    shown = [t for t in ax.xaxis.get_major_ticks() if low <= t.get_loc() <= high]
    boxes = sorted((t.label1.get_window_extent(agg) for t in shown), key=lambda b: b.x0)
    assert len(boxes) >= 2 and all(a.x1 + 2 <= b.x0 for a, b in zip(boxes, boxes[1:])), boxes
    # a near-constant feature is not a constant one: the data keep their own range
    lim = geometry.input_limits(np.column_stack([1.7e9 + np.linspace(0, 1.5, 20), np.arange(20.0)]))
    assert_allclose(lim[0], [1.7e9 - 0.225, 1.7e9 + 1.725])
    # a title and ticks that fit are left as they were
    plain = bv.Renderer(bv.train(bv.gaussians(n_samples=60), epochs=1))
    assert plain.axes["input"].title.get_fontsize() == 10


def test_axis_labels_of_long_names_in_capitals_fit_the_panel():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] > 0).astype(int)
    caps = "MAXIMUM WAVELENGTH OF THE MEASURED ABSORPTION PEAK (NM)"  # 48 characters still ran off the frame
    wide = ["W" * 32 + str(k) for k in range(3)]  # notes too: loadings and held values of the widest names
    for names, view in (([caps[:3], caps], None), ([caps, "b", "c"], (caps, "b")), (["b", caps, "c"], ("b", caps)),
                        (wide, "pca"), (wide, (wide[0], wide[1]))):
        data = bv.Dataset.from_arrays(X[:, : len(names)], y, feature_names=names)
        renderer = bv.Renderer(bv.train(data, epochs=1), options=bv.AnimationOptions(view=view, resolution=20))
        renderer.frame_rgba(0)
        ax, agg = renderer.axes["input"], renderer.canvas.get_renderer()
        panel = ax.get_window_extent(agg)
        for label, side in ((ax.xaxis.label, "width"), (ax.yaxis.label, "height")):
            assert getattr(label.get_window_extent(agg), side) <= getattr(panel, side) + 1, label.get_text()
        assert "…" in ax.xaxis.label.get_text() + ax.yaxis.label.get_text()
        if view == "pca":  # the axis and its share are whole; the loadings keep their numbers
            assert ax.xaxis.label.get_text().startswith(renderer.geometry.plane.labels[0] + "\n0.")
            assert ax.yaxis.label.get_text().startswith(renderer.geometry.plane.labels[1] + "\n0.")
        box = ax.yaxis.label.get_window_extent(agg)
        assert box.y0 >= 0 and box.y1 <= renderer.figure.bbox.height


def test_plot_panel_fits_its_title_and_the_title_keeps_what_matters():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rng = np.random.default_rng(5)
    X = rng.normal(size=(6000, 5)) * [1, 1, 1000, 1, 1] + [0, 0, 123456.789, 0, 0]
    y = (X[:, 0] > 0).astype(int)
    names = ["a", "b", "PEAK ABSORPTION WAVELENGTH MEASURED AT ROOM TEMPERATURE (NM)", "OPTICAL DENSITY AT 280 NM", "e"]
    history = bv.train(bv.Dataset.from_arrays(X, y, feature_names=names), epochs=1, hidden=(64,))
    figure = Figure(figsize=(9, 3))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot(1, 3, 2)
    bv.plot_panel(history, ax=ax, view=("a", "b"), resolution=20)
    agg = figure.canvas.get_renderer()
    box, panel = ax.title.get_window_extent(agg), ax.get_window_extent(agg)
    assert panel.x0 - 1 <= box.x0 and box.x1 <= panel.x1 + 1, (ax.title.get_text(), box, panel)  # was 528 px over 205
    # the held values keep their numbers whole (a cut had made 1.235e+05 read "1.23…")
    renderer = bv.Renderer(history, options=bv.AnimationOptions(view=("a", "b"), resolution=20))
    note = renderer.axes["input"].xaxis.label.get_text().split("\n")[1]
    held = renderer.geometry.plane.notes[0]
    assert note.split(" = ", 1)[1] == held.split(" = ", 1)[1] == "1.235e+05 + 2 more", (note, held)
    # a name of one's own stays whole when leaving out the last parts is enough; an empty one is left out
    for name, wanted in (("my hand-picked diagonal plane", "my hand-picked diagonal plane · agrees at "),
                         ("", "agrees at ")):
        plane = bv.Plane(X.mean(axis=0), np.eye(5)[0], np.eye(5)[1], name=name)
        title = bv.Renderer(history, options=bv.AnimationOptions(view=plane, resolution=20)).axes["input"].title
        assert title.get_text().startswith(wanted), title.get_text()


def test_lda_with_coinciding_class_means_is_refused_without_warnings(recwarn):
    half = np.array([[1.0, 0, 0], [0, 1, 2], [2, 0, 1], [0, 3, 0]])
    X = np.vstack([half, -half, 2 * half[::-1], -2 * half[::-1]])  # each class has the mean 0, and spread
    y = np.repeat([0, 1], 8)
    with pytest.raises(ValueError, match="the classes' means coincide"):
        planes.resolve_view("lda", None, X, y, ["a", "b", "c"])
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
