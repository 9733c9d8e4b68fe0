"""The float32 grid of several tanh or sigmoid layers: bands and signs those of the float64 grid,
the deciding cells float64 values a few ulps from the grid's.

``decided_deep_logits`` computes the grid in float32 with an error bound and computes again, by
``predict_logits`` on their points, the cells the bound leaves open; those rows' BLAS sums may
run in another order than in the whole grid, so their values may differ from the grid's in the
last bits. These tests compare it with ``grid_logits``: sides of every band edge and 0 exact,
zero lines to 1e-13, deciding cells a few ulps apart (some differ), a cell on a band edge
giving the whole float64 grid; and the bound, where every error adds up.
"""

import numpy as np
import pytest
from test_float32_grid import GRIDS, _pinned

from boundaryviz.models import float32_deep, float32_grid, network
from boundaryviz.models.mlp import MLP
from boundaryviz.render.style import field_thresholds
from boundaryviz.render.views import contour_segments

DEEP = {"32x32 tanh": ((32, 32), "tanh"), "16x16x16 sigmoid": ((16, 16, 16), "sigmoid"), "8x24 tanh": ((8, 24), "tanh")}


def _deep_network(seed, sizes, scale):
    weights, biases = network.init_params((2, *sizes, 1), np.random.default_rng(seed))
    return tuple(scale * w for w in weights), tuple(scale * b for b in biases)


def _recomputed(fast, weights, biases, xs, ys, activation):
    """The cells the deep path computed again in float64: those not holding the float32 pass's value."""
    return fast != float32_deep.deep_float32_logits(weights, biases, xs, ys, activation).astype(float)


def _ulps(a, b):
    """``|a - b|`` in ulps of the larger of 1 and ``|b|`` (the scale of the sums' rounding)."""
    return np.abs(a - b) / np.spacing(np.maximum(np.abs(b), 1.0))


@pytest.mark.parametrize("net, scale, n_levels, grid", [
    ("32x32 tanh", 1.0, 10, "200x200"), ("32x32 tanh", 2.5, 10, "151x97"), ("32x32 tanh", 1.0, 256, "151x97"),
    ("16x16x16 sigmoid", 2.5, 10, "200x200"), ("16x16x16 sigmoid", 1.0, 10, "151x97"),
    ("16x16x16 sigmoid", 2.5, 256, "151x97"), ("8x24 tanh", 2.5, 10, "151x97"), ("8x24 tanh", 1.0, 256, "200x200")])
def test_deep_bands_signs_and_zero_lines_are_the_float64_ones(net, scale, n_levels, grid):
    """Several hidden layers: every band and sign is the float64 grid's; the zero line's
    vertices come from float64 values (the same to a few ulps: the recomputed rows' BLAS sums
    may run in another order); every other cell is within the bound."""
    xs, ys = GRIDS[grid]
    sizes, activation = DEEP[net]
    thresholds = field_thresholds(n_levels)
    rng = np.random.default_rng([len(sizes), n_levels, len(ys), int(10 * scale)])
    weights, biases = _deep_network(int(rng.integers(1 << 30)), sizes, scale)
    bound, _ = float32_deep.deep_error_bound(weights, biases, xs, ys, activation)
    for w, b in [(weights, biases), *_pinned(weights, biases, xs, ys, activation, thresholds, rng, 2)]:
        fast = float32_deep.decided_deep_logits(w, b, xs, ys, activation, thresholds)
        exact = network.grid_logits(w, b, xs, ys, activation)
        bands = np.searchsorted(thresholds, fast.ravel(), side="right")
        assert np.array_equal(bands, np.searchsorted(thresholds, exact.ravel(), side="right"))
        assert np.array_equal(np.sign(fast), np.sign(exact))
        got, want = contour_segments(xs, ys, fast), contour_segments(xs, ys, exact)
        assert [a.shape for a in got] == [a.shape for a in want]
        assert all(np.abs(a - c).max() < 1e-13 for a, c in zip(got, want))
        redone = _recomputed(fast, w, b, xs, ys, activation)
        assert _ulps(fast[redone], exact[redone]).max(initial=0.0) <= 16
        assert np.abs(fast - exact)[~redone].max(initial=0.0) <= bound / float32_grid.SAFETY
        if n_levels == 10 and b is biases:
            assert redone.mean() < 0.2  # the float32 path was taken, most cells hold float32 values


