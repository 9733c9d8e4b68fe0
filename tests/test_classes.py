"""K classes: colours told apart under colour-vision deficiencies, field levels, tie lines."""

import itertools

import numpy as np
import pytest
from conftest import need
from numpy.testing import assert_allclose

import boundaryviz as bv
from boundaryviz.render import geometry
from boundaryviz.render.class_colors import (
    CLASS_COLORS,
    CLASS_MARKERS,
    CONFIDENCE_BANDS,
    class_field_colors,
    class_levels,
    tie_segments_affine,
    tie_segments_on_grid,
)
from boundaryviz.render.renderer import Renderer
from boundaryviz.render.views import contour_segments


@pytest.mark.parametrize("deficiency", [None, "deuteranomaly", "protanomaly", "tritanomaly"])
def test_class_colours_stay_apart_under_colour_vision_deficiencies(deficiency):
    """Simulated with colorspacious (Machado et al. 2009) at full severity: every pair of the
    ten class colours at least 10 apart in CAM02-UCS (about 2 just-noticeable steps each)."""
    colorspacious = need("colorspacious")
    from matplotlib.colors import to_rgb

    rgb = np.array([to_rgb(c) for c in CLASS_COLORS])
    if deficiency:
        rgb = np.clip(colorspacious.cspace_convert(
            rgb, {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}, "sRGB1"), 0, 1)
    ucs = colorspacious.cspace_convert(rgb, "sRGB1", "CAM02-UCS")
    closest = min(np.linalg.norm(ucs[i] - ucs[j]) for i, j in itertools.combinations(range(10), 2))
    assert closest > 10, closest


def test_every_class_has_its_own_marker_and_colour():
    assert len(set(CLASS_MARKERS)) == len(set(CLASS_COLORS)) == 10


def test_levels_are_top_class_and_confidence_band():
    p = np.array([[0.95, 0.03, 0.02], [0.2, 0.45, 0.35], [0.1, 0.25, 0.65], [1 / 3, 1 / 3, 1 / 3]])
    levels = class_levels(np.log(p))
    n_bands = len(CONFIDENCE_BANDS) + 1
    assert levels.tolist() == [0 * n_bands + 5, 1 * n_bands + 0, 2 * n_bands + 2, 0]
    assert class_levels(np.array([[np.nan, 0.0, 0.0]])).tolist() == [3 * n_bands]
    colors = class_field_colors(3)
    assert colors.shape == (3 * n_bands + 1, 4)
    # paler where less sure: every class's bands get darker with confidence
    for k in range(3):
        brightness = colors[k * n_bands:(k + 1) * n_bands, :3].astype(int).sum(axis=1)
        assert np.all(np.diff(brightness) < 0)


def test_affine_ties_are_exact_and_only_where_two_classes_lead():
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(2, 4)), rng.normal(size=4)
    limits = np.array([[-3.0, 3.0], [-3.0, 3.0]])
    segments = tie_segments_affine(W, b, limits)
    assert segments
    for seg in segments:
        for t in np.linspace(0, 1, 7):
            p = seg[0] + t * (seg[1] - seg[0])
            s = np.sort(p @ W + b)
            assert s[-1] - s[-2] < 1e-9  # the top two tie
    # and every change of the top class along a line crosses a segment
    line = np.column_stack([np.linspace(-3, 3, 2001), np.full(2001, 0.3)])
    top = np.argmax(line @ W + b, axis=1)
    changes = np.flatnonzero(np.diff(top))
    for i in changes:
        x = line[i, 0]
        hit = [seg for seg in segments if min(seg[:, 1]) <= 0.3 <= max(seg[:, 1])]
        xs = [seg[0, 0] + (0.3 - seg[0, 1]) / (seg[1, 1] - seg[0, 1]) * (seg[1, 0] - seg[0, 0]) for seg in hit]
        assert min(abs(np.array(xs) - x)) < 0.01


@pytest.fixture(scope="module")
def three():
    return bv.train(bv.blobs(n_classes=3), activation="relu", hidden=(3,), learning_rate=0.05, epochs=60, stop_loss=0)


def test_multiclass_frame_colours_each_point_by_its_top_class(three):
    renderer = Renderer(three, resolution=60)
    frame = renderer.frame(-1)
    model = three.final.model
    ax = renderer.axes["input"]
    colors = class_field_colors(3)
    n_bands = len(CONFIDENCE_BANDS) + 1
    rng = np.random.default_rng(1)
    checked = 0
    for _ in range(300):
        x, y = rng.uniform(*renderer.geometry.input_limits[0]), rng.uniform(*renderer.geometry.input_limits[1])
        col, row = ax.transData.transform((x, y))
        row = int(frame.shape[0] - row)
        pixel = frame[row, int(col)]
        proba = model.predict_proba(np.array([[x, y]]))[0]
        if np.sort(proba)[-1] - np.sort(proba)[-2] < 0.05:
            continue  # next to a tie line, which is drawn over the field
        matches = np.flatnonzero(np.all(colors[:, :3] == pixel, axis=1))
        if matches.size:  # not covered by a sample marker or unit line
            assert matches[0] // n_bands == np.argmax(proba)
            checked += 1
    assert checked > 150


