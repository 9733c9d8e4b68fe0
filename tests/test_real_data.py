"""Real data as it comes: raw units, column names, standardised training, long class names."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import boundaryviz as bv
from boundaryviz.render.renderer import Renderer


def _badly_scaled(seed=0, n=400):
    """One straight line separates the classes; the columns are on wildly different scales."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, n))
    keep = np.abs(a + b) > 0.15  # a margin around the line
    a, b = a[keep], b[keep]
    X = np.column_stack([50_000 + 1_000 * a, 0.001 * b])
    labels = np.where(a + b > 0, "approved after review", "declined at first look")
    return bv.Dataset.from_arrays(X, labels, name="loans", feature_names=("income (USD)", "debt ratio"))


@pytest.fixture(scope="module")
def scaled():
    data = _badly_scaled()
    return bv.train(data, activation="tanh", learning_rate=0.05, epochs=150, stop_loss=0)


def test_standardised_training_separates_badly_scaled_columns(scaled):
    assert scaled.dataset.standardize
    assert scaled.final.accuracy >= 0.98, scaled.final.accuracy
    raw = bv.Dataset.from_arrays(scaled.dataset.X, scaled.dataset.y, standardize=False)
    unscaled = bv.train(raw, activation="tanh", learning_rate=0.05, epochs=150, stop_loss=0)
    assert unscaled.final.accuracy < 0.9  # what the issue saw: nothing standardised the inputs


def test_model_in_the_data_units_is_the_trained_network_composed_with_the_scaler(scaled):
    data = scaled.dataset
    mean, scale = data.X.mean(axis=0), data.X.std(axis=0)
    snap = scaled.final
    # undo the fold: the first layer in standardised units
    W = snap.weights[0] * scale[:, None]
    b = snap.biases[0] + (mean / scale) @ W
    trained = bv.MLP((W, *snap.weights[1:]), (b, *snap.biases[1:]), "tanh")
    assert_allclose(snap.predict_proba(data.X), trained.predict_proba((data.X - mean) / scale), rtol=1e-9, atol=1e-12)