def test_deep_recomputed_cells_are_float64_values_a_few_ulps_from_the_grids():
    """The cells near a threshold or 0 and the corners of the zero line's quads hold
    ``predict_logits`` of their points: a few ulps from the grid's values (some differ in the
    last bits: their rows' sums ran in another order), on the same side of every threshold and
    of 0. Any such cell within ``reorder`` of a threshold would have made it the grid itself."""
    thresholds = field_thresholds(10)
    cuts = np.append(thresholds, 0.0)
    differ = checked = 0
    for seed in range(6):
        for grid in sorted(GRIDS):
            xs, ys = GRIDS[grid]
            sizes, activation = DEEP[sorted(DEEP)[seed % 3]]
            weights, biases = _deep_network(seed, sizes, 1.0 + seed % 3)
            fast = float32_deep.decided_deep_logits(weights, biases, xs, ys, activation, thresholds)
            exact = network.grid_logits(weights, biases, xs, ys, activation)
            bound, reorder = float32_deep.deep_error_bound(weights, biases, xs, ys, activation)
            near = (np.abs(exact[..., None] - cuts) <= bound / 2).any(axis=-1)
            deciding = near | float32_grid.crossed_quad_cells(exact)
            redone = _recomputed(fast, weights, biases, xs, ys, activation)
            assert not np.any(deciding & ~redone)
            assert _ulps(fast[redone], exact[redone]).max(initial=0.0) <= 16
            assert np.array_equal(np.sign(fast[redone, None] - cuts), np.sign(exact[redone, None] - cuts))
            assert (np.abs(fast[redone, None] - cuts) > reorder).all()
            differ += np.count_nonzero(fast[redone] != exact[redone])
            checked += np.count_nonzero(redone)
    assert checked > 2000 and differ > 0  # the order of the sums did change some values


@pytest.mark.parametrize("net", sorted(DEEP))
def test_a_deep_cell_on_a_threshold_gets_the_whole_float64_grid(net):
    """A cell whose float64 value lies on a band edge (or 0) may round to either side when its
    row is computed alone: then the grid is computed whole, bit for bit."""
    xs, ys = GRIDS["151x97"]
    sizes, activation = DEEP[net]
    thresholds = field_thresholds(10)
    weights, biases = _deep_network(5, sizes, 1.0)
    rng = np.random.default_rng(5)
    for w, b in _pinned(weights, biases, xs, ys, activation, thresholds, rng, 4):
        fast = float32_deep.decided_deep_logits(w, b, xs, ys, activation, thresholds)
        assert fast.tobytes() == network.grid_logits(w, b, xs, ys, activation).tobytes()


class _BiasedExp:
    """NumPy, but with an ``exp`` ``ulps`` ulps off in one direction everywhere: within the
    64 ulps the bound allows, and the worst case for it (every unit's error of the same sign)."""

    def __init__(self, ulps):
        self.factor = np.float32(1.0 + ulps * 2.0**-23)

    def __getattr__(self, name):
        return getattr(np, name)

    def exp(self, x, out=None):
        result = np.exp(x, out=out)
        np.multiply(result, self.factor, out=result)
        return result


def _coherent_network(activation, widths, gain):
    """Units that all sit at ``s = 0`` (where ``r`` is steepest), all weights of one sign: every
    error adds up, layer after layer."""
    W1 = 1e-3 * np.random.default_rng(0).uniform(-1.0, 1.0, size=(2, widths[0]))
    weights, biases = [W1], [np.zeros(widths[0])]
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        weights.append(np.full((n_in, n_out), gain))
        biases.append(np.zeros(n_out) if activation == "tanh" else np.full(n_out, -0.5 * gain * n_in))
    return (*weights, np.ones((widths[-1], 1))), (*biases, np.zeros(1))


