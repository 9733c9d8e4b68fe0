"""The float32 grid of a wide layer: bands, signs and zero lines exactly those of the float64 grid.

``decided_grid_logits`` computes a one-hidden-layer grid in float32 with an error bound and
computes again, as ``grid_logits`` does, the cells the bound leaves open. These tests compare it
with ``grid_logits`` bit for bit, on random networks with cells put on band edges and on the zero
line (where a float32 value is on the wrong side half the time), and check what it relies on:
``grid_cell_logits`` gives a cell the grid's bits, NumPy's activation loops give an element the
same bits wherever it sits, the bound holds.
"""

import numpy as np
import pytest

from boundaryviz.models import float32_grid, network
from boundaryviz.models.mlp import MLP
from boundaryviz.render.style import field_thresholds
from boundaryviz.render.views import contour_segments

GRIDS = {"200x200": (np.linspace(-3.2, 2.9, 200), np.linspace(-2.7, 3.1, 200)),
         "151x97": (np.linspace(-4.0, 1.5, 151), np.linspace(-1.3, 2.6, 97))}


def _network(seed, width, scale, activation="tanh"):
    weights, biases = network.init_params((2, width, 1), np.random.default_rng(seed))
    return tuple(scale * w for w in weights), tuple(scale * b for b in biases)


def _pinned(weights, biases, xs, ys, activation, cuts, rng, n):
    """``n`` variants of the network, each with one cell's logit on a cut (one of ``cuts`` or 0),
    within a few ulps: its output bias moved. Half the time the cell's float32 value lies on the
    other side of that cut."""
    exact = network.grid_logits(weights, biases, xs, ys, activation)
    cuts = np.append(cuts, 0.0)
    for _ in range(n):
        i, j = rng.integers(len(ys)), rng.integers(len(xs))
        yield weights, (*biases[:-1], biases[-1] + (rng.choice(cuts) - exact[i, j]))


def _assert_same_picture(fast, exact, thresholds, xs, ys):
    """The same colour bands (as the blit path reads them), signs, NaNs and zero lines."""
    bands = np.searchsorted(thresholds, fast.ravel(), side="right")
    assert np.array_equal(bands, np.searchsorted(thresholds, exact.ravel(), side="right"))
    assert np.array_equal(np.sign(fast), np.sign(exact), equal_nan=True)
    assert np.array_equal(np.isnan(fast), np.isnan(exact))
    got, want = contour_segments(xs, ys, fast), contour_segments(xs, ys, exact)
    assert len(got) == len(want)
    assert all(np.array_equal(a, b) for a, b in zip(got, want))


@pytest.mark.parametrize("grid", sorted(GRIDS))
@pytest.mark.parametrize("n_levels", [256, 7])
@pytest.mark.parametrize("scale", [0.3, 3.0], ids=["small", "big"])
@pytest.mark.parametrize("width", [16, 25, 64])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_bands_and_zero_line_are_the_float64_ones_bit_for_bit(activation, width, scale, n_levels, grid):
    xs, ys = GRIDS[grid]
    thresholds = field_thresholds(n_levels)
    rng = np.random.default_rng([width, n_levels, len(ys), int(10 * scale)])
    weights, biases = _network(int(rng.integers(1 << 30)), width, scale, activation)
    for w, b in [(weights, biases), *_pinned(weights, biases, xs, ys, activation, thresholds, rng, 6)]:
        with np.errstate(all="ignore"):
            fast = float32_grid.decided_grid_logits(w, b, xs, ys, activation, thresholds)
            exact = network.grid_logits(w, b, xs, ys, activation)
        _assert_same_picture(fast, exact, thresholds, xs, ys)
        differ = fast != exact
        assert differ.mean() > 0.5  # the float32 path was taken: most cells hold float32 values
        bound = float32_grid.error_bound(w, b, xs, ys, activation)
        assert np.abs(fast - exact).max() <= bound / float32_grid.SAFETY


def test_cells_on_the_zero_line_and_band_edges_are_the_float64_bits():
    """The cells near a threshold or 0, and the corners of every quad the zero line crosses."""
    xs, ys = GRIDS["200x200"]
    thresholds = field_thresholds(10)
    weights, biases = _network(4, 64, 1.5)
    fast = float32_grid.decided_grid_logits(weights, biases, xs, ys, "tanh", thresholds)
    exact = network.grid_logits(weights, biases, xs, ys, "tanh")
    bound = float32_grid.error_bound(weights, biases, xs, ys, "tanh")
    cuts = np.append(thresholds, 0.0)
    near = (np.abs(exact[..., None] - cuts) <= bound / 2).any(axis=-1)
    crossed = float32_grid.crossed_quad_cells(exact)
    assert near.sum() > 50 and crossed.sum() > 200
    assert np.array_equal(fast[near | crossed], exact[near | crossed])


