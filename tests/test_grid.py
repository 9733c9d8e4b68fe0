"""A grid of settings: names by what varies, errors before any work, facets, and the CLI's grid flags."""

import dataclasses
import os
from html.parser import HTMLParser

import pytest
from PIL import Image

import boundaryviz as bv
from boundaryviz.cli.command import main
from boundaryviz.gallery import build as gallery
from boundaryviz.runs.grid import AXES, facets, run_names, setting_label

TINY = ["--epochs", "2", "--resolution", "10", "-q"]


# ------------------------------------------------------------------------------ names
def test_reference_grid_keeps_the_reference_names(tmp_path):
    specs = bv.grid_specs(bv.gaussians(), tmp_path)
    assert [s.name for s in specs] == [s.name for s in bv.reference_specs(bv.gaussians(), tmp_path)] == [
        "relu_lr0.1", "relu_lr0.01", "relu_lr0.001", "tanh_lr0.1", "tanh_lr0.01", "tanh_lr0.001"]
    assert [s.paths() for s in specs] == [s.paths() for s in bv.reference_specs(bv.gaussians(), tmp_path)]


def test_names_give_only_the_settings_that_vary(tmp_path):
    grid = {"activation": ["tanh"], "learning_rate": [0.05], "hidden": [2, (8,), (4, 2)], "seed": [0, 3],
            "optimizer": ["adam", "sgd"]}
    specs = bv.grid_specs([bv.moons(), bv.circles()], tmp_path, grid=grid, epochs=5)
    names = [s.name for s in specs]
    assert len(names) == len(set(names)) == 2 * 3 * 2 * 2
    assert names[:4] == ["tanh_lr0.05_moons_h2_adam_seed0", "tanh_lr0.05_moons_h2_adam_seed3",
                         "tanh_lr0.05_moons_h2_sgd_seed0", "tanh_lr0.05_moons_h2_sgd_seed3"]
    assert "tanh_lr0.05_circles_h4-2_sgd_seed3" in names
    assert {s.config.epochs for s in specs} == {5}
    assert specs[-1].settings == {"dataset": "circles", **{k: getattr(specs[-1].config, k) for k in AXES[1:] if k != "view"}}


