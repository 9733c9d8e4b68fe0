import numpy as np
import pytest
from numpy.testing import assert_allclose

from boundaryviz import DATASETS, Dataset, circles, gaussians, load_csv, make_dataset, moons, spiral, xor
from boundaryviz.data.catalogue import REAL


def test_gaussians_reference_layout():
    data = gaussians()
    assert data.name == "gaussians"
    assert data.X.shape == (400, 2) and data.y.shape == (400,)
    assert np.bincount(data.y).tolist() == [200, 200]
    middle = data.X[data.y == 0]
    outer = data.X[data.y == 1]
    # Class 0 is one cloud on the origin; class 1 is two clouds on (-1, -1) and (1, 1).
    assert_allclose(middle.mean(axis=0), [0, 0], atol=0.1)
    assert_allclose(middle.std(axis=0), [0.5, 0.5], atol=0.06)
    low = outer[outer.sum(axis=1) < 0]
    high = outer[outer.sum(axis=1) >= 0]
    assert abs(len(low) - 100) <= 10 and abs(len(high) - 100) <= 10
    assert_allclose(low.mean(axis=0), [-1, -1], atol=0.15)
    assert_allclose(high.mean(axis=0), [1, 1], atol=0.15)
    # Not linearly separable: the class means (nearly) coincide.
    assert_allclose(outer.mean(axis=0), middle.mean(axis=0), atol=0.15)


def test_gaussians_sizes_and_spread():
    data = gaussians(n_samples=7, std=0.0)
    assert np.bincount(data.y).tolist() == [3, 4]
    assert sorted(map(tuple, data.X.tolist())) == [(-1.0, -1.0)] * 2 + [(0.0, 0.0)] * 3 + [(1.0, 1.0)] * 2


@pytest.mark.parametrize("name", sorted(set(DATASETS) - set(REAL)))
def test_generators_are_deterministic_and_read_only(name):
    make = DATASETS[name]
    a, b, c = make(seed=3), make(seed=3), make(seed=4)
    assert a == b and a is not b
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X) and a != c
    assert a.name == name and make_dataset(name, seed=3) == a
    assert a.X.dtype == np.float64 and a.y.dtype == np.int64
    assert a.X.shape == (400, 2) and a.y.shape == (400,)
    assert set(np.unique(a.y)) == set(range(a.n_classes)) and np.all(np.isfinite(a.X))
    assert a.n_classes == (3 if name == "blobs" else 2) and not a.standardize
    with pytest.raises(ValueError, match="read-only"):
        a.X[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        a.y[0] = 1
    small = make(n_samples=10, seed=0)
    assert small.X.shape == (10, 2) and small.n_samples == 10


def test_toy_shapes():
    x = xor(noise=0.0)
    signs_differ = np.sign(x.X[:, 0]) != np.sign(x.X[:, 1])
    assert np.array_equal(x.y, signs_differ.astype(int))
    r = np.hypot(*circles(noise=0.0, factor=0.3).X.T)
    assert_allclose(np.unique(np.round(r, 9)), [0.3, 1.0])


def test_moons_are_two_interleaved_half_circles():
    """Class 0 on the upper half of the unit circle about (0, 0), class 1 on the lower half of
    the unit circle about (1, 0.5): each arc reaches into the other's hollow."""
    m = moons(noise=0.0)
    assert np.bincount(m.y).tolist() == [200, 200]
    upper, lower = m.X[m.y == 0], m.X[m.y == 1]
    assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    assert np.all(upper[:, 1] >= -1e-12)
    assert_allclose(np.hypot(*(lower - [1.0, 0.5]).T), 1.0, atol=1e-12)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)
    # whole half circles, end to end: x from -1 to 1 and from 0 to 2
    assert_allclose([upper[:, 0].min(), upper[:, 0].max(), lower[:, 0].min(), lower[:, 0].max()], [-1, 1, 0, 2],
                    atol=1e-12)
    # interleaved: the tip of each arc lies inside the other circle
    assert np.hypot(*(upper[np.argmax(upper[:, 0])] - [1.0, 0.5])) < 1
    assert np.hypot(*lower[np.argmin(lower[:, 0])]) < 1
    # noise moves points off the arcs by about its size
    noisy = moons(noise=0.1)
    off = np.abs(np.hypot(*noisy.X[noisy.y == 0].T) - 1)
    assert 0.03 < np.median(off) < 0.15


