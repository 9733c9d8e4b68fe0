"""Sweeps on a real Dask cluster: a LocalCluster of two worker processes on 127.0.0.1.

The files a cluster sweep writes are compared byte for byte with a local sweep's; a worker
is killed (SIGKILL) while it runs; the command line is run against the cluster, interrupted
with SIGINT, and pointed at an address where nothing listens.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from conftest import has, need
from readback import sha256

import boundaryviz as bv
from boundaryviz.cli.command import main
from boundaryviz.output.formats import is_complete

distributed = need("distributed")

SMALL = dict(epochs=8, stop_loss=0, render={"size": (480, 280), "resolution": 20}, max_frames=0)
TINY_CLI = ["--epochs", "6", "--stop-loss", "0", "--resolution", "16", "--activations", "relu,tanh",
            "--learning-rates", "0.1", "--seeds", "0,1", "-q"]


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two single-threaded worker processes (each under a nanny) on 127.0.0.1,
    started without Dask's MALLOC_TRIM_THRESHOLD_ (as README recommends; it slows runs)."""
    import dask

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address="127.0.0.1:0", silence_logs=40)
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def client(cluster):
    client = distributed.Client(cluster, set_as_default=False)
    try:
        client.wait_for_workers(2, timeout=60)
        yield client
    finally:
        client.close()


def _digests(folder):
    return {name: sha256(folder / name) for name in sorted(os.listdir(folder))}


def _specs(out, **settings):
    grid = settings.pop("grid", {"activation": ["relu", "tanh"], "learning_rate": [0.1], "seed": [0, 1]})
    return bv.grid_specs(bv.gaussians(), out, grid=grid, **{**SMALL, **settings})


def test_cluster_files_are_the_local_files(tmp_path, client):
    local, remote = tmp_path / "local", tmp_path / "remote"
    local.mkdir()
    remote.mkdir()
    formats = ("gif", "webp", "mp4") if _has_ffmpeg() else ("gif", "webp")
    here = {r.name: r for r in bv.run_sweep(_specs(local, formats=formats, tiles=True), jobs=1)}
    there = {r.name: r for r in bv.run_sweep(_specs(remote, formats=formats, tiles=True), scheduler=client)}
    assert sorted(there) == sorted(here) == ["relu_lr0.1_seed0", "relu_lr0.1_seed1", "tanh_lr0.1_seed0",
                                             "tanh_lr0.1_seed1"]
    assert len(_digests(remote)) == 4 * len(formats)
    assert _digests(remote) == _digests(local)
    for name, result in there.items():
        assert result.summary == here[name].summary
        assert result.settings == here[name].settings
        assert [os.path.dirname(p) for p, _ in result.files] == [str(remote)] * len(formats)
        assert [size for _, size in result.files] == [os.path.getsize(p) for p, _ in result.files]
        assert len(result.tiles) == len(here[name].tiles)
    # the gallery from the cluster's results is the gallery from the local ones
    bv.write_gallery(list(here.values()), local)
    bv.write_gallery(list(there.values()), remote)
    assert _digests(remote) == _digests(local)


def _has_ffmpeg():
    return has("imageio_ffmpeg")


def test_a_killed_worker_costs_a_retry_not_the_sweep(tmp_path, client):
    local, remote = tmp_path / "local", tmp_path / "remote"
    local.mkdir()
    remote.mkdir()
    settings = dict(grid={"activation": ["relu", "tanh"], "learning_rate": [0.1, 0.01], "seed": [0, 1]},
                    epochs=24, render={"size": (480, 280), "resolution": 20})
    pids = client.run(os.getpid)  # worker address -> process id
    killed = None
    results = []
    sweep = bv.run_sweep(_specs(remote, **settings), scheduler=client)
    for result in sweep:
        results.append(result)
        if killed is None:
            # kill a worker while it is in the middle of a run
            deadline = time.monotonic() + 30
            while killed is None and time.monotonic() < deadline:
                busy = [address for address, keys in client.processing().items() if keys]
                if busy:
                    killed = pids[busy[0]]
                    os.kill(killed, signal.SIGKILL)
                else:
                    time.sleep(0.02)
            assert killed is not None, "no worker was running anything"
    assert len(results) == 8
    assert not [n for n in os.listdir(remote) if n.endswith(".partial")]
    for name in os.listdir(remote):
        assert is_complete(remote / name)
    list(bv.run_sweep(_specs(local, **settings), jobs=1))
    assert _digests(remote) == _digests(local)
    # the nanny started a new worker process in place of the killed one
    client.wait_for_workers(2, timeout=60)
    assert killed not in client.run(os.getpid).values()


