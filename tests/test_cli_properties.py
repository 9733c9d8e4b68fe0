"""Property-based tests of the command line: whatever is typed for a flag, ``main(argv)``
either works (status 0) or says in one line what is wrong (status 2, nothing written); it
never raises and never shows a traceback.

Parsing and validation are real; the sweep itself is replaced by a stand-in that yields one
empty result per run, so that examples do not train or render. One example per flag family
at the end runs the real sweep.
"""

import os
import tempfile

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import boundaryviz.cli.command
from boundaryviz.cli.command import main
from boundaryviz.runs.run import RunResult

BASE = ["--epochs", "2", "--resolution", "8", "--max-frames", "2", "--activations", "relu",
        "--learning-rates", "0.1", "--jobs", "1", "-q", "--no-gallery"]
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _fake_sweep(specs, *, jobs=None, progress=False, extra=(), scheduler=None):
    for spec in specs:
        yield RunResult(spec.name, {}, ())


@pytest.fixture
def fake_sweep(monkeypatch):
    calls = []

    def sweep(specs, **kwargs):
        calls.append([s.name for s in specs])
        return _fake_sweep(specs, **kwargs)

    monkeypatch.setattr(boundaryviz.cli.command, "run_sweep", sweep)
    return calls


def _check(capsys, flag, value, calls):
    """Run main with ``flag=value`` over the base settings and check the contract."""
    capsys.readouterr()
    n_calls = len(calls)
    with tempfile.TemporaryDirectory() as folder:
        out_dir = os.path.join(folder, "out")
        status = main([*BASE, "--out", out_dir, f"{flag}={value}"])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        if status == 2:
            lines = err.splitlines()
            assert len(lines) == 1, err
            assert lines[0].startswith("boundaryviz: error: ")
            assert out == ""
            assert not os.path.exists(out_dir)  # bad input writes nothing
            assert len(calls) == n_calls  # and starts no work
        else:
            assert status == 0, err
            assert err == ""
            assert out.splitlines()[0].split()[:2] == ["run", "epochs"]
            assert len(calls) == n_calls + 1
    event(f"status {status}")
    return status


def _numbers(text_kind):
    """Text that parses as a number, text that almost does, and anything else."""
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=-(10**6), max_value=10**6).map(str),
        st.integers(min_value=-3, max_value=300).map(str),
        st.sampled_from(["", " ", "1e400", "-0", "0x10", "1_000", "٣", "1,", ",", "nan", "-inf",
                         "1e-320", "  7 ", "7.0", "1e2"]),
        st.text(max_size=12) if text_kind else st.text(alphabet="0123456789.-e+", max_size=8),
    )


@SETTINGS
@given(value=st.one_of(
    _numbers(True),
    st.lists(st.floats(min_value=1e-6, max_value=20), min_size=1, max_size=3).map(
        lambda xs: ",".join(map(repr, xs))),
))
@example(value="0.1,0.05")
@example(value="10")
def test_learning_rates(capsys, fake_sweep, value):
    _check(capsys, "--learning-rates", value, fake_sweep)


@SETTINGS
@given(value=_numbers(True))
@example(value="100000")
@example(value="100001")
def test_epochs(capsys, fake_sweep, value):
    _check(capsys, "--epochs", value, fake_sweep)


@SETTINGS
@given(value=_numbers(False))
@example(value="50")
@example(value="50.000001")
def test_fps(capsys, fake_sweep, value):
    _check(capsys, "--fps", value, fake_sweep)


@SETTINGS
@given(value=st.one_of(
    st.text(max_size=12),
    st.lists(st.integers(min_value=-3, max_value=1100), max_size=10).map(lambda xs: ",".join(map(str, xs))),
))
@example(value="4,2")
@example(value="1024,1024,1024,1024,1024,1024,1024,1024")
def test_hidden(capsys, fake_sweep, value):
    _check(capsys, "--hidden", value, fake_sweep)


def test_valid_values_really_run(tmp_path, capsys):
    """The stand-in aside: a few valid values of each flag through the real sweep."""
    out_dir = tmp_path / "out"
    argv = [*BASE, "--out", str(out_dir), "--learning-rates=1e-300,10", "--epochs=٣",
            "--fps=0.5", "--hidden= 3 ,1"]
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert "relu_lr1e-300" in table and "relu_lr10" in table
    assert sorted(os.listdir(out_dir)) == ["relu_lr10.gif", "relu_lr1e-300.gif"]