@pytest.mark.parametrize("n_classes, turns", [(2, 1.5), (3, 1.0), (5, 2.5)])
def test_spiral_arms_wind_out_with_the_radius(n_classes, turns):
    """Each arm's angle grows with its radius r (from 0.1 to 2): angle = pi turns r + 2 pi k / K
    for arm k, so the arms are the same curve turned by a K-th of a circle."""
    s = spiral(noise=0.0, n_classes=n_classes, turns=turns)
    assert np.bincount(s.y).tolist() == [400 // n_classes + (k < 400 % n_classes) for k in range(n_classes)]
    for k in range(n_classes):
        arm = s.X[s.y == k]
        r = np.hypot(*arm.T)
        order = np.argsort(r)
        r, arm = r[order], arm[order]
        assert 0.1 - 1e-9 <= r[0] and r[-1] <= 2.0 + 1e-12 and r[-1] - r[0] > 1.5
        angle = np.unwrap(np.arctan2(arm[:, 1], arm[:, 0]))
        assert np.all(np.diff(angle) >= -1e-9), f"arm {k}: the angle must grow with the radius"
        # the unwrapped angle is pi turns r plus the arm's offset (up to whole turns)
        offset = angle - np.pi * turns * r
        assert_allclose(offset, offset[0], atol=1e-9)
        assert_allclose(np.mod(offset[0] - 2 * np.pi * k / n_classes + np.pi, 2 * np.pi) - np.pi, 0, atol=1e-9)


def test_dataset_copies_its_inputs():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([0, 0, 1, 1])
    data = Dataset(X, y)
    X[0, 0] = 9.0
    y[0] = 1
    assert data.X[0, 0] == 0.0 and data.y[0] == 0
    assert repr(data) == "Dataset(name='data', n_samples=4, class_counts=(2, 2))"


@pytest.mark.parametrize("labels, names, y", [
    (["cat", "dog", "dog", "cat", "dog"], ("cat", "dog"), [0, 1, 1, 0, 1]),
    (["yes", "no", "no", "yes", "no"], ("no", "yes"), [1, 0, 0, 1, 0]),
    ([-1, 1, 1, -1, 1], ("-1", "1"), [0, 1, 1, 0, 1]),
    ([3.5, 7.0, 7.0, 3.5, 3.5], ("3.5", "7.0"), [0, 1, 1, 0, 0]),
    ([True, False, False, True, False], ("False", "True"), [1, 0, 0, 1, 0]),
    (np.array(["b", "a", "a", "b", "a"], dtype=object), ("a", "b"), [1, 0, 0, 1, 0]),
])
def test_from_arrays_maps_two_labels(labels, names, y):
    X = np.arange(10.0).reshape(5, 2)
    data = Dataset.from_arrays(X, labels, name="pets")
    assert data.class_names == names
    assert data.y.tolist() == y and data.y.dtype == np.int64
    assert data.name == "pets"
    assert_allclose(data.X, X)


@pytest.mark.parametrize("X, y, exc, match", [
    (np.zeros((22, 2)), list(range(11)) * 2, ValueError, "2 to 10 distinct labels. Got 11"),
    (np.zeros((4, 2)), [1, 1, 1, 1], ValueError, "2 to 10 distinct labels. Got 1"),
    (np.zeros((4, 2)), [[0, 1], [0, 1]], ValueError, "1-D"),
    (np.zeros((4, 2)), [0.0, np.nan, 0.0, np.nan], ValueError, "nan"),
    (np.zeros((4, 2)), [None, 1, None, 1], TypeError, "numbers or strings"),
    (np.zeros((3, 2)), [0, 1, 0], ValueError, "at least 4 samples. Got 3"),
    (np.zeros((4, 1)), [0, 1, 0, 1], ValueError, r"2 to 1000 features. Got shape \(4, 1\)"),
    (np.zeros((4, 1001)), [0, 1, 0, 1], ValueError, r"2 to 1000 features. Got shape \(4, 1001\)"),
    (np.zeros((5, 2)), [0, 1, 0, 1], ValueError, r"y must have shape \(5,\)"),
    ([[0, 0], [1, np.inf], [0, 1], [1, 0]], [0, 1, 0, 1], ValueError, "finite numbers.*row 1"),
    ([["a", "b"]] * 4, [0, 1, 0, 1], TypeError, "array of numbers"),
    # numpy would have made both text: two kinds of label are a mistake, not two classes
    (np.zeros((4, 2)), [1, "a", 1, "a"], TypeError, "one kind.*Got both: 1 and 'a'"),
])
def test_from_arrays_rejects(X, y, exc, match):
    with pytest.raises(exc, match=match):
        Dataset.from_arrays(X, y)


def test_dataset_constructor_wants_labels_zero_to_k_minus_one():
    with pytest.raises(ValueError, match=r"every class from 0 to K - 1, at least two. Got \[1, 2\]"):
        Dataset(np.zeros((4, 2)), [1, 2, 1, 2])
    with pytest.raises(ValueError, match="at least two"):
        Dataset(np.zeros((4, 2)), [1, 1, 1, 1])
    with pytest.raises(ValueError, match="from_arrays"):
        Dataset(np.zeros((4, 2)), [0, 1, 0, 11])
    with pytest.raises(ValueError, match="class_names must hold 3 names"):
        Dataset(np.zeros((4, 2)), [0, 1, 2, 1], class_names=("a", "b"))
    assert Dataset(np.zeros((4, 2)), [0, 1, 2, 1]).class_names == ("0", "1", "2")
    with pytest.raises(TypeError, match="name"):
        Dataset(np.zeros((4, 2)), [0, 1, 0, 1], name="")


# ---------------------------------------------------------------- load_csv


def _write(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ROWS = "0.0,0.0,0\n1.0,1.0,1\n0.5,-0.5,0\n-1,2.5,1\n"


def test_load_csv_without_header(tmp_path):
    data = load_csv(_write(tmp_path, ROWS))
    assert data.name == "points"
    assert_allclose(data.X, [[0, 0], [1, 1], [0.5, -0.5], [-1, 2.5]])
    assert data.y.tolist() == [0, 1, 0, 1] and data.class_names == ("0", "1")
    assert data.feature_names == ("x1", "x2")  # no header: the Dataset's own axis names


def test_load_csv_header_with_an_empty_name_keeps_the_default_names(tmp_path):
    data = load_csv(_write(tmp_path, " ,depth,label\n" + ROWS))
    assert data.feature_names == ("x1", "depth") and len(data.y) == 4


def test_load_csv_with_header_blank_lines_and_string_labels(tmp_path):
    text = "\nx0, x1, species\n1,2,setosa\n\n3,4,virginica\n5,6,setosa\n7,8, virginica\n"
    data = load_csv(str(_write(tmp_path, text)))
    assert data.class_names == ("setosa", "virginica")
    assert data.y.tolist() == [0, 1, 0, 1]
    assert_allclose(data.X[:, 0], [1, 3, 5, 7])


def test_load_csv_numeric_labels_sort_as_numbers(tmp_path):
    # As text "10" < "9"; as numbers 9 < 10, and "9.0" is the same class as "9".
    data = load_csv(_write(tmp_path, "0,0,10\n1,1,9\n2,2,9.0\n3,3,10\n"))
    assert data.class_names == ("9", "10")
    assert data.y.tolist() == [1, 0, 0, 1]


def test_load_csv_equals_from_arrays(tmp_path):
    a = load_csv(_write(tmp_path, "x,y,label\n" + ROWS, name="data.csv"))
    X = [[0, 0], [1, 1], [0.5, -0.5], [-1, 2.5]]
    assert a.feature_names == ("x", "y") and a.standardize
    assert a == Dataset.from_arrays(X, ["0", "1", "0", "1"], name="data", feature_names=("x", "y"))


def test_load_csv_takes_up_to_ten_labels_and_the_header_names(tmp_path):
    rows = "".join(f"{k},{-k},{name}\n" for k, name in enumerate(["setosa", "virginica", "versicolor"] * 3))
    data = load_csv(_write(tmp_path, "petal length (cm),petal width (cm),species\n" + rows))
    assert data.n_classes == 3 and data.class_names == ("setosa", "versicolor", "virginica")
    assert data.feature_names == ("petal length (cm)", "petal width (cm)")
    assert data.y.tolist() == [0, 2, 1] * 3
    ten = "".join(f"{k},{k % 3},{k % 10}\n" for k in range(30))
    assert load_csv(_write(tmp_path, ten)).n_classes == 10
    assert not load_csv(_write(tmp_path, ten), standardize=False).standardize


@pytest.mark.parametrize("text, pattern", [
    (ROWS + "2.0,abc,1\n", r"line 5, column 'x2': features must be numbers \(not a number\)\. Got 'abc'"),
    ("x0,x1,label\n" + ROWS + ",1.0,1\n", r"line 6, column 'x0': features must be numbers \(missing\)"),
    (ROWS + "1.0,2.0,\n", r"line 5: the label is missing"),
    # a first row with one number is data, not a header; only the first row may be a header
    ("1,abc,0\n" + ROWS, r"line 1, column 'x2': features must be numbers \(not a number\)\. Got 'abc'"),
    ("x0,x1,label\n" + ROWS + "x0,x1,label\n", r"line 6, column 'x0': features must be numbers \(not a number\)"),
    ("1,2,0\nnan,2,1\n" + ROWS, r"line 2, column 'x1': features must be finite\. Got 'nan'"),
    (ROWS + "1,-inf,0\n", r"line 5, column 'x2': features must be finite"),
    (ROWS + "1e999,0,0\n", r"line 5, column 'x1': features must be finite"),
    (ROWS + "1,2\n", r"line 5: expected 3 columns, as on line 1\. Got 2"),
    ("1,2,0,9\n" + ROWS, r"line 2: expected 4 columns, as on line 1\. Got 3"),
    ("1,0\n" + ROWS, r"line 1: expected at least 3 columns \(two features and a label\)\. Got 2"),
    ("".join(f"{k},{k},{k}\n" for k in range(11)),
     r"2 to 10 distinct values\. Line 11 holds an eleventh label '10' after '0', '1'"),
    ("1,1,a\n2,2,a\n3,3,a\n4,4,a\n", r"2 to 10 distinct values\. Got only 'a'"),
    ("x0,x1,label\n1,1,0\n2,2,1\n3,3,0\n", r"need at least 4 data rows\. Got 3"),
    ("x0,x1,label\n", r"need at least 4 data rows\. Got 0"),
    (ROWS + "1,2," + "a" * 200_000 + "\n", r"line 5: not a valid CSV row \(field larger than field limit"),
    # blank lines (empty, spaces, commas only) and a header before the bad row: the file's own line
    ("\n\n  \nx0,x1,label\n" + ROWS + "2.0,abc,1\n",
     r"line 9, column 'x1': features must be numbers \(not a number\)\. Got 'abc'"),
    ("\n,,\nx,y,label\n\n1,2,0\n\n\n1,2\n" + ROWS, r"line 8: expected 3 columns, as on line 3\. Got 2"),
    ("\r\n\r\nx0,x1,label\r\n" + ROWS.replace("\n", "\r\n") + "\r\n1,inf,0\r\n",
     r"line 9, column 'x1': features must be finite\. Got 'inf'"),
    ("\n" * 5 + ROWS + "\n" * 3 + "1.0,2.0,\n", r"line 13: the label is missing"),
    ("\n\n" + "".join(f"{k},{k},{k}\n\n" for k in range(11)),
     r"Line 23 holds an eleventh label '10'"),
    # a missing label written as nan was a class called "nan"; 1_000 was read as 1000
    ("x,y,label\n" + ROWS + "1,2,nan\n", r"line 6: the label must be a class, not a missing or infinite number\. "
     "Got 'nan'"),
    (ROWS + "1_000,2,0\n", r"line 5, column 'x1': features must be numbers \(not a number\)\. Got '1_000'"),
    # too many features: the file named, as for every other problem with it
    (",".join(f"f{k}" for k in range(1001)) + ",label\n" + "".join(",".join(["1"] * 1001) + f",{k % 2}\n" for k in range(4)),
     r"2 to 1000 features\. Got shape \(4, 1001\)"),
])
def test_load_csv_rejections_name_the_line(tmp_path, text, pattern):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=pattern) as info:
        load_csv(path)
    assert str(path) in str(info.value)


def test_load_csv_rejects_missing_file_and_binary(tmp_path):
    with pytest.raises(ValueError, match=r"does not exist"):
        load_csv(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match=r"does not exist or is not a file"):
        load_csv(tmp_path)
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(ValueError, match="not a UTF-8 text CSV"):
        load_csv(binary)
    with pytest.raises(TypeError, match="path"):
        load_csv(3)


def test_dataset_holds_d_features_with_default_names():
    X = np.arange(40.0).reshape(8, 5)
    data = Dataset.from_arrays(X, [0, 1] * 4)
    assert data.n_features == 5 and data.X.shape == (8, 5)
    assert data.feature_names == ("x1", "x2", "x3", "x4", "x5")
    assert Dataset.from_arrays(X[:, :2], [0, 1] * 4).feature_names == ("x1", "x2")
    mean, scale = data.scaler
    assert mean.shape == scale.shape == (5,)
    with pytest.raises(ValueError, match="5 non-empty names"):
        Dataset.from_arrays(X, [0, 1] * 4, feature_names=("a", "b"))
    with pytest.raises(ValueError, match="distinct"):
        Dataset.from_arrays(X, [0, 1] * 4, feature_names=("a", "b", "c", "d", "a"))


WIDE = ("id,a,b,species,c,d,e\n"
        "r1,1,2,setosa,3,4,5\nr2,6,7,virginica,8,9,10\nr3,1.5,2.5,setosa,3.5,4.5,5.5\nr4,0,-1,virginica,-2,-3,-4\n")


def test_load_csv_reads_any_number_of_features(tmp_path):
    rows = "".join(f"{k},{k + 1},{k * 2},{-k},{k % 3},{k % 2}\n" for k in range(8))
    data = load_csv(_write(tmp_path, "p,q,r,s,t,label\n" + rows))
    assert data.n_features == 5 and data.feature_names == ("p", "q", "r", "s", "t")
    assert_allclose(data.X[3], [3, 4, 6, -3, 0])
    assert data.y.tolist() == [k % 2 for k in range(8)]
    plain = load_csv(_write(tmp_path, rows, name="plain.csv"))
    assert plain.feature_names == ("x1", "x2", "x3", "x4", "x5")
    assert_allclose(plain.X, data.X)


def test_load_csv_label_named_and_features_chosen(tmp_path):
    path = _write(tmp_path, WIDE)
    data = load_csv(path, label="species", features=["e", "a", "c"])
    assert data.feature_names == ("e", "a", "c") and data.class_names == ("setosa", "virginica")
    assert_allclose(data.X[:, 0], [5, 10, 5.5, -4])
    assert_allclose(data.X[:, 1], [1, 6, 1.5, 0])
    assert data.y.tolist() == [0, 1, 0, 1]
    # the id column holds words but is never read when features leave it out
    everything = load_csv(_write(tmp_path, WIDE.replace("id,", "n,").replace("r", ""), name="w.csv"),
                          label="species")
    assert everything.feature_names == ("n", "a", "b", "c", "d", "e")


@pytest.mark.parametrize("kwargs, pattern", [
    ({"label": "species"}, r"line 2, column 'id': features must be numbers \(not a number\)\. Got 'r1'"),
    ({"label": "kind", "features": ["a", "b"]},
     r"line 1: label='kind' is not a column\. The columns are 'id', 'a', 'b', 'species'"),
    ({"label": "species", "features": ["a", "z"]},
     r"header on line 1\): features='z' is not a column\. The feature columns are 'id', 'a'"),
    ({"label": "species", "features": ["a", "species"]}, r"features='species' is the label column"),
    ({"label": "species", "features": ["a"]}, r"at least two different columns"),
    ({"features": ["a", "species"]}, r"line 2, column 'species': features must be numbers \(not a number\)"),
])
def test_load_csv_label_and_features_errors_name_line_and_column(tmp_path, kwargs, pattern):
    path = _write(tmp_path, WIDE)
    with pytest.raises(ValueError, match=pattern):
        load_csv(path, **kwargs)


def test_load_csv_label_needs_a_header_and_features_default_names(tmp_path):
    path = _write(tmp_path, "1,2,3,0\n4,5,6,1\n7,8,9,0\n1,1,1,1\n")
    with pytest.raises(ValueError, match="label='y' names a column, but the file has no header row"):
        load_csv(path, label="y")
    assert load_csv(path, features=["x3", "x1"]).X[:, 0].tolist() == [3, 6, 9, 1]
    with pytest.raises(ValueError, match=r"no header row\): features='x4' is not a column"):
        load_csv(path, features=["x1", "x4"])
    bad = _write(tmp_path, "a,b,c,label\n1,2,3,0\n4,x,6,1\n", name="bad.csv")
    with pytest.raises(ValueError, match=r"bad\.csv, line 3, column 'b': features must be numbers"):
        load_csv(bad)


@pytest.mark.parametrize("field", ["feature_names", "class_names"])
def test_names_given_as_one_string_are_refused(field):
    # "ab" had been taken as the names "a" and "b"
    with pytest.raises(TypeError, match=f"{field} must be a sequence of names, not one string. Got 'ab'"):
        Dataset.from_arrays(np.zeros((4, 2)), [0, 1, 0, 1], **{field: "ab"}) if field == "feature_names" else \
            Dataset(np.zeros((4, 2)), np.array([0, 1, 0, 1]), class_names="ab")