def test_cli_through_the_cluster_writes_the_local_files(tmp_path, cluster):
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert main([*TINY_CLI, "--out", str(local), "--jobs", "1"]) == 0
    proc = subprocess.run([sys.executable, "-m", "boundaryviz", *TINY_CLI, "--out", str(remote),
                           "--scheduler", cluster.scheduler_address], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "relu_lr0.1_seed1" in proc.stdout and "compare.gif" in proc.stdout
    digests = _digests(remote)
    assert {"index.html", "summary.png", "compare.gif", "tanh_lr0.1_seed0.gif"} <= set(digests)
    assert digests == _digests(local)


def test_unreachable_scheduler_exits_2_before_any_work(tmp_path):
    out = tmp_path / "out"
    # The port stays bound (and not listening) for the whole test, so that no other test,
    # in this process or another pytest-xdist worker, can start a scheduler on it meanwhile.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{taken.getsockname()[1]}"
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "boundaryviz", "--scheduler", address, "--out", str(out)],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines == [f"boundaryviz: error: --scheduler: the Dask scheduler at {address} cannot be reached "
                     f"(no answer within 10 s)."], proc.stderr
    assert not out.exists() and os.listdir(tmp_path) == []
    assert time.monotonic() - started < 60


def test_a_scheduler_without_workers_is_refused(tmp_path):
    from boundaryviz.runs.cluster import connect

    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                  silence_logs=40) as empty:
        with pytest.raises(ConnectionError, match=f"the Dask scheduler at {empty.scheduler_address} has no "
                                                  "workers .*dask worker"):
            connect(empty.scheduler_address, timeout=1)


@pytest.mark.parametrize("argv, fragment", [
    (["--scheduler", "localhost"], "scheduler must be an address like 'tcp://HOST:PORT'. Got 'localhost'."),
    (["--scheduler", "tcp://127.0.0.1:1", "--jobs", "2"], "either --jobs"),
])
def test_bad_scheduler_flags(tmp_path, capsys, argv, fragment):
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and fragment in err, err
    assert not (tmp_path / "out").exists()


def test_ctrl_c_cancels_the_cluster_work_and_keeps_finished_files(tmp_path, cluster, client):
    out = tmp_path / "out"
    argv = ["--epochs", "120", "--stop-loss", "0", "--resolution", "30", "--max-frames", "30",
            "--activations", "relu,tanh", "--learning-rates", "0.1,0.05,0.02,0.01", "-q", "--no-gallery",
            "--scheduler", cluster.scheduler_address, "--out", str(out)]
    stdout, stderr = open(tmp_path / "stdout", "w+"), open(tmp_path / "stderr", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "boundaryviz", *argv], stdout=stdout, stderr=stderr)
    try:
        deadline = time.monotonic() + 120
        while not (out.exists() and [n for n in os.listdir(out) if n.endswith(".gif")]):
            assert proc.poll() is None, "the sweep ended before it could be interrupted"
            assert time.monotonic() < deadline, "no animation appeared in time"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    finally:
        if proc.poll() is None:  # pragma: no cover - only when an assertion failed above
            proc.kill()
            proc.wait()
    stderr.seek(0)
    err = stderr.read()
    assert "interrupted (SIGINT); finished runs: " in err
    names = sorted(os.listdir(out))
    assert names and all(n.endswith(".gif") and is_complete(out / n) for n in names), names
    assert len(names) < 8
    for name in names:
        assert name[: -len(".gif")] in err
    # nothing of that sweep is left on the cluster
    deadline = time.monotonic() + 20
    while client.run_on_scheduler(_n_tasks) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.run_on_scheduler(_n_tasks) == 0
    assert not any(client.processing().values())


def _n_tasks(dask_scheduler):
    return sum(1 for key in dask_scheduler.tasks if str(key).startswith("boundaryviz-"))


def test_import_does_not_load_dask():
    code = ("import sys, boundaryviz, boundaryviz.cli.command; boundaryviz.cli.command.build_parser(); "
            "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