def test_multiclass_tie_lines_in_both_panels(three):
    renderer = Renderer(three, resolution=80)
    renderer.frame(-1)
    model = three.final.model
    for seg in renderer.input_panel.boundary.get_segments():
        s = np.sort(model.class_scores(seg), axis=1)
        assert np.all(s[:, -1] - s[:, -2] < 0.1)  # on the grid's linear interpolation
    hidden = renderer.hidden_panel.boundary.get_segments()
    assert hidden and all(len(seg) == 2 for seg in hidden)  # straight: the head is linear
    W, b = model.linear_head(0)
    lift = renderer.geometry.projection.lift  # plane → the 3-D hidden layer
    for seg in hidden:
        s = np.sort(lift(seg) @ W + b, axis=1)
        assert_allclose(s[:, -1], s[:, -2], atol=1e-9)
    legend = [t.get_text() for t in renderer.figure.legends[0].get_texts()]
    assert legend == ["class 0", "class 1", "class 2", "tie"]


def test_model_and_data_must_agree_on_classes(three):
    two = bv.train(bv.gaussians(), epochs=2)
    mixed = bv.History(two.snapshots, three.dataset)
    with pytest.raises(ValueError, match="the model gives 2 classes but the dataset has 3"):
        Renderer(mixed)


# The K-class field is computed for speed (one pass over the classes, single-precision
# estimates, boxes, all pairs at once); these plain forms, as the code once was, say what the
# numbers must be, bit for bit.

def _levels_plainly(scores):
    by_class = np.moveaxis(np.asarray(scores, dtype=float), -1, 0)
    n_bands = len(CONFIDENCE_BANDS) + 1
    with np.errstate(all="ignore"):
        best = by_class.max(axis=0)
        p_top = 1.0 / np.exp(by_class - best).sum(axis=0)
    levels = np.argmax(by_class, axis=0) * n_bands + np.searchsorted(CONFIDENCE_BANDS, p_top, side="right")
    levels[~np.isfinite(p_top)] = by_class.shape[0] * n_bands
    return levels


def _ties_plainly(xs, ys, scores):
    with np.errstate(all="ignore"):
        ordered = np.sort(scores, axis=-1)
        first, second = ordered[..., -1:], ordered[..., -2:-1]
        margins = scores - np.where(scores >= first, second, first)
    return [seg for k in range(scores.shape[-1] - 1) for seg in contour_segments(xs, ys, margins[..., k])]


def _affine_ties_one_pair_at_a_time(W, b, limits):
    segments = []
    for i, j in itertools.combinations(range(W.shape[1]), 2):
        seg = geometry.line_in_box(W[:, i] - W[:, j], b[i] - b[j], limits)
        if seg is None:
            continue
        low, high = 0.0, 1.0
        for k in set(range(W.shape[1])) - {i, j}:
            g0, g1 = (seg @ (W[:, i] - W[:, k])) + b[i] - b[k]
            if g0 < 0 and g1 < 0:
                low, high = 1.0, 0.0
                break
            if g0 < 0 or g1 < 0:
                t = g0 / (g0 - g1)
                low, high = (max(low, t), high) if g0 < 0 else (low, min(high, t))
        if high > low:
            segments.append(seg[0] + np.array([[low], [high]]) * (seg[1] - seg[0]))
    return segments


def _same_lines(got, want):
    return len(got) == len(want) and all(np.array_equal(g, w) for g, w in zip(got, want))


@pytest.mark.parametrize("n_classes", [3, 4, 10])
def test_levels_are_the_plain_double_precision_levels(n_classes):
    rng = np.random.default_rng(n_classes)
    scores = rng.normal(size=(60, 70, n_classes)) * rng.uniform(0.1, 30)
    # points right at a band edge, a hair either side: p_top = edge for two leading classes
    edges = np.log(np.array(CONFIDENCE_BANDS) / (1 - np.array(CONFIDENCE_BANDS)))
    scores[0, :5, :2] = np.column_stack([np.zeros(5), edges])
    scores[0, :5, 2:] = -800.0
    scores[1, :5] = scores[0, :5]
    scores[1, :5, 1] = np.nextafter(scores[0, :5, 1], np.inf)
    scores[2, 0, 1] = np.nan  # no number
    scores[2, 1, 0] = np.inf  # an infinite top score: no number either
    scores[2, 2, 1] = -np.inf  # a class ruled out
    scores[2, 3] = -np.inf
    scores[2, 4, 1:] = scores[2, 4, 0]  # all tie
    assert np.array_equal(class_levels(scores), _levels_plainly(scores))


@pytest.mark.parametrize("n_classes", [3, 5, 10])
def test_tie_lines_are_the_whole_grid_margins_contours(n_classes):
    rng = np.random.default_rng(n_classes)
    xs, ys = np.linspace(-2, 3, 90), np.linspace(-1, 1, 70)
    gx, gy = np.meshgrid(xs, ys)
    centres = rng.uniform(-2, 2, size=(n_classes, 2))
    scores = -np.hypot(gx[..., None] - centres[:, 0], gy[..., None] - centres[:, 1]) ** 1.5
    scores[30:33, 40:44, 1] = np.nan
    want = _ties_plainly(xs, ys, scores)
    assert want
    assert _same_lines(tie_segments_on_grid(xs, ys, scores, contour_segments), want)
    assert _same_lines(tie_segments_on_grid(gx, gy, scores, contour_segments), want)


def test_affine_ties_are_those_of_one_pair_at_a_time():
    rng = np.random.default_rng(5)
    limits = np.array([[-3.0, 2.0], [-1.0, 4.0]])
    for n_classes in (3, 4, 6, 10, 10, 10):
        W, b = rng.normal(size=(2, n_classes)), rng.normal(size=n_classes)
        W[:, -1] = W[:, 0]  # two parallel classes: no line between them
        assert _same_lines(tie_segments_affine(W, b, limits), _affine_ties_one_pair_at_a_time(W, b, limits))
