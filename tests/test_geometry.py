"""Pure geometry behind a frame."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from boundaryviz.render import geometry


def test_mesh_is_row_major_over_limits():
    limits = np.array([[-1.0, 1.0], [0.0, 2.0]])
    xs, ys, points = geometry.mesh(limits, 5)
    assert points.shape == (25, 2)
    assert_allclose(points[0], (-1, 0))
    assert_allclose(points[4], (1, 0))
    assert_allclose(points[5], (-1, 0.5))
    assert_allclose(points[-1], (1, 2))


def test_input_limits_contain_data_with_margin():
    X = np.array([[0.0, 0.0], [2.0, 4.0]])
    limits = geometry.input_limits(X, margin=0.1)
    assert_allclose(limits, [[-0.2, 2.2], [-0.4, 4.4]])


def test_lattice_lines_are_straight_and_cover_the_box():
    limits = np.array([[-1.0, 1.0], [-2.0, 2.0]])
    lat = geometry.lattice(limits, n_lines=4, n_points=9)
    assert lat.shape == (8, 9, 2)
    assert np.all(np.ptp(lat[:4, :, 0], axis=1) == 0)  # vertical lines: constant x
    assert np.all(np.ptp(lat[4:, :, 1], axis=1) == 0)  # horizontal lines: constant y
    assert_allclose(lat[:4, 0, 0], np.linspace(-1, 1, 4))


@pytest.mark.parametrize("w, b", [((1.0, 1.0), 0.0), ((0.0, 2.0), -1.0), ((3.0, 0.0), 1.5), ((1.0, -2.0), 0.3)])
def test_line_in_box_ends_on_the_line_and_the_box(w, b):
    limits = np.array([[-2.0, 2.0], [-1.0, 1.0]])
    seg = geometry.line_in_box(np.array(w), b, limits)
    assert seg is not None
    assert_allclose(seg @ np.array(w) + b, 0, atol=1e-12)
    for point in seg:
        on_x_edge = np.isclose(point[0], limits[0]).any()
        on_y_edge = np.isclose(point[1], limits[1]).any()
        assert on_x_edge or on_y_edge


def test_line_in_box_misses_or_degenerates_to_none():
    limits = np.array([[-1.0, 1.0], [-1.0, 1.0]])
    assert geometry.line_in_box(np.array([1.0, 0.0]), 5.0, limits) is None
    assert geometry.line_in_box(np.array([0.0, 0.0]), 1.0, limits) is None
    assert geometry.line_in_box(np.array([np.nan, 1.0]), 0.0, limits) is None


def test_robust_limits_include_point_and_floor_collapsed_axis():
    values = np.column_stack([np.linspace(1, 5, 100), np.zeros(100)])
    limits = geometry.robust_limits(values, include=np.zeros(2), margin=0.0)
    assert limits[0, 0] <= 0 <= limits[0, 1]
    assert np.ptp(limits[1]) >= 0.25 * np.ptp(limits[0]) - 1e-12


def test_robust_limits_survive_non_finite_rows():
    values = np.array([[np.nan, 1.0], [np.inf, 0.0], [0.0, 0.0], [1.0, 1.0]])
    limits = geometry.robust_limits(values)
    assert np.all(np.isfinite(limits))


def test_fit_projection_identity_jitter_and_pca():
    rng = np.random.default_rng(0)
    assert geometry.fit_projection(rng.normal(size=(50, 2))).kind == "identity"
    assert geometry.fit_projection(rng.normal(size=(50, 1))).kind == "jitter"
    data = rng.normal(size=(300, 5)) * np.array([5.0, 3.0, 0.1, 0.1, 0.1])
    proj = geometry.fit_projection(data)
    assert proj.kind == "pca"
    assert proj.explained.sum() > 0.95
    again = geometry.fit_projection(data.copy())
    assert_allclose(proj.components, again.components)
    flipped = geometry.fit_projection(-data)
    # sign convention: the largest loading is positive whatever the data's orientation
    assert_allclose(np.abs(flipped.components), np.abs(proj.components), atol=1e-9)
    assert np.all(flipped.components[np.arange(2), np.argmax(np.abs(flipped.components), axis=1)] > 0)
    plane = proj.project(data)
    assert_allclose(proj.project(proj.lift(plane)), plane, atol=1e-9)


def test_lines_in_box_gives_line_in_box_ends_bit_for_bit():
    """The vectorised form is a speed-up only: the same ends, in the same order, or none."""
    rng = np.random.default_rng(3)
    limits = np.array([[-1.5, 2.0], [-0.5, 1.0]])
    w = rng.normal(size=(400, 2)) * 10.0 ** rng.uniform(-3, 3, size=(400, 1))
    b = rng.normal(size=400) * 3
    # lines through corners (found twice), axis-parallel, degenerate and not finite
    corner = np.array([1.0, -1.0])
    w[:4], b[:4] = corner, -(corner @ limits[:, 0])  # through the bottom-left corner
    w[4:8] = [[1.0, 0.0], [0.0, 1.0], [1e-13, 1.0], [0.0, 0.0]]
    w[8], b[9] = [np.nan, 1.0], np.inf
    w[10], b[10] = [1.0, 1.0], -(limits[0, 0] + limits[1, 1])  # through the top-left corner
    segments, found = geometry.lines_in_box(w, b, limits)
    for k in range(len(b)):
        want = geometry.line_in_box(w[k], b[k], limits)
        assert found[k] == (want is not None)
        if want is None:
            assert np.isnan(segments[k]).all()
        else:
            assert np.array_equal(segments[k], want)


def test_a_moved_label_does_not_take_a_later_labels_own_place():
    """Labels 1 and 2 share a place; label 2 must move, and must not land on label 3's own
    place (label 3 overlapped nothing, so it stays where it was)."""
    points = np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.57]])
    segments = np.array([[[0.0, 0.5], [1.0, 0.5]], [[0.5, 0.0], [0.5, 1.0]], [[0.0, 0.57], [1.0, 0.57]]])
    limits = np.array([[0.0, 1.0], [0.0, 1.0]])
    fractions = (0.12, 0.27, 0.42, 0.57, 0.72, 0.87, 0.2, 0.35, 0.5, 0.65, 0.8)
    spread = geometry.spread_labels(points, segments, limits, (0.065, 0.055), fractions, 0.035)
    np.testing.assert_array_equal(spread[[0, 2]], points[[0, 2]])
    assert spread[1, 0] == 0.5 and spread[1, 1] != 0.5  # along its own (vertical) line
    for a, b in ((0, 1), (1, 2)):
        assert np.any(np.abs(spread[a] - spread[b]) >= (0.065, 0.055))