def test_a_new_string_setting_is_named_by_its_value():
    # how an engine field (a TrainConfig string) will be named once it exists
    assert setting_label("engine", "torch") == "torch"
    assert setting_label("width", 3) == "width3"
    assert setting_label("activation", "leaky_relu") == "leaky_relu"  # as the reference names have it
    assert setting_label("dataset", "my data/v2") == "my-data-v2"
    assert run_names([{"activation": "relu", "learning_rate": 0.1, "engine": e} for e in ("numpy", "torch")]) == [
        "relu_lr0.1_numpy", "relu_lr0.1_torch"]


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(grid={"learning_rate": [0.1, 0.1000001]}), ValueError, "two runs would be named 'relu_lr0.1'"),
    (dict(grid={"seed": [1, 1]}), ValueError, r"grid\['seed'\] must not repeat a value. Got 1 twice"),
    (dict(grid={"colour": ["red"]}), ValueError, "grid's keys must be TrainConfig fields .* Got 'colour'"),
    (dict(grid={"seed": []}), ValueError, r"grid\['seed'\] must hold at least one value"),
    (dict(grid={"seed": 3}), TypeError, r"grid\['seed'\] must be a sequence"),
    (dict(grid={"seed": [0]}, seed=1), TypeError, "seed is given both in grid and as a setting"),
    (dict(grid={"activation": ["relu", "swish"]}), ValueError, "activation must be one of"),
    (dict(grid={"seed": [-1]}), ValueError, "seed must be"),
])
def test_grid_errors_name_the_setting(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        bv.grid_specs(bv.gaussians(), tmp_path, **kwargs)
    assert os.listdir(tmp_path) == []


def test_datasets_must_differ(tmp_path):
    with pytest.raises(ValueError, match="datasets must not repeat a value. Got 'moons' twice"):
        bv.grid_specs([bv.moons(), bv.moons(seed=1)], tmp_path)
    with pytest.raises(TypeError, match="datasets must be a Dataset"):
        bv.grid_specs("moons", tmp_path)


def test_run_sweep_refuses_two_runs_writing_one_file(tmp_path):
    specs = bv.reference_specs(bv.gaussians(), tmp_path, activations=["relu"], learning_rates=[0.1], epochs=2)
    clash = bv.RunSpec(bv.moons(), specs[0].config, tmp_path)
    with pytest.raises(ValueError, match="would both write"):
        list(bv.run_sweep([specs[0], clash], jobs=1))
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------------ facets
def _settings(**axes):
    from itertools import product

    keys = list(axes)
    return [dict(zip(keys, values)) for values in product(*axes.values())]


def test_facets_of_the_reference_sweep_are_activations_by_learning_rates():
    shown = facets(_settings(activation=["relu", "tanh"], learning_rate=[0.1, 0.01, 0.001], seed=[0]))
    assert (shown.rows, shown.cols) == ("activation", "learning_rate")
    assert shown.row_values == ("relu", "tanh") and shown.col_values == (0.1, 0.01, 0.001)
    assert shown.complete and shown.note() == ""
    assert shown.col_texts() == ["learning rate 0.1", "learning rate 0.01", "learning rate 0.001"]


def test_facets_of_300_runs_are_capped_and_say_so():
    runs = _settings(activation=["identity", "leaky_relu", "relu", "sigmoid", "tanh"],
                     learning_rate=[0.3, 0.1, 0.03, 0.01, 0.003], hidden=[(2,), (8,), (4, 2)], seed=[0, 1, 2, 3])
    assert len(runs) == 300
    shown = facets(runs)
    assert (shown.rows, shown.cols) == ("activation", "learning_rate")
    assert shown.fixed == (("hidden", (2,)), ("seed", 0))
    assert shown.n_shown == 25 and not shown.complete
    assert shown.note() == ("25 of the 300 runs, activations down and learning rates across, "
                            "at hidden 2 · seed 0")
    many = facets(_settings(seed=list(range(10)), learning_rate=[0.1, 0.01], activation=["relu"]))
    assert (many.rows, many.cols) == ("learning_rate", "seed")  # the two that vary most
    assert len(many.col_values) == 6 and many.n_shown == 12 and many.n_runs == 20


# ------------------------------------------------------------------------------ gallery
class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_gallery_of_a_grid_groups_tables_and_says_what_the_pictures_show(tmp_path):
    grid = {"activation": ["relu", "tanh"], "learning_rate": [0.1, 0.01], "seed": [0, 1]}
    specs = bv.grid_specs(bv.gaussians(), tmp_path, grid=grid, epochs=3, tiles=True,
                          render={"size": (320, 180), "resolution": 10})
    results = list(bv.run_sweep(specs, jobs=1))
    files = dict(bv.write_gallery(results, tmp_path))
    page = _Page()
    page.feed((tmp_path / "index.html").read_text(encoding="utf-8"))
    text = " ".join(page.text)
    assert "The pictures below show 4 of the 8 runs, activations down and learning rates across, at seed 0" in text
    # a table row per run, naming its seed
    rows = [a for t, a in page.tags if t == "tr"]
    assert len(rows) == 1 + 8
    assert "seed" in [t.strip() for t in page.text]
    # cards grouped by seed, each image lazy, each run reachable from the table
    assert [a["id"] for t, a in page.tags if t == "h3"] == ["group-1", "group-2"]
    assert "seed 0" in text and "seed 1" in text
    lazy = [a for t, a in page.tags if t == "img" and a.get("loading") == "lazy"]
    assert sorted(os.path.basename(a["src"]) for a in lazy) == sorted(s.name + ".gif" for s in specs)
    ids = {a.get("id") for _, a in page.tags}
    assert all(f"run-{s.name}" in ids for s in specs)
    # the pictures: 2 x 2 tiles
    with Image.open(tmp_path / "summary.png") as summary:
        assert summary.width < 2 * 640 + 300
    assert str(tmp_path / "compare.gif") in files
    # results that carry no settings (a History from one's own loop) are laid out from their
    # histories' summaries: the same picture when the settings that vary are in the summary
    bare = [dataclasses.replace(r, settings={}) for r in results if r.settings["seed"] == 0]
    kept = [r for r in results if r.settings["seed"] == 0]
    gallery.write_summary(bare, tmp_path / "bare.png")
    gallery.write_summary(kept, tmp_path / "kept.png")
    assert (tmp_path / "bare.png").read_bytes() == (tmp_path / "kept.png").read_bytes()
    os.remove(tmp_path / "bare.png")
    os.remove(tmp_path / "kept.png")
    # the same page whatever order the runs came in
    before = (tmp_path / "index.html").read_bytes()
    gallery.write_index(list(reversed(results)), tmp_path, extras=[p for p in files if not p.endswith(".html")])
    assert (tmp_path / "index.html").read_bytes() == before


# ------------------------------------------------------------------------------ CLI
def test_cli_grid_flags(tmp_path, capsys):
    argv = [*TINY, "--activations", "relu", "--learning-rates", "0.1", "--seeds", "0,1", "--hidden", "2",
            "--hidden", "3,2", "--datasets", "moons,xor", "--optimizers", "adam,sgd", "--no-gallery", "--jobs", "1",
            "--out", str(tmp_path)]
    assert main(argv) == 0
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 2 * 2 * 2 * 2
    assert "relu_lr0.1_moons_h2_adam_seed0.gif" in names and "relu_lr0.1_xor_h3-2_sgd_seed1.gif" in names
    table = capsys.readouterr().out
    assert sum(line.startswith("relu_lr0.1_") for line in table.splitlines()) == 16  # a row per run


@pytest.mark.parametrize("argv, fragment", [
    (["--seeds", "1,1"], "--seeds must not repeat a value. Got 1 twice."),
    (["--hidden", "2", "--hidden", "2"], "--hidden must not repeat a value. Got 2 twice."),
    (["--datasets", "moons,mnist"], "--datasets"),
    (["--optimizers", "adam,rmsprop"], "--optimizers"),
    (["--hidden", "2", "--hidden", "4,2", "--layer", "1"], "--layer"),
])
def test_cli_grid_bad_input(tmp_path, capsys, argv, fragment):
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and fragment in err, err
    assert not (tmp_path / "out").exists()


def test_view_is_a_setting_named_only_when_it_varies(tmp_path):
    data = bv.gaussians(n_samples=40)
    specs = bv.grid_specs(data, tmp_path, grid={"activation": ["relu"], "learning_rate": [0.1],
                                               "view": ["pca", "x2,x1"]})
    assert [s.name for s in specs] == ["relu_lr0.1_pca", "relu_lr0.1_x2-x1"]
    assert [s.options.view for s in specs] == ["pca", ("x2", "x1")]
    assert [s.settings["view"] for s in specs] == ["pca", ("x2", "x1")]
    one = bv.grid_specs(data, tmp_path, grid={"activation": ["relu"], "learning_rate": [0.1, 0.01]},
                        options=bv.AnimationOptions(view="lda"))
    assert [s.name for s in one] == ["relu_lr0.1", "relu_lr0.01"]
    assert all(s.options.view == "lda" for s in one)
    with pytest.raises(ValueError, match="view") as info:
        bv.grid_specs(data, tmp_path, grid={"view": ["pca", "pca"]})
    assert info.value.parameter == "view"
