"""The model protocol: the built-in MLP answers it, the renderer speaks only it, and a user's
own object that answers it draws the same frames as the built-in network."""

import ast
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose

import boundaryviz as bv
from boundaryviz.models import network
from boundaryviz.models.mlp import MLP
from boundaryviz.models.protocol import Model, as_model
from boundaryviz.render.renderer import Renderer

PACKAGE = pathlib.Path(bv.__file__).parent / "render"


@pytest.fixture(scope="module")
def history():
    return bv.train(bv.gaussians(), activation="relu", learning_rate=0.1, epochs=30)


class OnlyTheProtocol:
    """A user's model: the required members only, computed by its own code (no MLP inside)."""

    def __init__(self, weights, biases):
        self.W = [np.array(w) for w in weights]
        self.b = [np.array(b) for b in biases]
        self.hidden_widths = tuple(w.shape[1] for w in self.W[:-1])

    def hidden(self, X, layer):
        return np.maximum(X @ self.W[0] + self.b[0], 0.0)

    def _logit(self, H):
        return (H @ self.W[1] + self.b[1])[:, 0]

    def proba_from_hidden(self, H, layer):
        p1 = 1.0 / (1.0 + np.exp(-self._logit(H)))
        return np.column_stack([1 - p1, p1])

    def predict_proba(self, X):
        return self.proba_from_hidden(self.hidden(X, 0), 0)


class WithDecision(OnlyTheProtocol):
    """The same, with the optional exact logits and structure."""

    rests_at_zero = True

    def decision_function(self, X):
        return self._logit(self.hidden(X, 0))

    def decision_from_hidden(self, H, layer):
        return self._logit(H)

    def first_layer(self):
        return self.W[0], self.b[0]

    def linear_head(self, layer):
        return self.W[1], self.b[1]


def _as_history(history, make):
    snaps = [bv.Snapshot(s.epoch, make(s.weights, s.biases), s.loss, s.accuracy) for s in history]
    return bv.History(snaps, history.dataset, history.config, history.stop_reason)


def test_mlp_answers_the_protocol(history):
    model = history.final.model
    assert isinstance(model, MLP) and isinstance(model, Model)
    X = history.dataset.X[:25]
    proba = model.predict_proba(X)
    assert proba.shape == (25, 2)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    H = model.hidden(X, 0)
    assert H.shape == (25, 2)
    assert_allclose(model.proba_from_hidden(H, 0), proba, rtol=1e-13)
    W, b = model.linear_head(0)
    assert_allclose(1 / (1 + np.exp(-(H @ W + b)[:, 0])), proba[:, 1], rtol=1e-13)
    W0, b0 = model.first_layer()
    assert_allclose(H, np.maximum(X @ W0 + b0, 0), rtol=1e-15)
    assert model.rests_at_zero and not bv.train(history.dataset, activation="tanh", epochs=1)[0].model.rests_at_zero


def test_deep_mlp_has_a_linear_head_only_after_the_last_hidden_layer():
    h = bv.train(bv.gaussians(), activation="tanh", hidden=(4, 3), epochs=2)
    model = h.final.model
    assert model.linear_head(0) is None and model.linear_head(1) is not None and model.linear_head(-1) is not None
    X = h.dataset.X[:9]
    assert_allclose(model.proba_from_hidden(model.hidden(X, 0), 0), model.predict_proba(X), rtol=1e-12)