@pytest.mark.parametrize("ulps", [60, -60])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_the_deep_bound_holds_for_any_exp_within_its_allowance(activation, ulps, monkeypatch):
    """Where every error adds up (a layer's error carried through the next one's weights), the
    float32 grid's distance from the float64 one comes near the bound (without its SAFETY
    factor) and stays below it; on random networks it stays far below."""
    xs, ys = GRIDS["151x97"]
    weights, biases = _coherent_network(activation, (8, 8, 8), 1.0)
    exact = network.grid_logits(weights, biases, xs, ys, activation)
    bound, _ = float32_deep.deep_error_bound(weights, biases, xs, ys, activation)
    monkeypatch.setattr(float32_deep, "np", _BiasedExp(ulps))
    approx = float32_deep.deep_float32_logits(weights, biases, xs, ys, activation).astype(float)
    error = np.abs(approx - exact).max()
    assert bound / float32_grid.SAFETY / 2 < error <= bound / float32_grid.SAFETY, (error, bound)
    monkeypatch.undo()
    for seed, (sizes, scale) in enumerate([((32, 32), 1.0), ((16, 16, 16), 3.0), ((4, 64, 4), 2.0)]):
        weights, biases = _deep_network(seed, sizes, scale)
        bound, _ = float32_deep.deep_error_bound(weights, biases, xs, ys, activation)
        approx = float32_deep.deep_float32_logits(weights, biases, xs, ys, activation).astype(float)
        error = np.abs(approx - network.grid_logits(weights, biases, xs, ys, activation)).max()
        assert error <= bound / float32_grid.SAFETY / 10, (sizes, error, bound)


@pytest.mark.parametrize("case", ["nan weight", "huge weights", "relu", "two outputs", "two units wide"])
def test_deep_networks_the_float32_path_does_not_fit_get_todays_grid(case):
    xs, ys = GRIDS["151x97"]
    sizes, activation = (16, 16), "relu" if case == "relu" else "tanh"
    if case == "two units wide":
        sizes = (3, 2, 3)
    weights, biases = _deep_network(1, sizes, 1.0)
    if case == "nan weight":
        weights = (weights[0], weights[1].copy(), weights[2])
        weights[1][3, 4] = np.nan
    elif case == "huge weights":
        weights = (weights[0], 1e30 * weights[1], weights[2])
    elif case == "two outputs":
        weights, biases = network.init_params((2, 16, 16, 2), np.random.default_rng(1))
        model = MLP(weights, biases, activation)
        fast = model.decision_on_grid(xs, ys, thresholds=field_thresholds(10))
        assert fast.tobytes() == model.decision_on_grid(xs, ys).tobytes()
        return
    with np.errstate(all="ignore"):
        exact = network.grid_logits(weights, biases, xs, ys, activation)
        fast = float32_deep.decided_deep_logits(weights, biases, xs, ys, activation, field_thresholds(10))
    assert fast.tobytes() == exact.tobytes()
    if case in ("nan weight", "huge weights"):
        assert float32_deep.deep_error_bound(weights, biases, xs, ys, activation) is None


def test_the_mlp_takes_the_deep_float32_path_only_when_asked():
    xs, ys = GRIDS["200x200"]
    model = MLP(*_deep_network(2, (32, 32), 1.0), "tanh")
    exact = network.grid_logits(model.weights, model.biases, xs, ys, "tanh")
    assert model.decision_on_grid(xs, ys).tobytes() == exact.tobytes()
    fast = model.decision_on_grid(xs, ys, thresholds=field_thresholds(10))
    assert (fast != exact).mean() > 0.5
    assert np.array_equal(np.sign(fast), np.sign(exact))