@pytest.mark.parametrize("activation", sorted(network.ACTIVATIONS))
@pytest.mark.parametrize("width", [3, 16, 25, 64])
def test_a_cell_computed_alone_is_the_grids_bits(activation, width):
    """grid_cell_logits at any set of cells: the whole grid, odd-sized subsets (SIMD tails),
    single cells, the zero line's cells; a wide grid is computed in two threads."""
    xs, ys = GRIDS["200x200"]
    assert (width * xs.size * ys.size >= network.PARALLEL_GRID_WORK) == (width >= 25)
    rng = np.random.default_rng(width)
    weights, biases = _network(width, width, 2.0)
    grid = network.grid_logits(weights, biases, xs, ys, activation)
    rows, cols = np.divmod(np.arange(grid.size), len(xs))
    subsets = [np.arange(grid.size), np.flatnonzero(float32_grid.crossed_quad_cells(grid))]
    subsets += [rng.choice(grid.size, size=n, replace=False) for n in (1, 2, 3, 5, 7, 9, 15, 17, 33, 250, 1001)]
    for cells in subsets:
        alone = network.grid_cell_logits(weights, biases, xs[cols[cells]], ys[rows[cells]], activation)
        assert alone.tobytes() == grid.ravel()[cells].tobytes()


@pytest.mark.parametrize("function", [np.tanh, np.exp, network.sigmoid], ids=["tanh", "exp", "sigmoid"])
def test_numpy_gives_an_element_the_same_bits_wherever_it_sits(function):
    """What grid_cell_logits relies on: a contiguous array's element gets the same result at any
    offset (alignment), in any length (vector tails) and in a 2-D array."""
    values = np.random.default_rng(0).normal(scale=4.0, size=1000)
    whole = function(values)
    assert function(values.reshape(40, 25)).ravel().tobytes() == whole.tobytes()
    for start in range(0, 24):
        for length in (1, 2, 3, 5, 8, 13, 31, 64, 100):
            part = np.ascontiguousarray(values[start : start + length])
            assert function(part).tobytes() == whole[start : start + length].tobytes()


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_the_bound_holds_with_room_to_spare(activation):
    xs, ys = GRIDS["151x97"]
    for seed, (width, scale) in enumerate([(2, 0.1), (16, 1.0), (64, 0.5), (64, 4.0), (25, 20.0)]):
        weights, biases = _network(seed, width, scale)
        bound = float32_grid.error_bound(weights, biases, xs, ys, activation)
        approx = float32_grid.float32_logits(weights, biases, xs, ys, activation).astype(float)
        error = np.abs(approx - network.grid_logits(weights, biases, xs, ys, activation)).max()
        assert error <= bound / float32_grid.SAFETY / 10, (width, scale, error, bound)
        assert bound < 1e-3 * max(1.0, scale) ** 2 * width  # small enough to be of use


@pytest.mark.parametrize("case", ["nan weight", "inf weights", "huge weights", "too big a bound", "one row", "relu",
                                  "two units", "two hidden layers", "two outputs"])
def test_anything_else_gets_todays_float64_grid(case):
    """Non-finite or huge parameters, a bound too big for the bands, a grid without quads, other
    activations, narrow layers and other shapes: grid_logits itself, NaN cells included."""
    xs, ys = GRIDS["151x97"]
    activation = "relu" if case == "relu" else "tanh"
    weights, biases = _network(1, 16, 1.0)
    if case == "nan weight":
        weights = (weights[0].copy(), weights[1].copy())
        weights[1][3, 0] = np.nan
    elif case == "inf weights":  # inf - inf: NaN in the cells right of x = 0
        weights, biases = (weights[0].copy(), weights[1]), (biases[0].copy(), biases[1])
        weights[0][0, 0], biases[0][0] = np.inf, -np.inf
    elif case == "huge weights":
        weights = (1e300 * weights[0], 1e300 * weights[1])
    elif case == "too big a bound":
        weights, biases = _network(1, 16, 300.0)
    elif case == "one row":
        ys = ys[:1]
    elif case == "two units":
        weights, biases = _network(1, 2, 1.0)
    elif case == "two hidden layers":
        weights, biases = network.init_params((2, 16, 16, 1), np.random.default_rng(1))
    elif case == "two outputs":
        weights, biases = network.init_params((2, 16, 2), np.random.default_rng(1))
    if case == "two outputs":
        model = MLP(weights, biases, activation)
        fast = model.decision_on_grid(xs, ys, thresholds=field_thresholds(10))
        assert fast.tobytes() == model.decision_on_grid(xs, ys).tobytes()
        return
    with np.errstate(all="ignore"):
        exact = network.grid_logits(weights, biases, xs, ys, activation)
        fast = float32_grid.decided_grid_logits(weights, biases, xs, ys, activation, field_thresholds(256))
    assert fast.tobytes() == exact.tobytes()
    if case in ("nan weight", "inf weights", "huge weights"):
        assert float32_grid.error_bound(weights, biases, xs, ys, activation) is None
    if case == "nan weight":
        assert np.isnan(exact).all()
    elif case == "inf weights":
        assert 0 < np.isnan(exact).mean() < 1
    elif case == "huge weights":
        assert np.abs(exact).max() > 1e300  # far beyond float32


def test_the_mlp_takes_the_float32_path_only_when_asked():
    xs, ys = GRIDS["200x200"]
    model = MLP(*_network(2, 64, 1.0), "tanh")
    exact = network.grid_logits(model.weights, model.biases, xs, ys, "tanh")
    assert model.decision_on_grid(xs, ys).tobytes() == exact.tobytes()
    fast = model.decision_on_grid(xs, ys, thresholds=field_thresholds(10))
    assert (fast != exact).mean() > 0.5
    _assert_same_picture(fast, exact, field_thresholds(10), xs, ys)
