"""AnimationOptions: one frozen object for an animation's timing and drawing, checked once."""

import dataclasses
import importlib
import inspect
import pickle
import subprocess
import sys

import pytest

import boundaryviz as bv
import boundaryviz.runs.run
from boundaryviz._validation import ParameterTypeError, ParameterValueError
from boundaryviz.cli.command import FLAGS, _bad_input_message
from boundaryviz.options import MAX_FPS, UNSET, AnimationOptions
from boundaryviz.runs.run import run_one

BAD = [
    ("fps", 0, ValueError), ("fps", 51, ValueError), ("fps", "12", TypeError), ("fps", float("nan"), ValueError),
    ("hold_last", -1, ValueError), ("hold_last", 61, ValueError),
    ("max_frames", 1, ValueError), ("max_frames", -3, ValueError), ("max_frames", 2.5, TypeError),
    ("resolution", 1, ValueError), ("resolution", 2001, ValueError), ("resolution", True, TypeError),
    ("layer", "last", TypeError), ("size", (961, 560), ValueError), ("size", (100, 560), ValueError),
    ("size", 960, TypeError), ("levels", 1, ValueError), ("levels", 257, ValueError),
    ("lattice_lines", 1, ValueError), ("bayes", 1, TypeError),
]


@pytest.mark.parametrize("name, value, kind", BAD, ids=[f"{n}={v!r}" for n, v, _ in BAD])
def test_each_bad_value_names_its_option(name, value, kind):
    with pytest.raises(kind) as info:
        AnimationOptions(**{name: value})
    assert info.value.parameter == name
    assert str(info.value).startswith(f"{name} "), str(info.value)


def test_values_are_normalised_and_frozen():
    options = AnimationOptions(fps=24, max_frames=0, size=[640, 360], layer=-1)
    assert options.fps == 24.0 and isinstance(options.fps, float)
    assert options.max_frames is None  # 0 and None both keep every snapshot
    assert options.size == (640, 360)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.fps = 10
    assert options.replace(levels=None).levels is None and options.levels == 10
    assert options.layer_index(3) == 2 and AnimationOptions().layer_index(2) == 1
    with pytest.raises(ValueError) as info:
        AnimationOptions(layer=2).layer_index(2)
    assert info.value.parameter == "layer"


def test_unknown_keyword_is_named():
    with pytest.raises(TypeError, match="colour is not an animation option") as info:
        AnimationOptions.from_keywords(colour="red")
    assert info.value.parameter == "colour"
    with pytest.raises(TypeError, match="colour"):
        AnimationOptions().replace(colour="red")


def test_errors_keep_their_parameter_through_pickle():
    """Workers send errors back pickled; the CLI still finds the flag."""
    for error in (ParameterValueError("fps must be ...", "fps"), ParameterTypeError("size must be ...", "size")):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and back.parameter == error.parameter and str(back) == str(error)


def test_the_api_reads_its_defaults_from_the_options(tmp_path):
    """Option keywords default to UNSET (not given), so the object is made from what the caller
    gave and AnimationOptions' defaults fill in the rest; nothing compares values with defaults."""
    defaults = AnimationOptions()
    for function in (bv.save_animation, bv.save_animations):
        params = inspect.signature(function).parameters
        for name in AnimationOptions.TIMING:
            assert params[name].default is UNSET, (function.__name__, name)
    renderer = inspect.signature(bv.Renderer).parameters
    for name in AnimationOptions.RENDERING:
        assert renderer[name].default is UNSET, name
    history = bv.train(bv.gaussians(n_samples=60), epochs=2)
    assert bv.Renderer(history).options == defaults
    assert bv.Renderer(history, resolution=30).options == AnimationOptions(resolution=30)
    for function in (bv.reference_specs, bv.grid_specs):
        params = inspect.signature(function).parameters
        assert params["fps"].default is UNSET and params["max_frames"].default is UNSET
    (spec, *_) = bv.reference_specs(bv.gaussians(n_samples=60), tmp_path, epochs=2)
    assert spec.options == defaults.replace(layer=0)
    # a keyword given with its default value is still given: it clashes with an options object
    with pytest.raises(TypeError, match="either options or fps"):
        bv.reference_specs(bv.gaussians(n_samples=60), tmp_path, fps=defaults.fps, options=defaults)
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET


def test_cli_help_shows_the_defaults():
    """Each flag's own help text and default come from AnimationOptions."""
    from boundaryviz.cli.parser import build_parser

    actions = {flag: action for action in build_parser()._actions for flag in action.option_strings}
    defaults = AnimationOptions()
    expected = {"--fps": f"{defaults.fps:g}", "--max-frames": str(defaults.max_frames),
                "--resolution": str(defaults.resolution)}
    for flag, shown in expected.items():
        assert f"(default: {shown})" in actions[flag].help, (flag, actions[flag].help)
    assert actions["--fps"].default == defaults.fps and actions["--resolution"].default == defaults.resolution
    assert actions["--max-frames"].default == defaults.max_frames and actions["--layer"].default == defaults.layer
    text = subprocess.run([sys.executable, "-m", "boundaryviz", "--help"], capture_output=True, text=True,
                          check=True).stdout
    assert f"at most {MAX_FPS} (default: {defaults.fps:g})" in " ".join(text.split())