@pytest.mark.parametrize("module", ["renderer.py", "views.py", "frame_geometry.py", "panels.py", "blit.py", "style.py"])
def test_render_speaks_only_the_protocol(module):
    source = (PACKAGE / module).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            imported |= {node.module or ""} | {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    assert "network" not in imported and "boundaryviz.models.network" not in imported
    for name in ("snapshot.weights", "snapshot.biases", "snapshot.activation", "ACTIVATIONS"):
        assert name not in source


def test_own_object_with_exact_members_draws_the_same_frames(history):
    """Identical but for the antialiasing of the 0.5 contour: the MLP sums the grid's logits
    in another order (outer sums), so they differ in the last bits and the contour moves by
    far less than a pixel."""
    mine = _as_history(history, WithDecision)
    assert not isinstance(mine.final.model, MLP)
    ours, theirs = Renderer(history, resolution=120), Renderer(mine, resolution=120)
    hidden = ours.axes["hidden"].bbox
    for index in (0, 7, len(history) - 1):
        a, b = ours.frame(index).astype(int), theirs.frame(index).astype(int)
        differ = np.any(a != b, axis=2)
        assert differ.sum() <= 200  # of 537 600 pixels
        rows, cols = np.nonzero(differ)
        # none in the hidden panel (same straight line), and all on the input contour
        assert not np.any(cols > hidden.x0)
        segments = ours.input_panel.boundary.get_segments()
        to_pixels = ours.axes["input"].transData.transform
        drawn = np.concatenate([to_pixels(seg) for seg in segments]) if segments else np.zeros((0, 2))
        for r, c in zip(rows, cols):
            y = ours.figure.bbox.height - r - 0.5
            assert np.min(np.hypot(drawn[:, 0] - c - 0.5, drawn[:, 1] - y)) < 3


def test_own_object_with_required_members_only(history):
    """No unit lines, a contour for the hidden boundary, the field from probabilities: close,
    and every difference is on a boundary or unit line, not in the field."""
    mine = _as_history(history, OnlyTheProtocol)
    model = mine.final.model
    assert model.first_layer() is None and model.linear_head(0) is None
    ours, theirs = Renderer(history, resolution=120), Renderer(mine, resolution=120)
    assert len(theirs.input_panel.units.get_segments()) == 0
    for index in (0, len(history) - 1):
        a, b = ours.frame(index), theirs.frame(index)
        differ = np.any(a != b, axis=2)
        assert 0 < differ.mean() < 0.01, differ.mean()


def test_as_model_rejects_what_is_not_a_model():
    with pytest.raises(TypeError, match="model protocol.*Got str"):
        as_model("relu")
    with pytest.raises(TypeError, match="model protocol"):
        bv.Snapshot(0, object(), 0.5, 0.5)


def test_mlp_checks_its_arrays():
    with pytest.raises(ValueError, match="at least 2 inputs"):
        MLP((np.ones((1, 2)), np.ones((2, 1))), (np.zeros(2), np.zeros(1)))
    with pytest.raises(ValueError, match="layer 1 takes 2 inputs, the layer before gives 3"):
        MLP((np.ones((2, 3)), np.ones((2, 1))), (np.zeros(3), np.zeros(1)))
    with pytest.raises(ValueError, match="do not fit"):
        MLP((np.ones((2, 2)), np.ones((2, 1))), (np.zeros(3), np.zeros(1)))
    with pytest.raises(ValueError, match="activation"):
        MLP((np.ones((2, 2)), np.ones((2, 1))), (np.zeros(2), np.zeros(1)), "swish")


def test_snapshot_of_mlp_is_frozen():
    W = np.ones((2, 2))
    snap = bv.Snapshot.from_weights(0, (W, np.ones((2, 1))), (np.zeros(2), np.zeros(1)), 0.5, 0.5)
    W[0, 0] = 7
    assert snap.weights[0][0, 0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        snap.model.weights[0][0, 0] = 3.0


def test_recorded_history_without_config_renders_with_its_label(history):
    snaps = [bv.Snapshot(s.epoch, WithDecision(s.weights, s.biases), s.loss, s.accuracy) for s in history]
    mine = bv.History(snaps, history.dataset, label="my model", settings={"model": "mine"})
    renderer = Renderer(mine, resolution=60)
    renderer.frame(-1)
    assert renderer.status.text.startswith("my model  ·  epoch ")
    assert mine.stop_loss == 0 and mine.summary()["activation"] is None


def test_import_loads_no_framework():
    code = ("import sys, boundaryviz, boundaryviz.train.recorder, boundaryviz.models.protocol; "
            "print(sorted({m.split('.')[0] for m in sys.modules}"
            " & {'torch', 'keras', 'jax', 'dask', 'distributed', 'tensorflow'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_input_scaling_folds_in_d_dimensions():
    rng = np.random.default_rng(3)
    weights, biases = network.init_params((5, 4, 3), rng)
    model = MLP(weights, biases, "tanh")
    mean, scale = rng.normal(size=5), rng.uniform(0.5, 2.0, size=5)
    X = rng.normal(size=(20, 5))
    folded = model.with_input_scaling(mean, scale)
    assert folded.n_inputs == 5
    np.testing.assert_allclose(folded.logits(X), model.logits((X - mean) / scale), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        model.with_input_scaling(mean[:2], scale[:2])