def test_frames_keep_the_data_units_names_and_plain_ticks(scaled):
    renderer = Renderer(scaled)
    renderer.frame(-1)
    ax = renderer.axes["input"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("income (USD)", "debt ratio")
    assert_allclose(ax.get_xlim(), renderer.geometry.input_limits[0])
    assert ax.get_xlim()[0] > 40_000 and ax.get_ylim()[1] < 0.01
    fig = renderer.figure
    canvas_renderer = fig.canvas.get_renderer()
    for axes in (ax, renderer.axes["hidden"]):
        for axis in (axes.xaxis, axes.yaxis):
            assert axis.get_offset_text().get_text() == ""  # no offset or multiplier text
        box = axes.get_tightbbox(canvas_renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0
    # the unit lines are exact in the data's units: zero pre-activation along them
    for seg, unit in zip(renderer.input_panel.units.get_segments(), renderer.input_panel.unit_index):
        if np.all(np.isfinite(seg)):
            z = seg @ scaled.final.weights[0][:, unit] + scaled.final.biases[0][unit]
            assert_allclose(z, 0, atol=1e-9)


@pytest.mark.parametrize("names", [("a", "b"), ("approved after a long review", "declined at the very first look"),
                                   tuple(f"species number {k} of the genus" for k in range(7))])
def test_legend_never_overlaps_the_status_line(names):
    rng = np.random.default_rng(0)
    k = len(names)
    X = rng.normal(size=(20 * k, 2)) + np.repeat(np.arange(k), 20)[:, None]
    data = bv.Dataset.from_arrays(X, np.repeat(np.array(names), 20), standardize=False)
    history = bv.train(data, hidden=(3,), epochs=3)
    renderer = Renderer(history)
    renderer.frame(-1)
    fig = renderer.figure
    r = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(r)
    assert legend.x0 >= 0 and legend.x1 <= fig.bbox.width
    for text in renderer.status.static + renderer.status.values:
        if text.get_text():
            assert not legend.overlaps(text.get_window_extent(r)), text.get_text()
    for ax in (renderer.axes["input"], renderer.axes["hidden"]):
        assert not legend.overlaps(ax.title.get_window_extent(r))
        assert not legend.overlaps(ax.get_window_extent(r))


@pytest.mark.parametrize("make, classes, accuracy", [
    (lambda: bv.iris(), ("setosa", "versicolor", "virginica"), 0.93),
    (lambda: bv.wine(), ("class_0", "class_1", "class_2"), 0.88),
])
def test_real_data_sets_from_scikit_learn(make, classes, accuracy):
    data = make()
    assert data.class_names == classes and data.standardize
    history = bv.train(data, activation="tanh", hidden=(4,), learning_rate=0.05, epochs=200, stop_loss=0)
    assert history.final.accuracy >= accuracy
    with pytest.raises(ValueError, match="features must be columns of iris.*Got 'petal area'"):
        bv.iris(features=("petal area", "petal width (cm)"))


def test_big_data_draws_a_fixed_stratified_subsample_and_trains_on_everything():
    from boundaryviz.render import geometry

    data = bv.blobs(n_samples=12_000, n_classes=3, seed=2)
    history = bv.train(data, hidden=(3,), learning_rate=0.05, epochs=3, stop_loss=0)
    # loss and accuracy use every sample
    logits = history.final.model.logits(data.X)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    assert_allclose(history.final.loss, -np.mean(np.log(p[np.arange(12_000), data.y])), rtol=1e-12)
    renderer = Renderer(history, resolution=40)
    renderer.frame(-1)
    drawn = sum(len(line.get_xdata()) for line in renderer.input_panel.samples)
    assert drawn == 5000
    assert renderer.axes["input"].get_title() == "input space · showing 5,000 of 12,000 points"
    shown = geometry.shown_samples(data.y, 5000)
    assert np.array_equal(shown, geometry.shown_samples(data.y, 5000))  # the same every time
    assert_allclose(np.bincount(data.y[shown]) / 5000, np.bincount(data.y) / 12_000, atol=1e-3)
    hidden_drawn = sum(len(line.get_xdata()) for line in renderer.hidden_panel.samples)
    assert hidden_drawn == 5000
    assert np.array_equal(geometry.shown_samples(data.y[:400], 5000), np.arange(400))


@pytest.mark.parametrize("make, shape, classes, loader", [
    (lambda: bv.iris(features="all"), (150, 4), ("setosa", "versicolor", "virginica"), "load_iris"),
    (lambda: bv.wine(features="all"), (178, 13), ("class_0", "class_1", "class_2"), "load_wine"),
    (bv.breast_cancer, (569, 30), ("malignant", "benign"), "load_breast_cancer"),
    (bv.digits, (1797, 64), tuple("0123456789"), "load_digits"),
])
def test_every_column_of_the_shipped_tables(make, shape, classes, loader):
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader)()
    data = make()
    assert data.X.shape == shape and data.class_names == classes and data.standardize
    assert data.feature_names == tuple(str(n) for n in bunch.feature_names)
    assert np.array_equal(data.X, bunch.data) and np.array_equal(data.y, bunch.target)


def test_table_defaults_and_chosen_columns():
    import sklearn.datasets

    iris = sklearn.datasets.load_iris()
    assert bv.iris().X.tobytes() == iris.data[:, [2, 3]].tobytes()  # the default stays two columns
    assert bv.wine().feature_names == ("flavanoids", "proline")
    three = bv.breast_cancer(features=["worst area", "mean radius", "mean texture"])
    assert three.feature_names == ("worst area", "mean radius", "mean texture")
    assert_allclose(three.X[:, 1], sklearn.datasets.load_breast_cancer().data[:, 0])
    assert bv.digits(features=("pixel_3_3", "pixel_5_4")).n_features == 2
    assert bv.make_dataset("iris", features="all").n_features == 4
    assert bv.make_dataset("digits").n_features == 64
    with pytest.raises(ValueError, match="at least two different columns of digits"):
        bv.digits(features=["pixel_3_3"])
    with pytest.raises(ValueError, match="features must be columns of breast_cancer.*Got 'mean age'"):
        bv.breast_cancer(features=["mean radius", "mean age"])
    with pytest.raises(ValueError, match="features applies to the real data sets"):
        bv.make_dataset("moons", features="all")


@pytest.mark.parametrize("make, accuracy", [
    (lambda: bv.iris(features="all"), 0.95),
    (lambda: bv.wine(features="all"), 0.97),
    (bv.breast_cancer, 0.96),
])
def test_networks_learn_from_every_column(make, accuracy):
    history = bv.train(make(), hidden=8, learning_rate=0.01, epochs=300, stop_loss=0)
    assert history.final.accuracy >= accuracy, history.final.accuracy