def test_cli_heads_an_error_with_the_flag_of_its_parameter():
    """By the error's attribute, not by the words of its message."""
    assert _bad_input_message(ParameterValueError("too many frames per second", "fps")) == \
        "--fps: too many frames per second"
    assert _bad_input_message(ParameterTypeError("whatever the words", "resolution")).startswith("--resolution: ")
    assert _bad_input_message(ValueError("fps must be above 0")) == "fps must be above 0"  # no attribute, no flag
    for parameter, flag in FLAGS.items():
        assert _bad_input_message(ParameterValueError("x", parameter)) == f"{flag}: x"


def test_options_object_gives_the_same_file_as_keywords(tmp_path):
    history = bv.train(bv.gaussians(n_samples=80), epochs=6)
    options = AnimationOptions(fps=20, max_frames=4, resolution=24, size=(320, 200), levels=None)
    a = bv.save_animation(history, tmp_path / "a.gif", options=options)
    bv.save_animation(history, tmp_path / "b.gif", fps=20, max_frames=4, resolution=24, size=(320, 200),
                      levels=None)
    assert a.n_frames == 4 and (tmp_path / "a.gif").read_bytes() == (tmp_path / "b.gif").read_bytes()
    with pytest.raises(TypeError, match="either options or fps"):
        bv.save_animation(history, tmp_path / "c.gif", options=options, fps=10)
    with pytest.raises(TypeError, match="options must be a boundaryviz AnimationOptions"):
        bv.save_animation(history, tmp_path / "c.gif", options={"fps": 10})
    assert not (tmp_path / "c.gif").exists()


def test_runspec_holds_one_options_object(tmp_path):
    options = AnimationOptions(fps=8, max_frames=0, resolution=20, size=(320, 200))
    (spec,) = bv.reference_specs(bv.gaussians(n_samples=60), tmp_path, activations=["tanh"], learning_rates=[0.1],
                                 options=options, epochs=3, hidden=(4, 2))
    assert spec.options == options.replace(layer=1)  # the layer fixed against this network
    with pytest.raises(ValueError) as info:
        bv.reference_specs(bv.gaussians(), tmp_path, options=AnimationOptions(layer=2))
    assert info.value.parameter == "layer"
    result = run_one(spec)
    assert result.options == spec.options
    with pytest.raises(TypeError, match="tiles must be a Tiles or None"):
        dataclasses.replace(result, tiles="yes")
    with pytest.raises(TypeError, match="options must be a boundaryviz AnimationOptions"):
        dataclasses.replace(result, options={"fps": 8})


def test_run_one_hands_the_spec_options_whole(tmp_path, monkeypatch):
    """The renderer and the writers receive the spec's own object, not keywords rebuilt from it."""
    import boundaryviz.output.animation as animation
    import boundaryviz.render.renderer as renderer_module

    seen = []
    real_renderer, real_save = renderer_module.Renderer, animation.save_animations

    class Spy(real_renderer):
        def __init__(self, history, **keywords):
            seen.append(("renderer", keywords))
            super().__init__(history, **keywords)

    def save(*args, **keywords):
        seen.append(("save", {k: v for k, v in keywords.items() if k == "options"}))
        return real_save(*args, **keywords)

    monkeypatch.setattr(renderer_module, "Renderer", Spy)
    monkeypatch.setattr(boundaryviz.runs.run, "save_animations", save)
    options = AnimationOptions(fps=8, max_frames=3, resolution=16, size=(320, 200), hold_last=0.25)
    spec = bv.RunSpec(bv.gaussians(n_samples=60), bv.TrainConfig(epochs=4), tmp_path, ("gif",), options)
    run_one(spec)
    assert seen == [("renderer", {"options": spec.options}), ("save", {"options": spec.options})]
    assert seen[0][1]["options"] is spec.options and seen[1][1]["options"] is spec.options


def test_runspec_and_runresult_are_plain_frozen_dataclasses(tmp_path):
    data, config = bv.gaussians(n_samples=60), bv.TrainConfig(epochs=2)
    options = AnimationOptions(fps=24, max_frames=None, resolution=20)
    spec = bv.RunSpec(data, config, tmp_path, ("gif",), options)
    assert spec.options == options.replace(layer=0)
    assert dataclasses.replace(spec, tiles=True).options == spec.options  # the CLI replaces fields
    with pytest.raises(TypeError, match="options must be a boundaryviz AnimationOptions"):
        bv.RunSpec(data, config, tmp_path, options={"fps": 10})
    with pytest.raises(TypeError):
        bv.RunSpec(data, config, tmp_path, fps=10)  # the options object holds the timing
    result = bv.RunResult("run", {}, (), options=AnimationOptions(size=(480, 280), max_frames=4))
    assert result.options.size == (480, 280) and dataclasses.replace(result, final_frame=None).options == result.options


@pytest.mark.parametrize("old", ["writers", "training", "animate", "sweep", "cli_args", "datasets", "render.Renderer"])
def test_old_module_paths_are_gone(old):
    """No compatibility shims: the modules live in their parts now."""
    module, _, name = old.partition(".")
    if name:
        import boundaryviz.render as part

        assert not hasattr(part, name)
    else:
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"boundaryviz.{module}")
