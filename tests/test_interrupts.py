"""Nothing half-written: real SIGINT, SIGTERM and SIGKILL sent to a running CLI.

Each test starts ``python -m boundaryviz`` on six runs, waits until the first animation is in
place and the next one is being written (a ``.NAME.XXXX.partial`` file exists), sends the
signal to the parent process only, and then inspects the folder and the process table.
"""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from boundaryviz.output.atomic import atomic_output
from boundaryviz.output.formats import is_complete, remove_partials

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc") or os.name != "posix",
                                reason="needs POSIX signals and /proc")

ACTIVATIONS = ["relu", "tanh"]
RATES = ["0.1", "0.05", "0.02"]
RUNS = {f"{a}_lr{r}" for a in ACTIVATIONS for r in RATES}
PARTIAL = re.compile(r"^\.(\w+_lr[\d.]+)\.gif\.[^.]+\.partial$")


def _command(out_dir, jobs):
    return [sys.executable, "-m", "boundaryviz", "--epochs", "150", "--stop-loss", "0",
            "--activations", ",".join(ACTIVATIONS), "--learning-rates", ",".join(RATES),
            "--resolution", "30", "--max-frames", "30", "--jobs", str(jobs), "-q",
            "--out", str(out_dir)]


def _process_table():
    """{pid: (parent pid, state)} of every process, from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(entry)] = (int(fields[1]), fields[0])
    return table


def _descendants(pid):
    table = _process_table()
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {p for p, (ppid, _) in table.items() if ppid == parent} - found
        found |= kids
        todo.extend(kids)
    return found


def _alive(pids):
    table = _process_table()
    return {p for p in pids if p in table and table[p][1] not in ("Z", "X")}


def _wait_gone(pids, timeout=10.0):
    deadline = time.monotonic() + timeout
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _alive(pids)


def _listing(out_dir):
    return sorted(os.listdir(out_dir)) if out_dir.exists() else []


def _start_and_signal(tmp_path, jobs, signum):
    """Start the CLI, signal it once a GIF is done and the next is half-written, wait for it.

    Returns (process, stdout, stderr, descendants seen, listing at the moment of the signal).
    """
    out_dir = tmp_path / "out"
    stdout, stderr = open(tmp_path / "stdout", "w+"), open(tmp_path / "stderr", "w+")
    # Output goes to files, not pipes: orphaned workers could hold a pipe open.
    proc = subprocess.Popen(_command(out_dir, jobs), stdout=stdout, stderr=stderr, cwd=tmp_path)
    seen = set()
    deadline = time.monotonic() + 90
    try:
        while True:
            names = _listing(out_dir)
            if jobs > 1:
                seen |= _descendants(proc.pid)
            if any(n.endswith(".gif") for n in names) and any(PARTIAL.match(n) for n in names):
                break
            assert proc.poll() is None, "the sweep ended before it could be interrupted"
            assert time.monotonic() < deadline, "no animation appeared in time"
            time.sleep(0.01)
        at_signal = names
        os.kill(proc.pid, signum)  # the parent only
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when an assertion failed above
            proc.kill()
            proc.wait()
    stdout.seek(0)
    stderr.seek(0)
    out, err = stdout.read(), stderr.read()
    stdout.close()
    stderr.close()
    return proc, out, err, seen, at_signal


@pytest.mark.parametrize("signum, status, word", [
    pytest.param(signal.SIGINT, 130, "interrupted (SIGINT)", id="SIGINT"),
    pytest.param(signal.SIGTERM, 143, "terminated (SIGTERM)", id="SIGTERM"),
])
@pytest.mark.parametrize("jobs", [1, 2])
def test_signal_keeps_finished_runs_and_removes_partials(tmp_path, jobs, signum, status, word):
    proc, out, err, workers, at_signal = _start_and_signal(tmp_path, jobs, signum)
    assert proc.returncode == status, err
    assert out == ""

    names = _listing(tmp_path / "out")
    assert any(PARTIAL.match(n) for n in at_signal)  # a run was being written...
    assert not any(n.startswith(".") for n in names), names  # ...and left nothing behind
    finished = {n[: -len(".gif")] for n in names}
    assert all(n.endswith(".gif") and is_complete(tmp_path / "out" / n) for n in names)
    assert finished and finished < RUNS  # some finished, not all: the in-progress one is gone
    for n in at_signal:  # what was finished when the signal came is still there
        assert not n.endswith(".gif") or n in names

    lines = err.splitlines()
    assert len(lines) == 1, err
    match = re.fullmatch(rf"boundaryviz: {re.escape(word)}; finished runs: (.+); (\d+) run\(s\) not "
                         r"finished, their partial files removed\.", lines[0])
    assert match, lines[0]
    assert set(match.group(1).split(", ")) == finished  # says exactly which runs finished
    assert int(match.group(2)) == len(RUNS) - len(finished)

    if jobs > 1:
        assert len(workers) >= 2, "expected loky worker processes"
    assert not _wait_gone(workers), "worker processes left running"


@pytest.mark.parametrize("jobs", [1, 2])
def test_sigkill_leaves_named_partials_that_the_next_run_removes(tmp_path, jobs):
    proc, out, err, workers, at_signal = _start_and_signal(tmp_path, jobs, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    out_dir = tmp_path / "out"
    # Workers of a killed parent notice it and end themselves.
    assert not _wait_gone(workers), "worker processes outlived their killed parent"

    names = _listing(out_dir)
    leftovers = [n for n in names if n.startswith(".")]
    assert all(PARTIAL.match(n) for n in leftovers), leftovers  # hidden, plainly unfinished
    assert all(PARTIAL.match(n).group(1) in RUNS for n in leftovers)
    gifs = [n for n in names if n.endswith(".gif")]
    assert gifs and all(is_complete(out_dir / n) for n in gifs)
    if jobs == 1:  # one process writing, killed mid-write: its temporary file stays
        assert len(leftovers) == 1

    # The next run into the folder (resuming: nothing left to do here) removes them.
    done = gifs[0][: -len(".gif")]
    activation, rate = done.split("_lr")
    rerun = subprocess.run(
        [sys.executable, "-m", "boundaryviz", "--activations", activation, "--learning-rates", rate,
         "--skip-existing", "--jobs", "1", "-q", "--no-gallery", "--out", str(out_dir)],
        capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert _listing(out_dir) == sorted(gifs)
    if leftovers:
        assert f"removed {len(leftovers)} unfinished file(s)" in rerun.stderr
    assert f"{done} (kept)" in rerun.stdout


def test_remove_partials_spares_files_being_written(tmp_path):
    """A temporary file is locked while written: a concurrent cleanup leaves it alone."""
    stale = tmp_path / ".old.gif.abc123.partial"
    stale.write_bytes(b"GIF89a")
    (tmp_path / "keep.gif").write_bytes(b"x")
    with atomic_output(tmp_path / "new.gif") as tmp:
        with open(tmp, "wb") as handle:
            handle.write(b"half")
        assert re.fullmatch(r"\.new\.gif\.[^.]+\.partial", os.path.basename(tmp))
        assert remove_partials(tmp_path) == [str(stale)]
        assert os.path.exists(tmp)
        assert remove_partials(tmp_path, wait=0.2) == []  # still busy after waiting
    assert sorted(os.listdir(tmp_path)) == ["keep.gif", "new.gif"]

    with pytest.raises(KeyboardInterrupt):
        with atomic_output(tmp_path / "cut.gif") as tmp:
            open(tmp, "wb").close()
            raise KeyboardInterrupt
    assert sorted(os.listdir(tmp_path)) == ["keep.gif", "new.gif"]
